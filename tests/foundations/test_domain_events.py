"""core.events: publish after commit or inside the transaction, never for a rolled-back change."""

import pytest
from django.db import transaction

from core import events

SOMETHING_HAPPENED = events.DomainEvent("tests.something_happened", payload=("thing_id",))


@pytest.fixture
def received():
    calls: list[tuple[str, int]] = []

    def after_commit(*, thing_id):
        calls.append(("after_commit", thing_id))

    def in_transaction(*, thing_id):
        calls.append(("in_transaction", thing_id))

    events.subscribe(SOMETHING_HAPPENED, after_commit)
    events.subscribe(SOMETHING_HAPPENED, in_transaction, in_transaction=True)
    yield calls
    events.unsubscribe(SOMETHING_HAPPENED, after_commit)
    events.unsubscribe(SOMETHING_HAPPENED, in_transaction)


@pytest.mark.django_db
def test_in_transaction_handlers_run_at_once_and_the_others_after_the_commit(
    received, django_capture_on_commit_callbacks
):
    # given two subscribers
    # when the event is published inside a transaction
    with django_capture_on_commit_callbacks(execute=True):
        events.publish(SOMETHING_HAPPENED, thing_id=7)
        # then the in-transaction handler has run and the other waits for the commit
        assert received == [("in_transaction", 7)]
    assert received == [("in_transaction", 7), ("after_commit", 7)]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_publish_reaches_no_after_commit_handler(received):
    # when the publishing transaction rolls back
    with pytest.raises(RuntimeError), transaction.atomic():
        events.publish(SOMETHING_HAPPENED, thing_id=8)
        raise RuntimeError("the change is refused")
    # then only the in-transaction handler ran (and its writes rolled back with the change)
    assert received == [("in_transaction", 8)]


@pytest.mark.django_db
def test_a_failing_after_commit_handler_does_not_stop_the_others(
    received, django_capture_on_commit_callbacks, caplog
):
    def broken(*, thing_id):
        raise ValueError("handler bug")

    events.subscribe(SOMETHING_HAPPENED, broken)
    late: list[int] = []

    def later(*, thing_id):
        late.append(thing_id)

    events.subscribe(SOMETHING_HAPPENED, later)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            events.publish(SOMETHING_HAPPENED, thing_id=9)
    finally:
        events.unsubscribe(SOMETHING_HAPPENED, broken)
        events.unsubscribe(SOMETHING_HAPPENED, later)
    assert late == [9]
    assert "handler bug" in caplog.text


def test_a_publish_without_the_declared_payload_is_refused(received):
    with pytest.raises(TypeError, match="thing_id"):
        events.publish(SOMETHING_HAPPENED)
    assert received == []


def test_subscribing_twice_keeps_one_subscription(received):
    def handler(*, thing_id):
        pass

    events.subscribe(SOMETHING_HAPPENED, handler)
    events.subscribe(SOMETHING_HAPPENED, handler)
    try:
        assert events.subscribers(SOMETHING_HAPPENED).count(handler) == 1
    finally:
        events.unsubscribe(SOMETHING_HAPPENED, handler)
