"""Work queued while the broker was down is sent again by the beat sweeps, once."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.translation import gettext_lazy

from matching import services as matching_services
from matching.models import MatchingRun, RunStatus
from matching.tasks import execute_matching_run
from notifications import services
from notifications.messages import Message
from notifications.models import Notification
from notifications.tasks import deliver_notification_email
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    """The task calls that reach the broker, by task name."""
    calls: dict[str, list[tuple]] = {}
    for task in (deliver_notification_email, execute_matching_run):
        monkeypatch.setattr(
            task, "delay", lambda *args, name=task.name: calls.setdefault(name, []).append(args)
        )
    return calls


def test_old_unsent_immediate_emails_are_queued_again(sent, django_capture_on_commit_callbacks):
    immediate = UserFactory(notification_frequency="immediate")
    daily = UserFactory(notification_frequency="daily")
    lost, _recent, emailed, ancient = services.notify_users(
        users=[immediate] * 4, title=Message(gettext_lazy("A technology awaits review"))
    )
    (digest,) = services.notify_users(
        users=[daily], title=Message(gettext_lazy("A technology awaits review"))
    )
    now = timezone.now()
    hour_ago = now - timedelta(hours=1)
    Notification.objects.filter(pk__in=[lost.pk, emailed.pk, digest.pk]).update(created_at=hour_ago)
    Notification.objects.filter(pk=emailed.pk).update(emailed_at=now)
    Notification.objects.filter(pk=ancient.pk).update(created_at=now - timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        count = services.pending_emails_redispatch()
    # only the lost one: not the recent (its message may be on its way), the emailed one, the
    # digest's or the stale one
    assert count == 1
    assert sent[deliver_notification_email.name] == [(lost.pk,)]


def test_old_queued_runs_are_dispatched_again(sent, django_capture_on_commit_callbacks):
    now = timezone.now()
    lost = MatchingRun.objects.create(
        subject="need", subject_id=1, queued_at=now - timedelta(hours=1)
    )
    MatchingRun.objects.create(subject="need", subject_id=2)  # queued a moment ago
    MatchingRun.objects.create(
        subject="need", subject_id=3, status=RunStatus.COMPLETED, queued_at=now - timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        count = matching_services.queued_runs_redispatch()
    assert count == 1
    assert sent[execute_matching_run.name] == [(lost.pk,)]
