"""Full-text search over needs with the catalogue's analysis (one mechanism for both).

catalog.search builds weighted tsvector literals from textanalysis (shared with the matching engine)
(Chinese segmentation, English stemming, bilingual glossary concepts) and parses queries into
tsqueries; core.search applies a parsed query to a queryset with ranking.
"""

from django.db.models import F, QuerySet

from catalog.search import highlight, parse_query, tsvector_literal
from core.search import apply_text_query


def need_search_vector(need) -> str:
    category_names = f"{need.category.name_zh} {need.category.name_en}" if need.category_id else ""
    return tsvector_literal(
        [
            (need.title_zh, "A"),
            (need.title_en, "A"),
            (need.industry, "B"),
            (category_names, "B"),
            (need.description_zh, "C"),
            (need.description_en, "C"),
            (need.context, "D"),
            # The translations' text (and an original written in another language).
            (need.translated_text, "B"),
        ]
    )


def apply_search(queryset: QuerySet, text: str) -> QuerySet:
    """Filter by the query and order by relevance; an empty query changes nothing."""
    parsed = parse_query(text or "")
    if parsed.is_empty:
        return queryset
    return apply_text_query(queryset, parsed).order_by(
        F("rank").desc(), F("published_at").desc(nulls_last=True), "-pk"
    )


def snippet(text: str, query: str) -> str:
    return highlight(text, parse_query(query or "").highlight_terms)


def has_no_searchable_word(text: str) -> bool:
    """A query given that leaves nothing to search for (single characters, stop words,
    punctuation): the need list then lists every need and says why."""
    return bool((text or "").strip()) and parse_query(text).is_empty
