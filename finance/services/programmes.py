"""Support programmes: open one, ask for its budget and its funding (second key)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from finance import ledger
from finance.choices import AccountKind, MoneyRequestKind
from finance.models import MoneyRequest, SupportProgramme
from finance.services.common import parse_amount, require_acting_operator
from finance.services.money_requests import MoneyAsked, money_request_open


@transaction.atomic
def programme_create(
    *,
    user: User,
    operator: Organization,
    kind: str,
    currency: str = "CNY",
    budget=None,
    idempotency_key: str | None = None,
    **fields,
) -> SupportProgramme:
    """Open a programme and its ledger accounts; with `budget`, ask for its approval at once.
    Nothing can be funded before a second person approves a budget."""
    require_acting_operator(user=user, operator=operator)
    if budget is not None:
        budget = parse_amount(budget, "budget")
    label = fields.get("name_zh") or fields.get("name_en") or ""
    programme = SupportProgramme(
        operator=operator, kind=kind, currency=currency, created_by=user, **fields
    )
    programme.funding_account = ledger.account_open(
        kind=AccountKind.PROGRAMME_FUNDING, name=f"{label}: funding", currency=currency
    )
    programme.budget_account = ledger.account_open(
        kind=AccountKind.PROGRAMME_BUDGET, name=f"{label}: budget", currency=currency
    )
    programme.full_clean()
    programme.save()
    if budget is not None:
        programme_budget_request(
            programme=programme, user=user, amount=budget, idempotency_key=idempotency_key
        )
    return programme


def programme_budget_request(
    *,
    programme: SupportProgramme,
    user: User,
    amount,
    note: str = "",
    idempotency_key: str | None = None,
) -> MoneyRequest:
    """Ask for the programme's budget to be approved (or changed) by a second person."""

    def ask() -> MoneyAsked:
        budget = parse_amount(amount, "amount")
        funded = programme.funding_account.balance
        if budget < funded:
            raise ValidationError(
                {
                    "amount": _(
                        "The budget cannot be below what was already funded: "
                        "%(funded)s %(currency)s."
                    )
                    % {"funded": funded, "currency": programme.currency}
                }
            )
        return MoneyAsked(MoneyRequestKind.BUDGET, budget, f"budget:{programme.pk}:{budget}")

    return money_request_open(
        programme=programme, user=user, ask=ask, note=note, idempotency_key=idempotency_key
    )


def _check_within_budget(*, programme: SupportProgramme, amount: Decimal) -> None:
    if programme.approved_budget is None:
        raise ValidationError(
            {
                "amount": _(
                    "The programme's budget has not been approved yet: a second person must "
                    "approve it before any funding."
                )
            }
        )
    funded = programme.funding_account.balance
    if funded + amount > programme.approved_budget:
        raise ValidationError(
            {
                "amount": _(
                    "Funding is bounded by the approved budget of %(budget)s %(currency)s; "
                    "%(left)s %(currency)s can still be funded."
                )
                % {
                    "budget": programme.approved_budget,
                    "left": programme.approved_budget - funded,
                    "currency": programme.currency,
                }
            }
        )


def programme_funding_request(
    *,
    programme: SupportProgramme,
    user: User,
    amount,
    note: str = "",
    idempotency_key: str | None = None,
) -> MoneyRequest:
    """Ask for money received by the programme to be recorded; it reaches the budget only when
    a second person approves, and never beyond the approved budget."""

    def ask() -> MoneyAsked:
        funding = parse_amount(amount, "amount")
        current = SupportProgramme.objects.select_related("funding_account").get(pk=programme.pk)
        _check_within_budget(programme=current, amount=funding)
        return MoneyAsked(MoneyRequestKind.FUNDING, funding, f"funding:{programme.pk}:{funding}")

    return money_request_open(
        programme=programme, user=user, ask=ask, note=note, idempotency_key=idempotency_key
    )
