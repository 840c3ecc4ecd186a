import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from core.workflow import TransitionNotAllowed
from notifications.models import Notification
from programmes.choices import EventStatus, MeetingStatus
from programmes.models import Event, EventRegistration, Meeting
from programmes.services import events as services
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def at(days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def fair_fields(**overrides):
    return {
        "kind": "fair",
        "title": "长三角绿色技术对接会",
        "starts_at": at(10, 9),
        "ends_at": at(10, 11),
        "registration_closes_at": at(8, 18),
        "venue": "苏州国际博览中心",
        "capacity": 3,
        "languages": ["zh", "en"],
        "slot_minutes": 20,
        "meetings_per_participant": 2,
        **overrides,
    }


@pytest.fixture
def broker(db):
    return UserFactory(roles=["broker"], organization=OrganizationFactory(kind="intermediary"))


@pytest.fixture
def featured(make_technology, holder_org):
    other_holder = OrganizationFactory(kind="institute")
    return [
        make_technology(title_zh="高浓度有机废水厌氧处理技术"),
        make_technology(title_zh="工业废水膜法回用技术", organization=other_holder),
        make_technology(title_zh="低温余热发电技术", organization=OrganizationFactory()),
    ]


@pytest.fixture
def fair(broker, featured):
    event = services.event_create(user=broker, technologies=featured, **fair_fields())
    return services.event_transition(event=event, user=broker, action="open")


@pytest.fixture
def registered(fair, enterprise):
    services.event_register(event=fair, user=enterprise, role="enterprise")
    return enterprise


def test_enterprises_cannot_organise(enterprise, featured):
    with pytest.raises(PermissionDenied):
        services.event_create(user=enterprise, technologies=featured, **fair_fields())
    assert not Event.objects.exists()


def test_an_event_without_place_or_link_is_refused(broker, featured):
    with pytest.raises(ValidationError) as error:
        services.event_create(user=broker, technologies=featured, **fair_fields(venue=""))
    assert "venue" in error.value.message_dict
    assert not Event.objects.exists()


def test_registration_notifies_and_is_counted(fair, enterprise, broker):
    services.event_register(event=fair, user=enterprise, role="enterprise")
    assert EventRegistration.objects.filter(event=fair).count() == 1
    assert Notification.objects.filter(recipient=broker).exists()
    assert Notification.objects.filter(recipient=enterprise).exists()


def test_registering_beyond_capacity_is_refused(fair):
    for _ in range(3):
        services.event_register(
            event=fair, user=UserFactory(organization=OrganizationFactory()), role="enterprise"
        )
    with pytest.raises(ValidationError) as error:
        services.event_register(
            event=fair, user=UserFactory(organization=OrganizationFactory()), role="enterprise"
        )
    assert "full" in " ".join(error.value.messages)
    assert fair.registrations.count() == 3


def test_registering_after_the_closing_time_is_refused(broker, featured, enterprise):
    # given: registration closed an hour ago
    event = services.event_create(user=broker, technologies=featured, **fair_fields())
    services.event_transition(event=event, user=broker, action="open")
    Event.objects.filter(pk=event.pk).update(
        registration_closes_at=timezone.now() - datetime.timedelta(hours=1)
    )
    # when / then
    with pytest.raises(ValidationError) as error:
        services.event_register(event=event, user=enterprise, role="enterprise")
    assert "closed" in " ".join(error.value.messages)
    assert not EventRegistration.objects.exists()


def test_enterprise_gets_its_top_matches_among_featured(fair, registered, make_need, featured):
    # given: the enterprise's published need is about organic wastewater
    make_need()
    registration = fair.registrations.get()
    # when
    matches = services.event_matches(event=fair, registration=registration)
    # then
    assert matches and matches[0]["technology_id"] == featured[0].pk
    assert featured[2].pk not in [m["technology_id"] for m in matches[:1]]


def test_book_two_meetings_without_conflict(fair, registered, featured, holder):
    # when
    first = services.meeting_book(
        event=fair, user=registered, technology=featured[0], starts_at=at(10, 9)
    )
    second = services.meeting_book(
        event=fair,
        user=registered,
        technology=featured[1],
        starts_at=at(10, 9) + datetime.timedelta(minutes=20),
    )
    # then
    assert first.ends_at == second.starts_at
    assert Notification.objects.filter(recipient=holder, body=featured[0].title).exists()
    assert Meeting.objects.filter(status=MeetingStatus.BOOKED).count() == 2


def test_overlapping_slot_for_the_same_enterprise_is_refused(fair, registered, featured):
    services.meeting_book(event=fair, user=registered, technology=featured[0], starts_at=at(10, 9))
    with pytest.raises(ValidationError) as error:
        services.meeting_book(
            event=fair, user=registered, technology=featured[1], starts_at=at(10, 9)
        )
    assert "already have a meeting" in " ".join(error.value.messages)
    assert Meeting.objects.count() == 1


def test_technology_booked_by_another_enterprise_is_refused(fair, registered, featured):
    services.meeting_book(event=fair, user=registered, technology=featured[0], starts_at=at(10, 9))
    other = UserFactory(organization=OrganizationFactory())
    services.event_register(event=fair, user=other, role="enterprise")
    with pytest.raises(ValidationError) as error:
        services.meeting_book(event=fair, user=other, technology=featured[0], starts_at=at(10, 9))
    assert "already booked" in " ".join(error.value.messages)
    assert Meeting.objects.count() == 1


def test_beyond_the_meeting_allowance_is_refused(fair, registered, featured):
    for index in range(2):
        services.meeting_book(
            event=fair,
            user=registered,
            technology=featured[index],
            starts_at=at(10, 9) + datetime.timedelta(minutes=20 * index),
        )
    with pytest.raises(ValidationError):
        services.meeting_book(
            event=fair, user=registered, technology=featured[2], starts_at=at(10, 10)
        )
    assert Meeting.objects.count() == 2


def test_a_slot_off_the_grid_is_refused(fair, registered, featured):
    with pytest.raises(ValidationError) as error:
        services.meeting_book(
            event=fair,
            user=registered,
            technology=featured[0],
            starts_at=at(10, 9) + datetime.timedelta(minutes=5),
        )
    assert "starts_at" in error.value.message_dict
    assert not Meeting.objects.exists()


def test_unregistered_enterprise_cannot_book(fair, enterprise, featured):
    with pytest.raises(TransitionNotAllowed):
        services.meeting_book(
            event=fair, user=enterprise, technology=featured[0], starts_at=at(10, 9)
        )
    assert not Meeting.objects.exists()


def test_a_cancelled_meeting_frees_the_slot(fair, registered, featured):
    meeting = services.meeting_book(
        event=fair, user=registered, technology=featured[0], starts_at=at(10, 9)
    )
    services.meeting_cancel(meeting=meeting, user=registered)
    again = services.meeting_book(
        event=fair, user=registered, technology=featured[0], starts_at=at(10, 9)
    )
    assert again.status == MeetingStatus.BOOKED


def test_after_the_event_meetings_held_and_deals(fair, registered, featured, client, broker):
    from exchange.services import deal_open

    meeting = services.meeting_book(
        event=fair, user=registered, technology=featured[0], starts_at=at(10, 9)
    )
    # the event took place
    shift = datetime.timedelta(days=11)
    Event.objects.filter(pk=fair.pk).update(
        starts_at=fair.starts_at - shift,
        ends_at=fair.ends_at - shift,
        registration_closes_at=fair.registration_closes_at - shift,
    )
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=meeting.starts_at - shift, ends_at=meeting.ends_at - shift
    )
    meeting.refresh_from_db()
    services.meeting_record(meeting=meeting, user=broker, held=True)
    deal_open(user=registered, technology=featured[0], deal_type="license")
    # when
    client.force_login(broker)
    page = client.get(reverse("programmes:event_detail", args=[fair.pk])).content.decode()
    # then
    assert 'data-testid="event-results"' in page
    results = page[page.index('data-testid="event-results"') :]
    assert featured[0].title in results.split("</section>")[0]


