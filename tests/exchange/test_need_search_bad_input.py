"""Bad input to the need search (issue 17), as for the catalogue (tests/catalog/
test_search_bad_input.py): a fast, clear answer on /exchange/needs/ and /api/v1/needs/."""

import pytest
from django.urls import reverse

from core import paging
from core.api import pagination
from exchange import views
from exchange.choices import NeedStatus
from tests.catalog.test_search_bad_input import (
    TOO_LONG,
    UNSEARCHABLE,
    deepest_offset,
    statements_of,
)

pytestmark = pytest.mark.django_db

PAGE_URL = reverse("exchange:need_list")
API_URL = "/api/v1/needs/"


@pytest.fixture
def needs(make_need):
    return [
        make_need(NeedStatus.PUBLISHED),
        make_need(NeedStatus.PUBLISHED, title_zh="锅炉余热回收需求", title_en="Boiler waste heat"),
        make_need(NeedStatus.PUBLISHED, title_zh="污泥干化需求", title_en="Sludge drying"),
    ]


@pytest.mark.parametrize("query", UNSEARCHABLE.values(), ids=UNSEARCHABLE.keys())
def test_nothing_to_search_lists_every_need_and_says_why(needs, client, api_client, query):
    # given an ordinary search's statements
    _ordinary, ordinary = statements_of(client, PAGE_URL, {"q": "废水"})

    # when
    response, statements = statements_of(client, PAGE_URL, {"q": query}, HTTP_ACCEPT_LANGUAGE="en")
    api = api_client.get(API_URL, {"q": query}, HTTP_ACCEPT_LANGUAGE="zh-hans")

    # then
    assert response.status_code == 200
    assert response.context["page"].paginator.count == len(needs)
    assert "has no word that can be searched for" in response.context["notices"][0]
    assert len(statements) <= len(ordinary)
    assert api.status_code == 400 and list(api.json()) == ["q"]
    assert "没有可以检索的词" in api.json()["q"][0]


@pytest.mark.parametrize("query", TOO_LONG.values(), ids=TOO_LONG.keys())
def test_a_query_too_long_is_a_400_naming_the_limit(needs, client, api_client, query):
    page = client.get(PAGE_URL, {"q": query}, HTTP_ACCEPT_LANGUAGE="en")
    api = api_client.get(API_URL, {"q": query}, HTTP_ACCEPT_LANGUAGE="en")

    assert page.status_code == 400
    [(name, _label, messages)] = page.context["field_errors"]
    assert name == "q" and "at most 200 characters" in messages[0]
    assert api.status_code == 400 and "at most 200 characters" in api.json()["q"][0]


def test_filters_matching_nothing_say_so_and_name_each_filter(needs, client, api_client):
    params = {"q": "废水", "region": "CN-BJ", "open_call": "true"}

    response = client.get(PAGE_URL, params, HTTP_ACCEPT_LANGUAGE="en")
    api = api_client.get(API_URL, params)

    assert response.status_code == 200
    named = {item["name"]: item["value"] for item in response.context["applied_filters"]}
    assert named == {"region": "Beijing", "open_call": "Yes"}
    assert "Filters applied:" in response.content.decode()
    region = next(i for i in response.context["applied_filters"] if i["name"] == "region")
    assert "region=" not in region["remove_url"] and "open_call=true" in region["remove_url"]
    assert api.status_code == 200 and api.json()["count"] == 0


def test_page_10000_shows_the_last_reachable_page_and_never_skips_past_it(
    needs, client, api_client, monkeypatch
):
    # given pages of one need, of which two can be reached
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    monkeypatch.setattr(paging, "REACHABLE_RESULTS", 2)
    monkeypatch.setattr(pagination, "REACHABLE_RESULTS", 2)

    # when
    response, statements = statements_of(
        client, PAGE_URL, {"page": "10000"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    api = api_client.get(API_URL, {"page": "3", "page_size": "1"}, HTTP_ACCEPT_LANGUAGE="en")

    # then
    assert response.status_code == 200
    assert response.context["page"].number == 2
    notices = " ".join(response.context["notices"])
    assert "There is no page 10,000 of this search" in notices
    assert "Only the first 2 of the 3 results can be paged through" in notices
    assert deepest_offset(statements) < 2
    assert api.status_code == 400 and "the last page is 2" in api.json()["page"][0]
