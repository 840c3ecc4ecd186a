"""Writes for needs, demand lists, proposals, deals, brokers' introductions and credit.

Views, serializers, tasks and commands call these; each validates, changes state with
compare-and-set, writes an event row and schedules notifications after the commit.
"""

from __future__ import annotations

import contextlib
import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from accounts.models import Organization
from audit.choices import AuditKind
from audit.services import audit_record
from core.uploads import OFFICE_DOCUMENTS, upload_content_type
from core.visibility import actor_label
from core.workflow import StateMachine, Transition, TransitionNotAllowed, compare_and_set_status
from exchange.choices import (
    DealActor,
    DealStage,
    IntroductionStatus,
    MilestoneKind,
    NeedCloseReason,
    NeedStatus,
    ProposalStatus,
    RatingSubject,
    ReviewDecision,
)
from exchange.models import (
    Certificate,
    Deal,
    DealDocument,
    DealEvent,
    DealMessage,
    DealMilestone,
    DealReview,
    DemandList,
    Introduction,
    Need,
    NeedEvent,
    Proposal,
    ProposalMessage,
    Rating,
)
from exchange.search import need_search_vector
from notifications.services import notify_users

User = get_user_model()

MEMBER = "member"
REVIEWER = "reviewer"
SYSTEM = "system"
REVIEWERS_ONLY = frozenset({REVIEWER})
MEMBERS_ONLY = frozenset({MEMBER})
SYSTEM_ONLY = frozenset({SYSTEM})

NEED_WORKFLOW = StateMachine(
    {
        (NeedStatus.DRAFT, "submit"): Transition(NeedStatus.SUBMITTED, MEMBERS_ONLY),
        (NeedStatus.RETURNED, "submit"): Transition(NeedStatus.SUBMITTED, MEMBERS_ONLY),
        (NeedStatus.SUBMITTED, "approve"): Transition(NeedStatus.PUBLISHED, REVIEWERS_ONLY),
        (NeedStatus.SUBMITTED, "return"): Transition(
            NeedStatus.RETURNED, REVIEWERS_ONLY, requires_note=True
        ),
        (NeedStatus.SUBMITTED, "reject"): Transition(
            NeedStatus.REJECTED, REVIEWERS_ONLY, requires_note=True
        ),
        (NeedStatus.SUBMITTED, "withdraw"): Transition(NeedStatus.CLOSED, MEMBERS_ONLY),
        (NeedStatus.RETURNED, "withdraw"): Transition(NeedStatus.CLOSED, MEMBERS_ONLY),
        (NeedStatus.PUBLISHED, "withdraw"): Transition(NeedStatus.CLOSED, MEMBERS_ONLY),
        (NeedStatus.IN_NEGOTIATION, "withdraw"): Transition(NeedStatus.CLOSED, MEMBERS_ONLY),
        (NeedStatus.PUBLISHED, "start_negotiation"): Transition(
            NeedStatus.IN_NEGOTIATION, SYSTEM_ONLY
        ),
        (NeedStatus.IN_NEGOTIATION, "reopen"): Transition(
            NeedStatus.PUBLISHED, frozenset({MEMBER, SYSTEM})
        ),
        (NeedStatus.IN_NEGOTIATION, "solve"): Transition(
            NeedStatus.CLOSED, frozenset({MEMBER, SYSTEM})
        ),
        (NeedStatus.PUBLISHED, "solve"): Transition(NeedStatus.CLOSED, MEMBERS_ONLY),
        (NeedStatus.PUBLISHED, "expire"): Transition(NeedStatus.CLOSED, SYSTEM_ONLY),
        (NeedStatus.SUBMITTED, "expire"): Transition(NeedStatus.CLOSED, SYSTEM_ONLY),
        (NeedStatus.RETURNED, "expire"): Transition(NeedStatus.CLOSED, SYSTEM_ONLY),
    }
)
CLOSE_REASON_OF_ACTION = {
    "withdraw": NeedCloseReason.WITHDRAWN,
    "solve": NeedCloseReason.SOLVED,
    "expire": NeedCloseReason.EXPIRED,
}
NEED_EDITABLE_FIELDS = (
    "title_zh",
    "title_en",
    "description_zh",
    "description_en",
    "category",
    "industry",
    "context",
    "trl_min",
    "budget_min",
    "budget_max",
    "currency",
    "transaction_modes",
    "region",
    "deadline",
    "is_anonymous",
    "is_open_call",
    "call_closes_on",
)