@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_of_one_slot_cannot_both_win(make_technology, holder_org):
    # given: two enterprises registered; both book the same technology and slot at once
    broker = UserFactory(roles=["broker"], organization=OrganizationFactory(kind="intermediary"))
    technology = make_technology()
    event = services.event_create(user=broker, technologies=[technology], **fair_fields())
    services.event_transition(event=event, user=broker, action="open")
    users = [UserFactory(organization=OrganizationFactory()) for _ in range(2)]
    for user in users:
        services.event_register(event=event, user=user, role="enterprise")
    barrier = threading.Barrier(2)
    outcomes = []

    def book(user):
        try:
            barrier.wait()
            services.meeting_book(
                event=event, user=user, technology=technology, starts_at=at(10, 9)
            )
            outcomes.append("booked")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(user,)) for user in users]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert sorted(outcomes) == ["booked", "refused"]
    assert Meeting.objects.filter(technology=technology).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_cannot_exceed_the_allowance(make_technology):
    # given: one enterprise allowed one meeting books two technologies at once
    broker = UserFactory(roles=["broker"], organization=OrganizationFactory(kind="intermediary"))
    technologies = [make_technology(organization=OrganizationFactory()) for _ in range(2)]
    event = services.event_create(
        user=broker, technologies=technologies, **fair_fields(meetings_per_participant=1)
    )
    services.event_transition(event=event, user=broker, action="open")
    user = UserFactory(organization=OrganizationFactory())
    services.event_register(event=event, user=user, role="enterprise")
    barrier = threading.Barrier(2)
    outcomes = []

    def book(index):
        try:
            barrier.wait()
            services.meeting_book(
                event=event,
                user=user,
                technology=technologies[index],
                starts_at=at(10, 9) + datetime.timedelta(minutes=20 * index),
            )
            outcomes.append("booked")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked", "refused"]
    assert Meeting.objects.count() == 1


def test_api_register_book_and_conflict(api_client_for, fair, enterprise, featured):
    client = api_client_for(enterprise)
    response = client.post(reverse("event-register", args=[fair.pk]), {"role": "enterprise"})
    assert response.status_code == 201, response.data
    url = reverse("event-meetings", args=[fair.pk])
    response = client.post(url, {"technology": featured[0].pk, "starts_at": at(10, 9).isoformat()})
    assert response.status_code == 201, response.data
    response = client.post(url, {"technology": featured[1].pk, "starts_at": at(10, 9).isoformat()})
    assert response.status_code == 400
    assert Meeting.objects.count() == 1
    assert len(client.get(url).data) == 1
    assert client.get(reverse("event-matches", args=[fair.pk])).status_code == 200


def test_api_draft_event_is_404_for_the_public(api_client, api_client_for, broker, featured):
    event = services.event_create(user=broker, technologies=featured, **fair_fields())
    assert api_client.get(reverse("event-detail", args=[event.pk])).status_code == 404
    assert api_client_for(broker).get(reverse("event-detail", args=[event.pk])).status_code == 200
    response = api_client_for(broker).post(
        reverse("event-transition", args=[event.pk]), {"action": "close_registration"}
    )
    assert response.status_code == 409
    event.refresh_from_db()
    assert event.status == EventStatus.DRAFT
