"""The deal's stage stepper (#14 item 12): every stage, where the deal is, what is next and who
must act, on the deal page and at GET /api/v1/deals/{id}/progress/."""

import re

import pytest
from django.urls import reverse

from exchange import services
from exchange.choices import DealStage
from exchange.models import DealEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def stepper(html: str) -> str:
    match = re.search(r'<nav class="stepper[^>]*>(.*?)</nav>', html, re.S)
    assert match, "no stepper"
    return match.group(1)


def step_states(html: str) -> list[tuple[str, str]]:
    return re.findall(r'class="stepper-step(?: is-(\w+))?"[^>]*data-status="(\w+)"', html)


def test_the_deal_page_shows_every_stage_and_whose_turn_it_is(client, make_deal, holder):
    deal = make_deal(stage=DealStage.NEGOTIATION)
    client.login(email=holder.email, password=PASSWORD)
    client.cookies["django_language"] = "en"
    html = stepper(client.get(reverse("exchange:deal_detail", args=[deal.pk])).content.decode())
    states = step_states(html)
    assert [status for _state, status in states] == list(services.DEAL_PATH)
    assert states[0] == ("done", "inquiry")
    assert states[1] == ("current", "negotiation")
    assert all(state == "" for state, _status in states[2:])  # upcoming
    assert 'aria-current="step"' in html
    assert "Agreement drafted" in html and "by Broker, Buyer, Seller" in html
    assert "your turn" in html
    # labels, never codes
    assert "agreement_drafted" not in re.sub(r'data-status="\w+"', "", html)


def test_in_chinese_the_stepper_reads_chinese(client, make_deal, enterprise):
    deal = make_deal(stage=DealStage.IN_EXECUTION)
    client.login(email=enterprise.email, password=PASSWORD)
    html = stepper(client.get(reverse("exchange:deal_detail", args=[deal.pk])).content.decode())
    assert "履约中" in html and "确认完成" in html and "买方" in html
    assert "下一步" in html


def test_a_returned_deal_shows_the_detour_in_place_of_the_review(make_deal, holder):
    deal = make_deal(stage=DealStage.RETURNED)
    progress = services.deal_progress(deal=deal, user=holder)
    states = {step.status: step.state for step in progress.steps}
    assert states[DealStage.RETURNED] == "attention"
    assert DealStage.SUBMITTED_FOR_REVIEW not in states
    assert states[DealStage.AGREEMENT_DRAFTED] == "done"
    # back onto the path: resubmit, or reopen the negotiation
    assert {action.action for action in progress.next_actions} == {"submit_for_review", "revise"}


def test_a_cancelled_deal_stops_where_it_was_left(make_deal, enterprise):
    deal = make_deal(stage=DealStage.CANCELLED)
    DealEvent.objects.create(
        deal=deal,
        actor=enterprise,
        action="cancel",
        from_status=DealStage.APPROVED,
        to_status=DealStage.CANCELLED,
    )
    progress = services.deal_progress(deal=deal, user=enterprise)
    assert [step.status for step in progress.steps][-1] == DealStage.CANCELLED
    assert progress.steps[-1].state == "stopped"
    assert progress.steps[-2].status == DealStage.SUBMITTED_FOR_REVIEW
    assert progress.finished


def test_a_completed_deal_is_all_done(make_deal, enterprise):
    progress = services.deal_progress(deal=make_deal(stage=DealStage.COMPLETED), user=enterprise)
    assert {step.state for step in progress.steps} == {"done"}
    assert progress.finished


def test_the_api_gives_the_same_progress_to_a_party_and_nothing_to_a_stranger(
    api_client_for, make_deal, holder
):
    deal = make_deal(stage=DealStage.NEGOTIATION)
    body = api_client_for(holder).get(f"/api/v1/deals/{deal.pk}/progress/").json()
    assert [step["status"] for step in body["steps"]] == list(services.DEAL_PATH)
    assert body["steps"][1]["state"] == "current"
    (drafting,) = body["next_actions"]
    assert drafting["action"] == "draft_agreement"
    assert set(drafting["actors"]) == {"seller", "buyer", "broker"}
    assert drafting["yours"] is True
    stranger = UserFactory(roles=["enterprise"])
    assert api_client_for(stranger).get(f"/api/v1/deals/{deal.pk}/progress/").status_code == 404
