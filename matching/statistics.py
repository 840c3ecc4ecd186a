"""BM25 corpus statistics of the published technologies, from the stored match profiles.

Computing them reads every profile, so they are cached per process and in the shared cache for
`STATISTICS_TTL` seconds: idf changes slowly, and a score computed with statistics a few minutes
old differs from a fresh one by a fraction of a point.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import connection

from catalog.choices import TechnologyStatus
from matching import conf
from matching.engine import CorpusStats

CACHE_KEY = "matching:corpus-statistics:v1"
_memo: dict[str, tuple[float, CorpusStats]] = {}

_TOTALS_SQL = """
    SELECT count(*), coalesce(sum(profile.length), 0)
    FROM matching_technologymatchprofile profile
    JOIN catalog_technology technology ON technology.id = profile.technology_id
    WHERE technology.status = %s
"""
_FREQUENCIES_SQL = """
    SELECT term, count(*)
    FROM matching_technologymatchprofile profile
    JOIN catalog_technology technology ON technology.id = profile.technology_id,
    LATERAL jsonb_object_keys(profile.terms) AS term
    WHERE technology.status = %s
    GROUP BY term
"""


def corpus_statistics_compute() -> CorpusStats:
    with connection.cursor() as cursor:
        cursor.execute(_TOTALS_SQL, [TechnologyStatus.PUBLISHED])
        count, total = cursor.fetchone()
        cursor.execute(_FREQUENCIES_SQL, [TechnologyStatus.PUBLISHED])
        frequencies = dict(cursor.fetchall())
    return CorpusStats(
        document_count=int(count), total_length=float(total), document_frequency=frequencies
    )


def _key() -> str:
    return f"{CACHE_KEY}:{connection.settings_dict['NAME']}"


def corpus_statistics(*, refresh: bool = False) -> CorpusStats:
    """Cached statistics; `refresh` recomputes them (nightly task, evaluation, tests)."""
    key = _key()
    ttl = conf.get("STATISTICS_TTL")
    now = time.monotonic()
    if not refresh:
        memo = _memo.get(key)
        if memo is not None and now - memo[0] < ttl:
            return memo[1]
        shared = cache.get(key)
        if shared is not None:
            _memo[key] = (now, shared)
            return shared
    stats = corpus_statistics_compute()
    if stats.document_count:
        # An empty catalogue is not cached: the first listings should count at once.
        cache.set(key, stats, ttl)
        _memo[key] = (now, stats)
    return stats


def corpus_statistics_invalidate() -> None:
    _memo.clear()
    cache.delete(_key())
