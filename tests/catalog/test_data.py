import pytest
from django.core.management import call_command
from django.db.models import Count

from catalog import demo
from catalog.choices import TechnologyStatus
from catalog.models import Technology

pytestmark = pytest.mark.django_db


def test_demo_seed_covers_every_state_and_is_idempotent():
    # when the demo data is seeded twice
    demo.seed()
    first = Technology.objects.count()
    demo.seed()
    # then nothing is duplicated and every state is present
    assert Technology.objects.count() == first >= 60
    states = set(Technology.objects.values_list("status", flat=True))
    assert states == set(TechnologyStatus.values)
    categories = Technology.objects.values("category__parent__code").annotate(n=Count("pk"))
    assert len(categories) == 6
    published = Technology.objects.filter(status=TechnologyStatus.PUBLISHED).first()
    assert published.events.filter(action="approve").exists()


def test_generate_synthetic_creates_searchable_rows(capsys):
    from django.contrib.auth.models import AnonymousUser

    from catalog.selectors import technology_search

    call_command("generate_synthetic", technologies=300)
    assert Technology.objects.count() == 300
    assert "300 technologies" in capsys.readouterr().out
    assert not Technology.objects.filter(search_vector__isnull=True).exists()
    # the generated vectors are found by the same search as real listings
    found = technology_search(user=AnonymousUser(), params={"q": "废水"}).queryset.count()
    assert 0 < found < 300
