"""Cached results of expensive catalogue searches, valid for one search generation.

A search matching tens of thousands of listings spends its time counting them and their facet
values. The catalogue changes far less often than it is searched, and the common terms that match
many listings are the ones searched most, so such a search's total, facet rows and ranked head
are kept in catalog_searchresultcache under a hash of the exact SQL statement and parameters
(which include the visibility scope, filters and sort). An entry is read only while its
generation is the current one: the triggers of migration 0006 bump the generation in every
transaction that changes a search entry, so a published, edited or withdrawn listing shows at
once. Searches matching fewer than CATALOG_SEARCH_CACHE_MIN_MATCHES listings are fast without
the cache and are not stored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from catalog.models import SearchGeneration, SearchResultCache


@dataclass(frozen=True)
class ScanResult:
    total: int
    head: list[int]
    facet_rows: list[tuple]


@dataclass(frozen=True)
class CacheLookup:
    key: str
    generation: int | None  # None: no generation row (e.g. right after a test flush): no caching
    hit: ScanResult | None


def statement_key(sql: str, params: Sequence) -> str:
    payload = json.dumps([sql, [str(param) for param in params]], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def lookup(sql: str, params: Sequence) -> CacheLookup:
    """The current generation and, when it holds one, the cached result (one query)."""
    key = statement_key(sql, params)
    generation_table = SearchGeneration._meta.db_table
    cache_table = SearchResultCache._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT generation.value, cache.total, cache.head, cache.facet_rows
            FROM (SELECT (SELECT value FROM {generation_table} WHERE id = 1) AS value) AS generation
            LEFT JOIN {cache_table} AS cache
              ON cache.statement_hash = %s AND cache.generation = generation.value
            """,
            [key],
        )
        generation, total, head, facet_rows = cursor.fetchone()
    if total is None:
        return CacheLookup(key=key, generation=generation, hit=None)
    rows = [tuple(row) for row in json.loads(facet_rows)]  # Django reads jsonb as text
    return CacheLookup(key=key, generation=generation, hit=ScanResult(total, list(head), rows))


def store(lookup_result: CacheLookup, result: ScanResult) -> None:
    """Keep `result` for the generation read before it was computed, if it is worth keeping.

    Computed after reading generation g, the result reflects at least every change of g; if the
    generation moved on meanwhile the entry is simply never read."""
    if lookup_result.generation is None:
        return
    if result.total < settings.CATALOG_SEARCH_CACHE_MIN_MATCHES:
        return
    cache_table = SearchResultCache._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {cache_table} (statement_hash, generation, total, head, facet_rows,
                                       created_at)
            VALUES (%s, %s, %s, %s, %s, now())
            ON CONFLICT (statement_hash) DO UPDATE SET
                generation = EXCLUDED.generation, total = EXCLUDED.total,
                head = EXCLUDED.head, facet_rows = EXCLUDED.facet_rows,
                created_at = EXCLUDED.created_at
            WHERE {cache_table}.generation <= EXCLUDED.generation
            """,
            [
                lookup_result.key,
                lookup_result.generation,
                result.total,
                result.head,
                json.dumps([list(row) for row in result.facet_rows], ensure_ascii=False),
            ],
        )


def prune() -> int:
    """Delete the entries of past generations; returns how many were deleted."""
    generation = SearchGeneration.objects.filter(pk=1).values_list("value", flat=True).first()
    stale = SearchResultCache.objects.all()
    if generation is not None:
        stale = stale.filter(generation__lt=generation)
    deleted, _ = stale.delete()
    return deleted
