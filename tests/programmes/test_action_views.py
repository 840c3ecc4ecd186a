"""The pages' action URLs dispatch through one table per page: unknown verbs are 404, a refused
verb is a message and changes nothing; meetings move through their own transition table."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.workflow import TransitionNotAllowed
from programmes.choices import EntryStatus, EventStatus, MeetingStatus, ParticipantRole
from programmes.models import EventHistory, ProgrammeEntry, ProgrammeHistory
from programmes.services import events as event_services
from programmes.services import screening as screening_services
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

CRITERIA = {
    "name": "苏州工业园区 2026 绿色技术遴选",
    "positioning": "园区以精细化工为主，急需高浓度有机废水处理与中水回用技术。",
    "trl_min": 5,
    "trl_max": 9,
}


@pytest.fixture
def broker(db):
    return UserFactory(roles=["broker"], organization=OrganizationFactory(kind="intermediary"))


@pytest.fixture
def event(broker, technology):
    start = timezone.now() + datetime.timedelta(days=10)
    event = event_services.event_create(
        user=broker,
        technologies=[technology],
        kind="fair",
        title="对接会",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        registration_closes_at=start - datetime.timedelta(days=1),
        online_url="https://meeting.example.com/x",
        capacity=10,
        languages=["zh"],
    )
    return event_services.event_transition(event=event, user=broker, action="open")


@pytest.fixture
def programme(operator):
    return screening_services.programme_create(user=operator, **CRITERIA)


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_an_unknown_verb_is_404_and_a_known_one_is_not(client, reviewer, programme, event):
    # given
    client.force_login(reviewer)
    pages = (("programme_action", programme.pk, "close"), ("event_action", event.pk, "open"))
    for url_name, pk, verb in pages:
        # when
        unknown = client.post(reverse(f"programmes:{url_name}", args=[pk, "explode"]))
        known = client.post(reverse(f"programmes:{url_name}", args=[pk, verb]))
        # then: a known verb the reviewer may not take is refused on the page, not a 404
        assert unknown.status_code == 404
        assert known.status_code == 302


def test_screening_and_selecting_on_the_page_go_through_the_services(
    client, operator, programme, technology
):
    # given
    client.force_login(operator)
    # when
    screened = client.post(
        reverse("programmes:programme_action", args=[programme.pk, "screen"]), follow=True
    )
    selected = client.post(
        reverse("programmes:programme_action", args=[programme.pk, "select"]),
        {"technology": technology.pk},
        follow=True,
    )
    # then
    assert any("1" in message for message in _messages(screened))
    assert selected.status_code == 200
    entry = ProgrammeEntry.objects.get(programme=programme, technology=technology)
    assert entry.status == EntryStatus.SELECTED
    event = ProgrammeHistory.objects.get(programme=programme, action="select")
    assert event.actor == operator


def test_a_refused_verb_on_the_page_is_a_message_and_nothing_changes(client, event, enterprise):
    # given: an enterprise is not the organiser
    client.force_login(enterprise)
    events_before = EventHistory.objects.count()
    # when
    response = client.post(
        reverse("programmes:event_action", args=[event.pk, "close_registration"]), follow=True
    )
    # then
    assert response.status_code == 200
    assert _messages(response)
    event.refresh_from_db()
    assert event.status == EventStatus.OPEN
    assert EventHistory.objects.count() == events_before


def test_a_cancelled_meeting_cannot_be_cancelled_again_and_nothing_changes(
    event, enterprise, technology
):
    # given
    event_services.event_register(event=event, user=enterprise, role=ParticipantRole.ENTERPRISE)
    starts_at, _ends_at = event_services.event_slots(event=event)[0]
    meeting = event_services.meeting_book(
        event=event, user=enterprise, technology=technology, starts_at=starts_at
    )
    event_services.meeting_cancel(meeting=meeting, user=enterprise)
    events_before = EventHistory.objects.count()
    # when / then
    with pytest.raises(TransitionNotAllowed, match="no longer booked"):
        event_services.meeting_cancel(meeting=meeting, user=enterprise)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert EventHistory.objects.count() == events_before
    cancelled = EventHistory.objects.get(event=event, action="cancel_meeting")
    assert cancelled.action_label == "Meeting cancelled"
