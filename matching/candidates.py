"""Candidate generation from the stored full-text vectors (GIN index, `simple` configuration).

Catalog stores the engine's tokens of every technology in `search_vector` and exchange those of
every need, so candidates are the rows holding the query's most telling tokens, glossary
concept tokens first (they are language-neutral and weigh double). Tokens found in a large share
of the collection are left out once the postings budget is spent (they still count in the
reranking): they select nearly everything and make the query slow.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

from django.db import connection, transaction
from django.db.models import QuerySet

from matching import conf
from matching.engine import CorpusStats
from matching.engine.index import query_weight

K = TypeVar("K", bound=Hashable)


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
        terms.items(),
        key=lambda item: (-query_weight(item[0], item[1]) * stats.idf(item[0]), item[0]),
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


# One statement for a batch of queries (a re-match run's needs): each distinct token is looked
# up in the GIN index once however many queries hold it, and the top `limit` rows are kept per
# query. A row's score is the sum of the query weights x idf of the tokens it contains: a BM25
# without term frequencies, computed from the index alone (ts_rank would parse every matching
# row's vector, ~10x slower).
_CANDIDATE_SQL = """
    WITH query AS (
        SELECT * FROM unnest(%s::int[], %s::text[], %s::float8[]) AS query(key, token, weight)
    ), hit AS (
        SELECT token.token, row.id
        FROM (SELECT DISTINCT query.token FROM query) AS token
        CROSS JOIN LATERAL (
            SELECT id FROM {table} WHERE search_vector @@ token.token::tsquery AND {condition}
        ) AS row
    ), scored AS (
        SELECT query.key, hit.id, sum(query.weight) AS score
        FROM query JOIN hit ON hit.token = query.token
        GROUP BY query.key, hit.id
    )
    SELECT key, id FROM (
        SELECT key, id, row_number() OVER (PARTITION BY key ORDER BY score DESC, id) AS position
        FROM scored
    ) AS ranked
    WHERE position <= %s
    ORDER BY key, position
"""


def candidate_ids(
    queryset: QuerySet,
    terms: Mapping[str, float],
    stats: CorpusStats,
    *,
    limit: int | None = None,
) -> list[int]:
    """Ids of rows of `queryset` (a model with a `search_vector`) worth reranking for `terms`."""
    return candidate_ids_many(queryset, {0: terms}, stats, limit=limit)[0]


def candidate_ids_many(
    queryset: QuerySet,
    queries: Mapping[K, Mapping[str, float]],
    stats: CorpusStats,
    *,
    limit: int | None = None,
) -> dict[K, list[int]]:
    """{key: candidate ids} for many queries in one statement; the ids of each key are those
    `candidate_ids` gives for its terms alone, best first."""
    limit = limit or conf.get("CANDIDATE_LIMIT")
    result: dict[K, list[int]] = {key: [] for key in queries}
    positions: list[int] = []
    tokens: list[str] = []
    weights: list[float] = []
    keys = list(queries)
    for position, key in enumerate(keys):
        terms = queries[key]
        for token in candidate_tokens(terms, stats):
            positions.append(position)
            # Tokens are CJK runs or [a-z0-9]+ (see textanalysis), safe inside quotes.
            tokens.append(f"'{token}'")
            weights.append(query_weight(token, terms[token]) * stats.idf(token))
    if not tokens:
        return result
    # The queryset's own filters (status, ...) become the lateral subquery's condition.
    inner = queryset.values("pk").query
    compiler = inner.get_compiler(queryset.db)
    where, where_params = compiler.compile(inner.where) if inner.where else ("TRUE", [])
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    sql = _CANDIDATE_SQL.format(table=table, condition=where or "TRUE")
    with transaction.atomic(), connection.cursor() as cursor:
        # The planner cannot see the tokens' frequencies behind the parameter and, on a large
        # table, picks a sequential scan per token (seconds instead of milliseconds).
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), "
            "current_setting('max_parallel_workers_per_gather')"
        )
        seqscan, parallel = cursor.fetchone()
        cursor.execute(
            "SELECT set_config('enable_seqscan', 'off', true), "
            "set_config('max_parallel_workers_per_gather', '0', true)"
        )
        try:
            cursor.execute(sql, [positions, tokens, weights, *where_params, limit])
            for position, row_id in cursor.fetchall():
                result[keys[position]].append(row_id)
        finally:
            cursor.execute(
                "SELECT set_config('enable_seqscan', %s, true), "
                "set_config('max_parallel_workers_per_gather', %s, true)",
                [seqscan, parallel],
            )
    return result
