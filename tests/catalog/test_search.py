import pytest

from catalog.choices import TechnologyStatus
from catalog.selectors import technology_facets, technology_search
from tests.catalog.conftest import make_technology

pytestmark = pytest.mark.django_db

PHOTOVOLTAIC = {
    "title_zh": "",
    "summary_zh": "",
    "title_en": "Bifacial photovoltaic modules for desert power plants",
    "summary_en": "High-efficiency bifacial PV panels with anti-soiling coating.",
    "description_zh": "",
    "description_en": "",
    "category": "3.2",
    "keywords": [],
    "trl": 4,
    "transaction_modes": ["joint_development"],
    "asking_price": None,
    "patents": [],
    "region": "CN-GD",
}


def ids(params, user=None):
    from django.contrib.auth.models import AnonymousUser

    search = technology_search(user=user or AnonymousUser(), params=params)
    return [t.pk for t in search.queryset]


@pytest.fixture
def catalogue(owner):
    wastewater = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    solar = make_technology(owner, status=TechnologyStatus.PUBLISHED, **PHOTOVOLTAIC)
    draft = make_technology(owner, title_zh="有机废水草稿技术")
    return wastewater, solar, draft


@pytest.mark.parametrize(
    "query",
    ["有机废水", "厌氧处理", "高浓度有机废水", "wastewater", "anaerobic treatment", "废水", "污水"],
)
def test_a_chinese_sub_phrase_english_words_and_synonyms_find_the_listing(catalogue, query):
    wastewater, _solar, draft = catalogue
    found = ids({"q": query})
    assert found == [wastewater.pk]
    assert draft.pk not in found


@pytest.mark.parametrize("query", ["光伏", "photovoltaic", "PV", "光伏组件 bifacial"])
def test_photovoltaic_synonyms_cross_languages(catalogue, query):
    _wastewater, solar, _draft = catalogue
    assert solar.pk in ids({"q": query})


def test_unrelated_words_find_nothing(catalogue):
    assert ids({"q": "核聚变"}) == []
    assert ids({"q": "blockchain"}) == []


def test_relevance_puts_title_matches_first(owner):
    # given one listing naming the query in its title and one only in its application scope
    # (the confidential description is not indexed at all: tests/security/test_trust_visibility)
    in_title = make_technology(owner, status=TechnologyStatus.PUBLISHED, title_zh="余热回收系统")
    in_scope = make_technology(
        owner,
        status=TechnologyStatus.PUBLISHED,
        title_zh="工业锅炉改造",
        application_scope="其中包括余热回收。",
    )
    assert ids({"q": "余热回收"}) == [in_title.pk, in_scope.pk]


def test_sort_by_price_and_newest(owner):
    cheap = make_technology(owner, status=TechnologyStatus.PUBLISHED, asking_price="100")
    dear = make_technology(owner, status=TechnologyStatus.PUBLISHED, asking_price="900")
    assert ids({"sort": "price"}) == [cheap.pk, dear.pk]
    assert ids({"sort": "-price"}) == [dear.pk, cheap.pk]
    assert ids({"sort": "newest"})[0] == dear.pk


def test_facet_filters(catalogue):
    wastewater, solar, _draft = catalogue
    assert ids({"category": "2"}) == [wastewater.pk]
    assert ids({"category": "3.2"}) == [solar.pk]
    assert ids({"trl_band": "4-6"}) == [solar.pk]
    assert ids({"transaction_mode": "license"}) == [wastewater.pk]
    assert ids({"region": "CN-GD"}) == [solar.pk]
    assert ids({"has_granted_patent": "true"}) == [wastewater.pk]
    assert ids({"trl_band": "bogus"}) == []


def test_facet_counts_add_up_to_the_total(catalogue, owner):
    from django.contrib.auth.models import AnonymousUser

    make_technology(owner, status=TechnologyStatus.PUBLISHED, trl=2, region="CN-ZJ")
    facets = technology_facets(search=technology_search(user=AnonymousUser(), params={}))
    assert facets["total"] == 3
    for name in ("category", "trl_band", "region", "holder_type", "has_granted_patent"):
        assert sum(item["count"] for item in facets[name]) == 3, name
    assert sum(c["count"] for node in facets["category"] for c in node["children"]) == 3
    modes = {item["value"]: item["count"] for item in facets["transaction_mode"]}
    assert modes["license"] == 2 and modes["joint_development"] == 1


def test_snippets_highlight_the_query(catalogue):
    from django.contrib.auth.models import AnonymousUser

    search = technology_search(user=AnonymousUser(), params={"q": "有机废水"})
    technology = search.queryset.get()
    assert "<mark>高浓度有机废水</mark>" in search.snippet(technology.summary_zh)


def test_snippets_escape_html():
    from catalog.search import highlight

    assert highlight("<b>光伏</b>", ["光伏"]) == "&lt;b&gt;<mark>光伏</mark>&lt;/b&gt;"


def test_search_uses_the_index_not_a_like_scan(catalogue):
    from django.contrib.auth.models import AnonymousUser

    sql = str(technology_search(user=AnonymousUser(), params={"q": "有机废水"}).queryset.query)
    assert "@@" in sql
    assert "LIKE" not in sql.upper()


@pytest.mark.parametrize("query", ["nước thải", "nuoc thai", "air limbah", "air sisa"])
def test_a_vietnamese_indonesian_or_malay_query_finds_the_chinese_listing(catalogue, query):
    """The glossary's Vietnamese, Indonesian and Malay forms name the same concept as 废水."""
    wastewater, _solar, draft = catalogue
    found = ids({"q": query})
    assert found == [wastewater.pk]
    assert draft.pk not in found
