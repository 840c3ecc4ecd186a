"""Two-key money requests: the workflow, its events and the one way to open a request."""

from __future__ import annotations

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
from finance.choices import MoneyRequestStatus
from finance.models import MoneyRequest, MoneyRequestEvent, SupportProgramme
from notifications.services import notify_users

# Money has two keys. One operator member asks (a programme budget, funding, a voucher above
# FINANCE_VOUCHER_SECOND_KEY_THRESHOLD, an interest subsidy); a different person — an operator
# member of the same verified organisation or a platform reviewer — approves. The ledger moves
# only in `money_request_transition(action="approve")`, in the transaction that claims the
# request by compare-and-set. Funding never exceeds the programme's approved budget.
MONEY_REQUEST_WORKFLOW = StateMachine(
    {
        (MoneyRequestStatus.PENDING, "approve"): Transition(
            MoneyRequestStatus.APPROVED, frozenset({"approver"})
        ),
        (MoneyRequestStatus.PENDING, "refuse"): Transition(
            MoneyRequestStatus.REFUSED, frozenset({"approver"}), requires_note=True
        ),
        (MoneyRequestStatus.PENDING, "withdraw"): Transition(
            MoneyRequestStatus.WITHDRAWN, frozenset({"requester"})
        ),
    }
)
MONEY_REQUEST_ACTION_LABELS = {
    "approve": gettext_lazy("Approve (second key)"),
    "refuse": gettext_lazy("Refuse"),
    "withdraw": gettext_lazy("Withdraw the request"),
}
MONEY_REQUEST_AUDIT_KIND = AuditKind.MONEY_REQUEST


def money_request_allowed_actions(*, money_request: MoneyRequest, user: User) -> list[str]:
    return MONEY_REQUEST_WORKFLOW.allowed_actions(
        money_request.status,
        selectors.money_request_actor_roles(money_request=money_request, user=user),
    )


def _request_event(money_request: MoneyRequest, *, actor, action, source, target, note=""):
    MoneyRequestEvent.objects.create(
        request=money_request,
        actor=actor,
        action=action,
        from_status=source,
        to_status=target,
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


def _money_request_create(
    *,
    programme: SupportProgramme,
    user: User,
    kind: str,
    amount: Decimal,
    fingerprint: str,
    idempotency_key: str | None,
    note: str = "",
    **fields,
) -> MoneyRequest:
    if idempotency_key:
        existing = MoneyRequest.objects.filter(
            requested_by=user, idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            if existing.request_fingerprint != fingerprint:
                raise ledger.IdempotencyKeyReused(
                    _("This Idempotency-Key was already used for a different request.")
                )
            return existing
    money_request = MoneyRequest(
        programme=programme,
        kind=kind,
        amount=amount,
        currency=programme.currency,
        requested_by=user,
        note=(note or "").strip(),
        idempotency_key=idempotency_key or None,
        request_fingerprint=fingerprint[:200],
        **fields,
    )
    money_request.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            money_request.save()
    except IntegrityError:
        existing = MoneyRequest.objects.filter(
            requested_by=user, idempotency_key=idempotency_key
        ).first()
        if existing is None or existing.request_fingerprint != fingerprint[:200]:
            raise
        return existing
    _request_event(
        money_request,
        actor=user,
        action="request",
        source="",
        target=MoneyRequestStatus.PENDING,
        note=money_request.note,
    )
    notify_users(
        users=_second_keys_for(money_request),
        title=_("A second approval is needed: %(kind)s of %(amount)s %(currency)s")
        % {
            "kind": money_request.get_kind_display(),
            "amount": money_request.amount,
            "currency": money_request.currency,
        },
        url=reverse("finance:money_requests"),
    )
    return money_request
