import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.workflow import TransitionNotAllowed
from exchange import services
from exchange.choices import NeedCloseReason, NeedStatus
from exchange.models import Need, NeedEvent
from exchange.tasks import expire_overdue_needs
from notifications.models import Notification
from tests.exchange.conftest import NEED_FIELDS, future

pytestmark = pytest.mark.django_db


def test_need_create_saves_a_draft_with_an_event(enterprise):
    # when an enterprise user posts a need
    need = services.need_create(user=enterprise, deadline=future(), **NEED_FIELDS)
    # then it is a draft of their organisation with a history row
    assert need.status == NeedStatus.DRAFT
    assert need.organization == enterprise.memberships.get().organization
    assert list(need.events.values_list("action", flat=True)) == ["create"]


def test_need_create_refuses_budget_min_above_max_and_past_deadline(enterprise):
    # when the budget is upside down and the deadline has passed
    with pytest.raises(ValidationError) as error:
        services.need_create(
            user=enterprise,
            **{**NEED_FIELDS, "budget_min": Decimal("9"), "budget_max": Decimal("1")},
            deadline=timezone.localdate() - datetime.timedelta(days=1),
        )
    # then both fields carry a message and nothing is saved
    assert set(error.value.message_dict) >= {"budget_max", "deadline"}
    assert Need.objects.count() == 0


def test_need_needs_one_complete_language(enterprise):
    with pytest.raises(ValidationError) as error:
        services.need_create(
            user=enterprise, title_zh="只有标题", region="CN-ZJ", deadline=future()
        )
    assert "title_zh" in error.value.message_dict


def test_need_lifecycle_submit_return_resubmit_approve(enterprise, reviewer, make_need):
    # given a draft need
    need = make_need()
    # when it is submitted, returned with a comment, resubmitted and approved
    services.need_submit(need=need, user=enterprise)
    services.need_review(need=need, user=reviewer, decision="return", comment="补充处理规模")
    services.need_submit(need=need, user=enterprise)
    need = services.need_review(need=need, user=reviewer, decision="approve")
    # then it is published and every step is recorded
    assert need.status == NeedStatus.PUBLISHED
    assert need.published_at is not None
    assert list(need.events.values_list("action", flat=True)) == [
        "submit",
        "return",
        "submit",
        "approve",
    ]
    assert need.events.get(action="return").note == "补充处理规模"
    assert Notification.objects.filter(recipient=enterprise).count() == 2


def test_review_by_the_owner_is_refused_and_changes_nothing(enterprise, make_need):
    need = make_need(status=NeedStatus.SUBMITTED)
    with pytest.raises(TransitionNotAllowed):
        services.need_review(need=need, user=enterprise, decision="approve")
    need.refresh_from_db()
    assert need.status == NeedStatus.SUBMITTED
    assert not NeedEvent.objects.filter(need=need).exists()


def test_return_needs_a_comment(reviewer, make_need):
    need = make_need(status=NeedStatus.SUBMITTED)
    with pytest.raises(ValidationError):
        services.need_review(need=need, user=reviewer, decision="return", comment=" ")
    need.refresh_from_db()
    assert need.status == NeedStatus.SUBMITTED


def test_withdraw_closes_with_reason(enterprise, make_need):
    need = make_need(status=NeedStatus.PUBLISHED)
    need = services.need_withdraw(need=need, user=enterprise)
    assert (need.status, need.close_reason) == (NeedStatus.CLOSED, NeedCloseReason.WITHDRAWN)


def test_published_need_cannot_be_edited(enterprise, make_need):
    need = make_need(status=NeedStatus.PUBLISHED)
    with pytest.raises(TransitionNotAllowed):
        services.need_update(need=need, user=enterprise, title_zh="改")
    need.refresh_from_db()
    assert need.title_zh == NEED_FIELDS["title_zh"]


def test_edit_records_changed_fields(enterprise, make_need):
    need = make_need()
    services.need_update(need=need, user=enterprise, trl_min=7)
    event = need.events.get(action="edit")
    assert event.changes == {"trl_min": [6, 7]}


def test_expiry_task_closes_overdue_needs_in_batches_and_tells_the_owner(
    enterprise, make_need, django_capture_on_commit_callbacks, mailoutbox
):
    # given three overdue published needs and one still open
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    overdue = [make_need(status=NeedStatus.PUBLISHED, deadline=yesterday) for _ in range(3)]
    current = make_need(status=NeedStatus.PUBLISHED)
    # when the beat task runs with a small batch size
    with django_capture_on_commit_callbacks(execute=True):
        expired = expire_overdue_needs(batch_size=2)
    # then the overdue ones are closed as expired and the owner is told (in-app and email)
    assert expired == 3
    for need in overdue:
        need.refresh_from_db()
        assert (need.status, need.close_reason) == (NeedStatus.CLOSED, NeedCloseReason.EXPIRED)
    current.refresh_from_db()
    assert current.status == NeedStatus.PUBLISHED
    assert Notification.objects.filter(recipient=enterprise).count() == 3
    assert len(mailoutbox) == 3
    # and running it again changes nothing
    assert expire_overdue_needs() == 0


def test_beat_schedule_declares_the_expiry_task(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "exchange.tasks.expire_overdue_needs" in tasks
