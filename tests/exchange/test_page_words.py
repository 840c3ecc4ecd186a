"""Words on exchange pages mean what they say in Chinese: the certificate check is 核验 (not the
organisation verdict 通过认证, shown beside a "forged number" error), money is 金额 (not the
quantity 数量) and a filter is 筛选 (not the admin's 过滤器)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_certificate_check_of_a_forged_number_reads_in_chinese(client):
    html = client.get(
        reverse("exchange:certificate_verify"), {"number": "GTE-2026-000001-AAAAAAAAAA"}
    ).content.decode()
    assert 'data-verdict="forged"' in html
    assert ">核验</button>" in html
    assert "通过认证" not in html


def test_the_certificate_amount_is_money(client, make_deal):
    from exchange import services

    deal = make_deal(stage="completed")
    certificate = services.certificate_issue(deal=deal)
    html = client.get(
        reverse("exchange:certificate_verify"), {"number": certificate.number}
    ).content.decode()
    assert "金额" in html and "数量" not in html


def test_the_deal_list_filters_with_shaixuan(client, enterprise):
    client.force_login(enterprise)
    html = client.get(reverse("exchange:deal_list")).content.decode()
    assert "筛选" in html and "过滤器" not in html
