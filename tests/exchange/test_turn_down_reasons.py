"""A declined proposal carries a reason code and words: required (page and API), shown to the
holder and in their notification, hidden from outsiders, counted by the statistics."""

import pytest
from django.urls import reverse

from exchange import services
from exchange.choices import NeedStatus
from exchange.models import Proposal
from insight import services as insight_services
from notifications.models import Notification
from tests.factories import OrganizationFactory, UserFactory, api_token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(make_need, make_technology, holder):
    need = make_need(status=NeedStatus.PUBLISHED)
    return services.proposal_create(
        user=holder,
        need=need,
        technology=make_technology(),
        approach="IC 厌氧 + 好氧",
        deal_type="license",
        timeline="6 个月",
    )


def post_api(client, user, proposal, **payload):
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")
    return client.post(
        f"/api/v1/proposals/{proposal.pk}/transition/",
        {"action": "decline", **payload},
        format="json",
    )


def test_the_api_refuses_a_decline_without_a_reason_code(api_client, enterprise, proposal):
    response = post_api(api_client, enterprise, proposal, note="预算不够")
    assert response.status_code == 400
    assert "reason_code" in response.json()
    proposal.refresh_from_db()
    assert proposal.status == "submitted" and proposal.reason_code == ""
    response = post_api(api_client, enterprise, proposal, note="x", reason_code="cheap")
    assert response.status_code == 400 and "reason_code" in response.json()


def test_the_api_declines_with_a_reason_the_holder_sees(api_client, enterprise, holder, proposal):
    # when
    response = post_api(api_client, enterprise, proposal, note="报价高于预算", reason_code="price")
    # then
    assert response.status_code == 200
    assert response.json()["reason_code"] == "price"
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(holder)}")
    seen = api_client.get(f"/api/v1/proposals/{proposal.pk}/").json()
    assert (seen["reason_code"], seen["decline_reason"]) == ("price", "报价高于预算")
    assert seen["reason_label"]
    # the holder's notification names the reason (in the holder's language) and its words
    notification = Notification.objects.filter(recipient=holder).latest("pk")
    assert notification.body == "报价高于预算"
    assert "价格" in notification.title or "Price" in notification.title
    # an outsider does not see the proposal, nor its reason
    outsider = UserFactory(roles=["holder"], organization=OrganizationFactory())
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(outsider)}")
    assert api_client.get(f"/api/v1/proposals/{proposal.pk}/").status_code == 404


def test_the_page_keeps_what_was_typed_when_the_reason_is_missing(client, enterprise, proposal):
    client.force_login(enterprise)
    url = reverse("exchange:proposal_transition", args=[proposal.pk])
    # when the enterprise declines without choosing a reason
    response = client.post(url, {"action": "decline", "note": "工期太长"})
    # then the need page comes back with the error beside the select and the words kept
    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="decline-errors"' in html
    assert 'value="工期太长"' in html
    assert f'id="reason_code-{proposal.pk}-error"' in html
    assert Proposal.objects.get(pk=proposal.pk).status == "submitted"
    # when a reason is chosen
    response = client.post(url, {"action": "decline", "note": "工期太长", "reason_code": "timing"})
    assert response.status_code == 302
    assert Proposal.objects.get(pk=proposal.pk).reason_code == "timing"


def test_the_holder_sees_the_reason_on_the_need_page_and_outsiders_do_not(
    client, enterprise, holder, proposal
):
    services.proposal_transition(
        proposal=proposal, user=enterprise, action="decline", note="工期太长", reason_code="timing"
    )
    client.force_login(holder)
    html = client.get(reverse("exchange:need_detail", args=[proposal.need_id])).content.decode()
    assert 'data-testid="proposal-decline-reason"' in html and "工期太长" in html
    client.force_login(UserFactory(roles=["holder"], organization=OrganizationFactory()))
    response = client.get(reverse("exchange:need_detail", args=[proposal.need_id]))
    assert "工期太长" not in response.content.decode()


def test_statistics_count_the_reasons(api_client, enterprise, make_technology, holder, proposal):
    # given two declined proposals with reasons (price, price) on the same need
    second = services.proposal_create(
        user=holder,
        need=proposal.need,
        technology=make_technology(title_zh="第二项技术"),
        approach="MBR",
        deal_type="license",
        timeline="3 个月",
    )
    for row in (proposal, second):
        services.proposal_transition(
            proposal=row, user=enterprise, action="decline", note="贵", reason_code="price"
        )
    # when
    insight_services.statistics_refresh()
    # then
    reasons = api_client.get("/api/v1/stats/").json()["turn_down_reasons"]
    assert [(row["code"], row["proposal"], row["total"]) for row in reasons] == [("price", 2, 2)]
    html = api_client.get(reverse("insight:statistics")).content.decode()
    assert 'data-testid="reason-total-price">2<' in html
