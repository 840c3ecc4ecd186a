"""BM25 corpus statistics of the published technologies, from the stored match profiles.

Computing them reads every profile (seconds at 500,000 listings), so they are cached per process
and in the shared cache, and reused by every need of a batch. idf changes slowly: a score computed
with statistics a few minutes old differs from a fresh one by a fraction of a point. So once they
are older than `STATISTICS_TTL`, a large catalogue keeps answering with them while one worker
recomputes them in the background (`refresh_corpus_statistics`, claimed once through the cache);
the request that notices never pays for the recomputation. A small catalogue (or a cold cache)
recomputes at once.
"""

from __future__ import annotations

import time

from celery import current_app
from django.core.cache import cache
from django.db import connection
from kombu.exceptions import OperationalError as BrokerUnavailable

from catalog.choices import TechnologyStatus
from matching import conf
from matching.engine import CorpusStats

CACHE_KEY = "matching:corpus-statistics:v2"
# Stale statistics are still served (while a refresh runs) up to this age.
STALE_LIFETIME = 24 * 3600
# Below this many listings the statistics are recomputed inline (cheap, and one listing moves
# idf noticeably).
SMALL_CORPUS = 2000
REFRESH_TASK = "matching.tasks.refresh_corpus_statistics"
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
    now = time.time()
    if not refresh:
        memo = _memo.get(key)
        if memo is None:
            memo = cache.get(key)
            if memo is not None:
                _memo[key] = memo
        if memo is not None:
            computed_at, stats = memo
            if now - computed_at < ttl:
                return stats
            if stats.document_count >= SMALL_CORPUS and now - computed_at < STALE_LIFETIME:
                _refresh_in_background(key)
                return stats
    return _recompute(key)


def _recompute(key: str) -> CorpusStats:
    computed_at = time.time()
    stats = corpus_statistics_compute()
    if stats.document_count:
        # An empty catalogue is not cached: the first listings should count at once.
        cache.set(key, (computed_at, stats), STALE_LIFETIME)
        _memo[key] = (computed_at, stats)
    return stats


def _refresh_in_background(key: str) -> None:
    """Queue one recomputation for everyone (the first process to notice claims it)."""
    if not cache.add(f"{key}:refreshing", 1, conf.get("STATISTICS_TTL")):
        # Claimed elsewhere: pick up its result once it lands.
        shared = cache.get(key)
        if shared is not None:
            _memo[key] = shared
        return
    try:
        current_app.send_task(REFRESH_TASK)
    except BrokerUnavailable:
        cache.delete(f"{key}:refreshing")


def corpus_statistics_refresh() -> CorpusStats:
    """The background recomputation (task): fresh statistics, then the claim released."""
    key = _key()
    try:
        return _recompute(key)
    finally:
        cache.delete(f"{key}:refreshing")


def corpus_statistics_invalidate() -> None:
    _memo.clear()
    cache.delete(_key())
    cache.delete(f"{_key()}:refreshing")
