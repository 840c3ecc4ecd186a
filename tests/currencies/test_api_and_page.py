import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from currencies.models import ExchangeRate
from tests.factories import UserFactory


@pytest.fixture
def rates(db):
    today = timezone.localdate()
    rows = [
        ("USD", today - datetime.timedelta(days=3), "7.05"),
        ("USD", today - datetime.timedelta(days=1), "7.08"),
        ("THB", today - datetime.timedelta(days=1), "0.2193"),
        ("RUB", today - datetime.timedelta(days=40), "0.0885"),
    ]
    return [
        ExchangeRate.objects.create(currency=code, date=day, rate=Decimal(rate), source="CFETS")
        for code, day, rate in rows
    ]


def test_api_lists_rates_newest_first_and_filters_by_currency_and_date(rates, api_client):
    body = api_client.get("/api/v1/exchange-rates/").json()
    assert body["count"] == 4
    assert body["results"][0]["date"] >= body["results"][-1]["date"]
    usd = api_client.get("/api/v1/exchange-rates/?currency=USD").json()["results"]
    assert [Decimal(row["rate"]) for row in usd] == [Decimal("7.08"), Decimal("7.05")]
    day = rates[0].date.isoformat()
    on_day = api_client.get(f"/api/v1/exchange-rates/?date={day}").json()["results"]
    assert [(row["currency"], row["date"]) for row in on_day] == [("USD", day)]
    since = api_client.get(f"/api/v1/exchange-rates/?date_from={rates[1].date}").json()
    assert {row["currency"] for row in since["results"]} == {"USD", "THB"}
    row = usd[0]
    assert row["currency_label"] and Decimal(row["inverse"]) == Decimal("0.1412")


@pytest.mark.parametrize("query", ["currency=XXX", "date=yesterday", "date_from=0001-01-01"])
def test_api_bad_filters_are_400_naming_the_filter(rates, api_client, query):
    response = api_client.get(f"/api/v1/exchange-rates/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_nobody_writes_rates_through_the_api(rates, api_client_for):
    # given an administrator and an ordinary member (the cast of who might try)
    admin = UserFactory(is_staff=True, is_superuser=True)
    member = UserFactory(roles=["enterprise"])
    rate = rates[1]
    for client in (api_client_for(admin), api_client_for(member)):
        # when they try to create, change or delete a rate
        created = client.post(
            "/api/v1/exchange-rates/",
            {"currency": "USD", "date": "2026-12-02", "rate": "1"},
            format="json",
        )
        changed = client.patch(f"/api/v1/exchange-rates/{rate.pk}/", {"rate": "1"}, format="json")
        deleted = client.delete(f"/api/v1/exchange-rates/{rate.pk}/")
        # then every write is refused and nothing changed
        assert (created.status_code, changed.status_code, deleted.status_code) == (405, 405, 405)
    rate.refresh_from_db()
    assert rate.rate == Decimal("7.08") and ExchangeRate.objects.count() == 4


def test_only_administrators_change_rates_in_the_admin(rates, client):
    # given a signed-in non-staff user
    member = UserFactory(roles=["enterprise"])
    client.force_login(member)
    # when they post a new rate and a change to the admin
    rate = rates[1]
    form = {"date": "2026-12-02", "currency": "USD", "rate": "1", "source": "forged"}
    added = client.post("/admin/currencies/exchangerate/add/", form)
    changed = client.post(f"/admin/currencies/exchangerate/{rate.pk}/change/", form)
    # then they are sent to sign in and nothing changed
    assert added.status_code == changed.status_code == 302
    assert "/admin/login/" in added["Location"]
    rate.refresh_from_db()
    assert rate.rate == Decimal("7.08") and ExchangeRate.objects.count() == 4
    # and an administrator's change is saved with who made it
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        f"/admin/currencies/exchangerate/{rate.pk}/change/",
        {"date": rate.date.isoformat(), "currency": "USD", "rate": "7.09", "source": "CFETS"},
    )
    assert response.status_code == 302
    rate.refresh_from_db()
    assert rate.rate == Decimal("7.09") and rate.updated_by == admin


def test_page_lists_the_latest_rate_of_every_currency(rates, client):
    with translation.override("en"):
        page = client.get("/exchange-rates/", HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200
    assert text.count('data-testid="rate-row"') == 10  # every currency but the yuan
    usd = text.split('data-currency="USD"')[1].split("</tr>")[0]
    assert "7.08" in usd and "7.05" not in usd and "0.141243" in usd
    rub = text.split('data-currency="RUB"')[1].split("</tr>")[0]
    assert "out of date" in rub
    vnd = text.split('data-currency="VND"')[1].split("</tr>")[0]
    assert "No rate loaded yet" in vnd


def test_page_in_chinese_names_currencies_in_chinese(rates, client):
    page = client.get("/exchange-rates/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert "泰铢（THB）" in text and "汇率" in text
