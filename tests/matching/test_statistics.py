"""Corpus statistics: served from the cache, stale ones kept while one background refresh runs."""

import time

import pytest

from matching import statistics
from matching.engine import CorpusStats
from matching.statistics import corpus_statistics


def _cache_stats(document_count: int, age: float) -> CorpusStats:
    stats = CorpusStats(document_count=document_count, total_length=10.0 * document_count)
    statistics.cache.set(statistics._key(), (time.time() - age, stats), 3600)
    statistics._memo.clear()
    return stats


@pytest.fixture
def sent(monkeypatch):
    tasks = []
    monkeypatch.setattr(statistics.current_app, "send_task", lambda name: tasks.append(name))
    return tasks


def test_fresh_statistics_come_from_the_cache(db, sent):
    # given statistics computed a minute ago
    cached = _cache_stats(5000, age=60)
    # when they are read
    # then they are the cached ones and nothing is recomputed
    assert corpus_statistics() == cached
    assert sent == []


def test_stale_statistics_of_a_large_catalogue_are_served_while_one_refresh_is_queued(db, sent):
    # given statistics of a large catalogue older than the TTL
    cached = _cache_stats(5000, age=statistics.conf.get("STATISTICS_TTL") + 5)
    # when two requests read them
    first, second = corpus_statistics(), corpus_statistics()
    # then both get the stale ones at once and one refresh is queued
    assert first == second == cached
    assert sent == [statistics.REFRESH_TASK]


def test_the_refresh_replaces_the_stale_statistics_and_releases_its_claim(db, sent):
    # given stale statistics whose refresh was queued
    _cache_stats(5000, age=statistics.conf.get("STATISTICS_TTL") + 5)
    corpus_statistics()
    # when the task runs (the catalogue is empty here)
    from matching.tasks import refresh_corpus_statistics

    assert refresh_corpus_statistics.apply().get() == 0
    # then the claim is released: the next stale read may queue again
    assert statistics.cache.get(f"{statistics._key()}:refreshing") is None


def test_stale_statistics_of_a_small_catalogue_are_recomputed_at_once(db, sent):
    # given stale statistics of a small catalogue
    _cache_stats(10, age=statistics.conf.get("STATISTICS_TTL") + 5)
    # when they are read
    stats = corpus_statistics()
    # then they are recomputed inline (the empty test catalogue) and no task is queued
    assert stats.document_count == 0
    assert sent == []
