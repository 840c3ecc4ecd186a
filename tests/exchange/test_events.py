"""Every proposal and introduction step writes its event row; deal and need events speak the one
event model (core.models.TransitionEvent); a published need is announced, not sent to matching."""

import datetime

import pytest
from django.utils import timezone

from core.events import subscribe, unsubscribe
from core.workflow import TransitionNotAllowed
from exchange import services
from exchange.choices import (
    DealStage,
    IntroductionStatus,
    NeedStatus,
    ProposalAction,
    ProposalStatus,
)
from exchange.events import NEED_PUBLISHED
from exchange.models import DealEvent, IntroductionEvent, ProposalEvent


@pytest.fixture
def make_proposal(holder, make_technology):
    def make(need, title_zh="内循环厌氧反应器", **fields):
        return services.proposal_create(
            user=holder,
            need=need,
            technology=make_technology(title_zh=title_zh),
            approach=fields.pop("approach", "IC 厌氧 + 好氧"),
            deal_type="license",
            timeline="6 个月",
            **fields,
        )

    return make


def steps(proposal) -> list[tuple[str, str, str]]:
    return list(
        ProposalEvent.objects.filter(proposal=proposal)
        .order_by("pk")
        .values_list("action", "from_status", "to_status")
    )


def test_creating_a_proposal_writes_its_first_event(make_need, make_proposal, holder):
    # given a published need
    need = make_need(status=NeedStatus.PUBLISHED)

    # when a holder proposes a technology
    proposal = make_proposal(need)

    # then the proposal's history starts with its creation by the holder
    event = ProposalEvent.objects.get(proposal=proposal)
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "create",
        "",
        ProposalStatus.SUBMITTED,
        holder,
    )


def test_every_proposal_transition_writes_one_event(make_need, make_proposal, enterprise, holder):
    # given three proposals on a published need
    need = make_need(status=NeedStatus.PUBLISHED)
    shortlisted = make_proposal(need, title_zh="技术一")
    declined = make_proposal(need, title_zh="技术二")
    withdrawn = make_proposal(need, title_zh="技术三")

    # when the enterprise shortlists, declines with a reason and accepts, and the holder withdraws
    services.proposal_transition(proposal=shortlisted, user=enterprise, action="shortlist")
    services.proposal_transition(
        proposal=declined,
        user=enterprise,
        action="decline",
        note="预算不符",
        reason_code="price",
    )
    services.proposal_transition(proposal=withdrawn, user=holder, action="withdraw")
    services.proposal_transition(proposal=shortlisted, user=enterprise, action="accept")

    # then each step is one event row with who, from and to
    assert steps(shortlisted) == [
        ("create", "", "submitted"),
        ("shortlist", "submitted", "shortlisted"),
        ("accept", "shortlisted", "accepted"),
    ]
    assert steps(declined) == [("create", "", "submitted"), ("decline", "submitted", "declined")]
    assert ProposalEvent.objects.get(proposal=declined, action="decline").note == "预算不符"
    assert steps(withdrawn) == [("create", "", "submitted"), ("withdraw", "submitted", "withdrawn")]
    assert ProposalEvent.objects.get(proposal=withdrawn, action="withdraw").actor == holder


def test_a_refused_proposal_step_writes_no_event(make_need, make_proposal, holder):
    # given a submitted proposal
    proposal = make_proposal(make_need(status=NeedStatus.PUBLISHED))

    # when its own holder tries to accept it
    with pytest.raises(TransitionNotAllowed):
        services.proposal_transition(proposal=proposal, user=holder, action="accept")

    # then nothing changed and no event was written
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED
    assert steps(proposal) == [("create", "", "submitted")]


def test_an_open_call_declines_the_others_with_one_event_each(make_need, make_proposal, enterprise):
    # given an open call with three proposals, one of them shortlisted
    need = make_need(
        status=NeedStatus.PUBLISHED,
        is_open_call=True,
        call_closes_on=timezone.localdate() + datetime.timedelta(days=5),
    )
    chosen = make_proposal(need, title_zh="技术一")
    other = make_proposal(need, title_zh="技术二")
    shortlisted = make_proposal(need, title_zh="技术三")
    services.proposal_transition(proposal=shortlisted, user=enterprise, action="shortlist")

    # when the enterprise accepts one
    services.proposal_transition(proposal=chosen, user=enterprise, action="accept")

    # then every other open proposal is declined through the table, one event each, with the reason
    declines = ProposalEvent.objects.filter(action=ProposalAction.DECLINE).order_by("proposal_id")
    assert [(event.proposal_id, event.from_status, event.actor) for event in declines] == [
        (other.pk, ProposalStatus.SUBMITTED, enterprise),
        (shortlisted.pk, ProposalStatus.SHORTLISTED, enterprise),
    ]
    assert all(event.note for event in declines)
    other.refresh_from_db()
    assert (other.status, other.decline_reason) == (ProposalStatus.DECLINED, declines[0].note)
    assert not ProposalEvent.objects.filter(proposal=chosen, action="decline").exists()


