"""Converting amounts to yuan, and loading exchange-rate lists.

`to_cny` is the one way to turn an amount into yuan: the latest rate on or before the date, no
older than EXCHANGE_RATE_MAX_AGE_DAYS; without one it raises MissingRate — never a silent 1.0.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from currencies.choices import YUAN, Currency
from currencies.models import ExchangeRate
from currencies.rates_csv import ParsedRate, parse_rates, read_text
from currencies.selectors import (
    RateBook,
    exchange_rate_on,
    forget_cached_rates,
    rate_max_age_days,
)

CENT = Decimal("0.01")


class MissingRate(Exception):
    """No usable rate for a currency on a date; the message names both, in the active language."""

    code = "missing_exchange_rate"

    def __init__(self, *, currency: str, on_date: datetime.date):
        self.currency = currency
        self.on_date = on_date
        super().__init__(self.message())

    def message(self) -> str:
        label = dict(Currency.choices).get(self.currency, self.currency)
        return _(
            "There is no exchange rate for %(currency)s on %(date)s or in the %(days)s days "
            "before it: the rates of that date must be loaded first."
        ) % {"currency": label, "date": f"{self.on_date:%Y-%m-%d}", "days": rate_max_age_days()}

    def __str__(self) -> str:
        # Rendered when shown, so the reader's language applies even if raised in another.
        return self.message()


def yuan(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def cny_rate(*, currency: str, on_date: datetime.date) -> tuple[Decimal, datetime.date]:
    """(yuan per unit, date of the rate used) for `currency` on `on_date`; MissingRate if none."""
    if currency == YUAN:
        return Decimal(1), on_date
    row = exchange_rate_on(currency=currency, on_date=on_date)
    if row is None:
        raise MissingRate(currency=currency, on_date=on_date)
    return row.rate, row.date


def to_cny(amount: Decimal | None, currency: str, on_date: datetime.date) -> Decimal | None:
    """`amount` of `currency` in yuan (to the fen) at the rate in force on `on_date`."""
    if amount is None:
        return None
    rate, _day = cny_rate(currency=currency, on_date=on_date)
    return yuan(Decimal(amount) * rate)


@dataclass
class YuanTotal:
    """A sum of amounts in several currencies, in yuan; what could not be converted is kept apart
    per currency (and counted), never added as if it were yuan."""

    total: Decimal = Decimal(0)
    count: int = 0
    left_out: dict[str, Decimal] = field(default_factory=dict)
    left_out_count: int = 0

    def add(self, amount: Decimal | None, currency: str, rate: Decimal | None) -> None:
        if amount is None:
            return
        if rate is None:
            self.left_out[currency] = self.left_out.get(currency, Decimal(0)) + amount
            self.left_out_count += 1
            return
        self.total += yuan(Decimal(amount) * rate)
        self.count += 1

    def add_on(self, book: RateBook, amount, currency: str, on_date: datetime.date) -> None:
        found = book.rate(currency, on_date)
        self.add(amount, currency, found[0] if found else None)

    def as_dict(self) -> dict:
        return {
            "total_cny": yuan(self.total),
            "converted": self.count,
            "left_out": [
                {"currency": code, "amount": amount}
                for code, amount in sorted(self.left_out.items())
            ],
            "left_out_count": self.left_out_count,
        }


# --- loading lists -------------------------------------------------------------------------------


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ignored: dict[str, int] = field(default_factory=dict)  # currencies the platform does not use
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def loaded(self) -> int:
        return self.created + self.updated + self.unchanged


@transaction.atomic
def exchange_rates_load(
    *, data: bytes, source: str = "", user=None, strict: bool = False
) -> LoadReport:
    """Load a list (see currencies.rates_csv): a rate already stored for the currency and date is
    updated, so loading the same list twice changes nothing. Rows that cannot be read are
    reported by line; with `strict`, any such row loads nothing."""
    report = LoadReport()
    try:
        text = read_text(data)
    except UnicodeDecodeError:
        report.errors.append((1, _("The file is neither UTF-8 nor GB18030 text.")))
        return report
    parsed: list[ParsedRate] = []
    for item in parse_rates(text, default_source=source):
        if isinstance(item, tuple):
            report.errors.append(item)
        elif item.currency not in Currency.values:
            report.ignored[item.currency] = report.ignored.get(item.currency, 0) + 1
        elif item.rate <= 0:
            report.errors.append((item.line, _("The rate rounds to zero yuan.")))
        else:
            parsed.append(item)
    if strict and report.errors:
        return report
    existing = {
        (row.currency, row.date): row
        for row in ExchangeRate.objects.filter(
            currency__in={item.currency for item in parsed},
            date__in={item.date for item in parsed},
        )
    }
    for item in parsed:
        row = existing.get((item.currency, item.date))
        if row is None:
            row = ExchangeRate.objects.create(
                currency=item.currency,
                date=item.date,
                rate=item.rate,
                source=item.source,
                updated_by=user,
            )
            existing[(item.currency, item.date)] = row
            report.created += 1
        elif row.rate == item.rate and row.source == item.source:
            report.unchanged += 1
        else:
            row.rate, row.source, row.updated_by = item.rate, item.source, user
            row.save(update_fields=["rate", "source", "updated_by", "updated_at"])
            report.updated += 1
    transaction.on_commit(forget_cached_rates)
    return report
