"""Rewards to the people who made the technology (科技成果转化奖励).

When a deal whose seller is a university or research institute completes, exchange announces
`DEAL_COMPLETED` after the commit and `reward_split_for_deal` splits the deal's income by the
seller's reward policy in force on the completion day, or by the statutory default when the unit
has none: at least 50 % of the net income to the inventors (促进科技成果转化法 第四十五条), the rest
to the unit. The split is one balanced ledger transaction; a deal is split at most once (a unique
constraint on the split's deal, and the deal row locked while splitting).

Rounding (money in Decimal, whole cents):
- deductions = fixed costs + income × percentage, the percentage part rounded half up to the cent,
  never more than the income; net income = income − deductions;
- the inventors' and the departments' pools are net × their share, rounded half up to the cent;
  the unit receives what remains, so the parts always add up to the net income;
- within a pool, each inventor (or department) gets pool × their share rounded down to the cent,
  and the cents left over go to the first-listed inventor (department), so the result never
  depends on the order the database returns rows in.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import is_organization_admin
from finance import ledger
from finance.choices import AccountKind, RewardRecipient, TransactionKind
from finance.models import (
    REWARD_POLICY_ORGANIZATION_KINDS,
    STATUTORY_MINIMUM_INVENTORS_SHARE,
    RewardAccount,
    RewardPolicy,
    RewardSplit,
    RewardSplitLine,
)

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
ZERO = Decimal("0")


@dataclass(frozen=True)
class PolicyTerms:
    """The percentages and deductions a split applies."""

    inventors_share: Decimal
    department_share: Decimal
    unit_share: Decimal
    fixed_deduction: Decimal = ZERO
    percentage_deduction: Decimal = ZERO

    @classmethod
    def of(cls, policy: RewardPolicy) -> PolicyTerms:
        return cls(
            inventors_share=policy.inventors_share,
            department_share=policy.department_share,
            unit_share=policy.unit_share,
            fixed_deduction=policy.fixed_deduction,
            percentage_deduction=policy.percentage_deduction,
        )


# When the unit has no policy: the statutory minimum to the inventors, the rest to the unit, and
# no costs deducted (the platform does not know them).
STATUTORY_TERMS = PolicyTerms(
    inventors_share=STATUTORY_MINIMUM_INVENTORS_SHARE,
    department_share=ZERO,
    unit_share=HUNDRED - STATUTORY_MINIMUM_INVENTORS_SHARE,
)


@dataclass(frozen=True)
class InventorShare:
    name: str
    department: str
    share: Decimal
    user_id: int | None = None


@dataclass(frozen=True)
class SplitLineFigure:
    recipient: str
    name: str
    amount: Decimal
    share: Decimal | None = None
    department: str = ""
    user_id: int | None = None


@dataclass
class SplitFigures:
    gross_income: Decimal
    deductions: Decimal
    net_income: Decimal
    inventors_amount: Decimal
    department_amount: Decimal
    unit_amount: Decimal
    lines: list[SplitLineFigure] = field(default_factory=list)


def _half_up(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _apportion(pool: Decimal, shares: list[Decimal]) -> list[Decimal]:
    """`pool` by `shares` (percent of the pool): each rounded down to the cent, the cents left
    over to the first."""
    amounts = [(pool * share / HUNDRED).quantize(CENT, rounding=ROUND_DOWN) for share in shares]
    if amounts:
        amounts[0] += pool - sum(amounts, ZERO)
    return amounts


def reward_split_compute(
    *, gross_income: Decimal, terms: PolicyTerms, inventors: list[InventorShare], unit_name: str
) -> SplitFigures:
    """The split of `gross_income` (pure: no database)."""
    gross_income = gross_income.quantize(CENT)
    deductions = min(
        gross_income,
        terms.fixed_deduction + _half_up(gross_income * terms.percentage_deduction / HUNDRED),
    )
    net_income = gross_income - deductions
    inventors_amount = _half_up(net_income * terms.inventors_share / HUNDRED)
    department_amount = _half_up(net_income * terms.department_share / HUNDRED)
    unit_amount = net_income - inventors_amount - department_amount
    lines = [
        # named by its recipient label, in the reader's language
        SplitLineFigure(recipient=RewardRecipient.DEDUCTION, name="", amount=deductions)
    ]
    if inventors:
        for inventor, amount in zip(
            inventors, _apportion(inventors_amount, [i.share for i in inventors]), strict=True
        ):
            lines.append(
                SplitLineFigure(
                    recipient=RewardRecipient.INVENTOR,
                    name=inventor.name,
                    department=inventor.department,
                    share=inventor.share,
                    user_id=inventor.user_id,
                    amount=amount,
                )
            )
    else:
        lines.append(
            SplitLineFigure(
                recipient=RewardRecipient.INVENTOR,
                name=_("Inventors not yet named"),
                amount=inventors_amount,
            )
        )
    if terms.department_share:
        # The departments share their pool as their inventors share the inventors' pool.
        department_shares: dict[str, Decimal] = {}
        for inventor in inventors:
            department_shares[inventor.department] = (
                department_shares.get(inventor.department, ZERO) + inventor.share
            )
        if not department_shares:
            department_shares = {_("Department not named"): HUNDRED}
        names = list(department_shares)
        for name, amount in zip(
            names,
            _apportion(department_amount, [department_shares[n] for n in names]),
            strict=True,
        ):
            lines.append(
                SplitLineFigure(
                    recipient=RewardRecipient.DEPARTMENT,
                    name=name,
                    department=name,
                    share=department_shares[name],
                    amount=amount,
                )
            )
    lines.append(
        SplitLineFigure(recipient=RewardRecipient.UNIT, name=unit_name, amount=unit_amount)
    )
    return SplitFigures(
        gross_income=gross_income,
        deductions=deductions,
        net_income=net_income,
        inventors_amount=inventors_amount,
        department_amount=department_amount,
        unit_amount=unit_amount,
        lines=lines,
    )


# --- policies -----------------------------------------------------------------------------------


def reward_policy_may_set(*, user, organization) -> bool:
    return organization.kind in REWARD_POLICY_ORGANIZATION_KINDS and is_organization_admin(
        user=user, organization=organization
    )


@transaction.atomic
def reward_policy_create(
    *,
    user,
    organization,
    effective_from: datetime.date,
    inventors_share: Decimal,
    department_share: Decimal = ZERO,
    unit_share: Decimal = ZERO,
    fixed_deduction: Decimal = ZERO,
    percentage_deduction: Decimal = ZERO,
    note: str = "",
) -> RewardPolicy:
    """A new version of the organisation's reward policy, in force from `effective_from` (today
    or later: splits already made keep the version they applied)."""
    if not reward_policy_may_set(user=user, organization=organization):
        raise PermissionDenied(
            _("Only the administrator of a university or research institute sets its policy.")
        )
    if effective_from is not None and effective_from < timezone.localdate():
        raise ValidationError(
            {
                "effective_from": _(
                    "A new version takes effect today or later; deals already split keep the "
                    "version that applied to them."
                )
            }
        )
    policy = RewardPolicy(
        organization=organization,
        effective_from=effective_from,
        inventors_share=inventors_share,
        department_share=department_share,
        unit_share=unit_share,
        fixed_deduction=fixed_deduction,
        percentage_deduction=percentage_deduction,
        note=(note or "").strip(),
        created_by=user,
    )
    policy.full_clean()
    policy.save()
    return policy


def reward_policy_in_force(*, organization, on: datetime.date) -> RewardPolicy | None:
    """The version of the organisation's policy in force on `on` (None: the statutory default)."""
    return (
        RewardPolicy.objects.filter(organization=organization, effective_from__lte=on)
        .order_by("-effective_from", "-pk")
        .first()
    )


