"""The home page (#14 item 9): a search box for technologies and needs, featured and latest
listings, the headline figures of the statistics and clickable industries."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.choices import TechnologyStatus
from catalog.models import Category, Technology
from exchange.choices import NeedStatus
from exchange.models import Need
from insight import selectors
from insight.home import FEATURED_MIN_TRL

pytestmark = pytest.mark.django_db


def home(language="zh-hans") -> str:
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, testid: str) -> str:
    match = re.search(rf'<section[^>]*data-testid="{testid}"[^>]*>(.*?)</section>', html, re.S)
    assert match, f"no section {testid}"
    return match.group(1)


def linked_technology_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/technologies/(\d+)/"', html)]


def test_home_shows_latest_and_featured_listings_and_the_figures(demo):
    html = home()
    published = Technology.objects.filter(status=TechnologyStatus.PUBLISHED)
    newest = list(published.order_by("-published_at", "-pk").values_list("pk", flat=True)[:6])
    assert linked_technology_ids(section(html, "home-latest")) == newest
    featured = linked_technology_ids(section(html, "home-featured"))
    assert featured
    for technology in Technology.objects.filter(pk__in=featured):
        assert technology.is_public and technology.has_granted_patent
        assert technology.trl >= FEATURED_MIN_TRL
    drafts = Technology.objects.exclude(status=TechnologyStatus.PUBLISHED).values_list(
        "pk", flat=True
    )
    assert not set(linked_technology_ids(html)) & set(drafts)
    needs = section(html, "home-needs")
    for need in Need.objects.exclude(status__in=[NeedStatus.PUBLISHED, NeedStatus.IN_NEGOTIATION]):
        assert f"/exchange/needs/{need.pk}/" not in needs
    summary = selectors.statistics_summary()
    figures = re.sub(r"<[^>]+>", " ", section(html, "home-figures"))
    assert f"{summary['listings']['technologies']:,}" in figures
    assert "技术成果" in figures or "technologies" in figures


def test_every_industry_links_to_its_filtered_catalogue(demo):
    html = section(home("en"), "home-industries")
    for industry in Category.objects.filter(parent__isnull=True):
        assert f'href="/technologies/?category={industry.code}"' in html
        assert industry.name_en in html
    # codes are for the API; people read names
    assert not re.search(r">\s*\d+(\.\d+)+\s", html)


def test_the_search_box_goes_to_technologies_or_needs(client):
    response = client.get(reverse("site_search"), {"q": "有机废水", "in": "needs"})
    assert response.status_code == 302
    assert (
        response["Location"]
        == reverse("exchange:need_list") + "?q=%E6%9C%89%E6%9C%BA%E5%BA%9F%E6%B0%B4"
    )
    response = client.get(reverse("site_search"), {"q": " photovoltaic ", "in": "anything"})
    assert response["Location"] == reverse("catalog:technology_list") + "?q=photovoltaic"
    assert client.get(reverse("site_search"))["Location"] == reverse("catalog:technology_list")


def test_an_empty_exchange_has_a_home_page_too():
    html = home("en")
    assert "No technology has been published yet." in html
    assert 'data-testid="home-figures"' not in html
    assert 'data-testid="home-search"' in html


def test_the_home_page_reads_a_bounded_number_of_queries(demo):
    home()  # the figures are cached per statistics run
    with CaptureQueriesContext(connection) as queries:
        home()
    assert len(queries) <= 6, "\n".join(q["sql"][:200] for q in queries)
