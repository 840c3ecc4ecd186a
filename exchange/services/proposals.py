"""Proposals: a holder answers a need (or an open call) with a technology."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.workflow import StateMachine, Transition, TransitionNotAllowed, compare_and_set_status
from exchange.choices import (
    ProposalStatus,
)
from exchange.models import (
    Need,
    Proposal,
    ProposalMessage,
)
from exchange.services.common import is_member, organization_members
from exchange.services.deals import D, deal_open
from notifications.services import notify_users

PROPOSER = "proposer"
ENTERPRISE = "enterprise"
PROPOSAL_WORKFLOW = StateMachine(
    {
        (ProposalStatus.SUBMITTED, "shortlist"): Transition(
            ProposalStatus.SHORTLISTED, frozenset({ENTERPRISE})
        ),
        (ProposalStatus.SUBMITTED, "decline"): Transition(
            ProposalStatus.DECLINED, frozenset({ENTERPRISE}), requires_note=True
        ),
        (ProposalStatus.SHORTLISTED, "decline"): Transition(
            ProposalStatus.DECLINED, frozenset({ENTERPRISE}), requires_note=True
        ),
        (ProposalStatus.SUBMITTED, "accept"): Transition(
            ProposalStatus.ACCEPTED, frozenset({ENTERPRISE})
        ),
        (ProposalStatus.SHORTLISTED, "accept"): Transition(
            ProposalStatus.ACCEPTED, frozenset({ENTERPRISE})
        ),
        (ProposalStatus.SUBMITTED, "withdraw"): Transition(
            ProposalStatus.WITHDRAWN, frozenset({PROPOSER})
        ),
        (ProposalStatus.SHORTLISTED, "withdraw"): Transition(
            ProposalStatus.WITHDRAWN, frozenset({PROPOSER})
        ),
    }
)


def _member_check(user, organization_ids: list[int] | None):
    """Whether the user belongs to an organisation: from the ids a list already looked up
    (one query for the whole list), else asked now."""
    if organization_ids is not None:
        return lambda organization_id: organization_id in organization_ids
    return lambda organization_id: is_member(organization=organization_id, user=user)


def proposal_actor_roles(
    *, proposal: Proposal, user, organization_ids: list[int] | None = None
) -> set[str]:
    member = _member_check(user, organization_ids)
    roles: set[str] = set()
    if member(proposal.organization_id):
        roles.add(PROPOSER)
    if member(proposal.need.organization_id):
        roles.add(ENTERPRISE)
    return roles


def proposal_allowed_actions(
    *, proposal: Proposal, user, organization_ids: list[int] | None = None
) -> list[str]:
    return PROPOSAL_WORKFLOW.allowed_actions(
        proposal.status,
        proposal_actor_roles(proposal=proposal, user=user, organization_ids=organization_ids),
    )


@transaction.atomic
def proposal_create(
    *,
    user,
    need: Need,
    technology,
    approach: str,
    deal_type: str,
    timeline: str,
    price: Decimal | None = None,
    currency: str = "CNY",
) -> Proposal:
    from catalog.choices import TechnologyStatus

    errors: dict[str, str] = {}
    if not is_member(organization=technology.organization_id, user=user):
        errors["technology"] = _("Propose one of your own organisation's technologies.")
    elif technology.status != TechnologyStatus.PUBLISHED:
        errors["technology"] = _("Only published technologies can be proposed.")
    if technology.organization_id == need.organization_id:
        errors["need"] = _("You cannot answer your own organisation's need.")
    if not need.accepts_proposals:
        errors["need"] = _("This need does not take proposals now.")
    if technology.transaction_modes and deal_type not in technology.transaction_modes:
        errors["deal_type"] = _("The technology is not offered in this transaction mode.")
    if Proposal.objects.filter(need=need, technology=technology).exists():
        errors["technology"] = _("This technology has already been proposed for this need.")
    if errors:
        raise ValidationError(errors)
    from accounts.services import organization_may_transact

    organization_may_transact(organization=technology.organization)
    organization_may_transact(organization=need.organization)
    proposal = Proposal(
        need=need,
        technology=technology,
        organization=technology.organization,
        created_by=user,
        approach=approach,
        deal_type=deal_type,
        timeline=timeline,
        price=price,
        currency=currency,
    )
    proposal.full_clean()
    proposal.save()
    notify_users(
        users=organization_members(need.organization_id),
        title=_("New proposal for “%(need)s”") % {"need": need.title},
        body=approach[:300],
        url=reverse("exchange:need_detail", args=[need.pk]),
    )
    return proposal


@transaction.atomic
def proposal_transition(*, proposal: Proposal, user, action: str, note: str = "") -> Proposal:
    """Shortlist, decline (with a reason), accept (opens a deal) or withdraw a proposal.

    Locks the need first, then the proposal: every transaction on one need's proposals takes
    the rows in that order, so concurrent accepts on one open call queue on the need instead of
    deadlocking on each other's proposals; the first wins and declines the others, which then
    find their proposal declined and get TransitionNotAllowed (409)."""
    need_id = Proposal.objects.filter(pk=proposal.pk).values_list("need_id", flat=True).first()
    if need_id is None:
        raise TransitionNotAllowed(_("This proposal no longer exists."))
    Need.objects.select_for_update().filter(pk=need_id).values_list("pk", flat=True).first()
    current = (
        Proposal.objects.select_for_update()
        .filter(pk=proposal.pk)
        .values_list("status", flat=True)
        .first()
    )
    transition = PROPOSAL_WORKFLOW.resolve(
        current, action, proposal_actor_roles(proposal=proposal, user=user)
    )
    note = (note or "").strip()
    if transition.requires_note and not note:
        raise ValidationError({"note": _("Please tell the holder why.")})
    extra = {"updated_at": timezone.now()}
    if action == "decline":
        extra["decline_reason"] = note
    if not compare_and_set_status(
        Proposal, pk=proposal.pk, expected=current, target=transition.target, **extra
    ):
        raise TransitionNotAllowed(_("Someone else changed this proposal first; reload it."))
    proposal.refresh_from_db()
    need = proposal.need
    if action == "accept":
        deal_open(
            user=user,
            technology=proposal.technology,
            need=need,
            deal_type=proposal.deal_type,
            price=proposal.price,
            currency=proposal.currency,
            buyer=need.organization,
            seller=proposal.organization,
            proposal=proposal,
            stage=D.NEGOTIATION,
            note=note,
        )
        if need.is_open_call:
            # An open call picks one proposal: the others are declined with the reason.
            Proposal.objects.filter(
                need=need, status__in=[ProposalStatus.SUBMITTED, ProposalStatus.SHORTLISTED]
            ).update(
                status=ProposalStatus.DECLINED,
                decline_reason=_("Another proposal was chosen in this open call."),
                updated_at=timezone.now(),
            )
    if action in ("shortlist", "decline", "accept"):
        notify_users(
            users=organization_members(proposal.organization_id),
            title=_("Your proposal for “%(need)s”: %(status)s")
            % {"need": need.title, "status": proposal.get_status_display()},
            body=note,
            url=reverse("exchange:need_detail", args=[need.pk]),
        )
    return proposal


@transaction.atomic
def proposal_message_post(*, proposal: Proposal, user, body: str) -> ProposalMessage:
    """A question from the enterprise or an answer from the holder."""
    roles = proposal_actor_roles(proposal=proposal, user=user)
    if not roles:
        raise TransitionNotAllowed(_("Only the enterprise and the proposer may write here."))
    message = ProposalMessage(proposal=proposal, author=user, body=(body or "").strip())
    message.full_clean()
    message.save()
    other = proposal.organization_id if ENTERPRISE in roles else proposal.need.organization_id
    notify_users(
        users=organization_members(other),
        title=_("New message about a proposal for “%(need)s”") % {"need": proposal.need.title},
        body=message.body[:300],
        url=reverse("exchange:need_detail", args=[proposal.need_id]),
    )
    return message
