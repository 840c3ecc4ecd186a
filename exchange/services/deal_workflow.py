"""The deal workflow: who plays which role, the stage table, and what each step needs first."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import (
    member_organization_ids,
)
from core.progress import Progress, workflow_progress
from core.workflow import StateMachine, Transition
from exchange.choices import (
    DealAction,
    DealActor,
    DealStage,
    DocumentKind,
)
from exchange.models import (
    Deal,
)

SELLER, BUYER, BROKER = DealActor.SELLER.value, DealActor.BUYER.value, DealActor.BROKER.value
DEAL_REVIEWER = DealActor.REVIEWER.value
PARTIES = frozenset({SELLER, BUYER})
NEGOTIATORS = frozenset({SELLER, BUYER, BROKER})
PRICE_AND_TERMS = ("price", "payment_terms")
READY_FOR_REVIEW = ("price", "payment_terms", "contract")
REVIEWER_ONLY = frozenset({DEAL_REVIEWER})
BUYER_ONLY = frozenset({BUYER})
SELLER_ONLY = frozenset({SELLER})

# What each action's button says.
CANCEL_LABEL = gettext_lazy("Cancel the deal")
REVISE_LABEL = gettext_lazy("Back to negotiation")
SUBMIT_FOR_REVIEW_LABEL = gettext_lazy("Submit for review")

DEAL_WORKFLOW = StateMachine(
    {
        (DealStage.INQUIRY, DealAction.START_NEGOTIATION): Transition(
            DealStage.NEGOTIATION, SELLER_ONLY, gettext_lazy("Start negotiation")
        ),
        (DealStage.INQUIRY, DealAction.CANCEL): Transition(
            DealStage.CANCELLED, PARTIES, CANCEL_LABEL, requires_note=True
        ),
        (DealStage.NEGOTIATION, DealAction.DRAFT_AGREEMENT): Transition(
            DealStage.AGREEMENT_DRAFTED,
            NEGOTIATORS,
            gettext_lazy("Agreement drafted"),
            requires=PRICE_AND_TERMS,
        ),
        (DealStage.NEGOTIATION, DealAction.CANCEL): Transition(
            DealStage.CANCELLED, PARTIES, CANCEL_LABEL, requires_note=True
        ),
        (DealStage.AGREEMENT_DRAFTED, DealAction.REVISE): Transition(
            DealStage.NEGOTIATION, NEGOTIATORS, REVISE_LABEL
        ),
        (DealStage.AGREEMENT_DRAFTED, DealAction.SUBMIT_FOR_REVIEW): Transition(
            DealStage.SUBMITTED_FOR_REVIEW,
            NEGOTIATORS,
            SUBMIT_FOR_REVIEW_LABEL,
            requires=READY_FOR_REVIEW,
        ),
        (DealStage.AGREEMENT_DRAFTED, DealAction.CANCEL): Transition(
            DealStage.CANCELLED, PARTIES, CANCEL_LABEL, requires_note=True
        ),
        (DealStage.SUBMITTED_FOR_REVIEW, DealAction.APPROVE): Transition(
            DealStage.APPROVED, REVIEWER_ONLY, gettext_lazy("Approve")
        ),
        (DealStage.SUBMITTED_FOR_REVIEW, DealAction.RETURN): Transition(
            DealStage.RETURNED,
            REVIEWER_ONLY,
            gettext_lazy("Return for changes"),
            requires_note=True,
        ),
        (DealStage.SUBMITTED_FOR_REVIEW, DealAction.REJECT): Transition(
            DealStage.REJECTED, REVIEWER_ONLY, gettext_lazy("Reject"), requires_note=True
        ),
        (DealStage.RETURNED, DealAction.SUBMIT_FOR_REVIEW): Transition(
            DealStage.SUBMITTED_FOR_REVIEW,
            NEGOTIATORS,
            SUBMIT_FOR_REVIEW_LABEL,
            requires=READY_FOR_REVIEW,
        ),
        (DealStage.RETURNED, DealAction.REVISE): Transition(
            DealStage.NEGOTIATION, NEGOTIATORS, REVISE_LABEL
        ),
        (DealStage.RETURNED, DealAction.CANCEL): Transition(
            DealStage.CANCELLED, PARTIES, CANCEL_LABEL, requires_note=True
        ),
        (DealStage.APPROVED, DealAction.SIGN_CONTRACT): Transition(
            DealStage.CONTRACT_SIGNED,
            PARTIES,
            gettext_lazy("Contract signed"),
            requires=("contract",),
        ),
        (DealStage.APPROVED, DealAction.CANCEL): Transition(
            DealStage.CANCELLED, PARTIES, CANCEL_LABEL, requires_note=True
        ),
        (DealStage.CONTRACT_SIGNED, DealAction.START_EXECUTION): Transition(
            DealStage.IN_EXECUTION,
            PARTIES,
            gettext_lazy("Start execution"),
            requires=("milestones",),
        ),
        (DealStage.CONTRACT_SIGNED, DealAction.CANCEL): Transition(
            DealStage.CANCELLED, PARTIES, CANCEL_LABEL, requires_note=True
        ),
        (DealStage.IN_EXECUTION, DealAction.REPORT_DISPUTE): Transition(
            DealStage.IN_EXECUTION,
            PARTIES,
            gettext_lazy("Report a dispute"),
            requires_note=True,
        ),
        (DealStage.IN_EXECUTION, DealAction.COMPLETE): Transition(
            DealStage.COMPLETED,
            BUYER_ONLY,
            gettext_lazy("Confirm completion"),
            requires=("milestones_done",),
        ),
        (DealStage.IN_EXECUTION, DealAction.CANCEL): Transition(
            DealStage.CANCELLED, PARTIES, CANCEL_LABEL, requires_note=True
        ),
    }
)
DEAL_EDITABLE_STAGES = (
    DealStage.INQUIRY,
    DealStage.NEGOTIATION,
    DealStage.AGREEMENT_DRAFTED,
    DealStage.RETURNED,
)
MILESTONE_STAGES = (
    DealStage.NEGOTIATION,
    DealStage.AGREEMENT_DRAFTED,
    DealStage.RETURNED,
    DealStage.APPROVED,
    DealStage.CONTRACT_SIGNED,
    DealStage.IN_EXECUTION,
)
ACTIVE_STAGES = tuple(
    stage
    for stage in DealStage.values
    if stage not in (DealStage.COMPLETED, DealStage.CANCELLED, DealStage.REJECTED)
)


def deal_actor_roles(*, deal: Deal, user, organization_ids: list[int] | None = None) -> set[str]:
    """The roles a user plays in a deal: seller, buyer, broker and/or reviewer.

    A reviewer who belongs to a party (or brokers the deal) does not review it.
    """
    roles: set[str] = set()
    if not getattr(user, "is_authenticated", False):
        return roles
    if organization_ids is None:
        organization_ids = member_organization_ids(user=user)
    if deal.seller_id in organization_ids:
        roles.add(SELLER)
    if deal.buyer_id in organization_ids:
        roles.add(BUYER)
    if deal.broker_id == user.pk:
        roles.add(BROKER)
    if user.is_reviewer and not roles:
        roles.add(DEAL_REVIEWER)
    return roles


def deal_allowed_actions(
    *, deal: Deal, user, organization_ids: list[int] | None = None
) -> list[str]:
    roles = deal_actor_roles(deal=deal, user=user, organization_ids=organization_ids)
    return DEAL_WORKFLOW.allowed_actions(deal.stage, roles)


def deal_missing_data(*, deal: Deal, requires: tuple[str, ...]) -> dict[str, str]:
    """What a step still needs, field by field, in words the user can act on."""
    missing: dict[str, str] = {}
    if "price" in requires and deal.price is None:
        missing["price"] = _("Set the price first.")
    if "payment_terms" in requires and not deal.payment_terms.strip():
        missing["payment_terms"] = _("Set the payment terms first.")
    if "contract" in requires and not deal.documents.filter(kind=DocumentKind.CONTRACT).exists():
        missing["contract"] = _("Attach the contract in the deal room first.")
    if "milestones" in requires and not deal.milestones.exists():
        missing["milestones"] = _("Add at least one milestone (a payment or a delivery) first.")
    if "milestones_done" in requires and deal.milestones.filter(done_at__isnull=True).exists():
        missing["milestones"] = _("Every milestone must be confirmed as done first.")
    return missing


def deal_review_checklist(*, deal: Deal) -> dict[str, bool]:
    """The reviewer's checklist; approval needs every item."""
    from accounts.choices import VerificationStatus
    from catalog.choices import TechnologyStatus

    # The review queue annotates `broker_is_party`; a single deal asks.
    broker_is_party = getattr(deal, "broker_is_party", None)
    if broker_is_party is None:
        broker_is_party = bool(
            deal.broker_id
            and {deal.seller_id, deal.buyer_id} & set(member_organization_ids(user=deal.broker))
        )
    # The review queue annotates `contract_attached`; a single deal asks.
    contract_attached = getattr(deal, "contract_attached", None)
    if contract_attached is None:
        contract_attached = deal.documents.filter(kind=DocumentKind.CONTRACT).exists()
    return {
        "parties_verified": deal.seller.verification_status == VerificationStatus.VERIFIED
        and deal.buyer.verification_status == VerificationStatus.VERIFIED,
        "technology_published": deal.technology.status == TechnologyStatus.PUBLISHED,
        "price_and_payment_terms_set": deal.price is not None and bool(deal.payment_terms.strip()),
        "contract_attached": contract_attached,
        "no_conflict_of_interest": not broker_is_party,
    }


