"""Two-key money requests: the workflow, its events and the one way to open a request."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from accounts.models import User
from accounts.permissions import platform_reviewers
from audit.choices import AuditKind
from audit.services import audit_record
from core.workflow import StateMachine, Transition
from finance import ledger, selectors
from finance.choices import MoneyRequestAction, MoneyRequestStatus
from finance.models import MoneyRequest, MoneyRequestEvent, SupportProgramme
from finance.services.common import event_record, require_operator_of
from notifications.messages import Message, choice_label
from notifications.services import notify_users

# Money has two keys. One operator member asks (a programme budget, funding, a voucher above
# FINANCE_VOUCHER_SECOND_KEY_THRESHOLD, an interest subsidy); a different person — an operator
# member of the same verified organisation or a platform reviewer — approves. The ledger moves
# only in `money_request_transition(action="approve")`, in the transaction that claims the
# request by compare-and-set. Funding never exceeds the programme's approved budget.
APPROVER = frozenset({selectors.APPROVER_ROLE})
REQUESTER = frozenset({selectors.REQUESTER_ROLE})
MONEY_REQUEST_WORKFLOW = StateMachine(
    {
        (MoneyRequestStatus.PENDING, MoneyRequestAction.APPROVE): Transition(
            MoneyRequestStatus.APPROVED, APPROVER
        ),
        (MoneyRequestStatus.PENDING, MoneyRequestAction.REFUSE): Transition(
            MoneyRequestStatus.REFUSED, APPROVER, requires_note=True
        ),
        (MoneyRequestStatus.PENDING, MoneyRequestAction.WITHDRAW): Transition(
            MoneyRequestStatus.WITHDRAWN, REQUESTER
        ),
    }
)
MONEY_REQUEST_ACTION_LABELS = {
    MoneyRequestAction.APPROVE: gettext_lazy("Approve (second key)"),
    MoneyRequestAction.REFUSE: gettext_lazy("Refuse"),
    MoneyRequestAction.WITHDRAW: gettext_lazy("Withdraw the request"),
}
MONEY_REQUEST_AUDIT_KIND = AuditKind.MONEY_REQUEST


def money_request_allowed_actions(*, money_request: MoneyRequest, user: User) -> list[str]:
    return MONEY_REQUEST_WORKFLOW.allowed_actions(
        money_request.status,
        selectors.money_request_actor_roles(money_request=money_request, user=user),
    )


def _request_event(money_request: MoneyRequest, *, actor, action, source, target, note=""):
    event_record(
        MoneyRequestEvent,
        request=money_request,
        actor=actor,
        action=action,
        source=source,
        target=target,
        note=note,
    )
    audit_record(
        kind=MONEY_REQUEST_AUDIT_KIND,
        actor=actor,
        target=money_request,
        summary=f"{action} {money_request.kind} {money_request.amount} {money_request.currency}"
        f" on programme #{money_request.programme_id}",
        data={
            "action": action,
            "kind": money_request.kind,
            "amount": str(money_request.amount),
            "currency": money_request.currency,
            "programme": money_request.programme_id,
            "from": source,
            "to": target,
            "requested_by": money_request.requested_by_id,
        },
    )


def _second_keys_for(money_request: MoneyRequest):
    """Who is told that a request awaits them: operator colleagues, else platform reviewers."""
    colleagues = selectors.members_with_role(
        money_request.programme.operator_id, role=Role.OPERATOR
    ).exclude(pk=money_request.requested_by_id)
    if colleagues.exists():
        return list(colleagues)
    return list(platform_reviewers().exclude(pk=money_request.requested_by_id))


@dataclass(frozen=True)
class MoneyAsked:
    """What one kind of request asks for, once its own rules are checked: all that differs
    between a budget, a funding, a voucher issue and an interest subsidy request."""

    kind: str
    amount: Decimal
    # The request's identity for the Idempotency-Key: the same key with other facts is refused.
    fingerprint: str
    fields: Mapping[str, object] = field(default_factory=dict)


def _replay(*, user: User, idempotency_key: str | None, fingerprint: str) -> MoneyRequest | None:
    if not idempotency_key:
        return None
    existing = MoneyRequest.objects.filter(
        requested_by=user, idempotency_key=idempotency_key
    ).first()
    if existing is not None and existing.request_fingerprint != fingerprint:
        raise ledger.IdempotencyKeyReused(
            _("This Idempotency-Key was already used for a different request.")
        )
    return existing


@transaction.atomic
def money_request_open(
    *,
    programme: SupportProgramme,
    user: User,
    ask: Callable[[], MoneyAsked],
    note: str = "",
    idempotency_key: str | None = None,
) -> MoneyRequest:
    """The one way to open a two-key request: only the programme's operator asks; `ask`
    checks what this kind of request needs and says what is asked; a retry with the same
    Idempotency-Key returns the first request; the event is written and the people who may
    give the second key are told."""
    require_operator_of(user=user, programme=programme)
    asked = ask()
    fingerprint = asked.fingerprint[:200]
    existing = _replay(user=user, idempotency_key=idempotency_key, fingerprint=fingerprint)
    if existing is not None:
        return existing
    money_request = MoneyRequest(
        programme=programme,
        kind=asked.kind,
        amount=asked.amount,
        currency=programme.currency,
        requested_by=user,
        note=(note or "").strip(),
        idempotency_key=idempotency_key or None,
        request_fingerprint=fingerprint,
        **asked.fields,
    )
    money_request.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            money_request.save()
    except IntegrityError:
        # A concurrent retry with the same key won the unique constraint: answer with its row.
        existing = _replay(user=user, idempotency_key=idempotency_key, fingerprint=fingerprint)
        if existing is None:
            raise
        return existing
    _request_event(
        money_request,
        actor=user,
        action=MoneyRequestAction.REQUEST,
        source="",
        target=MoneyRequestStatus.PENDING,
        note=money_request.note,
    )
    notify_users(
        users=_second_keys_for(money_request),
        title=Message(
            gettext_lazy("A second approval is needed: %(kind)s of %(amount)s %(currency)s"),
            kind=choice_label(money_request, "kind"),
            amount=money_request.amount,
            currency=money_request.currency,
        ),
        url=reverse("finance:money_requests"),
    )
    return money_request
