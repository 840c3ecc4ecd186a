"""Interest subsidies on disbursed loans: the period's terms, the request and the payment."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.permissions import members_of
from finance import ledger
from finance.choices import (
    AccountKind,
    ApplicationAction,
    ApplicationStatus,
    MoneyRequestKind,
    MoneyRequestStatus,
    ProgrammeKind,
    TransactionKind,
)
from finance.models import FinancingApplication, InterestSubsidy, MoneyRequest, SupportProgramme
from finance.services.common import LOAN_KINDS, parse_amount, parse_rate
from finance.services.money_requests import MoneyAsked, money_request_open
from finance.valuation import interest_subsidy_amount
from notifications.messages import Message
from notifications.services import notify_users


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last_day))


def loan_term(*, application: FinancingApplication) -> tuple[datetime.date, datetime.date | None]:
    """The days a loan runs: from its disbursement for its tenor (no end without a tenor)."""
    disbursed = (
        application.events.filter(action=ApplicationAction.DISBURSE)
        .order_by("-created_at", "-pk")
        .first()
    )
    moment = disbursed.created_at if disbursed else application.updated_at
    start = timezone.localdate(moment)
    if application.tenor_months is None:
        return start, None
    return start, _add_months(start, application.tenor_months)


@dataclass(frozen=True)
class SubsidyTerms:
    application: FinancingApplication
    principal: Decimal
    annual_rate: Decimal
    period_start: datetime.date
    period_end: datetime.date
    days: int
    amount: Decimal


def _subsidy_terms(
    *,
    programme: SupportProgramme,
    application: FinancingApplication,
    annual_rate,
    period_start,
    period_end,
    principal=None,
    excluding_request: int | None = None,
) -> SubsidyTerms:
    """Validate one subsidy period: a disbursed loan of the programme's currency, a period in
    the past, within the loan's term and overlapping no subsidy paid or requested on it."""
    if programme.kind != ProgrammeKind.INTEREST_SUBSIDY:
        raise ValidationError({"programme": _("This programme does not pay interest subsidies.")})
    if not programme.is_open:
        raise ValidationError({"programme": _("This programme is closed.")})
    application = (
        FinancingApplication.objects.select_for_update(of=("self",))
        .select_related("product", "applicant")
        .get(pk=application.pk)
    )
    if application.product.kind not in LOAN_KINDS:
        raise ValidationError({"application": _("Subsidies are paid on loans only.")})
    if application.status not in (ApplicationStatus.DISBURSED, ApplicationStatus.REPAYING):
        raise ValidationError({"application": _("The loan has not been disbursed.")})
    if application.currency != programme.currency:
        raise ValidationError({"application": _("The loan is not in the programme's currency.")})
    principal = (
        parse_amount(principal, "principal")
        if principal not in (None, "")
        else application.approved_amount
    )
    if principal > application.approved_amount:
        raise ValidationError(
            {"principal": _("The principal cannot exceed the approved loan amount.")}
        )
    rate = parse_rate(annual_rate, "annual_rate")
    errors: dict[str, str] = {}
    if not isinstance(period_start, datetime.date):
        errors["period_start"] = _("Enter the first day of the period.")
    if not isinstance(period_end, datetime.date):
        errors["period_end"] = _("Enter the day after the period.")
    if errors:
        raise ValidationError(errors)
    if period_end <= period_start:
        raise ValidationError({"period_end": _("The period must end after it starts.")})
    today = timezone.localdate()
    if period_end > today:
        raise ValidationError(
            {
                "period_end": _(
                    "Subsidies are paid for past periods only: the period must end by today."
                )
            }
        )
    term_start, term_end = loan_term(application=application)
    if term_end is None:
        raise ValidationError({"application": _("The loan has no tenor, so its term is unknown.")})
    if period_start < term_start or period_end > term_end:
        raise ValidationError(
            {
                "period_start": _(
                    "The period must lie within the loan's term, %(start)s to %(end)s."
                )
                % {"start": term_start, "end": term_end}
            }
        )
    overlapping_paid = InterestSubsidy.objects.filter(
        application=application, period_start__lt=period_end, period_end__gt=period_start
    )
    overlapping_asked = MoneyRequest.objects.filter(
        kind=MoneyRequestKind.INTEREST_SUBSIDY,
        status=MoneyRequestStatus.PENDING,
        application=application,
        period_start__lt=period_end,
        period_end__gt=period_start,
    )
    if excluding_request is not None:
        overlapping_asked = overlapping_asked.exclude(pk=excluding_request)
    if overlapping_paid.exists() or overlapping_asked.exists():
        raise ValidationError(
            {
                "period_start": _(
                    "A subsidy was already paid or requested for part of this period on this loan."
                )
            }
        )
    days = (period_end - period_start).days
    amount = interest_subsidy_amount(
        principal=principal, annual_rate=rate, subsidy_ratio=programme.subsidy_ratio, days=days
    )
    if amount <= 0:
        raise ValidationError({"period_end": _("The subsidy for this period rounds to zero.")})
    return SubsidyTerms(application, principal, rate, period_start, period_end, days, amount)


