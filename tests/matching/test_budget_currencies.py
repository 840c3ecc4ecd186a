"""Budgets and prices in different currencies meet in yuan at today's rate; without a rate the
amount is left out of the comparison, never read as yuan."""

from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Technology
from currencies.models import ExchangeRate
from currencies.selectors import forget_cached_rates
from exchange.models import Need
from matching import services
from matching.choices import RunSubject, RunTrigger
from matching.documents import need_document, technology_document
from matching.models import Match


@pytest.fixture(autouse=True)
def _fresh_rates():
    forget_cached_rates()
    yield
    forget_cached_rates()


def _rate(currency: str, rate: str) -> None:
    ExchangeRate.objects.create(currency=currency, date=timezone.localdate(), rate=Decimal(rate))
    forget_cached_rates()


def _match(need) -> Match:
    run = services.matching_run_create(
        subject=RunSubject.NEED, subject_id=need.pk, trigger=RunTrigger.MANUAL
    )
    services.matching_run_execute(run_id=run.pk)
    return Match.objects.get(need=need)


def test_a_baht_budget_is_compared_with_a_yuan_price_at_todays_rate(
    leachate_need, leachate_technology
):
    # given a budget of 5,000,000 baht (about 1.1 million yuan) and a price of 2 million yuan
    Need.objects.filter(pk=leachate_need.pk).update(currency="THB")
    _rate("THB", "0.2193")
    # when the need is matched
    match = _match(leachate_need)
    # then the price is over 1.5 times the budget in yuan (as 5,000,000 yuan it would fit)
    assert [v["code"] for v in match.constraint_violations] == ["price_over_budget"]
    assert "exceeds 1.5 x the budget" in " ".join(match.reasons_en)


def test_a_dollar_price_within_a_yuan_budget(leachate_need, leachate_technology):
    # given a price of 300,000 dollars (about 2.1 million yuan) and a 5 million yuan budget
    Technology.objects.filter(pk=leachate_technology.pk).update(
        currency="USD", asking_price=Decimal("300000")
    )
    _rate("USD", "7.08")
    leachate_technology.refresh_from_db()
    assert technology_document(leachate_technology).asking_price == pytest.approx(2_124_000)
    # when the need is matched, the price is within the budget
    match = _match(leachate_need)
    assert match.constraint_violations == []
    assert "within the budget" in " ".join(match.reasons_en)


def test_without_a_rate_the_budget_is_left_out_not_read_as_yuan(leachate_need, leachate_technology):
    # given a baht budget and no baht rate
    Need.objects.filter(pk=leachate_need.pk).update(currency="THB")
    leachate_need.refresh_from_db()
    assert need_document(leachate_need).budget_max is None
    # when matched, the budget is not compared (as yuan, 2 million would be "within" 5 million)
    match = _match(leachate_need)
    assert match.constraint_violations == []
    assert not any("within the budget" in reason for reason in match.reasons_en)
