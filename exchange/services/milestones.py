"""Deal milestones: planning payments and deliveries and confirming them."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.workflow import TransitionNotAllowed
from exchange.choices import (
    DealAction,
    DealStage,
    MilestoneKind,
)
from exchange.models import (
    Deal,
    DealMilestone,
)
from exchange.services.deal_workflow import (
    BUYER,
    MILESTONE_STAGES,
    NEGOTIATORS,
    SELLER,
    deal_actor_roles,
)
from exchange.services.deals import (
    _deal_event,
    _deal_notify,
    deal_label,
)
from notifications.messages import Message


@transaction.atomic
def milestone_add(
    *,
    deal: Deal,
    user,
    kind: str,
    title: str,
    due_date: datetime.date,
    amount: Decimal | None = None,
) -> DealMilestone:
    roles = deal_actor_roles(deal=deal, user=user)
    if not roles & NEGOTIATORS:
        raise TransitionNotAllowed(_("Only the parties and the broker may plan milestones."))
    if deal.stage not in MILESTONE_STAGES:
        raise TransitionNotAllowed(_("Milestones cannot be added in this stage."))
    milestone = DealMilestone(deal=deal, kind=kind, title=title, due_date=due_date, amount=amount)
    milestone.full_clean()
    milestone.save()
    _deal_event(
        deal,
        user=user,
        role=sorted(roles)[0],
        action=DealAction.MILESTONE_ADD,
        from_status=deal.stage,
        to_status=deal.stage,
        note=title,
        changes={"milestone": [None, f"{kind}: {title} ({due_date})"]},
    )
    return milestone


# The one action on a milestone (API `allowed_actions`, the page's button).
MILESTONE_CONFIRM = "confirm"
# What the other side and the broker read while a milestone waits for its confirming side.
AWAITING_CONFIRMATION_LABELS = {
    SELLER: gettext_lazy("Awaiting the seller's confirmation"),
    BUYER: gettext_lazy("Awaiting the buyer's confirmation"),
}


def milestone_confirming_side(*, milestone: DealMilestone) -> str:
    """The receiving side confirms: the seller a payment, the buyer a delivery."""
    return SELLER if milestone.kind == MilestoneKind.PAYMENT else BUYER


def milestone_awaits_confirmation(*, milestone: DealMilestone, deal: Deal) -> bool:
    return milestone.done_at is None and deal.stage == DealStage.IN_EXECUTION


def milestone_allowed_actions(
    *, milestone: DealMilestone, deal: Deal, roles: set[str]
) -> list[str]:
    """What `roles` (the user's roles in `deal`, from deal_actor_roles) may do to the milestone:
    confirm it only when it is theirs to confirm and open."""
    if not milestone_awaits_confirmation(milestone=milestone, deal=deal):
        return []
    if milestone_confirming_side(milestone=milestone) not in roles:
        return []
    return [MILESTONE_CONFIRM]


@transaction.atomic
def milestone_complete(*, milestone: DealMilestone, user) -> DealMilestone:
    """The receiving side confirms: the seller a payment, the buyer a delivery."""
    deal = milestone.deal
    roles = deal_actor_roles(deal=deal, user=user)
    confirming = milestone_confirming_side(milestone=milestone)
    if deal.stage != DealStage.IN_EXECUTION:
        raise TransitionNotAllowed(_("Milestones are confirmed while the deal is in execution."))
    if confirming not in roles:
        raise TransitionNotAllowed(
            _("The seller confirms payments and the buyer confirms deliveries.")
        )
    now = timezone.now()
    if not DealMilestone.objects.filter(pk=milestone.pk, done_at__isnull=True).update(
        done_at=now, done_by=user
    ):
        raise TransitionNotAllowed(_("This milestone is already confirmed."))
    milestone.refresh_from_db()
    _deal_event(
        deal,
        user=user,
        role=confirming,
        action=DealAction.MILESTONE_DONE,
        from_status=deal.stage,
        to_status=deal.stage,
        note=milestone.title,
    )
    _deal_notify(
        deal=deal,
        actor=user,
        title=Message(
            gettext_lazy("%(deal)s: milestone done: %(title)s"),
            deal=deal_label(deal),
            title=milestone.title,
        ),
    )
    return milestone
