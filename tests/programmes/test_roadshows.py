"""International roadshows: languages, the organiser's time zone, countries targeted, an
online link for registered participants only, times shown in each reader's zone, and the
fair's one-to-one booking across time zones (summer time included)."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from core.timezones import in_two_zones, zone_label
from notifications.models import Notification
from programmes.choices import MeetingStatus
from programmes.models import Event, Meeting
from programmes.services import events as services
from tests.factories import OrganizationFactory, UserFactory, api_token_for

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
LINK = "https://meeting.example.com/green-roadshow-7781"


def local(zone: str, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=zoneinfo.ZoneInfo(zone)
    )


def in_ten_days() -> datetime.date:
    return timezone.now().astimezone(SHANGHAI).date() + datetime.timedelta(days=10)


def roadshow_fields(**overrides):
    day = in_ten_days()
    return {
        "kind": "roadshow",
        "title": "China–ASEAN green technology roadshow",
        "starts_at": local("Asia/Shanghai", day, 9),
        "ends_at": local("Asia/Shanghai", day, 11),
        "registration_closes_at": local("Asia/Shanghai", day - datetime.timedelta(days=2), 18),
        "online_url": LINK,
        "organizer_time_zone": "Asia/Shanghai",
        "target_countries": ["TH", "VN", "MY"],
        "capacity": 10,
        "languages": ["zh", "en", "th"],
        "slot_minutes": 20,
        "meetings_per_participant": 3,
        **overrides,
    }


@pytest.fixture
def broker(db):
    return UserFactory(roles=["broker"], organization=OrganizationFactory(kind="intermediary"))


@pytest.fixture
def roadshow(broker, technology):
    event = services.event_create(user=broker, technologies=[technology], **roadshow_fields())
    return services.event_transition(event=event, user=broker, action="open")


def enterprise_in(zone: str, region: str) -> User:
    user = UserFactory(roles=["enterprise"], organization=OrganizationFactory(region=region))
    user.time_zone = zone
    user.preferred_language = "en"
    user.save(update_fields=["time_zone", "preferred_language"])
    return user


@pytest.fixture
def bangkok(roadshow):
    user = enterprise_in("Asia/Bangkok", "TH")
    services.event_register(event=roadshow, user=user, role="enterprise")
    return user


@pytest.fixture
def moscow(roadshow):
    user = enterprise_in("Europe/Moscow", "RU")
    services.event_register(event=roadshow, user=user, role="enterprise")
    return user


def token_client(api_client, user):
    api_client.credentials(
        HTTP_AUTHORIZATION=f"Token {api_token_for(user)}", HTTP_ACCEPT_LANGUAGE="en"
    )
    return api_client


# --- zones shown as labels ----------------------------------------------------------------------


def test_a_zone_is_shown_as_city_and_offset_and_summer_time_changes_the_offset():
    winter = datetime.datetime(2027, 1, 15, 12, tzinfo=datetime.UTC)
    summer = datetime.datetime(2027, 7, 15, 12, tzinfo=datetime.UTC)
    with translation.override("en"):
        assert zone_label("Asia/Bangkok", winter) == "Bangkok (UTC+07:00)"
        assert zone_label("Europe/Paris", winter) == "Paris (UTC+01:00)"
        assert zone_label("Europe/Paris", summer) == "Paris (UTC+02:00)"
    with translation.override("zh-hans"):
        assert zone_label("Asia/Shanghai", winter) == "北京 (UTC+08:00)"


def test_a_time_is_shown_in_the_readers_zone_and_the_organisers():
    moment = datetime.datetime(2027, 1, 15, 3, tzinfo=datetime.UTC)
    with translation.override("en"), timezone.override(zoneinfo.ZoneInfo("Asia/Bangkok")):
        assert in_two_zones(moment, "Asia/Shanghai", with_date=False) == (
            "10:00 Bangkok time (11:00 Beijing time)"
        )
    with translation.override("en"), timezone.override(SHANGHAI):
        assert in_two_zones(moment, "Asia/Shanghai", with_date=False) == "11:00 Beijing time"


# --- the user's time zone ---------------------------------------------------------------------


def test_a_new_user_is_on_beijing_time():
    assert UserFactory().time_zone == "Asia/Shanghai"


def test_the_profile_page_saves_a_time_zone_and_refuses_an_unknown_one(client):
    # given
    user = UserFactory()
    client.force_login(user)
    form = {
        "full_name": "Somchai",
        "phone": "",
        "preferred_language": "en",
        "notification_frequency": "immediate",
    }
    # when: an unknown zone
    response = client.post(reverse("accounts:profile"), {**form, "time_zone": "Mars/Olympus"})
    # then: refused beside the field, nothing saved
    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    user.refresh_from_db()
    assert user.time_zone == "Asia/Shanghai"
    # when: Bangkok
    response = client.post(reverse("accounts:profile"), {**form, "time_zone": "Asia/Bangkok"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.time_zone == "Asia/Bangkok"
    # and the zones are offered as labels, not codes
    page = client.get(reverse("accounts:profile"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "(UTC+07:00) Bangkok" in page or "(UTC+07:00) 曼谷" in page
    assert ">Asia/Bangkok<" not in page


def test_the_api_profile_takes_a_time_zone_and_refuses_an_unknown_one(api_client):
    user = UserFactory()
    client = token_client(api_client, user)
    response = client.patch("/api/v1/me/", {"time_zone": "Asia/Atlantis"}, format="json")
    assert response.status_code == 400
    assert "is not a time zone" in response.json()["time_zone"][0]
    user.refresh_from_db()
    assert user.time_zone == "Asia/Shanghai"
    response = client.patch("/api/v1/me/", {"time_zone": "Europe/Moscow"}, format="json")
    assert response.status_code == 200
    assert response.json()["time_zone"] == "Europe/Moscow"


# --- the event's international facts -------------------------------------------------------


def test_an_http_link_an_unknown_zone_and_an_unknown_country_are_refused(broker, technology):
    for overrides, field in (
        ({"online_url": "http://meeting.example.com/x"}, "online_url"),
        ({"organizer_time_zone": "Asia/Beijing"}, "organizer_time_zone"),
        ({"target_countries": ["XX"]}, "target_countries"),
    ):
        with pytest.raises(ValidationError) as error:
            services.event_create(
                user=broker, technologies=[technology], **roadshow_fields(**overrides)
            )
        assert field in error.value.message_dict
    assert not Event.objects.exists()


def test_the_api_refuses_an_http_link_with_a_field_error(api_client, broker, technology):
    client = token_client(api_client, broker)
    fields = roadshow_fields(
        online_url="http://meeting.example.com/x", technologies=[technology.pk]
    )
    response = client.post("/api/v1/events/", fields, format="json")
    assert response.status_code == 400
    assert "online_url" in str(response.json())
    assert not Event.objects.exists()


def test_the_event_page_shows_languages_countries_and_both_zones(client, roadshow, bangkok):
    # given: a Thai participant on Bangkok time, the organiser on Beijing time
    client.force_login(bangkok)
    # when
    with translation.override("en"):
        page = client.get(
            reverse("programmes:event_detail", args=[roadshow.pk]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    # then: 09:00 Beijing is 08:00 in Bangkok; names, never codes
    assert "08:00 Bangkok time (09:00 Beijing time)" in page
    assert "Chinese, English, Thai" in page
    assert "Thailand" in page and "Vietnam" in page
    assert "Bangkok (UTC+07:00)" in page and "Beijing (UTC+08:00)" in page


def test_an_anonymous_reader_gets_beijing_time(client, roadshow):
    page = client.get(
        reverse("programmes:event_detail", args=[roadshow.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "09:00 Beijing time" in page
    assert "Bangkok time" not in page


def test_the_api_gives_times_with_the_readers_offset_and_the_organisers_zone(
    api_client, roadshow, bangkok
):
    client = token_client(api_client, bangkok)
    data = client.get(f"/api/v1/events/{roadshow.pk}/").json()
    assert data["starts_at"].endswith("T08:00:00+07:00")
    assert data["organizer_time_zone"] == "Asia/Shanghai"
    assert data["organizer_time_zone_label"] in ("Beijing (UTC+08:00)", "北京 (UTC+08:00)")
    assert data["target_countries"] == ["TH", "VN", "MY"]
    assert data["languages"] == ["zh", "en", "th"]
    slots = client.get(f"/api/v1/events/{roadshow.pk}/slots/").json()
    assert slots[0]["starts_at"].endswith("T08:00:00+07:00")


# --- the online link: registered participants only ----------------------------------------


def test_a_stranger_and_an_anonymous_reader_never_see_the_online_link(
    client, api_client, roadshow, bangkok
):
    stranger = UserFactory(roles=["enterprise"], organization=OrganizationFactory())
    detail = reverse("programmes:event_detail", args=[roadshow.pk])
    # anonymous: page and API (detail and list)
    assert LINK not in client.get(detail).content.decode()
    assert api_client.get(f"/api/v1/events/{roadshow.pk}/").json()["online_url"] == ""
    assert LINK not in api_client.get("/api/v1/events/").content.decode()
    # a signed-in stranger, not registered
    client.force_login(stranger)
    page = client.get(detail).content.decode()
    assert LINK not in page
    stranger_api = token_client(api_client, stranger)
    data = stranger_api.get(f"/api/v1/events/{roadshow.pk}/").json()
    assert data["online_url"] == "" and data["has_online_link"] is True
    assert LINK not in stranger_api.get("/api/v1/events/").content.decode()
    # the registered participant sees it, on the page and in the API
    client.force_login(bangkok)
    assert LINK in client.get(detail).content.decode()
    participant_api = token_client(api_client, bangkok)
    assert participant_api.get(f"/api/v1/events/{roadshow.pk}/").json()["online_url"] == LINK


def test_the_organiser_sees_the_online_link(client, roadshow, broker):
    client.force_login(broker)
    assert (
        LINK in client.get(reverse("programmes:event_detail", args=[roadshow.pk])).content.decode()
    )


def test_the_registration_notification_does_not_carry_the_link(roadshow, bangkok):
    for notification in Notification.objects.filter(recipient=bangkok):
        assert LINK not in f"{notification.shown_title} {notification.shown_body}"


# --- booking across time zones ------------------------------------------------------------


def test_the_same_instant_written_in_bangkok_and_moscow_is_booked_once(
    api_client, roadshow, bangkok, moscow, technology
):
    day = in_ten_days()
    # given: Bangkok books 08:20 Bangkok time (09:20 Beijing), as a local time
    first = token_client(api_client, bangkok).post(
        f"/api/v1/events/{roadshow.pk}/meetings/",
        {"technology": technology.pk, "starts_at": f"{day.isoformat()}T08:20"},
        format="json",
    )
    assert first.status_code == 201, first.json()
    assert first.json()["starts_at"] == f"{day.isoformat()}T08:20:00+07:00"
    # when: Moscow asks for 04:20 Moscow time, the same instant
    api_client.credentials()
    second = token_client(api_client, moscow).post(
        f"/api/v1/events/{roadshow.pk}/meetings/",
        {"technology": technology.pk, "starts_at": f"{day.isoformat()}T04:20"},
        format="json",
    )
    # then: refused, the time named in Moscow's zone and the organiser's
    assert second.status_code == 400
    message = str(second.json())
    assert "already booked" in message
    assert "04:20 Moscow time (" in message and "09:20 Beijing time" in message
    meeting = Meeting.objects.get()
    assert meeting.starts_at == local("Asia/Shanghai", day, 9, 20)
    assert meeting.starts_at.astimezone(datetime.UTC).hour == 1


def test_a_slot_outside_the_organisers_hours_is_refused_clearly(
    api_client, roadshow, moscow, technology
):
    day = in_ten_days()
    # 03:40 Moscow is 08:40 Beijing: before the roadshow opens at 09:00 Beijing time
    response = token_client(api_client, moscow).post(
        f"/api/v1/events/{roadshow.pk}/meetings/",
        {"technology": technology.pk, "starts_at": f"{day.isoformat()}T03:40"},
        format="json",
    )
    assert response.status_code == 400
    message = response.json()["starts_at"][0]
    assert "outside the event's hours" in message
    assert "03:40 Moscow time" in message and "Beijing time" in message
    assert not Meeting.objects.exists()


def test_a_time_between_slots_is_refused_with_the_grid(api_client, roadshow, moscow, technology):
    day = in_ten_days()
    response = token_client(api_client, moscow).post(
        f"/api/v1/events/{roadshow.pk}/meetings/",
        {"technology": technology.pk, "starts_at": f"{day.isoformat()}T04:05"},
        format="json",
    )
    assert response.status_code == 400
    assert "not the start of a slot" in response.json()["starts_at"][0]
    assert not Meeting.objects.exists()


def test_the_booking_page_offers_slots_in_the_readers_zone(client, roadshow, moscow, technology):
    client.force_login(moscow)
    page = client.get(
        reverse("programmes:event_detail", args=[roadshow.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "04:00 Moscow time (09:00 Beijing time)" in page
    # when: the offered value is posted back
    start = local("Asia/Shanghai", in_ten_days(), 9, 40).astimezone(datetime.UTC)
    response = client.post(
        reverse("programmes:event_action", args=[roadshow.pk, "book"]),
        {"technology": technology.pk, "starts_at": start.isoformat()},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert "Meeting booked: " in response.content.decode()
    assert "04:40 Moscow time (09:40 Beijing time)" in response.content.decode()
    assert Meeting.objects.get().starts_at == start


def last_sunday_of_march_after(moment: datetime.datetime) -> datetime.date:
    year = moment.year
    while True:
        day = datetime.date(year, 3, 31)
        day -= datetime.timedelta(days=(day.weekday() + 1) % 7)
        if day > moment.date() + datetime.timedelta(days=3):
            return day
        year += 1


def test_booking_across_the_paris_change_to_summer_time(broker, technology, api_client):
    # given: a Paris-organised fair the night the clocks go from 02:00 to 03:00
    day = last_sunday_of_march_after(timezone.now())
    starts_at = local("Europe/Paris", day, 1)  # 00:00 UTC
    event = services.event_create(
        user=broker,
        technologies=[technology],
        **roadshow_fields(
            title="Paris–Shanghai night fair",
            organizer_time_zone="Europe/Paris",
            starts_at=starts_at,
            ends_at=local("Europe/Paris", day, 4),  # 02:00 UTC: two real hours
            registration_closes_at=starts_at - datetime.timedelta(days=2),
            slot_minutes=60,
        ),
    )
    services.event_transition(event=event, user=broker, action="open")
    assert [s.astimezone(datetime.UTC).hour for s, _e in services.event_slots(event=event)] == [
        0,
        1,
    ]
    paris = enterprise_in("Europe/Paris", "FR")
    bangkok = enterprise_in("Asia/Bangkok", "TH")
    for user in (paris, bangkok):
        services.event_register(event=event, user=user, role="enterprise")
    url = f"/api/v1/events/{event.pk}/meetings/"
    # when: Paris asks for 02:30, a time the clocks skip
    skipped = token_client(api_client, paris).post(
        url, {"technology": technology.pk, "starts_at": f"{day.isoformat()}T02:30"}, format="json"
    )
    # then: refused in words, nothing booked
    assert skipped.status_code == 400
    assert "does not exist in Paris" in str(skipped.json())
    assert not Meeting.objects.exists()
    # when: 03:00 Paris summer time, the second slot (01:00 UTC)
    booked = token_client(api_client, paris).post(
        url, {"technology": technology.pk, "starts_at": f"{day.isoformat()}T03:00"}, format="json"
    )
    assert booked.status_code == 201, booked.json()
    assert booked.json()["starts_at"] == f"{day.isoformat()}T03:00:00+02:00"
    # and Bangkok's 08:00, the same instant, is refused
    api_client.credentials()
    clash = token_client(api_client, bangkok).post(
        url, {"technology": technology.pk, "starts_at": f"{day.isoformat()}T08:00"}, format="json"
    )
    assert clash.status_code == 400
    assert "08:00 Bangkok time (03:00 Paris time)" in str(clash.json())
    assert Meeting.objects.filter(status=MeetingStatus.BOOKED).count() == 1


# --- notifications in the recipient's zone ------------------------------------------------


def test_meeting_notifications_and_emails_state_the_time_in_each_recipients_zone(
    roadshow, bangkok, technology, holder, django_capture_on_commit_callbacks
):
    # given: the holder reads on Moscow time, the enterprise on Bangkok time
    holder.time_zone = "Europe/Moscow"
    holder.preferred_language = "en"
    holder.save(update_fields=["time_zone", "preferred_language"])
    mail.outbox.clear()
    # when: the enterprise books 09:00 Beijing time
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.meeting_book(
            event=roadshow,
            user=bangkok,
            technology=technology,
            starts_at=local("Asia/Shanghai", in_ten_days(), 9),
        )
    # then: each e-mail states the time in its recipient's zone
    by_recipient = {message.to[0]: message.subject for message in mail.outbox}
    assert "04:00 Moscow time" in by_recipient[holder.email]
    assert "08:00 Bangkok time" in by_recipient[bangkok.email]
    # and the in-app notification too, rendered under the reader's zone
    notification = Notification.objects.filter(recipient=holder).latest("pk")
    with translation.override("en"), timezone.override(zoneinfo.ZoneInfo("Europe/Moscow")):
        assert "04:00 Moscow time" in notification.shown_title


def test_the_web_notification_list_shows_the_readers_zone(
    client, roadshow, bangkok, technology, holder
):
    services.meeting_book(
        event=roadshow,
        user=bangkok,
        technology=technology,
        starts_at=local("Asia/Shanghai", in_ten_days(), 9),
    )
    client.force_login(bangkok)
    data = client.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()
    titles = " ".join(row["title"] for row in data["results"])
    assert "08:00 Bangkok time" in titles


# --- the organiser's form ---------------------------------------------------------------


def test_the_form_reads_the_times_in_the_organisers_zone(client, broker, technology):
    client.force_login(broker)  # the broker reads on Beijing time
    day = in_ten_days()
    response = client.post(
        reverse("programmes:event_create"),
        {
            "kind": "roadshow",
            "title": "Bangkok green roadshow",
            "starts_at": f"{day.isoformat()}T10:00",
            "ends_at": f"{day.isoformat()}T12:00",
            "registration_closes_at": f"{(day - datetime.timedelta(days=2)).isoformat()}T10:00",
            "organizer_time_zone": "Asia/Bangkok",
            "online_url": LINK,
            "capacity": 20,
            "languages": ["th", "en"],
            "target_countries": ["TH"],
            "slot_minutes": 20,
            "meetings_per_participant": 3,
            "technologies": [technology.pk],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    event = Event.objects.get()
    assert event.starts_at == local("Asia/Bangkok", day, 10)
    assert event.organizer_time_zone == "Asia/Bangkok"
    assert event.target_countries == ["TH"]
