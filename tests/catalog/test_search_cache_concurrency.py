"""The search generation under concurrent writers (two database connections, real commits).

Writers bump a sequence and share an advisory lock (migration 0008): they never wait for each
other, and a search that runs while another session's change is uncommitted is not stored, so
it cannot be served once that change commits.
"""

import threading
from contextlib import contextmanager

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, connections, transaction

from catalog import search_cache
from catalog.choices import TechnologyStatus
from catalog.models import SearchResultCache, Technology
from catalog.selectors import technology_search
from tests.catalog.conftest import make_technology

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cache_everything(settings):
    settings.CATALOG_SEARCH_CACHE_MIN_MATCHES = 1


def total_of(query: str) -> int:
    return technology_search(user=AnonymousUser(), params={"q": query}).queryset.count()


@contextmanager
def uncommitted_in_another_session(change):
    """Run `change()` in a transaction of a second connection and keep it open (neither
    committed nor rolled back) until the block ends; then commit it."""
    started, finish, failures = threading.Event(), threading.Event(), []

    def writer() -> None:
        try:
            with transaction.atomic():
                change()
                started.set()
                finish.wait(timeout=30)
        except Exception as error:  # reported to the test thread
            failures.append(error)
            started.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    assert started.wait(timeout=30)
    try:
        yield failures
    finally:
        finish.set()
        thread.join(timeout=30)
    assert not failures, failures


def publish(technology_id: int) -> None:
    Technology.objects.filter(pk=technology_id).update(status=TechnologyStatus.PUBLISHED)


def test_two_writers_do_not_wait_for_each_other_on_the_generation(owner):
    # given two listings about to be published
    first = make_technology(owner, status=TechnologyStatus.SUBMITTED)
    second = make_technology(owner, status=TechnologyStatus.SUBMITTED, title_zh="焦化废水处理")
    before = search_cache.current_generation()
    # when one session publishes the first and keeps its transaction open
    with uncommitted_in_another_session(lambda: publish(first.pk)):
        # then this session publishes the second without waiting for it (a wait on a lock
        # would end in LockNotAvailable after the lock timeout)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '5s'")
            publish(second.pk)
        second_committed = Technology.objects.get(pk=second.pk).status
    # and both changes are in, each having moved the generation on
    assert second_committed == TechnologyStatus.PUBLISHED
    assert Technology.objects.get(pk=first.pk).status == TechnologyStatus.PUBLISHED
    assert search_cache.current_generation() >= before + 2


def test_a_search_during_an_uncommitted_change_is_not_kept(owner, cache_everything):
    # given one published listing and a second one another session is publishing
    make_technology(owner, status=TechnologyStatus.PUBLISHED)
    pending = make_technology(owner, status=TechnologyStatus.SUBMITTED, title_zh="焦化废水处理")
    with uncommitted_in_another_session(lambda: publish(pending.pk)):
        # when a search runs before that change commits
        during = total_of("废水")
        # then it sees the committed state only and stores nothing
        assert during == 1
        assert not SearchResultCache.objects.exists()
    # and the very next search after the commit shows the change
    assert total_of("废水") == 2
    # and, nothing being in flight any more, that result is kept and served again
    assert SearchResultCache.objects.count() == 1
    assert total_of("废水") == 2


def test_a_kept_result_is_not_served_after_a_later_change_commits(owner, cache_everything):
    # given a search result kept for the current generation
    make_technology(owner, status=TechnologyStatus.PUBLISHED)
    pending = make_technology(owner, status=TechnologyStatus.SUBMITTED, title_zh="焦化废水处理")
    assert total_of("废水") == 1
    kept = SearchResultCache.objects.get()
    # when another session publishes a match and commits
    with uncommitted_in_another_session(lambda: publish(pending.pk)):
        pass
    # then the kept result belongs to a past generation and the search shows the new listing
    assert kept.generation < search_cache.current_generation()
    assert total_of("废水") == 2
