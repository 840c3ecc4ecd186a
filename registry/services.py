"""Writes of contract records: opened when a deal completes, completed by the seller, submitted,
then registered (with the registry's number) or returned by a reviewer. Every step is an event."""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import members_of, platform_reviewers
from core.timezones import platform_date
from core.workflow import StateMachine, Transition, TransitionNotAllowed, event_record
from exchange.choices import DealStage
from exchange.models import Deal
from exchange.services.deal_workflow import deal_actor_roles
from notifications.messages import Message
from notifications.services import notify_users
from registry.choices import RecordAction, RecordActor, RecordStatus
from registry.models import ContractRecord, ContractRecordEvent
from registry.selectors import CONTRACT_TYPE_OF_MODE, record_missing, record_parties

logger = logging.getLogger(__name__)

SELLER = RecordActor.SELLER.value
REVIEWER = RecordActor.REVIEWER.value
SELLER_ONLY = frozenset({SELLER})
REVIEWER_ONLY = frozenset({REVIEWER})
SUBMIT_LABEL = gettext_lazy("Submit for registration")

RECORD_WORKFLOW = StateMachine(
    {
        (RecordStatus.DRAFT, RecordAction.SUBMIT): Transition(
            RecordStatus.SUBMITTED, SELLER_ONLY, SUBMIT_LABEL, requires=("checklist",)
        ),
        (RecordStatus.RETURNED, RecordAction.SUBMIT): Transition(
            RecordStatus.SUBMITTED, SELLER_ONLY, SUBMIT_LABEL, requires=("checklist",)
        ),
        (RecordStatus.SUBMITTED, RecordAction.REGISTER): Transition(
            RecordStatus.REGISTERED,
            REVIEWER_ONLY,
            gettext_lazy("Register with the registry's number"),
            requires=("registration_number",),
        ),
        (RecordStatus.SUBMITTED, RecordAction.RETURN): Transition(
            RecordStatus.RETURNED,
            REVIEWER_ONLY,
            gettext_lazy("Return for changes"),
            requires_note=True,
        ),
    }
)


def record_actor_roles(*, record: ContractRecord, user) -> set[str]:
    """The deal's roles (seller, buyer, broker; reviewer when none of them)."""
    return deal_actor_roles(deal=record.deal, user=user)


def record_allowed_actions(*, record: ContractRecord, user) -> list[tuple[str, str]]:
    return RECORD_WORKFLOW.allowed_action_labels(
        record.status, record_actor_roles(record=record, user=user)
    )


def _local_date(moment: datetime.datetime | None) -> datetime.date | None:
    return platform_date(moment) if moment else None


def _event(record, *, user, role, changes=None, **step):
    return event_record(
        ContractRecordEvent,
        record=record,
        user=user,
        actor_role=role,
        changes=changes or {},
        **step,
    )


def _record_url(record: ContractRecord) -> str:
    return reverse("registry:record_detail", args=[record.pk])


@transaction.atomic
def record_create_for_deal(*, deal: Deal) -> tuple[ContractRecord, bool]:
    """The deal's record, opened as a draft from the deal's terms if it has none yet.

    Idempotent (one record per deal, by a unique key): completing twice, the backfill command
    and the completion handler all end with the same single record.
    """
    if deal.stage != DealStage.COMPLETED:
        raise ValidationError({"deal": _("Only a completed deal has a contract record.")})
    amount = deal.price if deal.price is not None else Decimal("0")
    record, created = ContractRecord.objects.get_or_create(
        deal=deal,
        defaults={
            "contract_type": CONTRACT_TYPE_OF_MODE.get(deal.deal_type, "transfer"),
            "amount": amount,
            "currency": deal.currency,
            "technology_income": amount,
            "signed_on": _local_date(deal.signed_at),
            "completed_on": _local_date(deal.completed_at) or timezone.localdate(),
        },
    )
    if created:
        _event(
            record,
            user=None,
            role=RecordActor.SYSTEM,
            action=RecordAction.CREATE,
            to_status=RecordStatus.DRAFT,
        )
        notify_users(
            users=list(members_of(deal.seller_id)),
            title=Message(
                gettext_lazy("Deal %(number)s: complete its technology contract record"),
                number=deal.pk,
            ),
            url=_record_url(record),
        )
    return record, created


def record_create_for_completed_deal(*, deal_id: int) -> None:
    """The `DEAL_COMPLETED` handler (after the commit)."""
    deal = Deal.objects.filter(pk=deal_id, stage=DealStage.COMPLETED).first()
    if deal is not None:
        record_create_for_deal(deal=deal)


def records_backfill(*, batch_size: int = 200) -> int:
    """Open the record of every completed deal that has none; returns how many were opened."""
    opened = 0
    deals = Deal.objects.filter(stage=DealStage.COMPLETED, contract_record__isnull=True)
    for deal in deals.order_by("pk").iterator(chunk_size=batch_size):
        _record, created = record_create_for_deal(deal=deal)
        opened += int(created)
    return opened


