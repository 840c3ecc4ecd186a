import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from currencies.models import ExchangeRate
from currencies.selectors import RateBook, cny_rates_today, forget_cached_rates
from currencies.services import MissingRate, YuanTotal, to_cny

DAY = datetime.date(2026, 11, 20)


@pytest.fixture
def rates(db):
    forget_cached_rates()
    ExchangeRate.objects.create(currency="USD", date=DAY, rate=Decimal("7.08"), source="test")
    ExchangeRate.objects.create(
        currency="USD", date=DAY + datetime.timedelta(days=3), rate=Decimal("7.10"), source="t"
    )
    ExchangeRate.objects.create(currency="THB", date=DAY, rate=Decimal("0.2193"), source="test")
    yield
    forget_cached_rates()


def test_to_cny_uses_the_latest_rate_on_or_before_the_date(rates):
    # when amounts are converted on, between and after the rate days
    on_first = to_cny(Decimal("1000"), "USD", DAY)
    between = to_cny(Decimal("1000"), "USD", DAY + datetime.timedelta(days=2))
    after = to_cny(Decimal("1000"), "USD", DAY + datetime.timedelta(days=5))
    # then each uses the rate in force that day, never a later one
    assert (on_first, between, after) == (
        Decimal("7080.00"),
        Decimal("7080.00"),
        Decimal("7100.00"),
    )
    assert to_cny(Decimal("100"), "THB", DAY) == Decimal("21.93")


def test_yuan_needs_no_rate_and_none_stays_none(db):
    assert to_cny(Decimal("12.345"), "CNY", DAY) == Decimal("12.35")
    assert to_cny(None, "USD", DAY) is None


def test_a_rate_older_than_the_maximum_age_is_not_used(rates, settings):
    settings.EXCHANGE_RATE_MAX_AGE_DAYS = 10
    assert to_cny(Decimal("1"), "THB", DAY + datetime.timedelta(days=10)) == Decimal("0.22")
    with pytest.raises(MissingRate):
        to_cny(Decimal("1"), "THB", DAY + datetime.timedelta(days=11))
    settings.EXCHANGE_RATE_MAX_AGE_DAYS = 30
    assert to_cny(Decimal("100"), "THB", DAY + datetime.timedelta(days=11)) == Decimal("21.93")


def test_a_missing_rate_is_an_error_naming_currency_and_date_in_the_readers_language(rates):
    # when a currency with no rate before the date is converted
    with pytest.raises(MissingRate) as missing:
        to_cny(Decimal("1000"), "RUB", DAY)
    # then nothing is assumed and the message names the currency and the date
    error = missing.value
    assert (error.currency, error.on_date) == ("RUB", DAY)
    with translation.override("en"):
        assert "Russian rouble (RUB)" in str(error) and "2026-11-20" in str(error)
    with translation.override("zh-hans"):
        text = str(error)
    assert "2026-11-20" in text and "RUB" in text and "汇率" in text
    # a rate before the earliest row does not exist either
    with pytest.raises(MissingRate):
        to_cny(Decimal("1"), "USD", DAY - datetime.timedelta(days=1))


def test_rate_book_answers_like_to_cny_for_many_dates_in_one_query(
    rates, django_assert_num_queries
):
    with django_assert_num_queries(1):
        book = RateBook.load(
            currencies={"USD", "THB", "CNY", "RUB"},
            start=DAY,
            end=DAY + datetime.timedelta(days=20),
        )
    assert book.rate("USD", DAY + datetime.timedelta(days=2)) == (Decimal("7.08"), DAY)
    assert book.rate("USD", DAY + datetime.timedelta(days=4))[0] == Decimal("7.10")
    assert book.rate("THB", DAY + datetime.timedelta(days=11)) is None
    assert book.rate("RUB", DAY) is None
    assert book.rate("CNY", DAY) == (Decimal(1), DAY)


def test_a_yuan_total_keeps_unconverted_amounts_apart(rates):
    # given amounts in yuan, dollars and roubles (no rouble rate)
    book = RateBook.load(currencies={"USD", "RUB"}, start=DAY, end=DAY)
    total = YuanTotal()
    total.add_on(book, Decimal("100"), "CNY", DAY)
    total.add_on(book, Decimal("10"), "USD", DAY)
    total.add_on(book, Decimal("5000"), "RUB", DAY)
    # then the roubles are left out and named, not added as yuan
    assert total.as_dict() == {
        "total_cny": Decimal("170.80"),
        "converted": 2,
        "left_out": [{"currency": "RUB", "amount": Decimal("5000")}],
        "left_out_count": 1,
    }


def test_todays_rates_for_matching(db, settings):
    from django.utils import timezone

    forget_cached_rates()
    today = timezone.localdate()
    ExchangeRate.objects.create(currency="EUR", date=today, rate=Decimal("8.2"))
    ExchangeRate.objects.create(
        currency="THB", date=today - datetime.timedelta(days=40), rate=Decimal("0.2")
    )
    rates = cny_rates_today()
    assert rates == {"CNY": Decimal(1), "EUR": Decimal("8.2")}
    forget_cached_rates()
