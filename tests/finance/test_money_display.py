"""Finance pages show money as people read it (core.money), never "3000000.00 CNY"."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from finance import services
from tests.finance.conftest import make_product

pytestmark = pytest.mark.django_db


def test_the_application_page_shows_the_requested_amount_exactly_in_yuan(client, applicant, bank):
    # given an application for 3,000,000 yuan
    product = make_product(bank, amount_max=Decimal("5000000"))
    application = services.application_create(
        user=applicant, product=product, requested_amount=Decimal("3000000"), submit=True
    )
    client.force_login(applicant)
    # when
    html = client.get(reverse("finance:application_detail", args=[application.pk])).content.decode()
    # then
    assert "3,000,000.00 元" in html
    assert "3000000.00 CNY" not in html


def test_an_english_application_list_shows_the_code_first_and_grouped(client, applicant, bank):
    product = make_product(bank, amount_max=Decimal("5000000"))
    services.application_create(
        user=applicant, product=product, requested_amount=Decimal("3000000"), submit=True
    )
    client.force_login(applicant)
    html = client.get(
        reverse("finance:application_list"), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "CNY 3,000,000" in html
    assert "3000000.00 CNY" not in html


def test_the_product_list_reads_its_range_in_wan(client, bank):
    make_product(bank, amount_min=Decimal("100000"), amount_max=Decimal("5000000"))
    html = client.get(reverse("finance:product_list")).content.decode()
    assert "10 万元 – 500 万元" in html
