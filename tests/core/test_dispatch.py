"""Tasks are queued after the commit; a broker that is down is logged, never raised into the
request whose data is already committed."""

import logging

import pytest
from django.db import transaction
from django.utils.translation import gettext_lazy
from kombu.exceptions import OperationalError as BrokerUnavailable

from core.dispatch import delay_on_commit
from notifications.messages import Message
from notifications.models import Notification
from notifications.services import notify_users
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class RecordingTask:
    name = "tests.recording_task"

    def __init__(self, refuse: bool = False) -> None:
        self.refuse = refuse
        self.attempts: list[tuple] = []

    def delay(self, *arguments) -> None:
        self.attempts.append(arguments)
        if self.refuse:
            raise BrokerUnavailable("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_tasks_are_queued_in_order_after_the_commit(django_capture_on_commit_callbacks):
    # given
    task = RecordingTask()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        delay_on_commit(task, [(1,), (2,)])
        assert task.attempts == []
    # then
    assert task.attempts == [(1,), (2,)]


def test_nothing_is_queued_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    # given
    task = RecordingTask()
    # when
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        delay_on_commit(task, [(1,)])
        raise RuntimeError("roll back")
    # then
    assert callbacks == []
    assert task.attempts == []


def test_a_broker_that_is_down_is_logged_once_and_the_data_stays_committed(
    django_capture_on_commit_callbacks, caplog, monkeypatch
):
    # given a broker that refuses connections and users who want emails at once
    from notifications.tasks import deliver_notification_email

    refusing = RecordingTask(refuse=True)
    monkeypatch.setattr(deliver_notification_email, "delay", refusing.delay)
    users = UserFactory.create_batch(3, notification_frequency="immediate")
    # when notifications are created and their emails dispatched after the commit
    with (
        caplog.at_level(logging.ERROR, logger="core.dispatch"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notify_users(users=users, title=Message(gettext_lazy("A technology awaits review")))
    # then no error escapes, the rows are saved and the first refusal ends the batch
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 3
    assert len(refusing.attempts) == 1
    (record,) = caplog.records
    assert record.getMessage().startswith(
        "broker unavailable: 3 of 3 notifications.tasks.deliver_notification_email not queued"
    )


def test_a_task_named_by_its_registered_name_is_the_registered_task(
    django_capture_on_commit_callbacks, monkeypatch
):
    # given the registered email task, its broker call recorded
    from notifications.tasks import deliver_notification_email

    recording = RecordingTask()
    monkeypatch.setattr(deliver_notification_email, "delay", recording.delay)
    # when a service names it instead of importing it
    with django_capture_on_commit_callbacks(execute=True):
        delay_on_commit(deliver_notification_email.name, [(7,), (8,)])
    # then the registered task is sent, in order, after the commit
    assert deliver_notification_email.name == "notifications.tasks.deliver_notification_email"
    assert recording.attempts == [(7,), (8,)]


def test_an_unregistered_task_name_fails_inside_the_transaction():
    # when a service names a task no app registers, then it fails at once (not after commit)
    with pytest.raises(KeyError), transaction.atomic():
        delay_on_commit("nowhere.tasks.missing", [(1,)])