# --- shared helpers -------------------------------------------------------------------------


def is_member(*, organization: Organization | int | None, user) -> bool:
    if organization is None or not getattr(user, "is_authenticated", False):
        return False
    organization_id = organization if isinstance(organization, int) else organization.pk
    return user.memberships.filter(organization_id=organization_id).exists()


def primary_organization(*, user) -> Organization:
    """The organisation a user acts for (their first membership); a clear error without one."""
    organization = (
        Organization.objects.filter(memberships__user=user).order_by("memberships__pk").first()
        if getattr(user, "is_authenticated", False)
        else None
    )
    if organization is None:
        raise ValidationError(
            _("Create or join an organisation first: needs and deals belong to organisations.")
        )
    return organization


def reviewers():
    return User.objects.filter(roles__overlap=[Role.REVIEWER, Role.ADMIN], is_active=True)


def organization_members(organization_id: int):
    return User.objects.filter(memberships__organization_id=organization_id, is_active=True)


def _jsonable(value):
    if isinstance(value, Decimal | datetime.date):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def _diff(instance, fields: dict) -> dict:
    changes = {}
    for name, new in fields.items():
        old = getattr(instance, name)
        if old != new:
            changes[name] = [_jsonable(old), _jsonable(new)]
    return changes


def validate_future_deadline(deadline: datetime.date | None, field: str = "deadline") -> None:
    if deadline is not None and deadline < timezone.localdate():
        raise ValidationError({field: _("The deadline must not be in the past.")})


# --- needs ----------------------------------------------------------------------------------


def need_actor_roles(*, need: Need, user, organization_ids: list[int] | None = None) -> set[str]:
    """`member` and/or `reviewer`; pass the user's organisation ids to save a query per row."""
    roles: set[str] = set()
    if not getattr(user, "is_authenticated", False):
        return roles
    if user.is_reviewer:
        roles.add(REVIEWER)
    if organization_ids is not None:
        if need.organization_id in organization_ids:
            roles.add(MEMBER)
    elif is_member(organization=need.organization_id, user=user):
        roles.add(MEMBER)
    return roles


def need_allowed_actions(
    *, need: Need, user, organization_ids: list[int] | None = None
) -> list[str]:
    roles = need_actor_roles(need=need, user=user, organization_ids=organization_ids)
    return NEED_WORKFLOW.allowed_actions(need.status, roles)


def _need_reindex(need: Need) -> None:
    Need.objects.filter(pk=need.pk).update(search_vector=need_search_vector(need))


def _need_full_clean(need: Need) -> None:
    errors: dict[str, list[str]] = {}
    try:
        need.full_clean(exclude=["organization", "created_by"])
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        validate_future_deadline(need.deadline)
        if need.is_open_call:
            validate_future_deadline(need.call_closes_on, "call_closes_on")
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def need_create(*, user, organization: Organization | None = None, **fields) -> Need:
    organization = organization or primary_organization(user=user)
    if not is_member(organization=organization, user=user):
        raise ValidationError(_("You can post needs only for your own organisation."))
    unknown = set(fields) - set(NEED_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(unknown)})
    need = Need(organization=organization, created_by=user, **fields)
    _need_full_clean(need)
    need.save()
    _need_reindex(need)
    NeedEvent.objects.create(need=need, actor=user, action="create", to_status=need.status)
    return need


@transaction.atomic
def need_update(*, need: Need, user, **fields) -> Need:
    need = Need.objects.select_for_update().get(pk=need.pk)
    if MEMBER not in need_actor_roles(need=need, user=user):
        raise ValidationError(_("Only members of the organisation may change this need."))
    if not need.is_editable:
        raise TransitionNotAllowed(
            _("A need can be changed only as a draft or after it was returned for changes.")
        )
    fields = {name: value for name, value in fields.items() if name in NEED_EDITABLE_FIELDS}
    changes = _diff(need, fields)
    for name, value in fields.items():
        setattr(need, name, value)
    _need_full_clean(need)
    need.save()
    _need_reindex(need)
    if changes:
        NeedEvent.objects.create(
            need=need,
            actor=user,
            action="edit",
            from_status=need.status,
            to_status=need.status,
            changes=changes,
        )
    return need