def interest_subsidy_request(
    *,
    programme: SupportProgramme,
    user: User,
    application: FinancingApplication,
    annual_rate,
    period_start: datetime.date,
    period_end: datetime.date,
    principal=None,
    note: str = "",
    idempotency_key: str | None = None,
) -> MoneyRequest:
    """Ask a second person to approve an interest subsidy on a disbursed loan for one past
    period: principal × rate × ratio × days / 360 out of the programme budget."""

    def ask() -> MoneyAsked:
        terms = _subsidy_terms(
            programme=programme,
            application=application,
            annual_rate=annual_rate,
            period_start=period_start,
            period_end=period_end,
            principal=principal,
        )
        return MoneyAsked(
            MoneyRequestKind.INTEREST_SUBSIDY,
            terms.amount,
            f"subsidy:{programme.pk}:{terms.application.pk}:{terms.period_start}:"
            f"{terms.period_end}:{terms.principal}:{terms.annual_rate}",
            {
                "application": terms.application,
                "principal": terms.principal,
                "annual_rate": terms.annual_rate,
                "period_start": terms.period_start,
                "period_end": terms.period_end,
            },
        )

    return money_request_open(
        programme=programme, user=user, ask=ask, note=note, idempotency_key=idempotency_key
    )


def _pay_subsidy(*, money_request: MoneyRequest, programme: SupportProgramme) -> InterestSubsidy:
    terms = _subsidy_terms(
        programme=programme,
        application=money_request.application,
        annual_rate=money_request.annual_rate,
        period_start=money_request.period_start,
        period_end=money_request.period_end,
        principal=money_request.principal,
        excluding_request=money_request.pk,
    )
    application = terms.application
    destination = ledger.receivable_account(
        kind=AccountKind.SUBSIDY_RECEIVED,
        organization=application.applicant,
        currency=programme.currency,
    )
    ledger_transaction = ledger.transfer(
        kind=TransactionKind.SUBSIDY_PAYMENT,
        source=programme.budget_account,
        destination=destination,
        amount=terms.amount,
        description=f"Interest subsidy on application #{application.pk}",
        initiated_by=money_request.requested_by,
    )
    subsidy = InterestSubsidy(
        programme=programme,
        application=application,
        principal=terms.principal,
        annual_rate=terms.annual_rate,
        subsidy_ratio=programme.subsidy_ratio,
        period_start=terms.period_start,
        period_end=terms.period_end,
        days=terms.days,
        amount=terms.amount,
        transaction=ledger_transaction,
        paid_by=money_request.requested_by,
    )
    subsidy.full_clean(exclude=["transaction"], validate_constraints=False)
    try:
        with transaction.atomic():
            subsidy.save()
    except IntegrityError:
        # The exclusion constraint: a concurrent payment covered part of the period first.
        raise ValidationError(
            {"period_start": _("A subsidy was already paid for part of this period on this loan.")}
        ) from None
    notify_users(
        users=list(members_of(application.applicant_id)),
        title=Message(
            gettext_lazy("An interest subsidy of %(amount)s %(currency)s was paid on your loan"),
            amount=terms.amount,
            currency=programme.currency,
        ),
        url=reverse("finance:application_detail", args=[application.pk]),
    )
    return subsidy