CHECKLIST_LABELS = {
    "parties_verified": gettext_lazy("Both parties are verified organisations"),
    "technology_published": gettext_lazy("The technology is published"),
    "price_and_payment_terms_set": gettext_lazy("Price and payment terms are set"),
    "contract_attached": gettext_lazy("The contract is attached"),
    "no_conflict_of_interest": gettext_lazy(
        "No conflict of interest: the broker is not a member of a party"
    ),
}


# The usual order of a deal's stages, for the stepper; the others are detours or ends.
DEAL_PATH = (
    DealStage.INQUIRY,
    DealStage.NEGOTIATION,
    DealStage.AGREEMENT_DRAFTED,
    DealStage.SUBMITTED_FOR_REVIEW,
    DealStage.APPROVED,
    DealStage.CONTRACT_SIGNED,
    DealStage.IN_EXECUTION,
    DealStage.COMPLETED,
)


def deal_progress(*, deal: Deal, user, organization_ids: list[int] | None = None) -> Progress:
    """The deal's stepper: every stage, where it is, what is next and who must act. A cancelled
    deal stops after the last stage it reached (its last event's starting stage)."""
    detours = {DealStage.RETURNED: DealStage.SUBMITTED_FOR_REVIEW}
    detours[DealStage.REJECTED] = DealStage.SUBMITTED_FOR_REVIEW
    if deal.stage == DealStage.CANCELLED:
        left_from = (
            deal.events.filter(to_status=DealStage.CANCELLED)
            .order_by("-created_at", "-pk")
            .values_list("from_status", flat=True)
            .first()
        )
        if left_from == DealStage.RETURNED:
            left_from = DealStage.SUBMITTED_FOR_REVIEW
        detours[DealStage.CANCELLED] = left_from if left_from in DEAL_PATH else DealStage.INQUIRY
    return workflow_progress(
        DEAL_WORKFLOW,
        path=DEAL_PATH,
        status=deal.stage,
        status_labels=dict(DealStage.choices),
        actor_labels=dict(DealActor.choices),
        detours=detours,
        stops=(DealStage.REJECTED, DealStage.CANCELLED),
        reader_roles=deal_actor_roles(deal=deal, user=user, organization_ids=organization_ids),
    )
