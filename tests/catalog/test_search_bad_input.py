"""Bad input to the catalogue search (issue 17): a fast, clear answer, never a 500 or a scan.

A query of one character, 200 words, only stop words, only punctuation or 5,000 characters; a
facet combination matching nothing; page 10,000 of a result. The page and the API answer 200
or a 400 naming the field in the reader's language, and the statements they run are as few as
those of an ordinary search, none of them skipping past the reachable results.
"""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from catalog.choices import TechnologyStatus, TrlBand
from catalog.models import Category
from catalog.selectors import technology_search
from catalog.synthetic import generate_technologies
from core.paging import REACHABLE_RESULTS
from tests.catalog.conftest import make_technology

pytestmark = pytest.mark.django_db

PAGE_URL = reverse("catalog:technology_list")
API_URL = "/api/v1/technologies/"

# Queries with nothing to search for: the page lists everything and says why; the API refuses.
UNSEARCHABLE = {
    "one character": "废",
    "one latin letter": "a",
    "only stop words": "the of and 的 了",
    "only punctuation": "!!! ??? ，。、……",
}
# Longer than a search reads: refused on the page and in the API, the limit named.
TOO_LONG = {
    "200 words": " ".join(["wastewater"] * 200),
    "5,000 characters": "废水" * 2500,
}
NOTHING_MATCHES = {"category": "2.4", "trl_band": "1-3", "has_granted_patent": "false"}


@pytest.fixture
def catalogue(owner):
    return [
        make_technology(owner, status=TechnologyStatus.PUBLISHED),
        make_technology(
            owner,
            status=TechnologyStatus.PUBLISHED,
            title_zh="工业余热回收利用技术",
            title_en="Industrial waste heat recovery",
        ),
    ]


def statements_of(client, url: str, params: dict, **headers) -> tuple[object, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params, **headers)
    return response, [query["sql"] for query in queries.captured_queries]


def deepest_offset(statements: list[str]) -> int:
    offsets = [int(n) for sql in statements for n in re.findall(r"\bOFFSET (\d+)", sql)]
    return max(offsets, default=0)


@pytest.mark.parametrize("query", UNSEARCHABLE.values(), ids=UNSEARCHABLE.keys())
def test_a_query_with_nothing_to_search_lists_everything_and_says_why(catalogue, client, query):
    # given an ordinary search's statements
    _ordinary, ordinary = statements_of(client, PAGE_URL, {"q": "废水"})

    # when
    response, statements = statements_of(client, PAGE_URL, {"q": query}, HTTP_ACCEPT_LANGUAGE="en")

    # then
    assert response.status_code == 200
    notices = [str(notice) for notice in response.context["notices"]]
    assert notices and "has no word that can be searched for" in notices[0]
    assert query.strip() in notices[0]
    assert response.context["page_obj"].paginator.count == len(catalogue)
    assert 'data-testid="search-notice"' in response.content.decode()
    assert len(statements) <= len(ordinary)


