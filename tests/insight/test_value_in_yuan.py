"""Statistics add money in yuan: signed deals at the rate fixed at signing, the others at the
rate of their day; amounts without a rate are left out and said to be, never taken as yuan."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from currencies.models import ExchangeRate
from insight import services
from insight.models import MonthlyValueStatistic

pytestmark = pytest.mark.django_db


@pytest.fixture
def completed_deals(make_deal):
    now = timezone.now()
    today = timezone.localdate(now)
    ExchangeRate.objects.create(currency="USD", date=today, rate=Decimal("7.10"))
    make_deal(stage="completed", price=Decimal("100000"), currency="CNY", fx_rate=Decimal(1))
    # signed at 7.00: the fixed rate counts, not today's 7.10
    make_deal(stage="completed", price=Decimal("1000"), currency="USD", fx_rate=Decimal("7"))
    # a deal from before rates were fixed: the rate of its completion day
    make_deal(stage="completed", price=Decimal("2000"), currency="USD")
    # no rouble rate at all: left out
    make_deal(stage="completed", price=Decimal("50000"), currency="RUB")
    return today.replace(day=1)


def test_monthly_value_is_in_yuan_at_the_right_rate_and_says_what_was_left_out(completed_deals):
    # when the statistics are refreshed
    run = services.statistics_refresh()
    # then each currency's row carries its value in yuan, and the roubles are left out, counted
    rows = {row.currency: row for row in MonthlyValueStatistic.objects.filter(run=run)}
    assert (rows["CNY"].value_cny, rows["CNY"].left_out) == (Decimal("100000.00"), 0)
    assert rows["USD"].value == Decimal("3000")
    assert rows["USD"].value_cny == Decimal("7000.00") + Decimal("14200.00")
    assert (rows["RUB"].value, rows["RUB"].value_cny, rows["RUB"].left_out) == (
        Decimal("50000"),
        None,
        1,
    )


def test_api_and_page_show_the_yuan_value_and_the_deals_left_out(
    completed_deals, api_client, client
):
    services.statistics_refresh()
    body = api_client.get("/api/v1/stats/", HTTP_ACCEPT_LANGUAGE="en").json()
    by_currency = {row["currency"]: row for row in body["completed_value_by_month"]}
    assert Decimal(by_currency["USD"]["value_cny"]) == Decimal("21200.00")
    assert (by_currency["RUB"]["value_cny"], by_currency["RUB"]["left_out"]) == (None, 1)
    page = client.get("/insight/statistics/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="value-left-out"' in page
    assert "1 deal left out: no exchange rate" in page
    assert "CNY 21,200" in page


def test_a_rate_older_than_the_maximum_age_is_not_used(make_deal, settings):
    settings.EXCHANGE_RATE_MAX_AGE_DAYS = 5
    ExchangeRate.objects.create(
        currency="EUR",
        date=timezone.localdate() - datetime.timedelta(days=6),
        rate=Decimal("8.2"),
    )
    make_deal(stage="completed", price=Decimal("10"), currency="EUR")
    run = services.statistics_refresh()
    row = MonthlyValueStatistic.objects.get(run=run, currency="EUR")
    assert (row.value_cny, row.left_out) == (None, 1)
