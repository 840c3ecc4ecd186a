"""Demo exchange rates: the sample lists shipped in currencies/data (marked as samples, not
official figures), and — when the demo runs long after their last date — a copy of each
currency's latest sample rate dated today, so the demo can always sign and compare deals in
other currencies. Idempotent: reloading a list changes nothing."""

from __future__ import annotations

from pathlib import Path

from django.utils import timezone

from currencies.models import ExchangeRate
from currencies.selectors import exchange_rates_latest, rate_max_age_days
from currencies.services import exchange_rates_load

DATA = Path(__file__).resolve().parent / "data"
SAMPLES = (
    ("sample_cfets_central_parity.csv", "CFETS central parity (sample)"),
    ("sample_regional_per_100_units.csv", "regional list (sample)"),
)
DEMO_COPY = "demo copy of the sample rate of %s"


def seed() -> str:
    loaded = 0
    for name, source in SAMPLES:
        report = exchange_rates_load(data=(DATA / name).read_bytes(), source=source)
        loaded += report.loaded
    today = timezone.localdate()
    copied = 0
    for latest in exchange_rates_latest():
        if (today - latest.date).days <= rate_max_age_days():
            continue
        ExchangeRate.objects.update_or_create(
            currency=latest.currency,
            date=today,
            defaults={"rate": latest.rate, "source": DEMO_COPY % f"{latest.date:%Y-%m-%d}"},
        )
        copied += 1
    return f"{loaded} sample exchange rates, {copied} copied to today"