@transaction.atomic
def need_transition(*, need: Need, user, action: str, note: str = "", system: bool = False) -> Need:
    """Take one step of a need's lifecycle (submit, approve, return, reject, withdraw, ...)."""
    current = Need.objects.filter(pk=need.pk).values_list("status", flat=True).first()
    roles = {SYSTEM} if system else need_actor_roles(need=need, user=user)
    transition = NEED_WORKFLOW.resolve(current, action, roles)
    note = (note or "").strip()
    if transition.requires_note and not note:
        raise ValidationError({"comment": _("Please give a reason for the organisation.")})
    now = timezone.now()
    extra: dict = {"updated_at": now}
    if action == "submit":
        need.refresh_from_db()
        _need_full_clean(need)
        extra["submitted_at"] = now
    if action in ("approve", "return", "reject"):
        extra["review_comment"] = note
    if action == "approve":
        extra["published_at"] = now
    if transition.target == NeedStatus.CLOSED:
        extra.update(close_reason=CLOSE_REASON_OF_ACTION[action], closed_at=now)
    elif action == "reopen":
        extra.update(close_reason="", closed_at=None)
    if not compare_and_set_status(
        Need, pk=need.pk, expected=current, target=transition.target, **extra
    ):
        raise TransitionNotAllowed(_("Someone else changed this need first; reload it."))
    NeedEvent.objects.create(
        need=need,
        actor=None if system else user,
        action=action,
        from_status=current,
        to_status=transition.target,
        note=note,
    )
    if action in ("approve", "return", "reject") and not system:
        audit_record(
            kind=AuditKind.NEED_REVIEW,
            actor=user,
            target=need,
            summary=f"{action}: {current} -> {transition.target}",
            data={"action": action, "note": note},
        )
    need.refresh_from_db()
    _need_notify(need=need, action=action, note=note)
    if transition.target == NeedStatus.PUBLISHED:
        from matching.services import schedule_matching_for_need

        schedule_matching_for_need(need.pk)
    return need


def _need_notify(*, need: Need, action: str, note: str) -> None:
    url = reverse("exchange:need_detail", args=[need.pk])
    if action == "submit":
        notify_users(
            users=reviewers(),
            title=_("Need waiting for review: %(title)s") % {"title": need.title},
            url=url,
        )
        return
    messages = {
        "approve": _("Your need “%(title)s” is published."),
        "return": _("Your need “%(title)s” was returned for changes."),
        "reject": _("Your need “%(title)s” was rejected."),
        "expire": _("Your need “%(title)s” has expired: its deadline has passed."),
    }
    if action in messages:
        notify_users(
            users=organization_members(need.organization_id),
            title=messages[action] % {"title": need.title},
            body=note,
            url=url,
        )


def need_submit(*, need: Need, user) -> Need:
    return need_transition(need=need, user=user, action="submit")


def need_withdraw(*, need: Need, user, note: str = "") -> Need:
    return need_transition(need=need, user=user, action="withdraw", note=note)


def need_review(*, need: Need, user, decision: str, comment: str = "") -> Need:
    if decision not in ReviewDecision.values:
        raise ValidationError({"decision": _("Choose approve, return or reject.")})
    return need_transition(need=need, user=user, action=decision, note=comment)


def need_expire(*, need_id: int) -> bool:
    """Close one need whose deadline has passed; False when it had already moved on."""
    need = Need.objects.filter(pk=need_id).first()
    if need is None or need.deadline >= timezone.localdate():
        return False
    try:
        need_transition(need=need, user=None, action="expire", system=True)
    except TransitionNotAllowed:
        return False
    return True


