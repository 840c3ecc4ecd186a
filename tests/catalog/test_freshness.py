"""Freshness of technologies (#15 item 3): valid until, confirmation, outdated listings leave
the default search and come back when confirmed, reminders before the lapse."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from catalog import services
from catalog.choices import TechnologyAction, TechnologyStatus
from catalog.models import SearchResultCache, Technology, TechnologyFreshnessReminder
from catalog.selectors import catalog_workspace_todos, technology_search
from core.freshness import add_months, reminder_due
from core.workflow import TransitionNotAllowed
from notifications.models import Notification
from tests.catalog.conftest import make_technology
from tests.freshness_time import travel  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
API = "/api/v1/technologies/"


def lapse(technology: Technology, days_ago: int = 1) -> Technology:
    """Make a published listing outdated (its date passed `days_ago` days ago)."""
    Technology.objects.filter(pk=technology.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=days_ago)
    )
    technology.refresh_from_db()
    return technology


def search_ids(params=None, user=None) -> list[int]:
    result = technology_search(user=user or AnonymousUser(), params=params or {})
    return [t.pk for t in result.queryset[:50]]


# --- the dates and the service ---------------------------------------------------------------


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2026, 12, 2), 12) == datetime.date(2027, 12, 2)
    assert add_months(datetime.date(2024, 2, 29), 12) == datetime.date(2025, 2, 28)


def test_approval_sets_valid_until_twelve_months_ahead_and_the_confirmation(owner, reviewer):
    # given a submitted listing
    technology = make_technology(owner)
    services.technology_submit(user=owner, technology=technology)
    # when a reviewer approves it
    technology = services.technology_review(
        user=reviewer, technology=technology, decision="approve"
    )
    # then it is current for twelve months from today, confirmed now
    assert technology.valid_until == add_months(timezone.localdate(), 12)
    assert technology.last_confirmed_at is not None
    assert not technology.is_outdated


def test_a_member_confirms_an_outdated_listing_and_the_event_is_written(owner, member, published):
    # given an outdated published listing
    lapse(published)
    assert published.is_outdated
    # when another member of the holder confirms it
    technology = services.technology_confirm(user=member, technology=published)
    # then it is current for twelve months, with a history row naming the confirmation
    assert technology.valid_until == add_months(timezone.localdate(), 12)
    assert not technology.is_outdated
    event = technology.events.order_by("-pk").first()
    assert event.action == TechnologyAction.CONFIRM
    assert event.actor == member
    assert event.from_status == event.to_status == TechnologyStatus.PUBLISHED
    with translation.override("en"):
        assert event.action_label == "Confirmed as current"


def test_a_chosen_date_within_three_years_is_kept(owner, published):
    chosen = timezone.localdate() + datetime.timedelta(days=400)
    technology = services.technology_confirm(user=owner, technology=published, valid_until=chosen)
    assert technology.valid_until == chosen


@pytest.mark.parametrize("days", [-1, 365 * 3 + 2])
def test_a_date_in_the_past_or_beyond_three_years_is_refused(owner, published, days):
    before = (published.valid_until, published.last_confirmed_at)
    with pytest.raises(ValidationError) as error:
        services.technology_confirm(
            user=owner,
            technology=published,
            valid_until=timezone.localdate() + datetime.timedelta(days=days),
        )
    assert "valid_until" in error.value.message_dict
    published.refresh_from_db()
    assert (published.valid_until, published.last_confirmed_at) == before


@pytest.mark.parametrize("who", ["stranger", "reviewer"])
def test_only_the_holders_members_may_confirm(request, published, who):
    # given an outdated listing and someone who is not a member of its holder
    lapse(published)
    before = published.valid_until
    events = published.events.count()
    # when they try to confirm it
    with pytest.raises(PermissionDenied):
        services.technology_confirm(user=request.getfixturevalue(who), technology=published)
    # then nothing changed
    published.refresh_from_db()
    assert published.valid_until == before
    assert published.events.count() == events


def test_an_unpublished_listing_cannot_be_confirmed(owner):
    draft = make_technology(owner)
    with pytest.raises(TransitionNotAllowed):
        services.technology_confirm(user=owner, technology=draft)


def test_editing_valid_until_of_a_published_listing_applies_without_review(owner, published):
    chosen = timezone.localdate() + datetime.timedelta(days=100)
    technology = services.technology_update(
        user=owner, technology=published, data={"valid_until": chosen}
    )
    assert technology.valid_until == chosen
    assert services.technology_open_revision(technology=technology) is None


# --- search ----------------------------------------------------------------------------------


def test_an_outdated_listing_leaves_the_default_search_and_returns_when_confirmed(owner):
    # given two published listings, one outdated
    current = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    outdated = lapse(make_technology(owner, status=TechnologyStatus.PUBLISHED))
    # then the default search shows only the current one; the filter brings the other back
    assert search_ids() == [current.pk]
    assert search_ids({"q": "厌氧"}) == [current.pk]
    assert set(search_ids({"freshness": "all"})) == {current.pk, outdated.pk}
    assert search_ids({"freshness": "outdated"}) == [outdated.pk]
    # when its holder confirms it, it is back in the default search
    services.technology_confirm(user=owner, technology=outdated)
    assert set(search_ids()) == {current.pk, outdated.pk}


def test_a_listing_lapsing_by_date_is_not_served_from_the_search_cache(owner, settings, request):
    move_calendar = request.getfixturevalue("travel")
    # given a search whose result is cached
    settings.CATALOG_SEARCH_CACHE_MIN_MATCHES = 1
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    assert search_ids({"q": "废水"}) == [technology.pk]
    assert SearchResultCache.objects.exists()
    # when its date passes without any write (the search generation does not move)
    move_calendar((technology.valid_until - timezone.localdate()).days + 1)
    # then the same search no longer shows it
    assert search_ids({"q": "废水"}) == []


def test_organisation_filter_and_facet_counts_leave_outdated_out(owner, stranger):
    mine = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    lapse(make_technology(owner, status=TechnologyStatus.PUBLISHED))
    make_technology(stranger, status=TechnologyStatus.PUBLISHED)
    result = technology_search(
        user=AnonymousUser(), params={"organization": str(mine.organization_id)}
    )
    assert [t.pk for t in result.queryset] == [mine.pk]
    assert result.queryset.count() == 1


# --- pages -----------------------------------------------------------------------------------


def test_the_detail_page_stays_reachable_and_shows_the_outdated_badge(client, published):
    lapse(published)
    response = client.get(reverse("catalog:technology_detail", args=[published.pk]))
    assert response.status_code == 200
    assert 'data-testid="outdated-badge"' in response.content.decode()
    assert 'data-testid="freshness-panel"' not in response.content.decode()


def test_the_catalogue_page_leaves_outdated_out_and_offers_to_show_them(client, owner):
    current = make_technology(owner, status=TechnologyStatus.PUBLISHED, title_zh="光伏储能系统")
    outdated = lapse(make_technology(owner, status=TechnologyStatus.PUBLISHED))
    page = client.get(reverse("catalog:technology_list")).content.decode()
    assert current.title_zh in page and outdated.title_zh not in page
    assert 'data-testid="freshness-filter"' in page
    page = client.get(reverse("catalog:technology_list"), {"freshness": "all"}).content.decode()
    assert outdated.title_zh in page and 'data-testid="outdated-badge"' in page


def test_one_click_on_the_manage_page_confirms(client, owner, published):
    # given the holder on the manage page of an outdated listing
    lapse(published)
    client.force_login(owner)
    manage = client.get(reverse("catalog:technology_manage", args=[published.pk]))
    assert 'data-testid="confirm-current"' in manage.content.decode()
    # when they click the button (a POST without a date)
    response = client.post(reverse("catalog:technology_confirm", args=[published.pk]))
    # then it is confirmed for twelve months and they are back on the manage page
    assert response.status_code == 302
    assert response.url == reverse("catalog:technology_manage", args=[published.pk])
    published.refresh_from_db()
    assert published.valid_until == add_months(timezone.localdate(), 12)


def test_the_confirm_page_keeps_a_wrong_date_and_explains_it(client, owner, published):
    client.force_login(owner)
    url = reverse("catalog:technology_confirm", args=[published.pk])
    assert client.get(url).status_code == 200
    before = published.valid_until
    response = client.post(url, {"valid_until": "2001-01-01"})
    assert response.status_code == 200
    body = response.content.decode()
    with translation.override("zh-hans"):
        assert gettext("The date cannot be in the past.") in body
    assert 'value="2001-01-01"' in body
    published.refresh_from_db()
    assert published.valid_until == before


def test_another_organisation_cannot_reach_the_confirm_page(client, stranger, published):
    lapse(published)
    before = published.valid_until
    client.force_login(stranger)
    url = reverse("catalog:technology_confirm", args=[published.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    published.refresh_from_db()
    assert published.valid_until == before


def test_my_technologies_and_the_todo_list_the_listings_to_confirm(client, owner, published):
    # given a listing lapsing in ten days
    Technology.objects.filter(pk=published.pk).update(
        valid_until=timezone.localdate() + datetime.timedelta(days=10)
    )
    # then the holder's to-do counts it and their list offers the one-click confirmation
    todo = {item["key"]: item for item in catalog_workspace_todos(user=owner)}
    assert todo["technologies_to_confirm"]["count"] == 1
    client.force_login(owner)
    page = client.get(reverse("catalog:my_technologies")).content.decode()
    assert 'data-testid="confirm-current"' in page
    client.post(
        reverse("catalog:technology_confirm", args=[published.pk]),
        {"next": reverse("catalog:my_technologies")},
    )
    todo = {item["key"]: item for item in catalog_workspace_todos(user=owner)}
    assert todo["technologies_to_confirm"]["count"] == 0


# --- API -------------------------------------------------------------------------------------


def test_api_shows_the_freshness_fields(api_client, published):
    body = api_client.get(f"{API}{published.pk}/").data
    assert body["valid_until"] == published.valid_until.isoformat()
    assert body["is_outdated"] is False
    assert "last_confirmed_at" in body


def test_api_list_leaves_outdated_out_unless_asked(api_client, owner):
    current = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    outdated = lapse(make_technology(owner, status=TechnologyStatus.PUBLISHED))
    ids = [row["id"] for row in api_client.get(API).data["results"]]
    assert ids == [current.pk]
    rows = api_client.get(API, {"freshness": "all"}).data["results"]
    assert {row["id"]: row["is_outdated"] for row in rows} == {
        current.pk: False,
        outdated.pk: True,
    }
    assert api_client.get(API, {"freshness": "stale"}).status_code == 400
    # the outdated listing's own address stays reachable
    assert api_client.get(f"{API}{outdated.pk}/").status_code == 200


def test_api_confirm_by_a_member_and_refusals(
    api_client_for, api_client, owner, stranger, published
):
    lapse(published)
    url = f"{API}{published.pk}/confirm/"
    before = published.valid_until
    # anonymous, another organisation's member: refused, nothing changes
    assert api_client.post(url).status_code in (401, 403)
    assert api_client_for(stranger).post(url).status_code == 403
    published.refresh_from_db()
    assert published.valid_until == before
    # a date out of bounds: 400 on the field
    response = api_client_for(owner).post(url, {"valid_until": "2001-01-01"}, format="json")
    assert response.status_code == 400
    assert "valid_until" in response.data
    # the holder: confirmed, back in the list
    response = api_client_for(owner).post(url, {}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["is_outdated"] is False
    assert published.pk in [row["id"] for row in api_client.get(API).data["results"]]


def test_api_confirm_of_a_draft_is_409_and_of_a_private_listing_404(
    api_client_for, owner, stranger
):
    draft = make_technology(owner)
    assert api_client_for(owner).post(f"{API}{draft.pk}/confirm/").status_code == 409
    assert api_client_for(stranger).post(f"{API}{draft.pk}/confirm/").status_code == 404


def test_api_patch_sets_valid_until_within_bounds(api_client_for, owner, published):
    chosen = timezone.localdate() + datetime.timedelta(days=200)
    holder = api_client_for(owner)
    response = holder.patch(
        f"{API}{published.pk}/", {"valid_until": chosen.isoformat()}, format="json"
    )
    assert response.status_code == 200, response.data
    assert response.data["valid_until"] == chosen.isoformat()
    too_far = timezone.localdate() + datetime.timedelta(days=365 * 4)
    response = holder.patch(
        f"{API}{published.pk}/", {"valid_until": too_far.isoformat()}, format="json"
    )
    assert response.status_code == 400
    assert "valid_until" in response.data


# --- reminders -------------------------------------------------------------------------------


def test_reminder_due_days():
    today = datetime.date(2026, 6, 1)
    assert reminder_due(today + datetime.timedelta(days=31), on=today) is None
    assert reminder_due(today + datetime.timedelta(days=30), on=today) == 30
    assert reminder_due(today + datetime.timedelta(days=8), on=today) == 30
    assert reminder_due(today + datetime.timedelta(days=7), on=today) == 7
    assert reminder_due(today, on=today) == 7
    assert reminder_due(today - datetime.timedelta(days=1), on=today) is None


def test_reminders_go_once_30_and_7_days_before_and_again_after_a_confirmation(
    owner, member, published
):
    lapses = published.valid_until
    members = 2
    # 40 days before: nothing due
    assert services.technology_freshness_reminders_send(on=lapses - datetime.timedelta(40)) == 0
    # 30 days before: one reminder to each member; a second run sends nothing more
    day = lapses - datetime.timedelta(days=30)
    assert services.technology_freshness_reminders_send(on=day) == 1
    assert services.technology_freshness_reminders_send(on=day) == 0
    assert services.technology_freshness_reminders_send(on=day + datetime.timedelta(1)) == 0
    assert Notification.objects.filter(recipient__in=[owner, member]).count() == members
    notification = Notification.objects.filter(recipient=owner).get()
    assert notification.url == reverse("catalog:technology_confirm", args=[published.pk])
    # 7 days before: the second reminder, once
    day = lapses - datetime.timedelta(days=7)
    assert services.technology_freshness_reminders_send(on=day) == 1
    assert services.technology_freshness_reminders_send(on=day) == 0
    assert TechnologyFreshnessReminder.objects.filter(technology=published).count() == 2
    # a confirmation moves the date: its own reminders come in time
    published = services.technology_confirm(
        user=owner,
        technology=published,
        valid_until=timezone.localdate() + datetime.timedelta(days=500),
    )
    next_day = published.valid_until - datetime.timedelta(days=30)
    assert services.technology_freshness_reminders_send(on=next_day) == 1


def test_an_unpublished_listing_is_not_reminded(owner):
    draft = make_technology(owner)
    day = draft.valid_until - datetime.timedelta(days=7)
    assert services.technology_freshness_reminders_send(on=day) == 0


def test_the_beat_schedule_declares_the_reminder_task(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "catalog.tasks.remind_lapsing_technologies" in tasks
