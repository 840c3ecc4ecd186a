"""Exchange pages show money as people read it (core.money): 万元 on Chinese pages, the ISO
code and grouped digits on English ones; exact contract figures keep their fen."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_chinese_deal_page_shows_the_contract_price_exactly_in_yuan(
    client, make_deal, enterprise
):
    # given a deal at 800,000 yuan
    deal = make_deal(stage="negotiation")
    client.force_login(enterprise)
    # when
    html = client.get(reverse("exchange:deal_detail", args=[deal.pk])).content.decode()
    # then
    assert 'data-testid="deal-price">800,000.00 元<' in html
    assert "800,000.00 CNY" not in html


def test_an_english_deal_list_shows_the_code_first_and_grouped(client, make_deal, enterprise):
    make_deal(stage="negotiation")
    client.force_login(enterprise)
    html = client.get(reverse("exchange:deal_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "CNY 800,000" in html
    assert "800,000.00 CNY" not in html


def test_a_chinese_need_page_reads_the_budget_in_wan(client, make_need):
    need = make_need(status="published", budget_min="500000", budget_max="1200000")
    html = client.get(reverse("exchange:need_detail", args=[need.pk])).content.decode()
    assert "50 万元 – 120 万元" in html
    assert "500,000" not in html


def test_the_contract_draft_prints_the_exact_price_in_yuan(make_deal, monkeypatch):
    from django.utils import translation

    from exchange import documents

    # given the fact tables of the PDF recorded as they are built
    printed = []
    real_facts_table = documents.facts_table

    def recording_facts_table(rows):
        printed.extend(str(value) for _label, value in rows)
        return real_facts_table(rows)

    monkeypatch.setattr(documents, "facts_table", recording_facts_table)
    deal = make_deal(stage="negotiation")
    deal.refresh_from_db()
    # when
    with translation.override("zh-hans"):
        documents.contract_draft_pdf(deal=deal)
    # then
    assert "800,000.00 元" in printed


def test_the_technology_list_reads_the_asking_price_in_wan_and_in_english_with_the_code(
    client, make_technology
):
    from decimal import Decimal

    make_technology(asking_price=Decimal("850000"))
    url = reverse("catalog:technology_list")
    assert "85 万元" in client.get(url).content.decode()
    assert "CNY 850,000" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
