"""Reads of the exchange-rate table: the rate in force on a date, the latest list, and a book of
rates for converting many amounts of many dates with one query."""

from __future__ import annotations

import bisect
import datetime
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from currencies.choices import YUAN
from currencies.models import ExchangeRate


def rate_max_age_days() -> int:
    """Rates older than this many days before the date asked are not used (settings)."""
    return int(getattr(settings, "EXCHANGE_RATE_MAX_AGE_DAYS", 10))


def exchange_rate_on(*, currency: str, on_date: datetime.date) -> ExchangeRate | None:
    """The latest rate of `currency` on or before `on_date`, not older than the maximum age."""
    oldest = on_date - datetime.timedelta(days=rate_max_age_days())
    return (
        ExchangeRate.objects.filter(currency=currency, date__lte=on_date, date__gte=oldest)
        .order_by("-date")
        .first()
    )


def exchange_rates_latest() -> QuerySet[ExchangeRate]:
    """The newest row of every currency (one query)."""
    return ExchangeRate.objects.order_by("currency", "-date").distinct("currency")


@dataclass
class RateBook:
    """Every rate of some currencies over a span of dates, loaded once; answers "yuan per unit of
    this currency on that date" as exchange_rate_on would, without a query per amount."""

    max_age_days: int
    dates: dict[str, list[datetime.date]] = field(default_factory=dict)
    rates: dict[str, list[Decimal]] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        *,
        currencies: Iterable[str],
        start: datetime.date,
        end: datetime.date,
    ) -> RateBook:
        max_age = rate_max_age_days()
        wanted = {code for code in currencies if code and code != YUAN}
        book = cls(max_age_days=max_age)
        if not wanted:
            return book
        rows = (
            ExchangeRate.objects.filter(
                currency__in=wanted,
                date__gte=start - datetime.timedelta(days=max_age),
                date__lte=end,
            )
            .order_by("currency", "date")
            .values_list("currency", "date", "rate")
        )
        dates: dict[str, list] = defaultdict(list)
        rates: dict[str, list] = defaultdict(list)
        for code, day, rate in rows:
            dates[code].append(day)
            rates[code].append(rate)
        book.dates, book.rates = dict(dates), dict(rates)
        return book

    def rate(self, currency: str, on_date: datetime.date) -> tuple[Decimal, datetime.date] | None:
        """(yuan per unit, date of the rate), or None when no rate is recent enough."""
        if currency == YUAN:
            return Decimal(1), on_date
        days = self.dates.get(currency)
        if not days:
            return None
        index = bisect.bisect_right(days, on_date) - 1
        if index < 0 or (on_date - days[index]).days > self.max_age_days:
            return None
        return self.rates[currency][index], days[index]


# Today's rates, reused for a minute by code that converts many amounts (matching reads every
# candidate's price): loading a list or saving a rate here forgets them at once; other
# processes see a change within the minute.
_TODAY_TTL_SECONDS = 60
_today_cache: dict = {}


def cny_rates_today() -> dict[str, Decimal]:
    """Yuan per unit of every currency with a rate recent enough today (the yuan itself: 1)."""
    today = timezone.localdate()
    now = time.monotonic()
    if _today_cache.get("day") == today and now - _today_cache.get("at", 0) < _TODAY_TTL_SECONDS:
        return _today_cache["rates"]
    oldest = today - datetime.timedelta(days=rate_max_age_days())
    rates = {YUAN: Decimal(1)}
    rates.update(
        ExchangeRate.objects.filter(date__lte=today, date__gte=oldest)
        .order_by("currency", "-date")
        .distinct("currency")
        .values_list("currency", "rate")
    )
    _today_cache.update(day=today, at=now, rates=rates)
    return rates


def forget_cached_rates() -> None:
    _today_cache.clear()
