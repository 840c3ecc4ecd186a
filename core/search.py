"""Apply a parsed full-text query (catalog.search.parse_query) to any model with a stored vector.

The analysis (segmentation, synonyms, query parsing) lives in catalog.search on top of the
matching engine; this helper is the one place that turns a parsed query into a filtered,
ranked queryset, so technologies and needs search the same way.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import F, QuerySet


def apply_text_query(queryset: QuerySet, parsed, *, field: str = "search_vector") -> QuerySet:
    """Keep rows whose stored vector matches `parsed` and annotate `rank`; empty: unchanged."""
    if parsed.is_empty:
        return queryset
    query = SearchQuery(parsed.tsquery(), search_type="raw", config="simple")
    return queryset.filter(**{field: query}).annotate(rank=SearchRank(F(field), query))
