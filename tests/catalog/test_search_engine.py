"""The narrow search entries (kept by triggers) and the bounded ranking of large result sets."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from catalog import selectors
from catalog.choices import TechnologyStatus
from catalog.models import Technology, TechnologySearchEntry
from catalog.selectors import technology_facets, technology_search
from tests.catalog.conftest import make_technology

pytestmark = pytest.mark.django_db


def ids(params):
    return [t.pk for t in technology_search(user=AnonymousUser(), params=params).queryset]


def test_the_search_entry_follows_every_write_to_the_technology(owner):
    # given a draft: its entry exists with the row's filter fields and vector
    technology = make_technology(owner)
    entry = TechnologySearchEntry.objects.get(technology=technology)
    assert entry.status == TechnologyStatus.DRAFT
    assert entry.search_vector == Technology.objects.get(pk=technology.pk).search_vector
    # when the row is changed by a raw update (no Python model code runs)
    Technology.objects.filter(pk=technology.pk).update(
        status=TechnologyStatus.PUBLISHED, trl=3, region="CN-ZJ"
    )
    # then the entry follows
    entry.refresh_from_db()
    assert (entry.status, entry.trl, entry.region) == (TechnologyStatus.PUBLISHED, 3, "CN-ZJ")
    # and a deleted technology leaves no entry behind
    Technology.objects.filter(pk=technology.pk).delete()
    assert not TechnologySearchEntry.objects.exists()


def test_a_withdrawn_listing_disappears_from_search_at_once(owner):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    assert ids({"q": "有机废水"}) == [technology.pk]
    Technology.objects.filter(pk=technology.pk).update(status=TechnologyStatus.WITHDRAWN)
    assert ids({"q": "有机废水"}) == []


@pytest.fixture
def many(owner):
    """Eight published listings naming 余热回收: two in the title (the older ones), six only in
    the application scope (public, C-weighted), published one day apart (newest last)."""
    rows = []
    for index in range(8):
        in_title = index < 2
        technology = make_technology(
            owner,
            status=TechnologyStatus.PUBLISHED,
            title_zh=f"余热回收系统{index}" if in_title else f"工业锅炉改造{index}",
            title_en="",
            summary_zh="锅炉节能。",
            summary_en="",
            application_scope="其中包括余热回收。",
            description_en="",
            keywords=[],
        )
        Technology.objects.filter(pk=technology.pk).update(
            published_at=timezone.now() - timedelta(days=10 - index)
        )
        rows.append(technology.pk)
    return rows


def test_bounded_ranking_keeps_title_matches_first(many, monkeypatch):
    # given fewer rank candidates than matches (as for a common term at full scale)
    exact = ids({"q": "余热回收"})
    monkeypatch.setattr(selectors, "RANK_CANDIDATES", 3)
    search = technology_search(user=AnonymousUser(), params={"q": "余热回收"})
    # then the total stays exact and the title matches still come first, older or not
    assert search.queryset.count() == 8
    first_page = [t.pk for t in search.queryset[0:3]]
    assert first_page[:2] == exact[:2] == [many[1], many[0]]
    # and pages fit together: every match once, the same order as iterating everything
    pages = [t.pk for start in range(0, 8, 3) for t in search.queryset[start : start + 3]]
    assert pages == ids({"q": "余热回收"}) and sorted(pages) == sorted(many)
    assert technology_facets(search=search)["total"] == 8


@pytest.mark.parametrize("sort", ["newest", "price", "-price"])
def test_other_sorts_are_exact_past_the_candidates(owner, monkeypatch, sort):
    for price in (300, 100, None, 200, 500):
        make_technology(owner, status=TechnologyStatus.PUBLISHED, asking_price=price)
    full = ids({"q": "有机废水", "sort": sort})
    monkeypatch.setattr(selectors, "RANK_CANDIDATES", 2)
    search = technology_search(user=AnonymousUser(), params={"q": "有机废水", "sort": sort})
    pages = [t.pk for start in (0, 2, 4) for t in search.queryset[start : start + 2]]
    assert pages == full
    assert len(full) == 5


def test_an_invalid_filter_finds_nothing_without_a_query():
    search = technology_search(user=AnonymousUser(), params={"trl_band": "bogus"})
    assert search.queryset.count() == 0
    assert list(search.queryset[:20]) == []
    assert technology_facets(search=search)["total"] == 0
