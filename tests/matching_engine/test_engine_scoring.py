from decimal import Decimal

import numpy as np
import pytest

from matching.engine.documents import NeedDocument, TechnologyDocument
from matching.engine.index import CorpusStats, technology_terms
from matching.engine.scoring import rank, rank_needs, score_pair

COMPONENTS = {"text", "category", "trl", "transaction", "budget", "region", "standing"}


def _technology(**overrides) -> TechnologyDocument:
    values = {
        "id": "T1",
        "language": "zh",
        "title": "碟管式反渗透（DTRO）垃圾渗滤液处理系统",
        "summary": "填埋场渗滤液应急处理，出水达标排放。",
        "description": "适用于COD 5000-20000 mg/L、氨氮2000 mg/L的渗滤液，集装箱式，快速投运。",
        "category": "1.6",
        "keywords": ("DTRO", "渗滤液", "填埋场"),
        "trl": 9,
        "transaction_modes": ("service",),
        "asking_price": Decimal("8000000"),
        "region": "CN-SH",
    }
    values.update(overrides)
    return TechnologyDocument(**values)


def _need(**overrides) -> NeedDocument:
    values = {
        "id": "N1",
        "language": "zh",
        "title": "填埋场渗滤液处理能力不足",
        "description": "渗滤液COD约8000 mg/L，氨氮高，需要新增处理能力300吨/天，出水达标。",
        "category": "1.6",
        "trl_min": 8,
        "budget_max": Decimal("10000000"),
        "transaction_modes": ("service",),
        "region": "CN-GX",
    }
    values.update(overrides)
    return NeedDocument(**values)


def _unrelated() -> TechnologyDocument:
    return _technology(
        id="T2",
        title="工商业屋顶分布式光伏投资建设",
        summary="屋顶光伏合同能源管理。",
        description="自发自用，余电上网。",
        keywords=("分布式光伏",),
        category="3.2",
    )


def _stats(*technologies: TechnologyDocument) -> CorpusStats:
    return CorpusStats.from_terms(technology_terms(technology) for technology in technologies)


def _score(need: NeedDocument, technology: TechnologyDocument):
    return score_pair(need, technology, _stats(technology, _unrelated()))


def test_relevant_technology_outranks_unrelated_one_with_score_in_range():
    # given
    need, relevant, unrelated = _need(), _technology(), _unrelated()

    # when
    results = rank(need, [unrelated, relevant], _stats(relevant, unrelated))

    # then
    assert [result.technology_id for result in results] == ["T1", "T2"]
    assert all(0.0 <= result.score <= 100.0 for result in results)
    assert results[0].score > 50 > results[1].score


def test_every_component_has_score_weight_and_reasons_in_both_languages():
    # given
    need, technology = _need(), _technology()

    # when
    result = _score(need, technology)

    # then
    assert set(result.components) == COMPONENTS
    assert sum(part.weight for part in result.components.values()) == np.float64(1.0).item()
    for part in result.components.values():
        assert 0.0 <= part.score <= 1.0
        assert part.reason_zh and part.reason_en
    assert "渗滤液" in result.components["text"].reason_zh
    assert "leachate" in result.components["text"].reason_en


def test_result_serialises_to_plain_dict():
    # given
    result = _score(_need(), _technology())

    # when
    data = result.to_dict()

    # then
    assert data["components"]["trl"]["reason_en"].startswith("TRL 9")
    assert data["constraint_violations"] == []


def test_trl_below_minimum_demotes_but_keeps_the_match():
    # given
    need = _need()
    mature, immature = _technology(), _technology(id="T3", trl=6)

    # when
    results = rank(need, [immature, mature], _stats(mature, immature, _unrelated()))

    # then
    assert [result.technology_id for result in results] == ["T1", "T3"]
    demoted = results[1]
    assert demoted.score > 0
    assert [violation.code for violation in demoted.constraint_violations] == ["trl_below_minimum"]
    assert demoted.components["trl"].score < 1.0
    assert "6" in demoted.constraint_violations[0].message_zh


def test_price_over_one_and_a_half_budgets_is_a_violation():
    # given
    need = _need(budget_max=Decimal("1000000"))

    # when
    within = _score(need, _technology(asking_price=Decimal("900000")))
    slightly_over = _score(need, _technology(asking_price=Decimal("1400000")))
    far_over = _score(need, _technology(asking_price=Decimal("1600000")))

    # then
    assert within.components["budget"].score == 1.0
    assert 0.0 < slightly_over.components["budget"].score < 1.0
    assert not slightly_over.constraint_violations
    assert [v.code for v in far_over.constraint_violations] == ["price_over_budget"]
    assert within.score > slightly_over.score > far_over.score > 0


def test_missing_budget_or_price_is_neutral_not_a_violation():
    # given
    no_budget = _need(budget_max=None)
    no_price = _technology(asking_price=None)

    # when
    results = [_score(no_budget, _technology()), _score(_need(), no_price)]

    # then
    assert all(result.components["budget"].score == 0.7 for result in results)
    assert all(not result.constraint_violations for result in results)


def test_no_shared_transaction_mode_is_a_violation_only_when_need_lists_modes():
    # given
    technology = _technology(transaction_modes=("transfer",))

    # when
    strict = _score(_need(transaction_modes=("service", "license")), technology)
    open_need = _score(_need(transaction_modes=()), technology)

    # then
    assert [v.code for v in strict.constraint_violations] == ["no_shared_transaction_mode"]
    assert strict.components["transaction"].score == 0.0
    assert open_need.components["transaction"].score == 1.0
    assert not open_need.constraint_violations


