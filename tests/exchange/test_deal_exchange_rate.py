"""The exchange rate is fixed on a deal when its contract is signed (service, API, page)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from currencies.models import ExchangeRate
from exchange import services
from exchange.models import Deal


@pytest.fixture
def approved_deal(make_deal, holder, contract_upload):
    def make(currency="USD", price="100000.00"):
        deal = make_deal(stage="approved", currency=currency, price=price, payment_terms="两期")
        services.deal_message_post(
            deal=deal, user=holder, body="合同", upload=contract_upload, kind="contract"
        )
        return deal

    return make


def _rate(currency="USD", rate="7.0800", days_ago=1):
    return ExchangeRate.objects.create(
        currency=currency,
        date=timezone.localdate() - datetime.timedelta(days=days_ago),
        rate=Decimal(rate),
        source="test",
    )


def test_signing_fixes_the_rate_of_the_day_and_later_rates_do_not_move_it(approved_deal, holder):
    # given a dollar deal and the day's rate
    deal = approved_deal()
    used = _rate(rate="7.0800")
    _rate(rate="6.5000", days_ago=5)
    # when the contract is signed
    deal = services.deal_transition(deal=deal, user=holder, action="sign_contract")
    # then the latest rate on or before the signing day is fixed on the deal, with its date
    assert (deal.stage, deal.fx_rate, deal.fx_rate_date) == (
        "contract_signed",
        used.rate,
        used.date,
    )
    assert deal.price_cny == Decimal("708000.00")
    event = deal.events.get(action="sign_contract")
    assert event.changes["fx_rate"] == [None, "7.0800000000"]
    # and a rate loaded afterwards does not change it
    ExchangeRate.objects.create(currency="USD", date=timezone.localdate(), rate=Decimal("9"))
    deal.refresh_from_db()
    assert deal.fx_rate == Decimal("7.08") and deal.price_cny == Decimal("708000.00")


def test_a_yuan_deal_is_signed_at_one_without_any_rate(approved_deal, holder):
    deal = services.deal_transition(
        deal=approved_deal(currency="CNY"), user=holder, action="sign_contract"
    )
    assert deal.fx_rate == Decimal(1) and deal.fx_rate_date == timezone.localdate()
    assert deal.price_cny == Decimal("100000.00")


def test_signing_without_a_rate_is_refused_and_nothing_changes(approved_deal, holder):
    # given a baht deal and only a rate older than the maximum age
    deal = approved_deal(currency="THB")
    _rate(currency="THB", rate="0.2193", days_ago=30)
    # when a party signs
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.deal_transition(deal=deal, user=holder, action="sign_contract")
    # then the error names the currency on the currency field, and the deal did not move
    message = refused.value.message_dict["currency"][0]
    assert "Thai baht (THB)" in message and f"{timezone.localdate():%Y-%m-%d}" in message
    deal.refresh_from_db()
    assert (deal.stage, deal.fx_rate, deal.signed_at) == ("approved", None, None)
    assert not deal.events.filter(action="sign_contract").exists()


def test_api_refuses_signing_without_a_rate_with_a_400_and_shows_the_fixed_rate(
    approved_deal, holder, api_client_for
):
    client = api_client_for(holder)
    deal = approved_deal(currency="EUR", price="1000.00")
    url = f"/api/v1/deals/{deal.pk}/transition/"
    # without a rate: 400 naming the currency field
    response = client.post(
        url, {"action": "sign_contract"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "Euro (EUR)" in str(response.json())
    # with one: signed, and the deal carries the rate, its date and the yuan price
    rate = _rate(currency="EUR", rate="8.2200")
    response = client.post(url, {"action": "sign_contract"}, format="json")
    assert response.status_code == 200, response.content
    body = client.get(f"/api/v1/deals/{deal.pk}/").json()
    assert Decimal(body["fx_rate"]) == Decimal("8.22")
    assert body["fx_rate_date"] == rate.date.isoformat()
    assert Decimal(body["price_cny"]) == Decimal("8220.00")


def test_an_unsigned_deal_has_no_fixed_rate_in_the_api(make_deal, holder, api_client_for):
    deal = make_deal(stage="negotiation", currency="USD")
    body = api_client_for(holder).get(f"/api/v1/deals/{deal.pk}/").json()
    assert (body["fx_rate"], body["fx_rate_date"], body["price_cny"]) == (None, None, None)


def test_a_party_cannot_set_the_rate_through_the_api_or_the_terms_form(
    make_deal, holder, api_client_for, client
):
    # given a deal under negotiation
    deal = make_deal(stage="negotiation", currency="USD")
    # when a party sends a rate with its terms, through the API and the page's form
    response = api_client_for(holder).patch(
        f"/api/v1/deals/{deal.pk}/",
        {"fx_rate": "1.00", "fx_rate_date": "2026-01-01", "price_cny": "1", "payment_terms": "x"},
        format="json",
    )
    assert response.status_code in (200, 400)
    client.force_login(holder)
    client.post(
        f"/exchange/deals/{deal.pk}/terms/",
        {"price": "800000.00", "currency": "USD", "payment_terms": "y", "fx_rate": "1"},
    )
    # then no rate is stored
    deal.refresh_from_db()
    assert (deal.fx_rate, deal.fx_rate_date) == (None, None)
    assert Deal.objects.filter(fx_rate__isnull=False).count() == 0


def test_the_deal_page_shows_the_fixed_rate_and_the_yuan_price(approved_deal, holder, client):
    deal = approved_deal(currency="USD", price="100000.00")
    _rate(rate="7.0800")
    services.deal_transition(deal=deal, user=holder, action="sign_contract")
    client.force_login(holder)
    with translation.override("en"):
        page = client.get(f"/exchange/deals/{deal.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="deal-fx-rate"' in text
    assert "7.08" in text and "708,000.00" in text


def test_the_deal_page_says_why_signing_was_refused(approved_deal, holder, client):
    deal = approved_deal(currency="RUB")
    client.force_login(holder)
    response = client.post(
        f"/exchange/deals/{deal.pk}/transition/", {"action": "sign_contract"}, follow=True
    )
    assert response.status_code == 200
    assert "RUB" in response.content.decode()
    deal.refresh_from_db()
    assert deal.stage == "approved"