@pytest.mark.parametrize("query", UNSEARCHABLE.values(), ids=UNSEARCHABLE.keys())
def test_the_api_refuses_a_query_with_nothing_to_search(catalogue, api_client, query):
    response = api_client.get(API_URL, {"q": query}, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 400
    assert list(response.json()) == ["q"]
    assert "没有可以检索的词" in response.json()["q"][0]


@pytest.mark.parametrize("query", TOO_LONG.values(), ids=TOO_LONG.keys())
def test_a_query_too_long_is_a_400_naming_the_limit_on_the_page(catalogue, client, query):
    response, statements = statements_of(
        client, PAGE_URL, {"q": query}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert response.status_code == 400
    [(name, label, messages)] = response.context["field_errors"]
    assert (name, label) == ("q", "搜索词")
    assert "200" in messages[0] and f"{len(query)}" in messages[0]
    assert not any("catalog_technologysearchentry" in sql for sql in statements)


@pytest.mark.parametrize("query", TOO_LONG.values(), ids=TOO_LONG.keys())
def test_a_query_too_long_is_a_400_naming_q_in_the_api(catalogue, api_client, query):
    response, statements = statements_of(
        api_client, API_URL, {"q": query}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["q"]
    assert "at most 200 characters" in response.json()["q"][0]
    assert not any("catalog_technologysearchentry" in sql for sql in statements)


def test_filters_matching_nothing_say_so_and_name_each_filter(catalogue, client, api_client):
    # when
    response = client.get(PAGE_URL, {"q": "废水", **NOTHING_MATCHES}, HTTP_ACCEPT_LANGUAGE="en")
    api = api_client.get(API_URL, {"q": "废水", **NOTHING_MATCHES})

    # then
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 0
    named = {item["name"]: item["value"] for item in response.context["applied_filters"]}
    with translation.override("en"):
        category = str(Category.objects.get(code="2.4"))
        assert named == {
            "category": category,
            "trl_band": str(TrlBand.RESEARCH.label),
            "has_granted_patent": "No",
        }
    html = response.content.decode()
    assert 'data-testid="no-results"' in html and "Filters applied:" in html
    removal = next(i for i in response.context["applied_filters"] if i["name"] == "category")
    assert "category=" not in removal["remove_url"] and "trl_band=1-3" in removal["remove_url"]
    assert api.status_code == 200 and api.json()["count"] == 0


def test_a_page_past_the_last_shows_the_last_page_and_says_so(catalogue, client, api_client):
    response = client.get(PAGE_URL, {"q": "废水", "page": "10000"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response.context["page_obj"].number == 1
    assert "There is no page 10,000 of this search" in str(response.context["notices"][0])
    assert response.context["technologies"]
    # the API: a page past the last of a small result stays DRF's 404 "Invalid page."
    assert api_client.get(API_URL, {"q": "废水", "page": "2"}).status_code == 404


@pytest.fixture
def large_catalogue(db):
    """More published technologies than can be paged through (bulk generation, as the
    benchmarks do): how many the catalogue lists."""
    generate_technologies(REACHABLE_RESULTS + 200)
    listed = technology_search(user=AnonymousUser(), params={}).queryset.count()
    assert listed > REACHABLE_RESULTS
    return listed


def test_page_10000_of_a_large_result_never_skips_past_the_reachable_results(
    large_catalogue, client, api_client
):
    # given a search with more results than can be paged through
    _first, first_page = statements_of(client, PAGE_URL, {})

    # when
    response, statements = statements_of(
        client, PAGE_URL, {"page": "10000"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    api, api_statements = statements_of(
        api_client, API_URL, {"page": "10000"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    # then the page is the last reachable one, with both reasons told
    assert response.status_code == 200
    paginator = response.context["page_obj"].paginator
    assert paginator.count == large_catalogue
    assert response.context["page_obj"].number == paginator.num_pages == REACHABLE_RESULTS // 20
    notices = " ".join(str(notice) for notice in response.context["notices"])
    assert "There is no page 10,000" in notices
    assert f"Only the first 1,000 of the {large_catalogue:,} results can be paged" in notices
    assert len(statements) <= len(first_page) + 1
    assert deepest_offset(statements) < REACHABLE_RESULTS
    # and the API refuses the page by name before searching
    assert api.status_code == 400
    assert "the last page is 50" in api.json()["page"][0]
    assert not any("catalog_technologysearchentry" in sql for sql in api_statements)


def test_the_api_pages_up_to_the_last_reachable_page(large_catalogue, api_client):
    last = api_client.get(API_URL, {"page": "10", "page_size": "100"})
    beyond = api_client.get(API_URL, {"page": "11", "page_size": "100"}, HTTP_ACCEPT_LANGUAGE="en")

    assert last.status_code == 200 and len(last.json()["results"]) == 100
    assert last.json()["count"] == large_catalogue
    assert beyond.status_code == 400
    assert "the last page is 10" in beyond.json()["page"][0]
