"""The public page of exchange rates: the latest rate of every currency."""

from django.shortcuts import render
from django.utils import timezone

from currencies.choices import YUAN, Currency
from currencies.selectors import exchange_rates_latest, rate_max_age_days


def rate_list(request):
    latest = {row.currency: row for row in exchange_rates_latest()}
    today = timezone.localdate()
    rows = []
    for code, label in Currency.choices:
        if code == YUAN:
            continue
        row = latest.get(code)
        rows.append(
            {
                "code": code,
                "label": label,
                "rate": row,
                "stale": row is not None and (today - row.date).days > rate_max_age_days(),
            }
        )
    return render(
        request,
        "currencies/rate_list.html",
        {"rows": rows, "max_age_days": rate_max_age_days()},
    )