# --- splits -------------------------------------------------------------------------------------

ACCOUNT_KINDS = {
    RewardRecipient.DEDUCTION: AccountKind.REWARD_DEDUCTION,
    RewardRecipient.INVENTOR: AccountKind.INVENTOR_REWARD,
    RewardRecipient.DEPARTMENT: AccountKind.DEPARTMENT_REWARD,
    RewardRecipient.UNIT: AccountKind.UNIT_REWARD,
}


def _reward_account(*, organization, kind: str, key: str, name: str, currency: str):
    """The ledger account of one recipient of the unit (opened on first use)."""
    existing = RewardAccount.objects.filter(
        organization=organization, key=key, currency=currency
    ).first()
    if existing is not None:
        return existing.ledger_account
    account = ledger.account_open(
        kind=kind,
        name=f"{AccountKind(kind).label}: {name} · {organization.display_name}",
        currency=currency,
        organization=organization,
    )
    RewardAccount.objects.create(
        organization=organization, key=key[:250], currency=currency, ledger_account=account
    )
    return account


def _line_key(line: SplitLineFigure) -> str:
    if line.recipient == RewardRecipient.INVENTOR:
        return f"inventor:user:{line.user_id}" if line.user_id else f"inventor:name:{line.name}"
    if line.recipient == RewardRecipient.DEPARTMENT:
        return f"department:{line.name}"
    return str(line.recipient)


