"""Matching listens to what catalog and exchange announce (core.events) instead of being called:
a publication queues a run in the publishing transaction, dispatched after the commit."""

import pytest
from django.db import transaction

from catalog.events import TECHNOLOGY_CHANGED, TECHNOLOGY_PUBLISHED
from core.events import publish, subscribers
from exchange.events import NEED_CHANGED, NEED_PUBLISHED
from matching import services
from matching.choices import RunStatus, RunSubject, RunTrigger
from matching.models import MatchingRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispatched(monkeypatch):
    """Run ids sent to the broker."""
    run_ids: list[int] = []
    monkeypatch.setattr("matching.tasks.execute_matching_run.delay", run_ids.append)
    return run_ids


def test_matching_subscribes_to_publications_and_changes_in_the_transaction():
    # then both listing kinds schedule a run when published or changed
    for event in (TECHNOLOGY_PUBLISHED, TECHNOLOGY_CHANGED):
        assert services.schedule_matching_for_technology in subscribers(event)
    for event in (NEED_PUBLISHED, NEED_CHANGED):
        assert services.schedule_matching_for_need in subscribers(event)


@pytest.mark.parametrize("event", [TECHNOLOGY_PUBLISHED, TECHNOLOGY_CHANGED])
def test_a_technology_event_queues_a_run_dispatched_after_the_commit(
    event, django_capture_on_commit_callbacks, leachate_technology, dispatched
):
    # given a published technology
    # when catalog announces it
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        publish(event, technology_id=leachate_technology.pk)
        # then the run is written in the publishing transaction, not yet dispatched
        run = MatchingRun.objects.get()
        assert dispatched == []
    assert (run.subject, run.subject_id, run.technology_id) == (
        RunSubject.TECHNOLOGY,
        leachate_technology.pk,
        leachate_technology.pk,
    )
    assert (run.status, run.trigger) == (RunStatus.QUEUED, RunTrigger.PUBLISHED)
    assert dispatched == [run.pk]


@pytest.mark.parametrize("event", [NEED_PUBLISHED, NEED_CHANGED])
def test_a_need_event_queues_a_run_dispatched_after_the_commit(
    event, django_capture_on_commit_callbacks, leachate_need, dispatched
):
    # when exchange announces a published need
    with django_capture_on_commit_callbacks(execute=True):
        publish(event, need_id=leachate_need.pk)
    # then one queued run for the need was dispatched
    run = MatchingRun.objects.get()
    assert (run.subject, run.need_id, run.status) == (
        RunSubject.NEED,
        leachate_need.pk,
        RunStatus.QUEUED,
    )
    assert dispatched == [run.pk]


def test_a_rolled_back_publication_queues_no_run(
    django_capture_on_commit_callbacks, leachate_technology, leachate_need, dispatched
):
    # when both publications are rolled back
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        publish(TECHNOLOGY_PUBLISHED, technology_id=leachate_technology.pk)
        publish(NEED_PUBLISHED, need_id=leachate_need.pk)
        raise RuntimeError("the publication failed")
    # then no run row remains and nothing reached the broker
    assert not MatchingRun.objects.exists()
    assert callbacks == []
    assert dispatched == []


def test_announcing_twice_before_a_run_starts_keeps_one_queued_run(
    django_capture_on_commit_callbacks, leachate_need, dispatched
):
    # given a need published, then changed, before any worker took its run
    with django_capture_on_commit_callbacks(execute=True):
        publish(NEED_PUBLISHED, need_id=leachate_need.pk)
        publish(NEED_CHANGED, need_id=leachate_need.pk)
    # then a single run is queued (executing it twice does the work once)
    run = MatchingRun.objects.get()
    assert set(dispatched) == {run.pk}
