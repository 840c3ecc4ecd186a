import pytest

from matching.engine.documents import NeedDocument, TechnologyDocument
from matching.engine.index import (
    CorpusStats,
    NeedIndex,
    TechnologyIndex,
    bm25_score,
    need_terms,
    technology_search_text,
)


def _technology(identifier: str, title: str, language: str = "zh") -> TechnologyDocument:
    return TechnologyDocument(id=identifier, language=language, title=title)


def test_search_returns_best_bm25_match_first():
    # given
    index = TechnologyIndex()
    index.add(_technology("T1", "垃圾渗滤液碟管式反渗透处理"))
    index.add(_technology("T2", "燃煤锅炉烟气脱硫"))
    index.add(_technology("T3", "Landfill leachate membrane treatment", "en"))

    # when
    hits = index.search(["渗滤液", "反渗透"], limit=10)

    # then
    assert hits[0][0] == "T1"
    assert "T2" not in [technology_id for technology_id, _ in hits]


def test_cross_lingual_search_reaches_the_other_language():
    # given
    index = TechnologyIndex()
    index.add(_technology("T1", "垃圾渗滤液处理"))
    index.add(_technology("T2", "燃煤锅炉烟气脱硫"))
    need = NeedDocument(id="N1", language="en", title="Landfill leachate overflowing")

    # when
    hits = index.search(need_terms(need), limit=10)

    # then
    assert [technology_id for technology_id, _ in hits][:1] == ["T1"]


def test_update_replaces_the_indexed_text():
    # given
    index = TechnologyIndex()
    index.add(_technology("T1", "燃煤锅炉烟气脱硫"))

    # when
    index.update(_technology("T1", "餐厨垃圾厌氧消化"))

    # then
    assert len(index) == 1
    assert index.search(["脱硫"], limit=5) == []
    assert index.search(["厌氧"], limit=5)[0][0] == "T1"
    assert index.stats.document_count == 1


def test_remove_drops_document_and_its_statistics():
    # given
    index = TechnologyIndex()
    index.add(_technology("T1", "燃煤锅炉烟气脱硫"))
    index.add(_technology("T2", "石灰石石膏湿法脱硫"))

    # when
    removed = index.remove("T1")

    # then
    assert removed is True
    assert "T1" not in index
    assert [technology_id for technology_id, _ in index.search(["脱硫"], 5)] == ["T2"]
    assert index.stats.document_frequency["脱硫"] == 1
    assert index.remove("T1") is False


def test_removed_slots_are_reused():
    # given
    index = TechnologyIndex()
    for number in range(3):
        index.add(_technology(f"T{number}", "光伏组件回收"))
    index.remove("T1")

    # when
    index.add(_technology("T9", "光伏组件回收"))

    # then
    assert len(index) == 3
    assert {technology_id for technology_id, _ in index.search(["光伏"], 10)} == {"T0", "T2", "T9"}


def test_index_scores_equal_pairwise_bm25():
    # given
    index = TechnologyIndex()
    for number, title in enumerate(
        ["余热回收发电", "余热锅炉", "光伏电站运维", "余热回收热泵供暖"]
    ):
        index.add(_technology(f"T{number}", title))
    query = {"余热": 2.0, "回收": 1.0, "热泵": 1.0}

    # when
    hits = dict(index.search(query, limit=10))

    # then
    for technology_id, score in hits.items():
        expected = bm25_score(query, index.terms_of(technology_id) or {}, index.stats)
        assert score == pytest.approx(expected)


def test_limit_caps_the_number_of_hits():
    # given
    index = TechnologyIndex()
    for number in range(20):
        index.add(_technology(f"T{number}", f"污水处理 {'膜生物反应器 ' * (number % 3)}"))

    # when
    hits = index.search(["污水"], limit=5)

    # then
    assert len(hits) == 5


def test_need_index_finds_needs_for_a_technology():
    # given
    index = NeedIndex()
    index.add(NeedDocument(id="N1", language="zh", title="电镀废水镍超标"))
    index.add(NeedDocument(id="N2", language="zh", title="屋顶闲置想装光伏"))
    technology = _technology("T1", "电镀废水螯合树脂除镍")

    # when
    from matching.engine.index import technology_terms

    hits = index.search(technology_terms(technology), limit=5)

    # then
    assert hits[0][0] == "N1"


def test_corpus_stats_idf_prefers_rare_terms():
    # given
    stats = CorpusStats.from_terms([{"a": 1.0, "b": 1.0}, {"a": 2.0}, {"a": 1.0}])

    # when
    common, rare = stats.idf("a"), stats.idf("b")

    # then
    assert rare > common > 0
    assert stats.average_length == pytest.approx(5 / 3)


def test_search_text_has_title_and_keywords_in_class_a():
    # given
    technology = TechnologyDocument(
        id="T1",
        language="zh",
        title="沸石转轮吸附浓缩",
        summary="VOCs 治理",
        description="适用于喷涂车间",
        keywords=("RTO",),
    )

    # when
    text = technology_search_text(technology)

    # then
    assert "沸石转轮" in text.a.split() and "rto" in text.a.split()
    assert "voc" in text.b.split()
    assert "喷涂" in text.c.split()
