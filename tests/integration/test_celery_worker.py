"""A real Celery worker consumes tasks from the real broker and its effects land in PostgreSQL."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import transaction

from config.celery import app
from notifications.models import Notification
from notifications.services import notify_users
from tests.factories import UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def celery_worker():
    # The worker runs in a thread of this process against the broker in REDIS_URL.
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


def wait_for(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_worker_delivers_a_notification_email_dispatched_after_commit(celery_worker):
    # given a user who wants emails immediately
    user = UserFactory(notification_frequency="immediate")
    # when a notification is created in a committed transaction
    with transaction.atomic():
        (notification,) = notify_users(users=[user], title="验证通过", url="/me/workspace/")
    # then the worker sends the email and records it in the database
    assert wait_for(lambda: Notification.objects.get(pk=notification.pk).emailed_at is not None)
    assert [message.to for message in mail.outbox] == [[user.email]]


def test_rolled_back_transaction_dispatches_nothing(celery_worker):
    user = UserFactory(notification_frequency="immediate")
    try:
        with transaction.atomic():
            notify_users(users=[user], title="never")
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    time.sleep(1.5)
    assert not Notification.objects.exists()
    assert mail.outbox == []
