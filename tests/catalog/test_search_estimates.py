"""Searches matching more than EXACT_COUNT_LIMIT listings show estimated totals and facet counts
(flagged on the page and in the API) and can be paged through their ranked head only; below the
limit every total, facet count and page is the exact one, as before estimates existed."""

from collections import Counter

import pytest
from django.contrib.auth.models import AnonymousUser

from catalog import selectors
from catalog.choices import TRL_BAND_RANGES, TechnologyStatus
from catalog.models import Technology
from catalog.selectors import technology_facets, technology_search
from catalog.synthetic import generate_technologies

pytestmark = pytest.mark.django_db

API = "/api/v1/technologies/"
FACETS_API = "/api/v1/technologies/facets/"
PAGE = "/technologies/"
QUERIES = ["废水", "wastewater", "光伏", "厌氧处理", "烟气 脱硝", "flue gas", ""]


@pytest.fixture
def catalogue():
    """100 synthetic published listings (a common term such as 废水 matches dozens)."""
    generate_technologies(100)


@pytest.fixture
def small_limit(monkeypatch):
    """An exact-count limit of 10 matches: larger searches are estimated."""
    monkeypatch.setattr(selectors, "EXACT_COUNT_LIMIT", 10)
    monkeypatch.setattr(selectors, "ESTIMATE_CANDIDATES", 6)


def plain(params):
    """Total, first page and facet counts computed the plain way: every match read, sorted
    and counted with the ORM (no bounded pass, no sample, no cache)."""
    search = technology_search(user=AnonymousUser(), params=params)
    queryset = search.queryset.filter()  # a chained call drops back to the plain queryset
    technologies = list(queryset.select_related("category", "organization"))
    counts = {
        "category": Counter(t.category.code for t in technologies),
        "region": Counter(t.region for t in technologies),
        "holder_type": Counter(t.organization.kind for t in technologies),
        "has_granted_patent": Counter(str(t.has_granted_patent).lower() for t in technologies),
        "transaction_mode": Counter(m for t in technologies for m in set(t.transaction_modes)),
        "trl_band": Counter(
            band
            for t in technologies
            for band, (low, high) in TRL_BAND_RANGES.items()
            if low <= t.trl <= high
        ),
    }
    return len(technologies), [t.pk for t in technologies[:20]], counts


def shown(facets) -> dict:
    """The facet counts of technology_facets as {facet: {value: count}} (zero counts left out)."""
    result = {}
    for key in ("region", "holder_type", "has_granted_patent", "transaction_mode", "trl_band"):
        result[key] = Counter({item["value"]: item["count"] for item in facets[key]})
    result["category"] = Counter(
        {
            child["value"]: child["count"]
            for node in facets["category"]
            for child in node["children"]
        }
    )
    return {key: +counts for key, counts in result.items()}


@pytest.mark.parametrize("params", [{}, {"category": "1"}, {"sort": "newest"}, {"trl_band": "7-9"}])
def test_below_the_limit_totals_facets_and_first_page_are_the_exact_ones(catalogue, params):
    # given the default limit (5,000 matches), far above this catalogue
    for query in QUERIES:
        total, first_page, counts = plain({**params, "q": query})
        # when the search is answered by the bounded pass
        search = technology_search(user=AnonymousUser(), params={**params, "q": query})
        facets = technology_facets(search=search)
        # then everything is exact and equal to the plain computation
        assert not search.results.is_estimate and not facets["total_is_estimate"]
        assert search.results.total() == search.queryset.count() == facets["total"] == total
        assert [t.pk for t in search.queryset[:20]] == first_page, query
        assert shown(facets) == {key: +value for key, value in counts.items()}, query


def test_the_limit_itself_is_counted_exactly_and_one_more_is_estimated(catalogue, monkeypatch):
    total, _page, _counts = plain({"q": "废水"})
    assert total > 2
    monkeypatch.setattr(selectors, "EXACT_COUNT_LIMIT", total)
    exact = technology_search(user=AnonymousUser(), params={"q": "废水"}).results
    assert (exact.is_estimate, exact.total()) == (False, total)
    monkeypatch.setattr(selectors, "EXACT_COUNT_LIMIT", total - 1)
    estimated = technology_search(user=AnonymousUser(), params={"q": "废水"}).results
    assert estimated.is_estimate
    assert estimated.total() >= total


