"""Every date a person sees is in the site's time zone (Asia/Shanghai), not UTC's day."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.urls import reverse

from exchange import services

pytestmark = pytest.mark.django_db

# 18:22 UTC on 30 November is 02:22 on 1 December in Shanghai.
LATE_UTC_EVENING = datetime.datetime(2026, 11, 30, 18, 22, tzinfo=datetime.UTC)


def test_the_certificate_page_shows_the_shanghai_day_of_completion(client, make_deal):
    # given a deal completed, and its certificate issued, at 02:22 Shanghai time
    deal = make_deal(stage="completed")
    deal.completed_at = LATE_UTC_EVENING
    deal.save(update_fields=["completed_at"])
    with mock.patch("django.utils.timezone.now", return_value=LATE_UTC_EVENING):
        certificate = services.certificate_issue(deal=deal)
    # when
    response = client.get(reverse("exchange:certificate_verify"), {"number": certificate.number})
    html = response.content.decode()
    # then
    assert 'data-verdict="genuine"' in html
    assert "2026-12-01" in html
    assert "2026-11-30" not in html


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_file_names_carry_the_shanghai_day(client, file_format):
    # when the technology list is exported at 02:22 Shanghai time
    with mock.patch("django.utils.timezone.now", return_value=LATE_UTC_EVENING):
        response = client.get(reverse("catalog:technology_export", args=[file_format]))
    # then
    assert response.status_code == 200
    assert f'filename="technologies-20261201-0222.{file_format}"' in response["Content-Disposition"]