def needs_expire_overdue(*, batch_size: int = 200, max_batches: int = 50) -> int:
    """Expire needs past their deadline in bounded batches; returns how many were closed."""
    expirable = [status for (status, action) in NEED_WORKFLOW.table if action == "expire"]
    expired = 0
    last_pk = 0
    for _batch in range(max_batches):
        ids = list(
            Need.objects.filter(
                status__in=expirable, deadline__lt=timezone.localdate(), pk__gt=last_pk
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            break
        last_pk = ids[-1]
        expired += sum(need_expire(need_id=need_id) for need_id in ids)
    return expired


# --- demand lists ---------------------------------------------------------------------------


@transaction.atomic
def demand_list_publish(
    *,
    user,
    title_zh: str,
    title_en: str = "",
    period_start: datetime.date,
    period_end: datetime.date,
    region: str = "",
    category=None,
) -> DemandList:
    """Freeze the needs published in a period (optionally one region or category) as a list."""
    from exchange.selectors import demand_list_candidates

    if not getattr(user, "is_reviewer", False):
        raise PermissionDenied(_("Only reviewers publish demand lists."))
    demand_list = DemandList(
        title_zh=title_zh,
        title_en=title_en,
        period_start=period_start,
        period_end=period_end,
        region=region,
        category=category,
        published_by=user,
    )
    demand_list.full_clean()
    candidates = demand_list_candidates(
        period_start=period_start, period_end=period_end, region=region, category=category
    )
    if not candidates.exists():
        raise ValidationError(_("No published need matches this period, region and category."))
    demand_list.save()
    demand_list.needs.set(candidates)
    return demand_list


# --- deals ----------------------------------------------------------------------------------

SELLER, BUYER, BROKER = DealActor.SELLER.value, DealActor.BUYER.value, DealActor.BROKER.value
DEAL_REVIEWER = DealActor.REVIEWER.value
PARTIES = frozenset({SELLER, BUYER})
NEGOTIATORS = frozenset({SELLER, BUYER, BROKER})
D = DealStage
PRICE_AND_TERMS = ("price", "payment_terms")
READY_FOR_REVIEW = ("price", "payment_terms", "contract")


def _t(target, actors, *, label="", note=False, requires=()):
    return Transition(target, actors, label, requires_note=note, extra={"requires": requires})


DEAL_WORKFLOW = StateMachine(
    {
        (D.INQUIRY, "start_negotiation"): _t(D.NEGOTIATION, frozenset({SELLER})),
        (D.INQUIRY, "cancel"): _t(D.CANCELLED, PARTIES, note=True),
        (D.NEGOTIATION, "draft_agreement"): _t(
            D.AGREEMENT_DRAFTED, NEGOTIATORS, requires=PRICE_AND_TERMS
        ),
        (D.NEGOTIATION, "cancel"): _t(D.CANCELLED, PARTIES, note=True),
        (D.AGREEMENT_DRAFTED, "revise"): _t(D.NEGOTIATION, NEGOTIATORS),
        (D.AGREEMENT_DRAFTED, "submit_for_review"): _t(
            D.SUBMITTED_FOR_REVIEW, NEGOTIATORS, requires=READY_FOR_REVIEW
        ),
        (D.AGREEMENT_DRAFTED, "cancel"): _t(D.CANCELLED, PARTIES, note=True),
        (D.SUBMITTED_FOR_REVIEW, "approve"): _t(D.APPROVED, frozenset({DEAL_REVIEWER})),
        (D.SUBMITTED_FOR_REVIEW, "return"): _t(D.RETURNED, frozenset({DEAL_REVIEWER}), note=True),
        (D.SUBMITTED_FOR_REVIEW, "reject"): _t(D.REJECTED, frozenset({DEAL_REVIEWER}), note=True),
        (D.RETURNED, "submit_for_review"): _t(
            D.SUBMITTED_FOR_REVIEW, NEGOTIATORS, requires=READY_FOR_REVIEW
        ),
        (D.RETURNED, "revise"): _t(D.NEGOTIATION, NEGOTIATORS),
        (D.RETURNED, "cancel"): _t(D.CANCELLED, PARTIES, note=True),
        (D.APPROVED, "sign_contract"): _t(D.CONTRACT_SIGNED, PARTIES, requires=("contract",)),
        (D.APPROVED, "cancel"): _t(D.CANCELLED, PARTIES, note=True),
        (D.CONTRACT_SIGNED, "start_execution"): _t(
            D.IN_EXECUTION, PARTIES, requires=("milestones",)
        ),
        (D.CONTRACT_SIGNED, "cancel"): _t(D.CANCELLED, PARTIES, note=True),
        (D.IN_EXECUTION, "report_dispute"): _t(D.IN_EXECUTION, PARTIES, note=True),
        (D.IN_EXECUTION, "complete"): _t(
            D.COMPLETED, frozenset({BUYER}), requires=("milestones_done",)
        ),
        (D.IN_EXECUTION, "cancel"): _t(D.CANCELLED, PARTIES, note=True),
    }
)
DEAL_EDITABLE_STAGES = (D.INQUIRY, D.NEGOTIATION, D.AGREEMENT_DRAFTED, D.RETURNED)
DEAL_EDITABLE_FIELDS = (
    "price",
    "currency",
    "payment_terms",
    "commission_rate",
    "commission_amount",
)
MILESTONE_STAGES = (
    D.NEGOTIATION,
    D.AGREEMENT_DRAFTED,
    D.RETURNED,
    D.APPROVED,
    D.CONTRACT_SIGNED,
    D.IN_EXECUTION,
)
ACTIVE_STAGES = tuple(
    stage for stage in D.values if stage not in (D.COMPLETED, D.CANCELLED, D.REJECTED)
)


def deal_actor_roles(*, deal: Deal, user, organization_ids: list[int] | None = None) -> set[str]:
    """The roles a user plays in a deal: seller, buyer, broker and/or reviewer.

    A reviewer who belongs to a party (or brokers the deal) does not review it.
    """
    roles: set[str] = set()
    if not getattr(user, "is_authenticated", False):
        return roles
    if organization_ids is None:
        from exchange.selectors import user_organization_ids

        organization_ids = user_organization_ids(user)
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
    if "contract" in requires and not deal.documents.filter(kind="contract").exists():
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

    # Iterating (not filtering) uses the memberships the review queue prefetched.
    broker_is_party = bool(
        deal.broker_id
        and any(
            membership.organization_id in (deal.seller_id, deal.buyer_id)
            for membership in deal.broker.memberships.all()
        )
    )
    # The review queue annotates `contract_attached`; a single deal asks.
    contract_attached = getattr(deal, "contract_attached", None)
    if contract_attached is None:
        contract_attached = deal.documents.filter(kind="contract").exists()
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


def deal_participants(deal: Deal):
    """Every user who should hear about the deal: both parties' members and the broker."""
    users = User.objects.filter(
        memberships__organization_id__in=[deal.seller_id, deal.buyer_id], is_active=True
    )
    if deal.broker_id:
        users = users | User.objects.filter(pk=deal.broker_id)
    return users.distinct()


def _deal_notify(*, deal: Deal, actor, title: str, body: str = "", to_reviewers: bool = False):
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
            users=list(reviewers().exclude(pk__in=deal_participants(deal).values("pk"))),
            title=_("Deal waiting for review: %(deal)s") % {"deal": deal},
            url=reverse("exchange:deal_review_queue"),
        )


def _deal_event(
    deal: Deal,
    *,
    user,
    role: str = "",
    action: str,
    from_stage: str = "",
    to_stage: str = "",
    note: str = "",
    changes: dict | None = None,
) -> DealEvent:
    return DealEvent.objects.create(
        deal=deal,
        actor=user if getattr(user, "pk", None) else None,
        actor_role=role,
        action=action,
        from_stage=from_stage,
        to_stage=to_stage,
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
        if action == "reopen" and need.deals.filter(stage__in=ACTIVE_STAGES).exists():
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
    stage: str = D.INQUIRY,
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
    _deal_event(deal, user=user, role=BUYER, action="open", to_stage=stage, note=note)
    _need_system_step(need.pk if need else None, "start_negotiation")
    _deal_notify(
        deal=deal,
        actor=user,
        title=_("New deal: %(technology)s") % {"technology": technology.title},
        body=note,
    )
    return deal


@transaction.atomic
def deal_transition(*, deal: Deal, user, action: str, note: str = "") -> Deal:
    """Take one step of a deal; refused (409) when not allowed now, nothing changed."""
    current = Deal.objects.filter(pk=deal.pk).values_list("stage", flat=True).first()
    deal.refresh_from_db()
    roles = deal_actor_roles(deal=deal, user=user)
    transition = DEAL_WORKFLOW.resolve(current, action, roles)
    note = (note or "").strip()
    if transition.requires_note and not note:
        raise ValidationError({"note": _("Please give a reason.")})
    missing = deal_missing_data(deal=deal, requires=transition.extra.get("requires", ()))
    if missing:
        raise ValidationError(missing)
    now = timezone.now()
    extra: dict = {"updated_at": now}
    checklist: dict[str, bool] = {}
    if action == "approve":
        checklist = deal_review_checklist(deal=deal)
        failed = [str(CHECKLIST_LABELS[item]) for item, passed in checklist.items() if not passed]
        if failed:
            raise ValidationError(
                {"checklist": [_("Not yet: %(item)s.") % {"item": item} for item in failed]}
            )
    elif action in ("return", "reject"):
        checklist = deal_review_checklist(deal=deal)
    if transition.target == D.SUBMITTED_FOR_REVIEW:
        extra["review_requested_at"] = now
    if transition.target == D.CONTRACT_SIGNED:
        extra["signed_at"] = now
    if transition.target == D.COMPLETED:
        extra["completed_at"] = now
    if not compare_and_set_status(
        Deal, pk=deal.pk, expected=current, target=transition.target, field_name="stage", **extra
    ):
        raise TransitionNotAllowed(_("Someone else moved this deal first; reload it."))
    role = sorted(roles & transition.actors)[0]
    _deal_event(
        deal,
        user=user,
        role=role,
        action=action,
        from_stage=current,
        to_stage=transition.target,
        note=note,
    )
    if action in ("approve", "return", "reject"):
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
    if transition.target == D.COMPLETED:
        certificate_issue(deal=deal)
        _need_system_step(deal.need_id, "solve")
    elif transition.target in (D.CANCELLED, D.REJECTED):
        _need_system_step(deal.need_id, "reopen")
    _deal_notify(
        deal=deal,
        actor=user,
        title=_("%(deal)s: %(stage)s") % {"deal": deal, "stage": deal.get_stage_display()},
        body=note,
        to_reviewers=transition.target == D.SUBMITTED_FOR_REVIEW,
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
    fields = {name: value for name, value in fields.items() if name in DEAL_EDITABLE_FIELDS}
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
        action="change",
        from_stage=deal.stage,
        to_stage=deal.stage,
        changes=changes,
    )
    _deal_notify(
        deal=deal,
        actor=user,
        title=_("%(deal)s: terms changed") % {"deal": deal},
        body=", ".join(changes),
    )
    return deal


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
        action="milestone_add",
        from_stage=deal.stage,
        to_stage=deal.stage,
        note=title,
        changes={"milestone": [None, f"{kind}: {title} ({due_date})"]},
    )
    return milestone


@transaction.atomic
def milestone_complete(*, milestone: DealMilestone, user) -> DealMilestone:
    """The receiving side confirms: the seller a payment, the buyer a delivery."""
    deal = milestone.deal
    roles = deal_actor_roles(deal=deal, user=user)
    confirming = SELLER if milestone.kind == MilestoneKind.PAYMENT else BUYER
    if deal.stage != D.IN_EXECUTION:
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
        action="milestone_done",
        from_stage=deal.stage,
        to_stage=deal.stage,
        note=milestone.title,
    )
    _deal_notify(
        deal=deal,
        actor=user,
        title=_("%(deal)s: milestone done: %(title)s") % {"deal": deal, "title": milestone.title},
    )
    return milestone


