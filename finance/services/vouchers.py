"""Innovation vouchers: eligibility, issue (at once or by request) and redemption."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import OrganizationType
from accounts.models import Organization, User
from accounts.permissions import is_member, members_of
from finance import ledger, selectors
from finance.choices import AccountKind, MoneyRequestKind, ProgrammeKind, TransactionKind
from finance.models import MoneyRequest, SupportProgramme, Voucher, VoucherRedemption
from finance.services.common import parse_amount, require_operator_of
from finance.services.money_requests import MoneyAsked, money_request_open
from notifications.messages import Message
from notifications.services import notify_users


def voucher_second_key_threshold() -> Decimal:
    return Decimal(str(settings.FINANCE_VOUCHER_SECOND_KEY_THRESHOLD))


def voucher_needs_second_key(face_value) -> bool:
    return parse_amount(face_value, "face_value") > voucher_second_key_threshold()


def voucher_eligibility_failures(*, programme: SupportProgramme, holder: Organization) -> list[str]:
    failures = []
    if holder.kind != OrganizationType.ENTERPRISE:
        failures.append(_("Vouchers are issued to enterprises only."))
    if not holder.verified:
        failures.append(_("The enterprise has not been verified."))
    assessment = getattr(holder, "credit_assessment", None)
    if programme.maximum_employees is not None:
        if assessment is None or assessment.employee_count is None:
            failures.append(_("The enterprise's size (employees) has not been assessed."))
        elif assessment.employee_count > programme.maximum_employees:
            failures.append(
                _("Only enterprises with at most %(n)s employees are eligible.")
                % {"n": programme.maximum_employees}
            )
    if programme.maximum_annual_revenue is not None:
        if assessment is None or assessment.annual_revenue is None:
            failures.append(_("The enterprise's annual revenue has not been assessed."))
        elif assessment.annual_revenue > programme.maximum_annual_revenue:
            failures.append(
                _("Only enterprises with an annual revenue up to %(amount)s are eligible.")
                % {"amount": programme.maximum_annual_revenue}
            )
    return failures


def _validate_voucher(
    *, programme: SupportProgramme, holder: Organization, expires: datetime.date
) -> Organization:
    if programme.kind != ProgrammeKind.VOUCHER:
        raise ValidationError({"programme": _("This programme does not issue vouchers.")})
    if not programme.is_open:
        raise ValidationError({"programme": _("This programme is closed.")})
    if not isinstance(expires, datetime.date) or expires <= timezone.localdate():
        raise ValidationError({"expires": _("The expiry date must be in the future.")})
    try:
        holder = Organization.objects.select_related("credit_assessment").get(pk=holder.pk)
    except Organization.DoesNotExist:  # pragma: no cover
        raise ValidationError({"holder": _("Unknown organisation.")}) from None
    failures = voucher_eligibility_failures(programme=programme, holder=holder)
    if failures:
        raise ValidationError({"holder": failures})
    return holder


def _voucher_issue(
    *,
    programme: SupportProgramme,
    issued_by: User,
    holder: Organization,
    face_value: Decimal,
    expires: datetime.date,
    idempotency_key: str | None = None,
    fingerprint: str = "",
) -> Voucher:
    account = ledger.account_open(
        kind=AccountKind.VOUCHER,
        name=f"Voucher: {holder.display_name}",
        currency=programme.currency,
        organization=holder,
    )
    voucher = Voucher(
        programme=programme,
        holder=holder,
        account=account,
        face_value=face_value,
        expires=expires,
        issued_by=issued_by,
    )
    voucher.full_clean()
    voucher.save()
    ledger.transfer(
        kind=TransactionKind.VOUCHER_ISSUE,
        source=programme.budget_account,
        destination=account,
        amount=face_value,
        description=f"Voucher #{voucher.pk} for {holder.display_name}",
        initiated_by=issued_by,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
    )
    notify_users(
        users=list(members_of(holder.pk)),
        title=Message(
            gettext_lazy("You received an innovation voucher of %(amount)s %(currency)s"),
            amount=face_value,
            currency=programme.currency,
        ),
        url=reverse("finance:voucher_list"),
    )
    account.refresh_from_db()
    return voucher


@transaction.atomic
def voucher_issue(
    *,
    programme: SupportProgramme,
    user: User,
    holder: Organization,
    face_value,
    expires: datetime.date,
    idempotency_key: str | None = None,
) -> Voucher:
    """Issue a voucher up to the second-key threshold with one key; above it, see
    `voucher_issue_request`."""
    require_operator_of(user=user, programme=programme)
    face_value = parse_amount(face_value, "face_value")
    threshold = voucher_second_key_threshold()
    if face_value > threshold:
        raise ValidationError(
            {
                "face_value": _(
                    "Vouchers above %(threshold)s %(currency)s need a second person's approval: "
                    "request the issue instead."
                )
                % {"threshold": threshold, "currency": programme.currency}
            }
        )
    holder = _validate_voucher(programme=programme, holder=holder, expires=expires)
    fingerprint = f"voucher_issue:{programme.pk}:{holder.pk}:{face_value}:{expires}"
    replay = ledger.find_replay(user=user, idempotency_key=idempotency_key, fingerprint=fingerprint)
    if replay is not None:
        return Voucher.objects.get(account__entries__transaction=replay)
    return _voucher_issue(
        programme=programme,
        issued_by=user,
        holder=holder,
        face_value=face_value,
        expires=expires,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
    )


def voucher_issue_request(
    *,
    programme: SupportProgramme,
    user: User,
    holder: Organization,
    face_value,
    expires: datetime.date,
    note: str = "",
    idempotency_key: str | None = None,
) -> MoneyRequest:
    """Ask a second person to approve a voucher (required above the threshold)."""

    def ask() -> MoneyAsked:
        amount = parse_amount(face_value, "face_value")
        eligible = _validate_voucher(programme=programme, holder=holder, expires=expires)
        available = programme.budget_account.balance
        if amount > available:
            raise ValidationError(
                {
                    "face_value": _(
                        "Not enough money in the programme's budget: %(balance)s %(currency)s "
                        "available."
                    )
                    % {"balance": available, "currency": programme.currency}
                }
            )
        return MoneyAsked(
            MoneyRequestKind.VOUCHER_ISSUE,
            amount,
            f"voucher_issue:{programme.pk}:{eligible.pk}:{amount}:{expires}",
            {"holder": eligible, "expires": expires},
        )

    return money_request_open(
        programme=programme, user=user, ask=ask, note=note, idempotency_key=idempotency_key
    )


QUALIFYING_DEAL_STAGES = selectors.QUALIFYING_DEAL_STAGES


def qualifying_deal_for_voucher(*, deal_id, voucher: Voucher, lock: bool = False):
    """The deal a voucher may pay, or ValidationError: the holder's own service deal, signed or
    later, in the voucher's currency. With `lock`, the deal row stays locked until commit so
    concurrent redemptions on one deal are counted one after another."""
    from exchange.models import Deal

    queryset = Deal.objects.select_related("seller")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    try:
        deal = queryset.get(pk=int(deal_id))
    except (Deal.DoesNotExist, TypeError, ValueError):
        raise ValidationError({"deal": _("Choose one of your deals.")}) from None
    if deal.buyer_id != voucher.holder_id:
        raise ValidationError({"deal": _("Choose one of your deals.")})
    if deal.deal_type != selectors.VOUCHER_DEAL_TYPE:
        raise ValidationError({"deal": _("Vouchers pay for service deals only.")})
    if deal.stage not in QUALIFYING_DEAL_STAGES:
        raise ValidationError(
            {"deal": _("The deal's contract must be signed before a voucher can pay for it.")}
        )
    if deal.currency != voucher.currency:
        raise ValidationError({"deal": _("The deal is not in the voucher's currency.")})
    return deal


def _redemption_replay(transaction_row) -> VoucherRedemption:
    return VoucherRedemption.objects.select_related("voucher", "voucher__account").get(
        transaction=transaction_row
    )


def voucher_redeem(
    *,
    voucher: Voucher,
    user: User,
    amount,
    deal_id,
    idempotency_key: str | None = None,
) -> tuple[VoucherRedemption, bool]:
    """Spend part of a voucher on a qualifying deal. Returns (redemption, created); a retry with
    the same Idempotency-Key returns the first redemption and moves no money."""
    amount = parse_amount(amount, "amount")
    fingerprint = f"voucher_redeem:{voucher.pk}:{amount}:{deal_id}"
    replay = ledger.find_replay(user=user, idempotency_key=idempotency_key, fingerprint=fingerprint)
    if replay is not None:
        return _redemption_replay(replay), False
    try:
        with transaction.atomic():
            redemption = _voucher_redeem(
                voucher=voucher,
                user=user,
                amount=amount,
                deal_id=deal_id,
                idempotency_key=idempotency_key,
                fingerprint=fingerprint,
            )
    except IntegrityError:
        # A concurrent request with the same key won the unique constraint: answer with its result.
        replay = ledger.find_replay(
            user=user, idempotency_key=idempotency_key, fingerprint=fingerprint
        )
        if replay is None:
            raise
        return _redemption_replay(replay), False
    return redemption, True


def voucher_pay_provider(
    *,
    voucher: Voucher,
    provider: Organization,
    amount: Decimal,
    user: User,
    description: str,
    idempotency_key: str | None = None,
    fingerprint: str = "",
):
    """Move `amount` of a voucher to the provider's receivable account: the one ledger posting
    of every voucher redemption (a service deal here, a facility booking in facilities). Must run
    inside the caller's transaction; ledger.post locks the voucher's account and refuses to take
    it below zero."""
    destination = ledger.receivable_account(
        kind=AccountKind.PROVIDER_RECEIVABLE, organization=provider, currency=voucher.currency
    )
    return ledger.transfer(
        kind=TransactionKind.VOUCHER_REDEMPTION,
        source=voucher.account,
        destination=destination,
        amount=amount,
        description=description,
        initiated_by=user,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
    )


def _voucher_redeem(
    *, voucher: Voucher, user: User, amount: Decimal, deal_id, idempotency_key, fingerprint
) -> VoucherRedemption:
    voucher = Voucher.objects.select_related("account", "holder", "programme").get(pk=voucher.pk)
    if not is_member(user=user, organization=voucher.holder_id):
        raise ValidationError(_("Only the voucher's holder may redeem it."))
    if voucher.is_expired():
        raise ValidationError(
            {"amount": _("This voucher expired on %(date)s.") % {"date": voucher.expires}}
        )
    deal = qualifying_deal_for_voucher(deal_id=deal_id, voucher=voucher, lock=True)
    if deal.price is not None:
        paid = VoucherRedemption.objects.filter(deal=deal).aggregate(total=Sum("amount"))["total"]
        if (paid or 0) + amount > deal.price:
            raise ValidationError(
                {
                    "amount": _(
                        "Vouchers cannot pay more than the deal's price: %(left)s %(currency)s "
                        "is left to pay on it."
                    )
                    % {"left": deal.price - (paid or 0), "currency": deal.currency}
                }
            )
    provider = deal.seller
    ledger_transaction = voucher_pay_provider(
        voucher=voucher,
        provider=provider,
        amount=amount,
        user=user,
        description=f"Voucher #{voucher.pk} redeemed on deal #{deal_id}",
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
    )
    redemption = VoucherRedemption.objects.create(
        voucher=voucher,
        provider=provider,
        amount=amount,
        transaction=ledger_transaction,
        redeemed_by=user,
        deal=deal,
    )
    voucher.account.refresh_from_db(fields=["balance"])
    notify_users(
        users=list(members_of(provider.pk)),
        title=Message(
            gettext_lazy("An innovation voucher paid %(amount)s %(currency)s on deal #%(deal)s"),
            amount=amount,
            currency=voucher.currency,
            deal=deal_id,
        ),
    )
    return redemption