def test_above_the_limit_the_estimate_is_flagged_and_only_the_head_is_paged(catalogue, small_limit):
    total, _page, counts = plain({"q": "废水"})
    assert total > 10
    search = technology_search(user=AnonymousUser(), params={"q": "废水"})
    facets = technology_facets(search=search)
    assert search.results.is_estimate and facets["total_is_estimate"]
    # a catalogue smaller than the sample is sampled whole: the estimate is the count
    assert search.results.sample_percent == 100
    assert facets["total"] == total
    assert shown(facets) == {key: +value for key, value in counts.items()}
    # the head: the newest matches ranked, all of them matches, and no deeper page
    head = [t.pk for t in search.queryset]
    assert len(head) == search.queryset.count() == 6
    assert set(head) <= {t.pk for t in search.queryset.filter()}


def test_the_page_names_an_estimate_and_caps_deep_pages(client, catalogue, small_limit):
    # when the catalogue page is asked for page 10,000 of a common term
    response = client.get(PAGE, {"q": "废水", "page": 10000}, HTTP_ACCEPT_LANGUAGE="en")
    # then it answers with the last page it can list, the estimate and why it stops there
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="result-count-estimate"' in body
    assert "estimated from a sample" in body
    assert 'data-testid="results-capped"' in body
    assert "Only the first 6 results can be listed" in body


def test_the_page_shows_an_exact_total_below_the_limit(client, catalogue):
    total, _page, _counts = plain({"q": "废水"})
    response = client.get(PAGE, {"q": "废水"}, HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert f"{total} technologies" in body
    assert "result-count-estimate" not in body and "results-capped" not in body


def test_the_api_gives_count_with_its_estimate_flag(api_client, catalogue, small_limit):
    total, _page, _counts = plain({"q": "废水"})
    response = api_client.get(API, {"q": "废水"})
    assert response.status_code == 200
    body = response.json()
    assert body["count_is_estimate"] is True
    assert body["count"] == total  # the whole catalogue was sampled
    assert len(body["results"]) == 6 and body["next"] is None
    facets = api_client.get(FACETS_API, {"q": "废水"}).json()
    assert facets["total_is_estimate"] is True and facets["total"] == total
    # a page past the ranked head is a 404 that says why
    past_head = api_client.get(API, {"q": "废水", "page": 2}, HTTP_ACCEPT_LANGUAGE="en")
    assert past_head.status_code == 404
    assert "narrow" in past_head.json()["detail"]
    # a page deeper than any search can be paged through is refused before anything is read
    deep = api_client.get(API, {"q": "废水", "page": 10000}, HTTP_ACCEPT_LANGUAGE="en")
    assert deep.status_code == 400
    assert "page" in deep.json()


def test_the_api_count_is_exact_below_the_limit(api_client, catalogue):
    total, first_page, _counts = plain({"q": "wastewater"})
    body = api_client.get(API, {"q": "wastewater", "page_size": 20}).json()
    assert (body["count"], body["count_is_estimate"]) == (total, False)
    assert [row["id"] for row in body["results"]] == first_page


def test_an_estimated_search_is_cached_with_its_flag(catalogue, small_limit, settings):
    settings.CATALOG_SEARCH_CACHE_MIN_MATCHES = 1
    first = technology_search(user=AnonymousUser(), params={"q": "废水"}).results
    computed = (first.total(), first.facet_rows(), first.ids(0, None), first.sample_percent)
    again = technology_search(user=AnonymousUser(), params={"q": "废水"}).results
    assert (again.total(), again.facet_rows(), again.ids(0, None)) == computed[:3]
    assert again.is_estimate and again.sample_percent == computed[3]


def test_a_search_that_was_large_is_counted_exactly_once_it_is_small(
    catalogue, monkeypatch, settings
):
    # given a search estimated (and stored) while it matched more than the limit
    settings.CATALOG_SEARCH_CACHE_MIN_MATCHES = 1
    total, _page, _counts = plain({"q": "废水"})
    monkeypatch.setattr(selectors, "EXACT_COUNT_LIMIT", total - 5)
    assert technology_search(user=AnonymousUser(), params={"q": "废水"}).results.is_estimate
    # when ten of its matches are withdrawn (a change: the stored result no longer counts)
    withdrawn = [
        t.pk
        for t in technology_search(user=AnonymousUser(), params={"q": "废水"}).queryset.filter()[
            :10
        ]
    ]
    Technology.objects.filter(pk__in=withdrawn).update(status=TechnologyStatus.WITHDRAWN)
    # then the search, sampled first because it was large, is counted exactly again
    results = technology_search(user=AnonymousUser(), params={"q": "废水"}).results
    assert not results.is_estimate
    assert results.total() == total - 10
