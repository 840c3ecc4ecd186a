"""Candidate generation from the stored full-text vectors (GIN index, `simple` configuration).

Catalog stores the engine's tokens of every technology in `search_vector` and exchange those of
every need, so candidates are the rows holding the query's most telling tokens, glossary
concept tokens first (they are language-neutral and weigh double). Tokens found in a large share
of the collection are left out once the postings budget is spent (they still count in the
reranking): they select nearly everything and make the query slow.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import connection, transaction
from django.db.models import QuerySet

from matching import conf
from matching.engine import CorpusStats
from matching.engine.index import query_weight


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


_CANDIDATE_SQL = """
    SELECT row.id
    FROM unnest(%s::text[], %s::float8[]) AS query(token, weight)
    CROSS JOIN LATERAL (
        SELECT id FROM {table} WHERE search_vector @@ query.token::tsquery AND {condition}
    ) AS row
    GROUP BY row.id
    ORDER BY sum(query.weight) DESC, row.id
    LIMIT %s
"""


def candidate_ids(
    queryset: QuerySet,
    terms: Mapping[str, float],
    stats: CorpusStats,
    *,
    limit: int | None = None,
) -> list[int]:
    """Ids of rows of `queryset` (a model with a `search_vector`) worth reranking for `terms`.

    Each chosen token is looked up in the GIN index on its own and a row scores the sum of the
    query weights x idf of the tokens it contains: a BM25 without term frequencies, computed
    from the index alone (ts_rank would parse every matching row's vector, ~10x slower).
    """
    limit = limit or conf.get("CANDIDATE_LIMIT")
    tokens = candidate_tokens(terms, stats)
    if not tokens:
        return []
    weights = [query_weight(token, terms[token]) * stats.idf(token) for token in tokens]
    # The queryset's own filters (status, ...) become the lateral subquery's condition.
    inner = queryset.values("pk").query
    compiler = inner.get_compiler(queryset.db)
    where, where_params = compiler.compile(inner.where) if inner.where else ("TRUE", [])
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    sql = _CANDIDATE_SQL.format(table=table, condition=where or "TRUE")
    # Tokens are CJK runs or [a-z0-9]+ (see textanalysis), safe inside quotes.
    quoted = [f"'{token}'" for token in tokens]
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
            cursor.execute(sql, [quoted, weights, *where_params, limit])
            return [row[0] for row in cursor.fetchall()]
        finally:
            cursor.execute(
                "SELECT set_config('enable_seqscan', %s, true), "
                "set_config('max_parallel_workers_per_gather', %s, true)",
                [seqscan, parallel],
            )
