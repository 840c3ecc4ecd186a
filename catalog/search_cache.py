"""Cached results of expensive catalogue searches, valid for one search generation.

A search matching tens of thousands of listings spends its time counting them and their facet
values. The catalogue changes far less often than it is searched, and the common terms that match
many listings are the ones searched most, so such a search's total, facet rows and ranked head
are kept in catalog_searchresultcache under a hash of the exact SQL statement and parameters
(which include the visibility scope, filters and sort). Searches matching fewer than
CATALOG_SEARCH_CACHE_MIN_MATCHES listings are fast without the cache and are not stored.

The generation is the sequence `catalog_search_generation`: every statement that changes a
search entry (or an organisation's kind, a facet) calls nextval() from its trigger and holds a
shared advisory lock until its transaction ends (migration 0008). Neither waits for another
writer, so concurrent publishes, edits and imports do not queue on the cache. An entry is read
only under the current generation, and stored only when no other session's search change was in
flight when the generation was read (checked on a miss only, migration 0010): a change is visible
to the very next search, and a result computed before a concurrent write committed is never
served after it. The full argument is in the docstring of migration 0008.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import connection

from catalog.models import SearchResultCache
from core.db import read_from_replica_is_complete

GENERATION_SEQUENCE = "catalog_search_generation"


@dataclass(frozen=True)
class ScanResult:
    total: int
    head: list[int]
    facet_rows: list[tuple]
    # For an estimated result: the share of the entries sampled (percent); None when exact.
    sample_percent: float | None = None


# An estimated result is stored with one more facet row naming the sampled share.
_SAMPLE_ROW = "sample"


@dataclass(frozen=True)
class CacheLookup:
    key: str
    generation: int
    # False while another session's change of the search entries may be uncommitted: a result
    # computed now is served to this search but not stored.
    storable: bool
    hit: ScanResult | None
    # For a search read from the replica: the primary's WAL position when the generation was read.
    primary_wal_position: str | None = None
    # On a miss: the total stored for the same statement under an earlier generation, if any (a
    # hint of the search's size; catalog.selectors samples a search that was large first).
    last_total: int | None = None


def statement_key(sql: str, params: Sequence) -> str:
    payload = json.dumps([sql, [str(param) for param in params]], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def current_generation() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_value FROM {GENERATION_SEQUENCE}")
        return cursor.fetchone()[0]


def lookup(sql: str, params: Sequence, *, for_replica: bool = False) -> CacheLookup:
    """The current generation, the cached result for it if the cache holds one and, on a miss,
    whether a result computed now may be stored (one query, migration 0010: a hit does not
    read the lock table). Always on the primary, which holds the generation and the cache;
    `for_replica` also reads the primary's WAL position (see confirmed_by_replica)."""
    key = statement_key(sql, params)
    position = ", pg_current_wal_lsn()::text" if for_replica else ", NULL"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT generation, settled, total, head, facet_rows, last_total{position}"
            " FROM catalog_search_cache_lookup(%s)",
            [key],
        )
        generation, settled, total, head, facet_rows, last_total, wal_position = cursor.fetchone()
    if total is None:
        return CacheLookup(
            key=key,
            generation=generation,
            storable=bool(settled),
            hit=None,
            primary_wal_position=wal_position,
            last_total=last_total,
        )
    rows = [tuple(row) for row in json.loads(facet_rows)]  # Django reads jsonb as text
    percent = next((float(row[1]) for row in rows if row[0] == _SAMPLE_ROW), None)
    rows = [row for row in rows if row[0] != _SAMPLE_ROW]
    hit = ScanResult(total, list(head), rows, sample_percent=percent)
    return CacheLookup(key=key, generation=generation, storable=False, hit=hit)


def confirmed_by_replica(lookup_result: CacheLookup, *, alias: str) -> CacheLookup:
    """A miss about to be computed on a replica may be stored for its generation only if the
    replica has replayed the primary's WAL up to where it was when the generation was read: then
    it sees every change of that generation. A replica that lags gives an answer that is served
    but not kept."""
    complete = read_from_replica_is_complete(alias, lookup_result.primary_wal_position)
    return replace(lookup_result, storable=lookup_result.storable and complete)


def store(lookup_result: CacheLookup, result: ScanResult) -> None:
    """Keep `result` for the generation read before it was computed, if it is worth keeping.

    Computed after reading generation g with no other change in flight, the result reflects
    every change of g; if the generation moved on meanwhile the entry is simply never read."""
    if not lookup_result.storable:
        return
    if result.total < settings.CATALOG_SEARCH_CACHE_MIN_MATCHES:
        return
    cache_table = SearchResultCache._meta.db_table
    rows = [list(row) for row in result.facet_rows]
    if result.sample_percent is not None:
        rows.append([_SAMPLE_ROW, str(result.sample_percent), 0])
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
                json.dumps(rows, ensure_ascii=False),
            ],
        )


def prune() -> int:
    """Delete the entries of past generations; returns how many were deleted."""
    deleted, _ = SearchResultCache.objects.filter(generation__lt=current_generation()).delete()
    return deleted
