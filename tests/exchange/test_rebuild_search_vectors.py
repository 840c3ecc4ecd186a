"""`manage.py rebuild_search_vectors`: stored vectors follow a change of the text analysis."""

from io import StringIO

from django.core.management import call_command
from django.db import connection

from catalog.models import Technology
from catalog.search import technology_search_vector
from exchange.choices import NeedStatus
from exchange.models import Need
from exchange.search import need_search_vector
from textanalysis import concept_token


def _run() -> str:
    out = StringIO()
    call_command("rebuild_search_vectors", "--batch", "1", stdout=out)
    return out.getvalue()


def test_stale_vectors_are_rewritten_and_a_rerun_writes_nothing(make_technology, make_need):
    technology = make_technology(title_en="Nước thải treatment")
    need = make_need(status=NeedStatus.PUBLISHED, title_en="Xử lý nước thải")
    # As if stored by an older analysis (before accent folding and the Vietnamese forms).
    Technology.objects.filter(pk=technology.pk).update(search_vector="'stale':1A")
    Need.objects.filter(pk=need.pk).update(search_vector="'stale':1A")

    output = _run()

    assert "1 of 1 search vectors changed" in output
    for model, pk, expected in (
        (Technology, technology.pk, technology_search_vector),
        (Need, need.pk, need_search_vector),
    ):
        row = model.objects.get(pk=pk)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT search_vector = %s::tsvector, search_vector::text FROM "
                f"{model._meta.db_table} WHERE id = %s",
                [expected(row), pk],
            )
            same, stored = cursor.fetchone()
        assert same, stored
        assert "stale" not in stored
        assert concept_token("wastewater") in stored
    assert _run().count("0 of 1 search vectors changed") == 2