def reward_split_for_deal(*, deal_id: int) -> RewardSplit | None:
    """Split a completed deal's income if its seller is a university or institute (idempotent:
    a second call returns the first split). None when there is nothing to split."""
    from exchange.choices import DealStage
    from exchange.models import Deal

    try:
        with transaction.atomic():
            deal = (
                Deal.objects.select_for_update(of=("self",))
                .select_related("seller", "technology")
                .filter(pk=deal_id)
                .first()
            )
            if (
                deal is None
                or deal.stage != DealStage.COMPLETED
                or deal.seller.kind not in REWARD_POLICY_ORGANIZATION_KINDS
                or not deal.price
            ):
                return None
            existing = RewardSplit.objects.filter(deal=deal).first()
            if existing is not None:
                return existing
            return _reward_split_create(deal=deal)
    except IntegrityError:
        # another worker split it between our check and our insert
        return RewardSplit.objects.filter(deal_id=deal_id).first()


def _reward_split_create(*, deal) -> RewardSplit:
    organization = deal.seller
    completed_on = timezone.localdate(deal.completed_at or timezone.now())
    policy = reward_policy_in_force(organization=organization, on=completed_on)
    terms = PolicyTerms.of(policy) if policy else STATUTORY_TERMS
    inventors = [
        InventorShare(
            name=inventor.name,
            department=inventor.department,
            share=inventor.share,
            user_id=inventor.user_id,
        )
        for inventor in deal.technology.inventors.all()
    ]
    figures = reward_split_compute(
        gross_income=deal.price,
        terms=terms,
        inventors=inventors,
        unit_name=organization.display_name,
    )
    currency = deal.currency
    income_account = _reward_account(
        organization=organization,
        kind=AccountKind.TRANSFER_INCOME,
        key="income",
        name=_("Transfer and licence income"),
        currency=currency,
    )
    line_accounts = []
    postings = [ledger.Posting(account_id=income_account.pk, amount=-figures.gross_income)]
    for line in figures.lines:
        account = None
        if line.amount:
            account = _reward_account(
                organization=organization,
                kind=ACCOUNT_KINDS[line.recipient],
                key=_line_key(line),
                name=line.name or str(RewardRecipient(line.recipient).label),
                currency=currency,
            )
            postings.append(ledger.Posting(account_id=account.pk, amount=line.amount))
        line_accounts.append(account)
    ledger_transaction = ledger.post(
        kind=TransactionKind.REWARD_SPLIT,
        currency=currency,
        description=_("Income of deal %(number)s split by the reward policy") % {"number": deal.pk},
        postings=postings,
    )
    split = RewardSplit.objects.create(
        deal=deal,
        organization=organization,
        technology=deal.technology,
        policy=policy,
        completed_on=completed_on,
        currency=currency,
        gross_income=figures.gross_income,
        deductions=figures.deductions,
        net_income=figures.net_income,
        inventors_share=terms.inventors_share,
        department_share=terms.department_share,
        unit_share=terms.unit_share,
        inventors_amount=figures.inventors_amount,
        department_amount=figures.department_amount,
        unit_amount=figures.unit_amount,
        ledger_transaction=ledger_transaction,
    )
    RewardSplitLine.objects.bulk_create(
        RewardSplitLine(
            split=split,
            position=position,
            recipient=line.recipient,
            name=line.name[:300],
            department=line.department[:200],
            user_id=line.user_id,
            share=line.share,
            amount=line.amount,
            account=account,
        )
        for position, (line, account) in enumerate(zip(figures.lines, line_accounts, strict=True))
    )
    return split


def reward_split_for_completed_deal(*, deal_id: int) -> None:
    """The `DEAL_COMPLETED` handler (after the commit)."""
    reward_split_for_deal(deal_id=deal_id)
