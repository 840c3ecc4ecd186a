"""The double-entry ledger: every money movement is one balanced transaction.

Rules, each backed by the database:
- a transaction's entries sum to zero (deferred constraint trigger, migration 0002);
- no account's balance goes below zero (check constraint on `LedgerAccount.balance`, which is
  updated in the same database transaction as the entries, with the accounts locked);
- a client's Idempotency-Key is unique per user (unique constraint), so a retry cannot post twice.

Accounts are locked with SELECT … FOR UPDATE in primary-key order, so two postings touching the
same accounts wait for each other instead of deadlocking or reading a stale balance.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F
from django.utils.translation import gettext as _

from finance.choices import AccountKind, NormalBalance
from finance.models import LedgerAccount, LedgerEntry, LedgerTransaction

CENT = Decimal("0.01")
MAXIMUM_BALANCE = Decimal("9999999999999999.99")  # numeric(18, 2)
CREDIT_NORMAL_KINDS = {AccountKind.PROGRAMME_FUNDING, AccountKind.TRANSFER_INCOME}


@dataclass(frozen=True)
class Posting:
    """A signed amount on one account: positive debits it, negative credits it."""

    account_id: int
    amount: Decimal


class IdempotencyKeyReused(Exception):
    """The same Idempotency-Key was sent before with a different request."""


def account_open(*, kind: str, name: str, currency: str, organization=None) -> LedgerAccount:
    normal = NormalBalance.CREDIT if kind in CREDIT_NORMAL_KINDS else NormalBalance.DEBIT
    account = LedgerAccount(
        kind=kind,
        normal_balance=normal,
        name=name[:200],
        currency=currency,
        organization=organization,
    )
    account.full_clean()
    account.save()
    return account


def receivable_account(*, kind: str, organization, currency: str) -> LedgerAccount:
    """The one receiving account of an organisation per kind and currency (created on first use;
    a unique constraint makes concurrent first uses agree on one row)."""
    account, _created = LedgerAccount.objects.get_or_create(
        kind=kind,
        organization=organization,
        currency=currency,
        defaults={
            "normal_balance": NormalBalance.DEBIT,
            "name": f"{AccountKind(kind).label}: {organization.display_name}"[:200],
        },
    )
    return account


def find_replay(*, user, idempotency_key: str | None, fingerprint: str) -> LedgerTransaction | None:
    """The transaction an earlier request with this key created, if any."""
    if not idempotency_key:
        return None
    existing = LedgerTransaction.objects.filter(
        initiated_by=user, idempotency_key=idempotency_key
    ).first()
    if existing is not None and existing.request_fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            _("This Idempotency-Key was already used for a different request.")
        )
    return existing


def post(
    *,
    kind: str,
    currency: str,
    description: str,
    postings: list[Posting],
    initiated_by=None,
    idempotency_key: str | None = None,
    fingerprint: str = "",
) -> LedgerTransaction:
    """Post one balanced transaction. Must run inside the caller's `transaction.atomic`."""
    if not connection.in_atomic_block:
        raise RuntimeError("ledger.post must run inside transaction.atomic")
    if len(postings) < 2:
        raise ValidationError(_("A transaction needs at least two entries."))
    for posting in postings:
        if (
            not posting.amount.is_finite()
            or abs(posting.amount) > MAXIMUM_BALANCE
            or posting.amount == 0
            or posting.amount != posting.amount.quantize(CENT)
        ):
            raise ValidationError(_("Ledger amounts are non-zero and in whole cents."))
    if sum((posting.amount for posting in postings), Decimal("0")) != 0:
        raise ValidationError(_("The entries of a transaction must sum to zero."))

    account_ids = sorted({posting.account_id for posting in postings})
    accounts = {
        account.pk: account
        for account in LedgerAccount.objects.select_for_update()
        .filter(pk__in=account_ids)
        .order_by("pk")
    }
    changes: dict[int, Decimal] = {}
    for posting in postings:
        account = accounts[posting.account_id]
        if account.currency != currency:
            raise ValidationError(_("All accounts of a transaction must be in its currency."))
        signed = (
            posting.amount if account.normal_balance == NormalBalance.DEBIT else -posting.amount
        )
        changes[account.pk] = changes.get(account.pk, Decimal("0")) + signed
    for account_id, change in changes.items():
        account = accounts[account_id]
        if account.balance + change > MAXIMUM_BALANCE:
            raise ValidationError(
                {"amount": _("This amount would take “%(account)s” beyond what it can hold.")
                 % {"account": account.name}}
            )  # fmt: skip
        if account.balance + change < 0:
            raise ValidationError(
                {
                    "amount": _(
                        "Not enough money on “%(account)s”: %(balance)s %(currency)s available."
                    )
                    % {
                        "account": account.name,
                        "balance": account.balance,
                        "currency": account.currency,
                    }
                }
            )

    ledger_transaction = LedgerTransaction.objects.create(
        kind=kind,
        currency=currency,
        description=description[:300],
        initiated_by=initiated_by,
        idempotency_key=idempotency_key or None,
        request_fingerprint=fingerprint[:200],
    )
    LedgerEntry.objects.bulk_create(
        LedgerEntry(transaction=ledger_transaction, account_id=p.account_id, amount=p.amount)
        for p in postings
    )
    for account_id, change in changes.items():
        LedgerAccount.objects.filter(pk=account_id).update(balance=F("balance") + change)
    return ledger_transaction


def transfer(
    *,
    kind: str,
    source: LedgerAccount,
    destination: LedgerAccount,
    amount: Decimal,
    description: str,
    initiated_by=None,
    idempotency_key: str | None = None,
    fingerprint: str = "",
) -> LedgerTransaction:
    """Move `amount` out of `source` into `destination` (both balances in their normal sense).

    Moving out of a debit-normal account credits it; moving "out" of a credit-normal funding
    account means recording more funding received, which also credits it.
    """
    return post(
        kind=kind,
        currency=destination.currency,
        description=description,
        postings=[
            Posting(account_id=destination.pk, amount=amount),
            Posting(account_id=source.pk, amount=-amount),
        ],
        initiated_by=initiated_by,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
    )


def ledger_is_balanced() -> bool:
    """True when every transaction sums to zero and every balance equals its entries."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM (SELECT transaction_id FROM finance_ledgerentry "
            "GROUP BY transaction_id HAVING SUM(amount) <> 0) unbalanced"
        )
        unbalanced = cursor.fetchone()[0]
        cursor.execute(
            """
            SELECT COUNT(*) FROM finance_ledgeraccount account
            LEFT JOIN (SELECT account_id, SUM(amount) AS total FROM finance_ledgerentry
                       GROUP BY account_id) sums ON sums.account_id = account.id
            WHERE account.balance <> CASE WHEN account.normal_balance = 'debit'
                  THEN COALESCE(sums.total, 0) ELSE -COALESCE(sums.total, 0) END
            """
        )
        drifted = cursor.fetchone()[0]
    return unbalanced == 0 and drifted == 0
