"""Expensive searches keep their total, facets and head for the current search generation only."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import search_cache, services
from catalog.choices import TechnologyStatus
from catalog.models import SearchResultCache, Technology
from catalog.selectors import technology_facets, technology_search
from tests.catalog.conftest import make_technology

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_everything(settings):
    settings.CATALOG_SEARCH_CACHE_MIN_MATCHES = 1


def search(query: str, user=None):
    """What the catalogue page reads: ids of the first page, total and facets."""
    result = technology_search(user=user or AnonymousUser(), params={"q": query})
    total = result.queryset.count()
    return [t.pk for t in result.queryset[:20]], total, technology_facets(search=result)


def generation() -> int:
    return search_cache.current_generation()


def test_a_repeated_search_reads_the_stored_result_in_one_query(owner, cache_everything):
    first = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    second = make_technology(owner, status=TechnologyStatus.PUBLISHED, title_zh="电镀废水回用")
    computed = search("废水")
    assert SearchResultCache.objects.filter(generation=generation()).count() == 1
    with CaptureQueriesContext(connection) as queries:
        result = technology_search(user=AnonymousUser(), params={"q": "废水"})
        assert result.queryset.count() == 2
        technology_facets(search=result)
    # the lookup (and the category names of the facet tree): no scan of the search entries
    assert "catalog_search_cache_lookup" in queries[0]["sql"]
    assert not [q for q in queries if "catalog_technologysearchentry" in q["sql"]]
    assert search("废水") == computed
    assert set(computed[0]) == {first.pk, second.pk}


def test_a_newly_published_listing_shows_at_once(owner, reviewer, cache_everything):
    make_technology(owner, status=TechnologyStatus.PUBLISHED)
    _ids, total, _facets = search("废水")
    assert total == 1
    submitted = make_technology(owner, status=TechnologyStatus.SUBMITTED, title_zh="焦化废水处理")
    before = generation()
    services.technology_review(user=reviewer, technology=submitted, decision="approve")
    assert generation() > before
    ids_after, total_after, facets_after = search("废水")
    assert total_after == 2 and submitted.pk in ids_after
    assert facets_after["total"] == 2


def test_a_withdrawn_listing_disappears_at_once(owner, cache_everything):
    published = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    assert search("废水")[1] == 1
    services.technology_withdraw(user=owner, technology=published)
    assert search("废水")[:2] == ([], 0)


def test_a_change_of_the_holder_type_refreshes_the_facet(owner, cache_everything):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    organization = technology.organization
    _ids, _total, facets = search("废水")
    assert [row["value"] for row in facets["holder_type"]] == [organization.kind]
    other_kind = "institute" if organization.kind != "institute" else "company"
    type(organization).objects.filter(pk=organization.pk).update(kind=other_kind)
    _ids, _total, refreshed = search("废水")
    assert [row["value"] for row in refreshed["holder_type"]] == [other_kind]


def test_small_results_are_not_stored(owner):
    make_technology(owner, status=TechnologyStatus.PUBLISHED)
    search("废水")
    assert not SearchResultCache.objects.exists()


def test_each_visibility_scope_has_its_own_entry(owner, reviewer, cache_everything):
    make_technology(owner, status=TechnologyStatus.PUBLISHED)
    make_technology(owner, status=TechnologyStatus.SUBMITTED, title_zh="焦化废水处理")
    anonymous = technology_search(user=AnonymousUser(), params={"q": "废水"}, public_only=False)
    as_reviewer = technology_search(user=reviewer, params={"q": "废水"}, public_only=False)
    assert anonymous.queryset.count() == 1
    assert as_reviewer.queryset.count() == 2
    assert SearchResultCache.objects.count() == 2


def test_prune_drops_entries_of_past_generations(owner, cache_everything):
    make_technology(owner, status=TechnologyStatus.PUBLISHED)
    search("废水")
    Technology.objects.update(updated_at=Technology.objects.first().updated_at)  # bumps
    search("污水")
    assert SearchResultCache.objects.count() == 2
    assert search_cache.prune() == 1
    assert list(SearchResultCache.objects.values_list("generation", flat=True)) == [generation()]