# --- deal room ------------------------------------------------------------------------------


@transaction.atomic
def deal_message_post(
    *, deal: Deal, user, body: str = "", upload=None, kind: str = "other"
) -> DealMessage:
    """Post a message, optionally with a document, to the deal room (participants only)."""
    if not deal_actor_roles(deal=deal, user=user):
        raise TransitionNotAllowed(_("Only the parties, the broker and reviewers may write here."))
    body = (body or "").strip()
    if not body and upload is None:
        raise ValidationError({"body": _("Write a message or attach a document.")})
    message = DealMessage(deal=deal, author=user, body=body)
    message.full_clean()
    message.save()
    if upload is not None:
        try:
            content_type = upload_content_type(upload, allowed=OFFICE_DOCUMENTS)
        except ValidationError as error:
            raise ValidationError({"file": error.messages}) from error
        document = DealDocument(
            deal=deal,
            message=message,
            kind=kind,
            name=upload.name[:200],
            content_type=content_type,
            size=upload.size,
            uploaded_by=user,
        )
        document.full_clean(exclude=["file"])
        document.file.save(upload.name, upload, save=False)
        document.save()
        _deal_event(
            deal,
            user=user,
            action="document",
            from_stage=deal.stage,
            to_stage=deal.stage,
            note=f"{document.get_kind_display()}: {document.name}",
        )
    _deal_notify(
        deal=deal,
        actor=user,
        title=_("New message in %(deal)s") % {"deal": deal},
        body=body[:300],
    )
    return message


