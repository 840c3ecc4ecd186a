"""Search controls (#14 item 11): relevance first when there is a query, sorting by newest,
readiness and price, price and publication-date ranges in the site's days, numbered pages and a
filter drawer on phones, the same parameters in the API."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser

from catalog.choices import TechnologyStatus
from catalog.models import Technology
from catalog.selectors import technology_search
from catalog.views import PAGE_SIZE
from tests.catalog.conftest import make_technology

pytestmark = pytest.mark.django_db

API = "/api/v1/technologies/"
PAGE = "/technologies/"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def search_ids(params) -> list[int]:
    return [t.pk for t in technology_search(user=AnonymousUser(), params=params).queryset]


def published(owner, *, at: datetime.datetime | None = None, **fields) -> Technology:
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED, **fields)
    if at is not None:
        Technology.objects.filter(pk=technology.pk).update(published_at=at)
    return technology


def api_ids(api_client, params) -> list[int]:
    response = api_client.get(API, params)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_a_query_sorts_by_relevance_and_no_query_by_newest(owner):
    older_in_title = published(
        owner, at=datetime.datetime(2026, 1, 5, tzinfo=SHANGHAI), title_zh="余热回收系统"
    )
    newer_in_scope = published(
        owner,
        at=datetime.datetime(2026, 6, 5, tzinfo=SHANGHAI),
        title_zh="工业锅炉改造",
        application_scope="其中包括余热回收。",
    )
    search = technology_search(user=AnonymousUser(), params={"q": "余热回收"})
    assert search.sort == "relevance"
    assert [t.pk for t in search.queryset] == [older_in_title.pk, newer_in_scope.pk]

    search = technology_search(user=AnonymousUser(), params={})
    assert search.sort == "newest"
    assert [t.pk for t in search.queryset] == [newer_in_scope.pk, older_in_title.pk]


def test_sort_by_readiness_highest_first_in_selector_page_and_api(owner, client, api_client):
    low = published(owner, trl=3)
    high = published(owner, trl=9)
    middle = published(owner, trl=6)
    expected = [high.pk, middle.pk, low.pk]
    assert search_ids({"sort": "-trl"}) == expected
    assert api_ids(api_client, {"sort": "-trl"}) == expected

    page = client.get(PAGE, {"sort": "-trl"})
    assert [t.pk for t in page.context["technologies"]] == expected
    assert '<option value="-trl" selected>' in page.content.decode()


def test_price_range_keeps_listings_within_both_bounds(owner, api_client):
    cheap = published(owner, asking_price="100000")
    middle = published(owner, asking_price="500000")
    dear = published(owner, asking_price="2000000")
    published(owner, asking_price=None)  # negotiable: outside any price range

    params = {"price_min": "200000", "price_max": "1000000"}
    assert search_ids(params) == [middle.pk]
    assert api_ids(api_client, params) == [middle.pk]
    assert set(search_ids({"price_min": "100000"})) == {cheap.pk, middle.pk, dear.pk}


def test_publication_dates_are_days_of_the_sites_time_zone(owner, client, api_client):
    # 01:30 in Shanghai on 1 December is still 30 November in UTC.
    early_morning = published(
        owner, at=datetime.datetime(2026, 11, 30, 17, 30, tzinfo=datetime.UTC)
    )
    day_before = published(owner, at=datetime.datetime(2026, 11, 30, 12, 0, tzinfo=SHANGHAI))

    assert search_ids({"published_from": "2026-12-01"}) == [early_morning.pk]
    assert search_ids({"published_until": "2026-11-30"}) == [day_before.pk]
    both_days = {"published_from": "2026-11-30", "published_until": "2026-12-01"}
    assert set(api_ids(api_client, both_days)) == {early_morning.pk, day_before.pk}

    page = client.get(PAGE, {"published_from": "2026-12-01"})
    assert [t.pk for t in page.context["technologies"]] == [early_morning.pk]
    html = page.content.decode()
    # The typed day stays in the range form, and the filter button says filters are on.
    assert 'name="published_from" value="2026-12-01"' in html


@pytest.mark.parametrize(
    "params",
    [
        {"published_from": "2026-13-45"},
        {"published_until": "3500-01-01"},
        {"published_from": "0001-01-01"},
        {"price_min": "-5"},
        {"price_min": "lots"},
    ],
)
def test_wrong_ranges_are_a_400_naming_the_filter_never_a_500(owner, client, api_client, params):
    published(owner)
    response = api_client.get(API, params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)  # DRF's shape: the wrong filter names its field

    page = client.get(PAGE, params)
    assert page.status_code == 400
    field_errors = page.context["field_errors"]
    assert field_errors, "the page names the wrong filter"


def test_numbered_pages_around_the_current_one_keep_the_filters(owner, client):
    for number in range(PAGE_SIZE * 8 + 1):  # nine pages
        published(owner, trl=5, title_zh=f"余热回收技术 {number}")

    response = client.get(PAGE, {"trl_band": "4-6", "page": 6})
    links = response.context["page_links"]
    numbers = [link.get("number") for link in links]
    assert numbers == [1, None, 4, 5, 6, 7, 8, 9]
    current = [link for link in links if link.get("current")]
    assert [link["number"] for link in current] == [6]
    html = response.content.decode()
    assert 'aria-current="page"' in html
    page_four = next(link for link in links if link.get("number") == 4)
    assert page_four["url"] == "?trl_band=4-6&page=4"
    assert 'href="?trl_band=4-6&amp;page=4"' in html
    assert len(response.context["technologies"]) == PAGE_SIZE


def test_filters_collapse_into_a_drawer_below_the_large_breakpoint(owner, client):
    published(owner)
    html = client.get(PAGE, {"q": "废水"}).content.decode()
    # The facets are an offcanvas drawer on small screens, opened by a button placed before
    # the results; on large screens the same markup is an ordinary sidebar.
    assert 'class="col-lg-3 offcanvas-lg offcanvas-start"' in html
    assert 'data-bs-target="#filters"' in html
    assert html.index('data-testid="filters-toggle"') < html.index('id="results-heading"')
    # The range form carries the query along, so applying a price keeps the words.
    range_form = html[html.index('data-testid="range-form"') :]
    range_form = range_form[: range_form.index("</form>")]
    assert 'name="q" value="废水"' in range_form
