import io
import json
import math

import pytest

from matching.engine.documents import NeedDocument, TechnologyDocument
from matching.engine.evaluation import (
    Split,
    cross_lingual_need_ids,
    engine_rankings,
    evaluate,
    load_split,
    ndcg_at,
    precision_at,
    recall_at,
    reciprocal_rank,
    write_run,
)


def test_ndcg_matches_hand_computation():
    # given
    ranked = ["a", "b", "c"]
    relevant = {"b": 2, "c": 1, "z": 1}

    # when
    value = ndcg_at(ranked, relevant, k=10)

    # then
    dcg = 3 / math.log2(3) + 1 / math.log2(4)
    ideal = 3 / math.log2(2) + 1 / math.log2(3) + 1 / math.log2(4)
    assert value == pytest.approx(dcg / ideal)


def test_ndcg_is_one_for_ideal_order_and_zero_without_hits():
    # given
    relevant = {"a": 2, "b": 1}

    # when / then
    assert ndcg_at(["a", "b", "x"], relevant) == pytest.approx(1.0)
    assert ndcg_at(["x", "y"], relevant) == 0.0


def test_recall_for_any_grade_and_grade_two_only():
    # given
    ranked = ["a", "x", "c"]
    relevant = {"a": 1, "b": 2, "c": 2}

    # when / then
    assert recall_at(ranked, relevant, k=10) == pytest.approx(2 / 3)
    assert recall_at(ranked, relevant, k=10, min_grade=2) == pytest.approx(1 / 2)
    assert recall_at(ranked, relevant, k=1) == pytest.approx(1 / 3)


def test_reciprocal_rank_and_precision_at_five():
    # given
    ranked = ["x", "y", "a", "b", "z", "c"]
    relevant = {"a": 1, "b": 2, "c": 2}

    # when / then
    assert reciprocal_rank(ranked, relevant) == pytest.approx(1 / 3)
    assert precision_at(ranked, relevant, k=5) == pytest.approx(2 / 5)


def test_evaluate_averages_only_needs_with_relevant_items():
    # given
    rankings = {"N1": ["a"], "N2": ["b"], "N3": ["c"]}
    qrels = {"N1": {"a": 2}, "N2": {"x": 1}, "N3": {}}

    # when
    metrics = evaluate(rankings, qrels)

    # then
    assert metrics["needs"] == 2
    assert metrics["ndcg@10"] == pytest.approx(0.5)
    assert metrics["mrr"] == pytest.approx(0.5)


def test_cross_lingual_needs_differ_from_a_relevant_technology_language():
    # given
    split = Split(
        technologies=[
            TechnologyDocument(id="T1", language="zh", title="x"),
            TechnologyDocument(id="T2", language="en", title="y"),
        ],
        needs=[
            NeedDocument(id="N1", language="en", title="a"),
            NeedDocument(id="N2", language="zh", title="b"),
            NeedDocument(id="N3", language="en", title="c"),
        ],
        qrels={"N1": {"T1": 1, "T2": 2}, "N2": {"T1": 2}, "N3": {"T2": 2}},
    )

    # when / then
    assert cross_lingual_need_ids(split) == ["N1"]


def test_run_file_lines_are_need_tech_rank_score():
    # given
    rankings = {"N2": [("T9", 12.5)], "N1": [("T1", 80.0), ("T2", 40.25)]}
    out = io.StringIO()

    # when
    write_run(rankings, out, top=100)

    # then
    assert out.getvalue().splitlines() == [
        "N1\tT1\t1\t80.0000",
        "N1\tT2\t2\t40.2500",
        "N2\tT9\t1\t12.5000",
    ]


def test_load_split_and_engine_rank_a_tiny_directory(tmp_path):
    # given
    technologies = [
        {
            "id": "T1",
            "language": "zh",
            "title": "垃圾渗滤液碟管式反渗透",
            "keywords": ["渗滤液"],
            "trl": 9,
            "transaction_modes": ["service"],
            "asking_price_cny": 100,
            "region": "CN-SH",
        },
        {
            "id": "T2",
            "language": "en",
            "title": "Rooftop solar PV leasing",
            "trl": 9,
            "transaction_modes": ["service"],
            "asking_price_cny": None,
            "region": "DE",
        },
    ]
    needs = [
        {
            "id": "N1",
            "language": "en",
            "title": "Landfill leachate treatment",
            "description": "Leachate overflows in the rainy season.",
            "category": None,
            "trl_min": None,
            "budget_cny_max": None,
            "transaction_modes": [],
            "region": "TH",
        }
    ]
    (tmp_path / "technologies.jsonl").write_text(
        "\n".join(json.dumps(row) for row in technologies), encoding="utf-8"
    )
    (tmp_path / "needs.jsonl").write_text(json.dumps(needs[0]), encoding="utf-8")
    (tmp_path / "qrels.tsv").write_text("need_id\ttech_id\tgrade\nN1\tT1\t2\n", encoding="utf-8")

    # when
    split = load_split(tmp_path)
    rankings = engine_rankings(split)

    # then
    assert split.qrels == {"N1": {"T1": 2}}
    assert rankings["N1"][0][0] == "T1"