# --- proposals ------------------------------------------------------------------------------

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


# --- brokers' introductions -----------------------------------------------------------------

IS = IntroductionStatus
ANY_SIDE = frozenset({SELLER, BUYER, BROKER})
INTRODUCTION_WORKFLOW = StateMachine(
    {
        (IS.PROPOSED, "accept_as_seller"): Transition(IS.SELLER_ACCEPTED, frozenset({SELLER})),
        (IS.PROPOSED, "accept_as_buyer"): Transition(IS.BUYER_ACCEPTED, frozenset({BUYER})),
        (IS.SELLER_ACCEPTED, "accept_as_buyer"): Transition(IS.ACCEPTED, frozenset({BUYER})),
        (IS.BUYER_ACCEPTED, "accept_as_seller"): Transition(IS.ACCEPTED, frozenset({SELLER})),
        (IS.PROPOSED, "decline"): Transition(IS.DECLINED, ANY_SIDE),
        (IS.SELLER_ACCEPTED, "decline"): Transition(
            IS.DECLINED, frozenset({SELLER, BUYER, BROKER})
        ),
        (IS.BUYER_ACCEPTED, "decline"): Transition(IS.DECLINED, ANY_SIDE),
    }
)


def introduction_actor_roles(
    *, introduction: Introduction, user, organization_ids: list[int] | None = None
) -> set[str]:
    member = _member_check(user, organization_ids)
    roles: set[str] = set()
    if member(introduction.technology.organization_id):
        roles.add(SELLER)
    if member(introduction.enterprise_id):
        roles.add(BUYER)
    if introduction.broker_id == getattr(user, "pk", None):
        roles.add(BROKER)
    return roles


