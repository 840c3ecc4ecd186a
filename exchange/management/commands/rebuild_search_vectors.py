"""Recompute the stored search vectors of every technology and need with today's text analysis.

The vectors are written when a listing is saved; a change of the analysis itself (a glossary
entry, a new language's forms, accent folding) reaches the stored rows only through this
command. Only the rows whose vector changes are written, so a re-run is cheap and the search
entries (and the search-result cache) move only for those rows.
"""

import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from catalog.models import Technology
from catalog.search import SEARCHED_FIELDS, TRANSLATED_TEXT_WEIGHT, technology_search_vector
from exchange.models import Need
from exchange.search import need_search_vector

NEED_FIELDS = (
    "title_zh",
    "title_en",
    "industry",
    "description_zh",
    "description_en",
    "context",
    "translated_text",
    "category",
    "category__name_zh",
    "category__name_en",
)


def _write_changed(table: str, rows: list[tuple[int, str]]) -> int:
    """Set the vectors that differ from the stored ones; returns how many rows changed."""
    if not rows:
        return 0
    values = ", ".join(["(%s, %s)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS row SET search_vector = fresh.vector::tsvector "
            f"FROM (VALUES {values}) AS fresh(id, vector) "
            "WHERE row.id = fresh.id AND row.search_vector IS DISTINCT FROM fresh.vector::tsvector",
            [value for row in rows for value in row],
        )
        return cursor.rowcount


class Command(BaseCommand):
    # In exchange, the lowest app that knows both kinds of listing (catalog knows no need).
    help = "Recompute the search vectors of every technology and need; writes only changed ones."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500, help="Rows per transaction.")

    def handle(self, *args, **options):
        batch_size = options["batch"]
        technology_fields = ("pk", *SEARCHED_FIELDS, TRANSLATED_TEXT_WEIGHT[0])
        kinds = (
            (Technology, technology_fields, technology_search_vector, ()),
            (Need, ("pk", *NEED_FIELDS), need_search_vector, ("category",)),
        )
        for model, fields, vector, related in kinds:
            started = time.perf_counter()
            seen = changed = 0
            queryset = model.objects.order_by("pk").only(*fields).select_related(*related)
            batch: list[tuple[int, str]] = []
            for row in queryset.iterator(chunk_size=batch_size):
                batch.append((row.pk, vector(row)))
                seen += 1
                if len(batch) >= batch_size:
                    with transaction.atomic():
                        changed += _write_changed(model._meta.db_table, batch)
                    batch = []
            with transaction.atomic():
                changed += _write_changed(model._meta.db_table, batch)
            self.stdout.write(
                f"{model._meta.verbose_name_plural}: {changed} of {seen} search vectors changed "
                f"({time.perf_counter() - started:.1f} s)"
            )