def test_two_violations_demote_more_than_one():
    # given
    need = _need(budget_max=Decimal("1000000"))

    # when
    one = _score(need, _technology(asking_price=Decimal("100000"), trl=5))
    two = _score(need, _technology(asking_price=Decimal("9000000"), trl=5))

    # then
    assert len(one.constraint_violations) == 1 and len(two.constraint_violations) == 2
    assert two.score < one.score


def test_category_fit_prefers_sub_category_then_industry():
    # given
    technology = _technology(category="1.6")

    # when
    same = _score(_need(category="1.6"), technology).components["category"].score
    industry = _score(_need(category="1.2"), technology).components["category"].score
    other = _score(_need(category="5.3"), technology).components["category"].score
    unknown = _score(_need(category=None), technology).components["category"].score

    # then
    assert same > industry > unknown > other


def test_trl_without_minimum_mildly_prefers_mature_technology():
    # given
    need = _need(trl_min=None)

    # when
    mature = _score(need, _technology(trl=9)).components["trl"].score
    early = _score(need, _technology(trl=4)).components["trl"].score

    # then
    assert 1.0 >= mature > early > 0.5


def test_region_prefers_domestic_and_respects_stated_preference():
    # given
    foreign = _technology(region="DE")

    # when
    same = _score(_need(region="CN-SH"), _technology()).components["region"].score
    domestic = _score(_need(), _technology()).components["region"].score
    cross_any = _score(_need(), foreign).components["region"].score
    cross_unwanted = _score(_need(region_preference="domestic"), foreign).components["region"]
    cross_wanted = _score(_need(region_preference="cross_border"), foreign).components["region"]

    # then
    assert same > domestic > cross_any > cross_unwanted.score
    assert cross_wanted.score == 1.0
    assert "DE" in cross_unwanted.reason_en


def test_holder_standing_uses_verification_and_completed_deals():
    # given
    need = _need()

    # when
    unknown = _score(need, _technology()).components["standing"]
    strong = _score(need, _technology(holder_verified=True, holder_completed_deals=12))
    weak = _score(need, _technology(holder_verified=False, holder_completed_deals=0))

    # then
    assert unknown.score == 0.5
    assert strong.components["standing"].score == 1.0
    assert weak.components["standing"].score == 0.0
    assert strong.score > weak.score
    assert "12" in strong.components["standing"].reason_zh


def test_unrelated_technology_gets_a_low_score_despite_perfect_fit():
    # given
    need = _need(category="3.2", budget_max=None, trl_min=None, transaction_modes=())

    # when
    result = _score(need, _unrelated())

    # then
    assert result.score < 20


def test_cross_lingual_match_is_explained():
    # given
    need = _need(
        language="en",
        title="Landfill leachate plant is overloaded",
        description="Leachate with high COD and ammonia; we need extra treatment capacity.",
    )

    # when
    result = _score(need, _technology())

    # then
    assert "cross-language" in result.components["text"].reason_en
    assert "跨语言" in result.components["text"].reason_zh
    assert result.components["text"].score > 0.3


def test_rank_needs_gives_the_same_pair_score_as_rank():
    # given
    technology, other = _technology(), _unrelated()
    stats = _stats(technology, other)
    needs = [_need(), _need(id="N2", title="屋顶光伏", description="厂房屋顶装分布式光伏")]

    # when
    by_technology = {r.need_id: r.score for r in rank_needs(technology, needs, stats)}
    by_need = {need.id: rank(need, [technology], stats)[0].score for need in needs}

    # then
    assert by_technology == by_need
    assert max(by_technology, key=by_technology.__getitem__) == "N1"


class _FakeEmbedder:
    def encode(self, texts):
        return np.array([[1.0, 0.0] if "渗滤液" in text else [0.0, 1.0] for text in texts])


def test_embedder_adds_a_semantic_component():
    # given
    need, technology = _need(), _technology()

    # when
    result = score_pair(need, technology, _stats(technology), embedder=_FakeEmbedder())

    # then
    assert result.components["semantic"].score == 1.0
    assert sum(part.weight for part in result.components.values()) == 1.0


def test_query_weights_computed_once_give_the_ratio_computed_per_pair():
    # given a query, a document and statistics
    from matching.engine.index import query_weight
    from matching.engine.scoring import text_relevance_ratio

    stats = CorpusStats(document_count=10, total_length=100.0, document_frequency={"a": 2, "b": 9})
    query = {"a": 2.0, "b": 1.0, "c": 1.0}
    document = {"a": 3.0, "b": 1.0, "x": 5.0}
    # when the ratio is computed
    ratio, contributions = text_relevance_ratio(query, document, stats)
    # then it is BM25 over the best possible BM25, term by term
    length_norm = 1.0 - 0.75 + 0.75 * 9.0 / 10.0
    expected = {
        term: query_weight(term, query[term]) * stats.idf(term)
        * document[term] * 2.2 / (document[term] + 1.2 * length_norm)
        for term in ("a", "b")
    }  # fmt: skip
    best = sum(query_weight(term, value) * stats.idf(term) * 2.2 for term, value in query.items())
    assert dict(contributions) == pytest.approx(expected)
    assert ratio == pytest.approx(sum(expected.values()) / best)
