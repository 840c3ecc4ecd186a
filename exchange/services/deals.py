"""Deals: opening one, taking a step of its workflow (exchange.services.deal_workflow), changing
its terms, and telling the participants."""

from __future__ import annotations

import contextlib
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organization
from accounts.permissions import (
    members_of,
    platform_reviewers,
    primary_organization,
)
from audit.choices import AuditKind
from audit.services import audit_record
from core.events import publish
from core.timezones import platform_date
from core.workflow import TransitionNotAllowed, compare_and_set_status, event_record
from currencies.services import MissingRate, cny_rate
from exchange.choices import (
    DealAction,
    DealStage,
    NeedAction,
    NeedStatus,
)
from exchange.events import DEAL_COMPLETED
from exchange.models import (
    Deal,
    DealEvent,
    DealReview,
    Introduction,
    Need,
    Proposal,
)
from exchange.services.certificates import certificate_issue
from exchange.services.common import _diff
from exchange.services.deal_workflow import (
    ACTIVE_STAGES,
    BUYER,
    CHECKLIST_LABELS,
    DEAL_EDITABLE_STAGES,
    DEAL_WORKFLOW,
    NEGOTIATORS,
    deal_actor_roles,
    deal_missing_data,
    deal_review_checklist,
)
from exchange.services.export_screening import (
    deal_export_screening,
    deal_screening_passage_record,
    deal_screening_refusal_record,
)
from exchange.services.needs import NEED_WORKFLOW, need_transition
from exchange.timeline_notes import note_text
from notifications.messages import Bilingual, Message, choice_label
from notifications.services import notify_users

User = get_user_model()


def deal_participants(deal: Deal):
    """Every user who should hear about the deal: both parties' members and the broker."""
    users = members_of(deal.seller_id, deal.buyer_id)
    if deal.broker_id:
        users = users | User.objects.filter(pk=deal.broker_id).distinct()
    return users


def deal_label(deal: Deal) -> Message:
    """The deal as notifications name it ("Deal 12: <technology>"), in the reader's language."""
    return Message(
        gettext_lazy("Deal %(number)s: %(technology)s"),
        number=deal.pk,
        technology=Bilingual.of(deal.technology, "title"),
    )


def _deal_notify(*, deal: Deal, actor, title: Message, body="", to_reviewers: bool = False):
    recipients = deal_participants(deal)
    if actor is not None and getattr(actor, "pk", None):
        recipients = recipients.exclude(pk=actor.pk)
    notify_users(
        users=list(recipients),
        title=title,
        body=body,
        url=reverse("exchange:deal_detail", args=[deal.pk]),
    )
    if to_reviewers:
        notify_users(
            users=list(platform_reviewers().exclude(pk__in=deal_participants(deal).values("pk"))),
            title=Message(gettext_lazy("Deal waiting for review: %(deal)s"), deal=deal_label(deal)),
            url=reverse("exchange:deal_review_queue"),
        )


def _deal_event(
    deal: Deal,
    *,
    user,
    role: str = "",
    action: str,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    changes: dict | None = None,
) -> DealEvent:
    return event_record(
        DealEvent,
        deal=deal,
        user=user,
        actor_role=role,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        changes=changes or {},
    )


def _need_system_step(need_id: int | None, action: str) -> None:
    if not need_id:
        return
    need = Need.objects.filter(pk=need_id).first()
    if need is None:
        return
    if action in [a for (status, a) in NEED_WORKFLOW.table if status == need.status]:
        if action == NeedAction.REOPEN and need.deals.filter(stage__in=ACTIVE_STAGES).exists():
            return
        with contextlib.suppress(TransitionNotAllowed):
            need_transition(need=need, user=None, action=action, system=True)