def test_every_introduction_step_writes_one_event(
    broker, holder, enterprise, technology, enterprise_org
):
    # given a broker's introduction of a technology to an enterprise
    introduction = services.introduction_create(
        broker=broker,
        technology=technology,
        enterprise=enterprise_org,
        deal_type="license",
        note="工艺匹配",
    )

    # when both sides accept
    services.introduction_transition(
        introduction=introduction, user=holder, action="accept_as_seller"
    )
    services.introduction_transition(
        introduction=introduction, user=enterprise, action="accept_as_buyer"
    )

    # then the history holds the introduction and each answer, by whom
    events = IntroductionEvent.objects.filter(introduction=introduction).order_by("pk")
    assert [(e.action, e.from_status, e.to_status, e.actor) for e in events] == [
        ("create", "", IntroductionStatus.PROPOSED, broker),
        (
            "accept_as_seller",
            IntroductionStatus.PROPOSED,
            IntroductionStatus.SELLER_ACCEPTED,
            holder,
        ),
        (
            "accept_as_buyer",
            IntroductionStatus.SELLER_ACCEPTED,
            IntroductionStatus.ACCEPTED,
            enterprise,
        ),
    ]


def test_a_declined_introduction_records_the_reason(broker, enterprise, technology, enterprise_org):
    # given an introduction
    introduction = services.introduction_create(
        broker=broker, technology=technology, enterprise=enterprise_org, deal_type="license"
    )

    # when the enterprise declines it with a reason
    services.introduction_transition(
        introduction=introduction, user=enterprise, action="decline", note="  已有方案 "
    )

    # then the event holds the step and the reason
    event = IntroductionEvent.objects.get(introduction=introduction, action="decline")
    assert (event.to_status, event.note, event.actor) == (
        IntroductionStatus.DECLINED,
        "已有方案",
        enterprise,
    )


def test_a_refused_introduction_step_writes_no_event(broker, holder, technology, enterprise_org):
    # given an introduction
    introduction = services.introduction_create(
        broker=broker, technology=technology, enterprise=enterprise_org, deal_type="license"
    )

    # when the holder tries to accept for the enterprise
    with pytest.raises(TransitionNotAllowed):
        services.introduction_transition(
            introduction=introduction, user=holder, action="accept_as_buyer"
        )

    # then only the creation is recorded
    assert list(
        IntroductionEvent.objects.filter(introduction=introduction).values_list("action", flat=True)
    ) == ["create"]


def test_deal_events_are_transition_events_with_labels(make_deal, holder, api_client_for):
    # given a deal in inquiry
    deal = make_deal(stage=DealStage.INQUIRY)

    # when the seller starts the negotiation
    services.deal_transition(deal=deal, user=holder, action="start_negotiation")

    # then the event uses the shared columns and names its stages and the seller's role
    event = DealEvent.objects.get(deal=deal, action="start_negotiation")
    assert (event.from_status, event.to_status) == (DealStage.INQUIRY, DealStage.NEGOTIATION)
    assert event.from_status_label == str(DealStage.INQUIRY.label)
    assert event.to_status_label == str(DealStage.NEGOTIATION.label)
    assert event.actor_role_label != "" and event.action_label != "start_negotiation"
    # and the API keeps its field names
    timeline = api_client_for(holder).get(f"/api/v1/deals/{deal.pk}/timeline/").json()
    entry = next(item for item in timeline if item["action"] == "start_negotiation")
    assert (entry["from_stage"], entry["to_stage"]) == ("inquiry", "negotiation")


def test_deal_steps_requiring_data_name_what_is_missing(make_deal, holder):
    # given a deal in negotiation without payment terms
    deal = make_deal(stage=DealStage.NEGOTIATION, payment_terms="")

    # when an agreement is drafted
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.deal_transition(deal=deal, user=holder, action="draft_agreement")

    # then the transition's typed `requires` names the missing field and nothing moved
    assert "payment_terms" in refused.value.message_dict
    assert services.DEAL_WORKFLOW.table[(DealStage.NEGOTIATION, "draft_agreement")].requires == (
        "price",
        "payment_terms",
    )
    deal.refresh_from_db()
    assert deal.stage == DealStage.NEGOTIATION


def test_approving_a_need_announces_it(make_need, reviewer, django_capture_on_commit_callbacks):
    # given a submitted need and a listener for published needs
    need = make_need(status=NeedStatus.SUBMITTED)
    heard: list[int] = []

    def listener(*, need_id):
        heard.append(need_id)

    subscribe(NEED_PUBLISHED, listener)
    try:
        # when a reviewer approves it
        with django_capture_on_commit_callbacks(execute=True):
            services.need_review(need=need, user=reviewer, decision="approve")
    finally:
        unsubscribe(NEED_PUBLISHED, listener)

    # then the publication was announced once, with the need's id
    assert heard == [need.pk]


def test_the_review_queue_and_a_single_deal_agree_on_a_conflicted_broker(
    make_deal, holder_org, broker
):
    # given a deal brokered by a member of the seller, and one by an independent broker
    from accounts.models import Membership
    from exchange import selectors
    from tests.factories import UserFactory

    Membership.objects.create(user=broker, organization=holder_org)
    conflicted = make_deal(stage=DealStage.SUBMITTED_FOR_REVIEW, broker=broker)
    independent_broker = UserFactory(roles=["broker"])
    independent = make_deal(stage=DealStage.SUBMITTED_FOR_REVIEW, broker=independent_broker)

    # when the checklist is computed from the queue (annotated) and for each deal alone
    queued = {deal.pk: deal for deal in selectors.deals_awaiting_review()}
    from_queue = {
        pk: services.deal_review_checklist(deal=deal)["no_conflict_of_interest"]
        for pk, deal in queued.items()
    }
    alone = {
        deal.pk: services.deal_review_checklist(deal=deal)["no_conflict_of_interest"]
        for deal in (conflicted, independent)
    }

    # then both say the conflicted broker is a conflict and the other is not
    assert from_queue == alone == {conflicted.pk: False, independent.pk: True}
