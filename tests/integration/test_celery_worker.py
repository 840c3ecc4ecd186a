"""A real Celery worker consumes tasks from the real broker and its effects land in PostgreSQL."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import transaction
from django.utils.translation import gettext_lazy

from config.celery import app
from notifications.messages import Message
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
        (notification,) = notify_users(
            users=[user],
            title=Message(gettext_lazy("Your technology was approved and published")),
            url="/me/workspace/",
        )
    # then the worker sends the email and records it in the database
    assert wait_for(lambda: Notification.objects.get(pk=notification.pk).emailed_at is not None)
    assert [message.to for message in mail.outbox] == [[user.email]]


def test_rolled_back_transaction_dispatches_nothing(celery_worker):
    user = UserFactory(notification_frequency="immediate")
    try:
        with transaction.atomic():
            notify_users(users=[user], title=Message(gettext_lazy("A technology awaits review")))
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    time.sleep(1.5)
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_worker_matches_a_need_approved_by_a_reviewer(celery_worker):
    from exchange.services import need_review
    from matching.models import Match, MatchingRun
    from tests.factories import OrganizationFactory
    from tests.matching.conftest import make_need, make_technology

    # given a published technology and a submitted need for the same problem
    technology = make_technology(
        OrganizationFactory(region="CN-JS", kind="university"),
        title_zh="垃圾填埋场渗滤液碟管式反渗透处理技术",
        summary="采用碟管式反渗透处理高浓度垃圾渗滤液，出水达标排放。",
        keywords=["渗滤液", "反渗透"],
        modes=("service",),
    )
    need = make_need(
        OrganizationFactory(region="CN-GX"),
        title_en="Landfill leachate treatment capacity",
        description="Our landfill produces 450 t/day of leachate with high ammonia; "
        "we need reverse osmosis treatment as a service.",
        modes=("service",),
        status="submitted",
    )
    # when a reviewer approves the need (the run is dispatched after the commit)
    with transaction.atomic():
        need_review(need=need, user=UserFactory(roles=["reviewer"]), decision="approve")
    # then the worker completes the run and the match is stored in PostgreSQL
    assert wait_for(
        lambda: MatchingRun.objects.filter(need_id=need.pk, status="completed").exists()
    )
    assert Match.objects.filter(need=need, technology=technology).exists()