def introduction_allowed_actions(
    *, introduction: Introduction, user, organization_ids: list[int] | None = None
) -> list[str]:
    roles = introduction_actor_roles(
        introduction=introduction, user=user, organization_ids=organization_ids
    )
    return INTRODUCTION_WORKFLOW.allowed_actions(introduction.status, roles)


@transaction.atomic
def introduction_create(
    *,
    broker,
    technology,
    deal_type: str,
    need: Need | None = None,
    enterprise: Organization | None = None,
    note: str = "",
    commission_rate: Decimal | None = None,
    commission_amount: Decimal | None = None,
) -> Introduction:
    """A broker introduces a published technology to a published need or an enterprise."""
    from catalog.choices import TechnologyStatus

    if not broker.has_role(Role.BROKER):
        raise PermissionDenied(_("Only brokers introduce technologies."))
    errors: dict[str, str] = {}
    if need is not None:
        if need.status != NeedStatus.PUBLISHED:
            errors["need"] = _("Only a published need can be answered.")
        enterprise = need.organization
    if enterprise is None:
        errors["enterprise"] = _("Choose a need or an enterprise.")
    if technology.status != TechnologyStatus.PUBLISHED:
        errors["technology"] = _("Only published technologies can be introduced.")
    if technology.transaction_modes and deal_type not in technology.transaction_modes:
        errors["deal_type"] = _("The technology is not offered in this transaction mode.")
    if enterprise is not None:
        if technology.organization_id == enterprise.pk:
            errors["enterprise"] = _("The enterprise already holds this technology.")
        if broker.memberships.filter(
            organization_id__in=[technology.organization_id, enterprise.pk]
        ).exists():
            errors["enterprise"] = _(
                "A broker cannot introduce its own organisation (conflict of interest)."
            )
    if commission_rate is not None and commission_amount is not None:
        errors["commission_amount"] = _("Give a commission rate or an amount, not both.")
    if errors:
        raise ValidationError(errors)
    from accounts.services import organization_may_transact

    organization_may_transact(organization=technology.organization)
    organization_may_transact(organization=enterprise)
    introduction = Introduction(
        broker=broker,
        technology=technology,
        need=need,
        enterprise=enterprise,
        deal_type=deal_type,
        note=note,
        commission_rate=commission_rate,
        commission_amount=commission_amount,
    )
    introduction.full_clean()
    introduction.save()
    notify_users(
        users=organization_members(technology.organization_id)
        | organization_members(enterprise.pk),
        title=_("%(broker)s introduces “%(technology)s”")
        % {"broker": actor_label(broker), "technology": technology.title},
        body=note,
        url=reverse("exchange:introduction_list"),
    )
    return introduction


