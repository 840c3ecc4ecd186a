"""Proposals: a holder answers a need (or an open call) with a technology."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import is_member, member_organization_ids, members_of
from core.reasons import TurnDownReason, turn_down_reason_errors
from core.workflow import (
    StateMachine,
    Transition,
    TransitionNotAllowed,
    compare_and_set_status,
    event_record,
)
from exchange.choices import (
    DealStage,
    ProposalAction,
    ProposalStatus,
)
from exchange.models import (
    Need,
    Proposal,
    ProposalEvent,
    ProposalMessage,
)
from exchange.services.deals import (
    deal_open,
)
from notifications.messages import Bilingual, Message, choice_label
from notifications.services import notify_users

PROPOSER = "proposer"
ENTERPRISE = "enterprise"
PROPOSAL_WORKFLOW = StateMachine(
    {
        (ProposalStatus.SUBMITTED, ProposalAction.SHORTLIST): Transition(
            ProposalStatus.SHORTLISTED, frozenset({ENTERPRISE})
        ),
        (ProposalStatus.SUBMITTED, ProposalAction.DECLINE): Transition(
            ProposalStatus.DECLINED, frozenset({ENTERPRISE}), requires_note=True
        ),
        (ProposalStatus.SHORTLISTED, ProposalAction.DECLINE): Transition(
            ProposalStatus.DECLINED, frozenset({ENTERPRISE}), requires_note=True
        ),
        (ProposalStatus.SUBMITTED, ProposalAction.ACCEPT): Transition(
            ProposalStatus.ACCEPTED, frozenset({ENTERPRISE})
        ),
        (ProposalStatus.SHORTLISTED, ProposalAction.ACCEPT): Transition(
            ProposalStatus.ACCEPTED, frozenset({ENTERPRISE})
        ),
        (ProposalStatus.SUBMITTED, ProposalAction.WITHDRAW): Transition(
            ProposalStatus.WITHDRAWN, frozenset({PROPOSER})
        ),
        (ProposalStatus.SHORTLISTED, ProposalAction.WITHDRAW): Transition(
            ProposalStatus.WITHDRAWN, frozenset({PROPOSER})
        ),
    }
)


def proposal_actor_roles(
    *, proposal: Proposal, user, organization_ids: list[int] | None = None
) -> set[str]:
    """`proposer` and/or `enterprise`; a list passes the user's organisation ids once."""
    if organization_ids is None:
        organization_ids = member_organization_ids(user=user)
    roles: set[str] = set()
    if proposal.organization_id in organization_ids:
        roles.add(PROPOSER)
    if proposal.need.organization_id in organization_ids:
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
    ProposalEvent.objects.create(
        proposal=proposal,
        actor=user,
        action=ProposalAction.CREATE,
        to_status=proposal.status,
    )
    notify_users(
        users=members_of(need.organization_id),
        title=Message(
            gettext_lazy("New proposal for “%(need)s”"), need=Bilingual.of(need, "title")
        ),
        body=approach[:300],
        url=reverse("exchange:need_detail", args=[need.pk]),
    )
    return proposal


@transaction.atomic
def proposal_transition(
    *, proposal: Proposal, user, action: str, note: str = "", reason_code: str = ""
) -> Proposal:
    """Shortlist, decline (with a reason code from core.reasons and words), accept (opens a
    deal) or withdraw a proposal.

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
    errors = {}
    if action == ProposalAction.DECLINE:
        errors = turn_down_reason_errors(code=reason_code, note=note)
    if transition.requires_note and not note:
        errors["note"] = _("Please tell the holder why.")
    if errors:
        raise ValidationError(errors)
    if not _proposal_step(
        proposal_id=proposal.pk,
        current=current,
        action=action,
        target=transition.target,
        user=user,
        note=note,
        reason_code=reason_code,
    ):
        raise TransitionNotAllowed(_("Someone else changed this proposal first; reload it."))
    proposal.refresh_from_db()
    need = proposal.need
    if action == ProposalAction.ACCEPT:
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
            stage=DealStage.NEGOTIATION,
            note=note,
        )
        if need.is_open_call:
            _open_call_decline_others(need=need, user=user)
    if action == ProposalAction.DECLINE:
        notify_users(
            users=members_of(proposal.organization_id),
            title=Message(
                gettext_lazy("Your proposal for “%(need)s” was declined: %(reason)s"),
                need=Bilingual.of(need, "title"),
                reason=choice_label(proposal, "reason_code"),
            ),
            body=note,
            url=reverse("exchange:need_detail", args=[need.pk]),
        )
    elif action in (ProposalAction.SHORTLIST, ProposalAction.ACCEPT):
        notify_users(
            users=members_of(proposal.organization_id),
            title=Message(
                gettext_lazy("Your proposal for “%(need)s”: %(status)s"),
                need=Bilingual.of(need, "title"),
                status=choice_label(proposal, "status"),
            ),
            body=note,
            url=reverse("exchange:need_detail", args=[need.pk]),
        )
    return proposal


def _proposal_step(
    *,
    proposal_id: int,
    current: str,
    action: str,
    target: str,
    user,
    note: str = "",
    reason_code: str = "",
) -> bool:
    """Compare-and-set one proposal's status and record the step; False if it had moved on."""
    updates: dict = {"updated_at": timezone.now()}
    if action == ProposalAction.DECLINE:
        updates["decline_reason"] = note
        updates["reason_code"] = reason_code
    if not compare_and_set_status(
        Proposal, pk=proposal_id, expected=current, target=target, **updates
    ):
        return False
    event_record(
        ProposalEvent,
        proposal_id=proposal_id,
        user=user,
        action=action,
        from_status=current,
        to_status=target,
        note=note,
    )
    return True


def _open_call_decline_others(*, need: Need, user) -> None:
    """An open call picks one proposal: the enterprise declines the others, with the reason,
    through the workflow table (one event each). The caller holds the need's lock."""
    reason = _("Another proposal was chosen in this open call.")
    open_proposals = (
        Proposal.objects.select_for_update()
        .filter(need=need, status__in=[ProposalStatus.SUBMITTED, ProposalStatus.SHORTLISTED])
        .order_by("pk")
        .values_list("pk", "status")
    )
    for proposal_id, status in open_proposals:
        transition = PROPOSAL_WORKFLOW.resolve(status, ProposalAction.DECLINE, {ENTERPRISE})
        _proposal_step(
            proposal_id=proposal_id,
            current=status,
            action=ProposalAction.DECLINE,
            target=transition.target,
            user=user,
            note=reason,
            reason_code=TurnDownReason.ANOTHER_CHOSEN,
        )


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
        users=members_of(other),
        title=Message(
            gettext_lazy("New message about a proposal for “%(need)s”"),
            need=Bilingual.of(proposal.need, "title"),
        ),
        body=message.body[:300],
        url=reverse("exchange:need_detail", args=[proposal.need_id]),
    )
    return message
