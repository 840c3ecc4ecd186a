"""Money as people read it (core.money): one rule for every page, PDF and export."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from core.money import format_money, format_money_range


@pytest.mark.parametrize(
    ("amount", "currency", "language", "expected"),
    [
        (Decimal("850000"), "CNY", "zh-hans", "85 万元"),
        (Decimal("853456"), "CNY", "zh-hans", "85.35 万元"),
        (Decimal("120000000"), "CNY", "zh-hans", "1.2 亿元"),
        (Decimal("850"), "CNY", "zh-hans", "850 元"),
        (Decimal("3000000.00"), "CNY", "zh-hans", "300 万元"),
        (Decimal("850000"), "CNY", "en", "CNY 850,000"),
        (Decimal("850000.5"), "CNY", "en", "CNY 850,000.50"),
        (Decimal("850000"), "USD", "zh-hans", "USD 850,000"),
        (Decimal("1250000"), "EUR", "en", "EUR 1,250,000"),
        (None, "CNY", "en", "—"),
    ],
)
def test_amounts_read_as_people_read_them(amount, currency, language, expected):
    assert format_money(amount, currency, language=language) == expected


@pytest.mark.parametrize(
    ("language", "expected"), [("zh-hans", "850,000.00 元"), ("en", "CNY 850,000.00")]
)
def test_exact_figures_keep_every_fen_grouped(language, expected):
    assert format_money(Decimal("850000"), "CNY", exact=True, language=language) == expected


def test_ranges_and_open_ends():
    with translation.override("en"):
        assert format_money_range(500000, 1000000, "CNY") == "CNY 500,000 – CNY 1,000,000"
        assert format_money_range(None, 1000000, "CNY") == "up to CNY 1,000,000"
    with translation.override("zh-hans"):
        assert format_money_range(500000, 1000000, "CNY") == "50 万元 – 100 万元"
        assert format_money_range(500000, None, "CNY") == "50 万元起"


def test_the_template_filters_follow_the_active_language():
    template = Template(
        "{% load formatting %}{{ price|money:'CNY' }}|{{ price|money_exact:'CNY' }}"
    )
    with translation.override("zh-hans"):
        assert template.render(Context({"price": Decimal("850000")})) == "85 万元|850,000.00 元"
    with translation.override("en"):
        assert (
            template.render(Context({"price": Decimal("850000")})) == "CNY 850,000|CNY 850,000.00"
        )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "THB 850,000.50"),
        ("zh-hans", "THB 850,000.50"),
        ("th", "THB 850,000.50"),
        ("ru", "850\u00a0000,50\u00a0THB"),
        ("fr", "850\u202f000,50\u00a0THB"),
        ("ar", "850,000.50\u00a0THB"),
        ("vi", "850.000,50\u00a0THB"),
        ("id", "THB 850.000,50"),
    ],
)
def test_partner_currencies_are_grouped_as_the_reader_writes_them(language, expected):
    assert format_money(Decimal("850000.50"), "THB", language=language) == expected


def test_the_yuan_in_russian_keeps_its_code_and_groups_with_spaces():
    assert format_money(Decimal("1234567"), "CNY", language="ru") == "1\u00a0234\u00a0567\u00a0CNY"
    assert format_money(Decimal("12.5"), "IDR", exact=True, language="fr") == "12,50\u00a0IDR"