@transaction.atomic
def introduction_transition(
    *, introduction: Introduction, user, action: str, note: str = ""
) -> Introduction:
    """Each side accepts (in either order); when both have, the deal opens with the broker."""
    current = (
        Introduction.objects.filter(pk=introduction.pk).values_list("status", flat=True).first()
    )
    transition = INTRODUCTION_WORKFLOW.resolve(
        current, action, introduction_actor_roles(introduction=introduction, user=user)
    )
    extra = {"updated_at": timezone.now()}
    if action == "decline":
        extra["decline_reason"] = (note or "").strip()
    if not compare_and_set_status(
        Introduction, pk=introduction.pk, expected=current, target=transition.target, **extra
    ):
        raise TransitionNotAllowed(_("Someone else answered this introduction first; reload it."))
    introduction.refresh_from_db()
    if introduction.status == IS.ACCEPTED:
        deal_open(
            user=user,
            technology=introduction.technology,
            need=introduction.need,
            deal_type=introduction.deal_type,
            buyer=introduction.enterprise,
            seller=introduction.technology.organization,
            introduction=introduction,
            broker=introduction.broker,
            commission_rate=introduction.commission_rate,
            commission_amount=introduction.commission_amount,
            stage=D.NEGOTIATION,
            note=introduction.note,
        )
    else:
        notify_users(
            users=User.objects.filter(pk=introduction.broker_id),
            title=_("Introduction of “%(technology)s”: %(status)s")
            % {
                "technology": introduction.technology.title,
                "status": introduction.get_status_display(),
            },
            body=note,
            url=reverse("exchange:introduction_list"),
        )
    return introduction


# --- certificates and credit ----------------------------------------------------------------


def certificate_issue(*, deal: Deal) -> Certificate:
    """Issue the certificate of a completed deal once (idempotent)."""
    from exchange.certificates import amount_band, certificate_number

    if deal.stage != D.COMPLETED:
        raise TransitionNotAllowed(_("Only completed deals get a certificate."))
    certificate, _created = Certificate.objects.get_or_create(
        deal=deal,
        defaults={
            "number": certificate_number(
                deal_id=deal.pk, year=timezone.localtime(deal.completed_at or timezone.now()).year
            ),
            "amount_band": amount_band(deal.price),
        },
    )
    return certificate


@transaction.atomic
def rating_create(*, deal: Deal, user, subject: str, score: int, comment: str = "") -> Rating:
    """A party rates the other party, or the broker, of a completed deal (once each)."""
    roles = deal_actor_roles(deal=deal, user=user)
    if deal.stage != D.COMPLETED:
        raise TransitionNotAllowed(_("Ratings are given after the deal is completed."))
    if not roles & PARTIES:
        raise TransitionNotAllowed(_("Only the parties rate a deal."))
    rater_id = deal.seller_id if SELLER in roles else deal.buyer_id
    rating = Rating(
        deal=deal,
        rater_id=rater_id,
        created_by=user,
        subject=subject,
        score=score,
        comment=(comment or "").strip(),
    )
    if subject == RatingSubject.ORGANIZATION:
        rating.rated_organization_id = (
            deal.buyer_id if rater_id == deal.seller_id else (deal.seller_id)
        )
    elif subject == RatingSubject.BROKER:
        if not deal.broker_id:
            raise ValidationError({"subject": _("This deal has no broker to rate.")})
        rating.rated_broker_id = deal.broker_id
    else:
        raise ValidationError({"subject": _("Rate the other party or the broker.")})
    if Rating.objects.filter(deal=deal, rater_id=rater_id, subject=subject).exists():
        raise TransitionNotAllowed(_("Your organisation has already given this rating."))
    rating.full_clean()
    rating.save()
    _deal_event(
        deal,
        user=user,
        role=sorted(roles & PARTIES)[0],
        action="rate",
        from_stage=deal.stage,
        to_stage=deal.stage,
        note=f"{score}/5 {rating.comment}".strip(),
    )
    return rating