def _jsonable(value):
    if isinstance(value, Decimal | datetime.date):
        return str(value)
    return value


@transaction.atomic
def record_update(*, record: ContractRecord, user, **fields) -> ContractRecord:
    """The seller completes the record (contract type, technology income, signing date, note)
    while it is a draft or returned; every change is recorded."""
    record = ContractRecord.objects.select_for_update().select_related("deal").get(pk=record.pk)
    roles = record_actor_roles(record=record, user=user)
    if SELLER not in roles:
        raise TransitionNotAllowed(_("Only the seller completes the contract record."))
    if not record.is_editable:
        raise TransitionNotAllowed(
            _("The record is fixed once submitted; a reviewer may return it for changes.")
        )
    fields = {name: value for name, value in fields.items() if name in record.EDITABLE_FIELDS}
    if "note" in fields:
        fields["note"] = (fields["note"] or "").strip()
    changes = {
        name: [_jsonable(getattr(record, name)), _jsonable(value)]
        for name, value in fields.items()
        if getattr(record, name) != value
    }
    if not changes:
        return record
    for name, value in fields.items():
        setattr(record, name, value)
    if record.technology_income is None:
        raise ValidationError({"technology_income": _("Give the technology income.")})
    record.full_clean(exclude=["deal"])
    record.save()
    _event(
        record,
        user=user,
        role=SELLER,
        action=RecordAction.EDIT,
        from_status=record.status,
        to_status=record.status,
        changes=changes,
    )
    return record


def _snapshot_parties(record: ContractRecord) -> dict:
    values = {}
    for party in record_parties(record=record):
        values[f"{party.role}_name"] = party.name[:200]
        values[f"{party.role}_credit_code"] = party.credit_code
        values[f"{party.role}_region_code"] = party.region_code
        values[f"{party.role}_country"] = party.country
    return values


@transaction.atomic
def record_transition(
    *,
    record: ContractRecord,
    user,
    action: str,
    note: str = "",
    registration_number: str = "",
) -> ContractRecord:
    """Take one step of the record's workflow; refused (409) when not allowed now, nothing
    changed."""
    record = ContractRecord.objects.select_related("deal__seller", "deal__buyer").get(pk=record.pk)
    current = record.status
    roles = record_actor_roles(record=record, user=user)
    transition = RECORD_WORKFLOW.resolve(current, action, roles)
    note = (note or "").strip()
    registration_number = (registration_number or "").strip().upper()
    if transition.requires_note and not note:
        raise ValidationError({"note": _("Please give a reason.")})
    now = timezone.now()
    updates: dict = {"updated_at": now}
    if "checklist" in transition.requires:
        missing = record_missing(record=record)
        if missing:
            raise ValidationError(missing)
        updates.update(_snapshot_parties(record))
        updates["submitted_at"] = now
    if "registration_number" in transition.requires:
        if not registration_number:
            raise ValidationError(
                {"registration_number": _("Give the number the registry issued.")}
            )
        if len(registration_number) > 40:
            raise ValidationError(
                {"registration_number": _("A registration number has at most 40 characters.")}
            )
        taken = ContractRecord.objects.filter(registration_number=registration_number)
        if taken.exclude(pk=record.pk).exists():
            raise ValidationError(
                {"registration_number": _("Another record already has this registration number.")}
            )
        updates["registration_number"] = registration_number
        updates["registered_on"] = timezone.localdate()
    updated = ContractRecord.objects.filter(pk=record.pk, status=current).update(
        status=transition.target, **updates
    )
    if updated != 1:
        raise TransitionNotAllowed(_("Someone else moved this record first; reload it."))
    role = sorted(roles & transition.actors)[0]
    _event(
        record,
        user=user,
        role=role,
        action=action,
        from_status=current,
        to_status=transition.target,
        note=note,
    )
    record.refresh_from_db()
    _notify(record=record, action=action, note=note)
    return record


def _notify(*, record: ContractRecord, action: str, note: str) -> None:
    deal = record.deal
    url = _record_url(record)
    if action == RecordAction.SUBMIT:
        parties = members_of(deal.seller_id, deal.buyer_id).values("pk")
        notify_users(
            users=list(platform_reviewers().exclude(pk__in=parties)),
            title=Message(
                gettext_lazy("Contract record of deal %(number)s waiting for registration"),
                number=deal.pk,
            ),
            url=url,
        )
        return
    title = {
        RecordAction.REGISTER: gettext_lazy(
            "Contract record of deal %(number)s registered: %(registration_number)s"
        ),
        RecordAction.RETURN: gettext_lazy("Contract record of deal %(number)s returned"),
    }[action]
    notify_users(
        users=list(members_of(deal.seller_id, deal.buyer_id)),
        title=Message(title, number=deal.pk, registration_number=record.registration_number),
        body=note,
        url=url,
    )
