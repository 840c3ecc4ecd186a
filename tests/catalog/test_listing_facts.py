"""What a listing shows at a glance (issue #14 item 10): published and last-updated dates in the
site's time zone on the detail page and the result cards; the green impact (CO2e) and the SDGs by
name, prominent on the detail page."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from catalog.choices import TechnologyStatus
from catalog.models import Technology
from tests.catalog.conftest import make_technology

pytestmark = pytest.mark.django_db

# 02:22 on 1 December in Shanghai is still 30 November in UTC.
EARLY_MORNING = datetime(2026, 12, 1, 2, 22, tzinfo=ZoneInfo("Asia/Shanghai"))


def published_early_in_the_morning(owner) -> Technology:
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    Technology.objects.filter(pk=technology.pk).update(
        published_at=EARLY_MORNING, updated_at=EARLY_MORNING
    )
    return technology


def test_detail_shows_published_and_updated_dates_in_the_site_time_zone(client, owner):
    technology = published_early_in_the_morning(owner)
    zh = client.get(reverse("catalog:technology_detail", args=[technology.pk])).content.decode()
    en = client.get(
        reverse("catalog:technology_detail", args=[technology.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert 'data-testid="published-date"' in zh
    assert "2026年12月1日" in zh
    assert "11月30日" not in zh
    assert "Published" in en and "Last updated" in en
    assert "Dec. 1, 2026" in en


def test_result_cards_show_the_dates(client, owner):
    published_early_in_the_morning(owner)
    page = client.get(reverse("catalog:technology_list"), HTTP_ACCEPT_LANGUAGE="en").content
    page = page.decode()
    assert 'data-testid="published-date"' in page
    assert 'data-testid="updated-date"' in page
    assert "Dec. 1, 2026" in page


def test_green_impact_and_sdgs_by_name_are_prominent(client, owner):
    technology = make_technology(
        owner,
        status=TechnologyStatus.PUBLISHED,
        co2e_avoided_tonnes_per_year="1250.5",
        co2e_method="Measured at two plants.",
        sdg_goals=[6, 13],
    )
    page = client.get(
        reverse("catalog:technology_detail", args=[technology.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    impact = page[page.index('data-testid="green-impact"') :]
    # before the summary, in the main column
    assert page.index('data-testid="green-impact"') < page.index('data-testid="summary"')
    assert "1,250.5" in impact
    assert "Clean water and sanitation" in impact
    assert "Climate action" in impact
    assert "Measured at two plants." in impact
    # SDGs are never shown as a bare list of numbers
    assert "6, 13" not in page


def test_a_listing_without_impact_figures_has_no_empty_impact_box(client, owner):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    page = client.get(reverse("catalog:technology_detail", args=[technology.pk])).content.decode()
    assert 'data-testid="green-impact"' not in page