@transaction.atomic
def deal_open(
    *,
    user,
    technology,
    deal_type: str,
    need: Need | None = None,
    price: Decimal | None = None,
    currency: str = "CNY",
    buyer: Organization | None = None,
    seller: Organization | None = None,
    proposal: Proposal | None = None,
    introduction: Introduction | None = None,
    broker=None,
    commission_rate: Decimal | None = None,
    commission_amount: Decimal | None = None,
    stage: str = DealStage.INQUIRY,
    note: str = "",
) -> Deal:
    """Open a deal. Called directly, the user is the buyer (their organisation) opening an
    inquiry; proposals and introductions pass the parties they already agreed."""
    from catalog.choices import TechnologyStatus

    buyer = buyer or primary_organization(user=user)
    seller = seller or technology.organization
    errors: dict[str, str] = {}
    if technology.status != TechnologyStatus.PUBLISHED:
        errors["technology"] = _("Only published technologies can be traded.")
    if seller.pk == buyer.pk:
        errors["technology"] = _("Your organisation holds this technology: it cannot buy it.")
    if technology.transaction_modes and deal_type not in technology.transaction_modes:
        errors["deal_type"] = _("The holder does not offer this transaction mode for it.")
    if need is not None:
        if need.organization_id != buyer.pk:
            errors["need"] = _("The need must belong to the buying organisation.")
        elif need.status not in (NeedStatus.PUBLISHED, NeedStatus.IN_NEGOTIATION):
            errors["need"] = _("Only a published need can lead to a deal.")
    if errors:
        raise ValidationError(errors)
    from accounts.services import organization_may_transact

    # An unverified organisation named like a verified one trades only once verified.
    organization_may_transact(organization=buyer)
    organization_may_transact(organization=seller)
    deal = Deal(
        technology=technology,
        need=need,
        proposal=proposal,
        introduction=introduction,
        seller=seller,
        buyer=buyer,
        broker=broker,
        deal_type=deal_type,
        price=price,
        currency=currency,
        commission_rate=commission_rate,
        commission_amount=commission_amount,
        stage=stage,
        opened_by=user,
    )
    deal.full_clean(exclude=["technology", "need", "seller", "buyer", "broker", "opened_by"])
    deal.save()
    _deal_event(deal, user=user, role=BUYER, action=DealAction.OPEN, to_status=stage, note=note)
    _need_system_step(need.pk if need else None, NeedAction.START_NEGOTIATION)
    _deal_notify(
        deal=deal,
        actor=user,
        title=Message(
            gettext_lazy("New deal: %(technology)s"), technology=Bilingual.of(technology, "title")
        ),
        body=note,
    )
    return deal


class _ScreeningRefused(Exception):
    def __init__(self, reason: dict, role: str):
        self.message = note_text(reason)
        super().__init__(self.message)
        self.reason = reason
        self.role = role


def deal_transition(*, deal: Deal, user, action: str, note: str = "") -> Deal:
    """Take one step of a deal; refused (409) when not allowed now, nothing changed. An export
    deal's step that the export-control screening refuses is a 400 naming the entry or who
    must act, and the refusal is written on the deal's timeline."""
    try:
        return _deal_transition(deal=deal, user=user, action=action, note=note)
    except _ScreeningRefused as refusal:
        deal_screening_refusal_record(
            deal=deal, user=user, role=refusal.role, reason=refusal.reason
        )
        raise ValidationError({"export_control": refusal.message}) from None


