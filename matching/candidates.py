"""Candidate generation from the stored full-text vectors (GIN index, `simple` configuration).

Catalog stores the engine's tokens of every technology in `search_vector` and exchange those of
every need, so a candidate query is an OR of the query's most telling tokens. Two lists are
merged: one over glossary concept tokens only (the language-neutral ones, so an English need
reaches Chinese listings even when same-language wording dominates the other list) and one over
all tokens. Tokens found in a large share of the collection are left out of the query (they
still count in the reranking): they select nearly everything and make the query slow.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import F, QuerySet

from matching import conf
from matching.engine import CorpusStats
from matching.engine.index import query_weight
from matching.engine.text import is_concept_token


def candidate_tokens(
    terms: Mapping[str, float],
    stats: CorpusStats,
    *,
    limit: int | None = None,
    postings_budget: int | None = None,
) -> list[str]:
    """The query's most telling tokens, whose document frequencies fit in the budget."""
    limit = limit or conf.get("QUERY_TOKEN_LIMIT")
    budget = postings_budget or conf.get("CANDIDATE_POSTINGS_BUDGET")
    ranked = sorted(
        terms.items(), key=lambda item: (-query_weight(item[0], item[1]) * stats.idf(item[0]), item[0])
    )
    chosen: list[str] = []
    postings = 0
    for token, _ in ranked:
        frequency = stats.document_frequency.get(token, 0)
        if chosen and postings + frequency > budget:
            continue
        chosen.append(token)
        postings += frequency
        if len(chosen) >= limit:
            break
    return chosen


def _tsquery(tokens: list[str]) -> SearchQuery:
    # Tokens are CJK runs or [a-z0-9]+ (see matching.engine.text), safe inside quotes.
    raw = " | ".join(f"'{token}'" for token in tokens)
    return SearchQuery(raw, search_type="raw", config="simple")


def ranked_ids(queryset: QuerySet, tokens: list[str], limit: int) -> list[int]:
    if not tokens or limit <= 0:
        return []
    query = _tsquery(tokens)
    return list(
        queryset.filter(search_vector=query)
        .annotate(text_rank=SearchRank(F("search_vector"), query))
        .order_by("-text_rank", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def candidate_ids(
    queryset: QuerySet,
    terms: Mapping[str, float],
    stats: CorpusStats,
    *,
    limit: int | None = None,
) -> list[int]:
    """Ids of rows of `queryset` (with a `search_vector`) worth reranking for `terms`."""
    limit = limit or conf.get("CANDIDATE_LIMIT")
    tokens = candidate_tokens(terms, stats)
    concepts = [token for token in tokens if is_concept_token(token)]
    ids = ranked_ids(queryset, tokens, limit)
    if concepts and len(concepts) < len(tokens):
        seen = set(ids)
        ids += [pk for pk in ranked_ids(queryset, concepts, limit // 2) if pk not in seen]
    return ids
