"""Freshness of needs (#15 item 3): current until the deadline, confirmation by the
organisation, outdated needs leave the default list and the matching, reminders."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from exchange import services
from exchange.choices import NeedAction, NeedStatus
from exchange.models import Need, NeedFreshnessReminder
from exchange.selectors import exchange_workspace_todos
from notifications.models import Notification
from tests.exchange.conftest import future
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/needs/"


def lapse(need: Need) -> Need:
    Need.objects.filter(pk=need.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    need.refresh_from_db()
    return need


@pytest.fixture
def outsider(db):
    return UserFactory(roles=["enterprise"], organization=OrganizationFactory())


def test_approval_makes_the_need_current_until_its_deadline(make_need, enterprise, reviewer):
    need = make_need(deadline=future(200))
    services.need_submit(need=need, user=enterprise)
    need = services.need_review(need=need, user=reviewer, decision="approve")
    assert need.valid_until == need.deadline
    assert need.last_confirmed_at is not None
    assert not need.is_outdated


def test_a_colleague_confirms_an_outdated_need_until_its_deadline(make_need, colleague):
    need = lapse(make_need(NeedStatus.PUBLISHED, deadline=future(90)))
    assert need.is_outdated
    need = services.need_confirm(need=need, user=colleague)
    assert need.valid_until == need.deadline
    assert not need.is_outdated
    event = need.events.order_by("-pk").first()
    assert (event.action, event.actor, event.from_status) == (
        NeedAction.CONFIRM,
        colleague,
        NeedStatus.PUBLISHED,
    )


def test_a_need_cannot_stay_current_after_its_deadline(make_need, enterprise):
    need = make_need(NeedStatus.PUBLISHED, deadline=future(30))
    with pytest.raises(ValidationError) as error:
        services.need_confirm(need=need, user=enterprise, valid_until=future(31))
    assert "valid_until" in error.value.message_dict


@pytest.mark.parametrize("who", ["outsider", "reviewer"])
def test_only_the_organisations_members_may_confirm(request, make_need, who):
    need = lapse(make_need(NeedStatus.PUBLISHED))
    events = need.events.count()
    with pytest.raises(PermissionDenied):
        services.need_confirm(need=need, user=request.getfixturevalue(who))
    need.refresh_from_db()
    assert need.is_outdated
    assert need.events.count() == events


def test_outdated_needs_leave_the_list_page_and_come_back_when_confirmed(
    client, make_need, enterprise
):
    current = make_need(NeedStatus.PUBLISHED, title_zh="光伏屋顶需求")
    outdated = lapse(make_need(NeedStatus.PUBLISHED))
    page = client.get(reverse("exchange:need_list")).content.decode()
    assert current.title_zh in page and outdated.title_zh not in page
    page = client.get(reverse("exchange:need_list"), {"freshness": "all"}).content.decode()
    assert outdated.title_zh in page and 'data-testid="outdated-badge"' in page
    services.need_confirm(need=outdated, user=enterprise)
    page = client.get(reverse("exchange:need_list")).content.decode()
    assert outdated.title_zh in page


def test_the_detail_page_of_an_outdated_need_offers_the_owner_one_click(
    client, make_need, enterprise, outsider
):
    need = lapse(make_need(NeedStatus.PUBLISHED))
    url = reverse("exchange:need_detail", args=[need.pk])
    client.force_login(outsider)
    page = client.get(url).content.decode()
    assert 'data-testid="outdated-badge"' in page
    assert 'data-testid="freshness-panel"' not in page
    assert client.post(reverse("exchange:need_confirm", args=[need.pk])).status_code == 404
    need.refresh_from_db()
    assert need.is_outdated
    client.force_login(enterprise)
    assert 'data-testid="confirm-current"' in client.get(url).content.decode()
    response = client.post(reverse("exchange:need_confirm", args=[need.pk]))
    assert response.status_code == 302
    need.refresh_from_db()
    assert not need.is_outdated


def test_the_confirm_page_shows_the_deadline_error_and_keeps_the_date(
    client, make_need, enterprise
):
    need = make_need(NeedStatus.PUBLISHED, deadline=future(20))
    client.force_login(enterprise)
    url = reverse("exchange:need_confirm", args=[need.pk])
    assert client.get(url).status_code == 200
    wanted = future(40).isoformat()
    response = client.post(url, {"valid_until": wanted})
    assert response.status_code == 200
    body = response.content.decode()
    with translation.override("zh-hans"):
        message = gettext("A need cannot stay current after its deadline (%(date)s).")
    assert message.split("（")[0] in body
    assert f'value="{wanted}"' in body


def test_my_needs_and_the_todo_offer_the_confirmation(client, make_need, enterprise):
    make_need(NeedStatus.PUBLISHED, deadline=future(10), valid_until=future(10))
    todo = {item["key"]: item for item in exchange_workspace_todos(user=enterprise)}
    assert todo["needs_to_confirm"]["count"] == 1
    client.force_login(enterprise)
    assert (
        'data-testid="confirm-current"' in client.get(reverse("exchange:my_needs")).content.decode()
    )


def test_api_list_freshness_filter_and_fields(api_client, make_need):
    current = make_need(NeedStatus.PUBLISHED)
    outdated = lapse(make_need(NeedStatus.PUBLISHED))
    ids = [row["id"] for row in api_client.get(API).data["results"]]
    assert ids == [current.pk]
    rows = api_client.get(API, {"freshness": "outdated"}).data["results"]
    assert [(row["id"], row["is_outdated"]) for row in rows] == [(outdated.pk, True)]
    assert api_client.get(API, {"freshness": ""}).status_code == 400
    body = api_client.get(f"{API}{outdated.pk}/").data
    assert body["valid_until"] == outdated.valid_until.isoformat()
    assert "last_confirmed_at" in body


def test_api_confirm_member_outsider_and_bounds(api_client_for, make_need, enterprise, outsider):
    need = lapse(make_need(NeedStatus.PUBLISHED, deadline=future(60)))
    url = f"{API}{need.pk}/confirm/"
    assert api_client_for(outsider).post(url).status_code == 403
    need.refresh_from_db()
    assert need.is_outdated
    response = api_client_for(enterprise).post(
        url, {"valid_until": future(61).isoformat()}, format="json"
    )
    assert response.status_code == 400
    assert "valid_until" in response.data
    response = api_client_for(enterprise).post(url, {}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["is_outdated"] is False
    assert response.data["valid_until"] == need.deadline.isoformat()


def test_api_patch_of_a_published_need_confirms_until_the_date(
    api_client_for, make_need, enterprise
):
    need = make_need(NeedStatus.PUBLISHED, deadline=future(90))
    response = api_client_for(enterprise).patch(
        f"{API}{need.pk}/", {"valid_until": future(30).isoformat()}, format="json"
    )
    assert response.status_code == 200, response.data
    assert response.data["valid_until"] == future(30).isoformat()


def test_the_organisation_filter_keeps_anonymous_needs_hidden_from_the_public(
    api_client, api_client_for, make_need, enterprise_org, reviewer
):
    anonymous = make_need(NeedStatus.PUBLISHED, is_anonymous=True)
    named = make_need(NeedStatus.PUBLISHED)
    params = {"organization": enterprise_org.pk}
    assert [row["id"] for row in api_client.get(API, params).data["results"]] == [named.pk]
    rows = api_client_for(reviewer).get(API, params).data["results"]
    assert {row["id"] for row in rows} == {anonymous.pk, named.pk}


def test_reminders_go_once_per_date_and_reminder(make_need, enterprise, colleague):
    need = make_need(NeedStatus.PUBLISHED, deadline=future(100))
    Need.objects.filter(pk=need.pk).update(valid_until=need.deadline)
    day = need.deadline - datetime.timedelta(days=30)
    assert services.need_freshness_reminders_send(on=day) == 1
    assert services.need_freshness_reminders_send(on=day) == 0
    assert Notification.objects.filter(recipient__in=[enterprise, colleague]).count() == 2
    assert services.need_freshness_reminders_send(on=need.deadline) == 1
    assert services.need_freshness_reminders_send(on=need.deadline) == 0
    assert NeedFreshnessReminder.objects.filter(need=need).count() == 2
    notification = Notification.objects.filter(recipient=enterprise).first()
    assert notification.url == reverse("exchange:need_confirm", args=[need.pk])


def test_the_beat_schedule_declares_the_need_reminders(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "exchange.tasks.remind_lapsing_needs" in tasks
