"""Only the side that confirms a milestone sees its button; the other reads whose turn it is
(#14, 7c). The page and the API take both from the service's allowed actions."""

import datetime

import pytest
from django.urls import reverse

from exchange.models import DealMilestone
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal_in_execution(make_deal):
    deal = make_deal(stage="in_execution")
    due = datetime.date(2027, 3, 1)
    DealMilestone.objects.create(deal=deal, kind="payment", title="首付款", due_date=due)
    DealMilestone.objects.create(deal=deal, kind="delivery", title="设备交付", due_date=due)
    return deal


def deal_page(client, deal) -> str:
    return client.get(reverse("exchange:deal_detail", args=[deal.pk])).content.decode()


def milestone_rows(page: str) -> dict[str, str]:
    rows = page.split('data-testid="milestones"')[1].split("</ul>")[0].split("<li")[1:]
    return {("payment" if "首付款" in row else "delivery"): row for row in rows}


def test_the_seller_confirms_payments_and_the_buyer_deliveries_on_the_page(
    client, deal_in_execution, holder, enterprise
):
    # when the seller opens the deal
    client.force_login(holder)
    rows = milestone_rows(deal_page(client, deal_in_execution))
    # then only the payment has a confirm button; the delivery waits for the buyer
    assert 'data-testid="milestone-confirm"' in rows["payment"]
    assert 'data-testid="milestone-confirm"' not in rows["delivery"]
    assert "Awaiting the buyer" in rows["delivery"] or "等待买方确认" in rows["delivery"]
    # and the buyer sees the reverse
    client.force_login(enterprise)
    rows = milestone_rows(deal_page(client, deal_in_execution))
    assert 'data-testid="milestone-confirm"' in rows["delivery"]
    assert 'data-testid="milestone-confirm"' not in rows["payment"]
    assert "Awaiting the seller" in rows["payment"] or "等待卖方确认" in rows["payment"]


def test_the_api_names_the_confirming_side_and_gives_the_action_to_it_only(
    api_client_for, deal_in_execution, holder, enterprise
):
    # when each party reads the deal
    seller_view = api_client_for(holder).get(f"/api/v1/deals/{deal_in_execution.pk}/").json()
    buyer_view = api_client_for(enterprise).get(f"/api/v1/deals/{deal_in_execution.pk}/").json()
    # then each milestone names whom it waits for, and only that side may confirm it
    by_kind = {m["kind"]: m for m in seller_view["milestones"]}
    assert by_kind["payment"]["awaiting"] == "seller"
    assert by_kind["payment"]["allowed_actions"] == ["confirm"]
    assert by_kind["delivery"]["awaiting"] == "buyer"
    assert by_kind["delivery"]["allowed_actions"] == []
    by_kind = {m["kind"]: m for m in buyer_view["milestones"]}
    assert by_kind["payment"]["allowed_actions"] == []
    assert by_kind["delivery"]["allowed_actions"] == ["confirm"]


def test_no_one_may_confirm_outside_execution_or_twice(
    api_client_for, make_deal, holder, deal_in_execution
):
    # given a deal still in negotiation with a planned payment
    negotiating = make_deal(stage="negotiation")
    DealMilestone.objects.create(
        deal=negotiating, kind="payment", title="首付款", due_date=datetime.date(2027, 3, 1)
    )
    # then no one is asked to confirm it yet
    deal = api_client_for(holder).get(f"/api/v1/deals/{negotiating.pk}/").json()
    milestone = deal["milestones"][0]
    assert milestone["allowed_actions"] == [] and milestone["awaiting"] is None
    # and once the seller has confirmed the payment it asks no one any more
    payment = deal_in_execution.milestones.get(kind="payment")
    client = api_client_for(holder)
    done = client.post(f"/api/v1/deals/{deal_in_execution.pk}/milestones/{payment.pk}/done/")
    assert done.status_code == 200
    assert done.json()["allowed_actions"] == [] and done.json()["awaiting"] is None


def test_a_broker_sees_whom_each_milestone_waits_for(client, deal_in_execution):
    broker = UserFactory(roles=["broker"])
    deal_in_execution.broker = broker
    deal_in_execution.save(update_fields=["broker"])
    client.force_login(broker)
    page = client.get(reverse("exchange:deal_detail", args=[deal_in_execution.pk])).content.decode()
    assert 'data-testid="milestone-confirm"' not in page
    assert page.count('data-testid="milestone-awaiting"') == 2