@transaction.atomic
def _deal_transition(*, deal: Deal, user, action: str, note: str = "") -> Deal:
    current = Deal.objects.filter(pk=deal.pk).values_list("stage", flat=True).first()
    deal.refresh_from_db()
    roles = deal_actor_roles(deal=deal, user=user)
    transition = DEAL_WORKFLOW.resolve(current, action, roles)
    note = (note or "").strip()
    if transition.requires_note and not note:
        raise ValidationError({"note": _("Please give a reason.")})
    role = sorted(roles & transition.actors)[0]
    refusal = deal_export_screening(deal=deal).refusal_note(action)
    if refusal:
        raise _ScreeningRefused(refusal, role)
    missing = deal_missing_data(deal=deal, requires=transition.requires)
    if missing:
        raise ValidationError(missing)
    now = timezone.now()
    extra: dict = {"updated_at": now}
    checklist: dict[str, bool] = {}
    if action == DealAction.APPROVE:
        checklist = deal_review_checklist(deal=deal)
        failed = [str(CHECKLIST_LABELS[item]) for item, passed in checklist.items() if not passed]
        if failed:
            raise ValidationError(
                {"checklist": [_("Not yet: %(item)s.") % {"item": item} for item in failed]}
            )
    elif action in (DealAction.RETURN, DealAction.REJECT):
        checklist = deal_review_checklist(deal=deal)
    if transition.target == DealStage.SUBMITTED_FOR_REVIEW:
        extra["review_requested_at"] = now
    changes: dict = {}
    if transition.target == DealStage.CONTRACT_SIGNED:
        extra["signed_at"] = now
        # The exchange rate of the signing day is fixed on the deal for good: its value in yuan
        # (statistics, records) never moves with later rates. No rate, no signature.
        try:
            rate, rate_date = cny_rate(currency=deal.currency, on_date=platform_date(now))
        except MissingRate as error:
            raise ValidationError({"currency": str(error)}) from error
        extra["fx_rate"], extra["fx_rate_date"] = rate, rate_date
        changes = {"fx_rate": [None, str(rate)], "fx_rate_date": [None, rate_date.isoformat()]}
    if transition.target == DealStage.COMPLETED:
        extra["completed_at"] = now
    if not compare_and_set_status(
        Deal, pk=deal.pk, expected=current, target=transition.target, field_name="stage", **extra
    ):
        raise TransitionNotAllowed(_("Someone else moved this deal first; reload it."))
    _deal_event(
        deal,
        user=user,
        role=role,
        action=action,
        from_status=current,
        to_status=transition.target,
        note=note,
        changes=changes,
    )
    deal_screening_passage_record(deal=deal, user=user, role=role, action=action)
    if action in (DealAction.APPROVE, DealAction.RETURN, DealAction.REJECT):
        audit_record(
            kind=AuditKind.DEAL_REVIEW,
            actor=user,
            target=deal,
            summary=f"{action}: {current} -> {transition.target}",
            data={"action": action, "note": note},
        )
        DealReview.objects.create(
            deal=deal,
            reviewer=user,
            decision=action,
            reason=note,
            checklist=checklist,
            requested_at=deal.review_requested_at or now,
            decided_at=now,
        )
    deal.refresh_from_db()
    if transition.target == DealStage.COMPLETED:
        certificate_issue(deal=deal)
        _need_system_step(deal.need_id, NeedAction.SOLVE)
        publish(DEAL_COMPLETED, deal_id=deal.pk)
    elif transition.target in (DealStage.CANCELLED, DealStage.REJECTED):
        _need_system_step(deal.need_id, NeedAction.REOPEN)
    _deal_notify(
        deal=deal,
        actor=user,
        title=Message(
            gettext_lazy("%(deal)s: %(stage)s"),
            deal=deal_label(deal),
            stage=choice_label(deal, "stage"),
        ),
        body=note,
        to_reviewers=transition.target == DealStage.SUBMITTED_FOR_REVIEW,
    )
    return deal


@transaction.atomic
def deal_update(*, deal: Deal, user, **fields) -> Deal:
    """Change the price, currency, payment terms or commission; every change is recorded."""
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    roles = deal_actor_roles(deal=deal, user=user)
    if not roles & NEGOTIATORS:
        raise TransitionNotAllowed(_("Only the parties and the broker may change the deal."))
    if deal.stage not in DEAL_EDITABLE_STAGES:
        raise TransitionNotAllowed(
            _("The terms are fixed once the deal is submitted for review or approved.")
        )
    fields = {name: value for name, value in fields.items() if name in Deal.EDITABLE_FIELDS}
    commission_given = any(
        fields.get(name) is not None for name in ("commission_rate", "commission_amount")
    )
    if commission_given and not deal.broker_id:
        raise ValidationError({"commission_rate": _("This deal has no broker.")})
    changes = _diff(deal, fields)
    if not changes:
        return deal
    for name, value in fields.items():
        setattr(deal, name, value)
    deal.full_clean(exclude=["technology", "need", "seller", "buyer", "broker", "opened_by"])
    deal.save()
    _deal_event(
        deal,
        user=user,
        role=sorted(roles & NEGOTIATORS)[0],
        action=DealAction.CHANGE,
        from_status=deal.stage,
        to_status=deal.stage,
        changes=changes,
    )
    _deal_notify(
        deal=deal,
        actor=user,
        title=Message(gettext_lazy("%(deal)s: terms changed"), deal=deal_label(deal)),
        body=[Deal._meta.get_field(name).verbose_name for name in changes],
    )
    return deal
