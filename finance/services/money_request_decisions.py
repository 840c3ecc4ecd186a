"""Deciding a money request: approval is the second key and moves the money."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.workflow import TransitionNotAllowed, compare_and_set_status
from finance import ledger, selectors
from finance.choices import MoneyRequestAction, MoneyRequestKind, TransactionKind
from finance.models import MoneyRequest, SupportProgramme
from finance.services.money_requests import MONEY_REQUEST_WORKFLOW, _request_event
from finance.services.programmes import _check_within_budget
from finance.services.subsidies import _pay_subsidy
from finance.services.vouchers import _validate_voucher, _voucher_issue
from notifications.messages import Message, choice_label
from notifications.services import notify_users


def _carry_out(money_request: MoneyRequest, *, approver: User) -> dict[str, object]:
    """The effect of an approved request; raises ValidationError (and the caller's transaction
    rolls back, leaving the request pending) when it is no longer possible."""
    programme = (
        SupportProgramme.objects.select_for_update(of=("self",))
        .select_related("operator", "funding_account", "budget_account")
        .get(pk=money_request.programme_id)
    )
    if not programme.operator.verified:
        raise ValidationError(
            _("The programme's operator organisation is not verified: no money can move.")
        )
    kind = money_request.kind
    if kind == MoneyRequestKind.BUDGET:
        if money_request.amount < programme.funding_account.balance:
            raise ValidationError(
                {"amount": _("The budget cannot be below what was already funded.")}
            )
        SupportProgramme.objects.filter(pk=programme.pk).update(
            approved_budget=money_request.amount,
            budget_approved_by=approver,
            budget_approved_at=timezone.now(),
        )
        return {}
    if kind == MoneyRequestKind.FUNDING:
        _check_within_budget(programme=programme, amount=money_request.amount)
        transaction_row = ledger.transfer(
            kind=TransactionKind.PROGRAMME_FUNDING,
            source=programme.funding_account,
            destination=programme.budget_account,
            amount=money_request.amount,
            description=f"Funding of {programme.name} (request #{money_request.pk})",
            initiated_by=money_request.requested_by,
        )
        return {"ledger_transaction": transaction_row}
    if kind == MoneyRequestKind.VOUCHER_ISSUE:
        holder = _validate_voucher(
            programme=programme, holder=money_request.holder, expires=money_request.expires
        )
        voucher = _voucher_issue(
            programme=programme,
            issued_by=money_request.requested_by,
            holder=holder,
            face_value=money_request.amount,
            expires=money_request.expires,
        )
        return {
            "voucher": voucher,
            "ledger_transaction": voucher.account.entries.get().transaction,
        }
    subsidy = _pay_subsidy(money_request=money_request, programme=programme)
    return {"subsidy": subsidy, "ledger_transaction": subsidy.transaction}


@transaction.atomic
def money_request_transition(
    *, money_request: MoneyRequest, user: User, action: str, note: str = ""
) -> MoneyRequest:
    """Approve, refuse or withdraw a pending request. Approval is the second key: a different
    person, and the money moves in this transaction or not at all."""
    money_request = MoneyRequest.objects.select_related("programme", "requested_by").get(
        pk=money_request.pk
    )
    current = money_request.status
    transition = MONEY_REQUEST_WORKFLOW.resolve(
        current,
        action,
        selectors.money_request_actor_roles(money_request=money_request, user=user),
    )
    note = (note or "").strip()
    if transition.requires_note and not note:
        raise ValidationError({"note": _("Please give a reason.")})
    decided = {"decided_by": user, "decided_at": timezone.now(), "decision_note": note}
    if not compare_and_set_status(
        MoneyRequest, pk=money_request.pk, expected=current, target=transition.target, **decided
    ):
        raise TransitionNotAllowed(_("Someone else decided this request first; reload it."))
    if action == MoneyRequestAction.APPROVE:
        results = _carry_out(money_request, approver=user)
        if results:
            MoneyRequest.objects.filter(pk=money_request.pk).update(**results)
    money_request.refresh_from_db()
    _request_event(
        money_request,
        actor=user,
        action=action,
        source=current,
        target=transition.target,
        note=note,
    )
    if action != MoneyRequestAction.WITHDRAW:
        notify_users(
            users=[money_request.requested_by],
            title=Message(
                gettext_lazy("Your request %(kind)s of %(amount)s %(currency)s: %(status)s"),
                kind=choice_label(money_request, "kind"),
                amount=money_request.amount,
                currency=money_request.currency,
                status=choice_label(money_request, "status"),
            ),
            body=note,
            url=reverse("finance:money_requests"),
        )
    return money_request
