import json

import pytest
from django.core.management import call_command

from matching.models import Match, MatchingRun

TECHNOLOGIES = [
    {"id": "T0001", "language": "zh", "title": "垃圾填埋场渗滤液碟管式反渗透处理",
     "summary": "碟管式反渗透处理高浓度渗滤液。",
     "description": "适用于COD 10000 mg/L的渗滤液，氨氮去除。",
     "category": "2.4", "keywords": ["渗滤液", "反渗透"], "trl": 8,
     "transaction_modes": ["service"], "asking_price_cny": 2000000, "region": "CN-JS",
     "holder_type": "enterprise"},
    {"id": "T0002", "language": "en", "title": "Rooftop photovoltaic with battery storage",
     "summary": "Solar panels and batteries for factories.",
     "description": "Peak shaving and self consumption for industrial parks.",
     "category": "3.2", "keywords": ["photovoltaic"], "trl": 9,
     "transaction_modes": ["transfer"], "asking_price_cny": 500000, "region": "DE",
     "holder_type": "university"},
    {"id": "T0003", "language": "zh", "title": "锅炉烟气余热回收",
     "summary": "回收锅炉排烟余热。", "description": "冷凝式换热器回收天然气锅炉烟气余热。",
     "category": "1.6", "keywords": ["余热回收", "锅炉"], "trl": 7,
     "transaction_modes": ["license"], "asking_price_cny": None, "region": "CN-ZJ",
     "holder_type": "institute"},
]  # fmt: skip
NEEDS = [
    {"id": "N0001", "language": "en", "title": "Landfill leachate treatment capacity",
     "description": "Leachate with COD 10000 mg/L and ammonia; we need reverse osmosis.",
     "category": None, "trl_min": 7, "budget_cny_max": 5000000,
     "transaction_modes": ["service"], "region": "CN-GX"},
    {"id": "N0002", "language": "zh", "title": "工厂屋顶想装光伏和储能",
     "description": "工业园区电费高，希望屋顶光伏加电池储能削峰。", "category": "3.2",
     "trl_min": None, "budget_cny_max": None, "transaction_modes": [], "region": "CN-ZJ"},
]  # fmt: skip
QRELS = "need_id\ttech_id\tgrade\nN0001\tT0001\t2\nN0002\tT0002\t2\n"


@pytest.fixture
def tiny_split(tmp_path):
    (tmp_path / "technologies.jsonl").write_text(
        "\n".join(json.dumps(row, ensure_ascii=False) for row in TECHNOLOGIES), encoding="utf-8"
    )
    (tmp_path / "needs.jsonl").write_text(
        "\n".join(json.dumps(row, ensure_ascii=False) for row in NEEDS), encoding="utf-8"
    )
    (tmp_path / "qrels.tsv").write_text(QRELS, encoding="utf-8")
    return tmp_path


@pytest.mark.django_db(transaction=True)
def test_evaluate_matching_on_a_tiny_split(tiny_split, tmp_path, capsys):
    # when the command evaluates the split in a throw-away database
    out_json, out_run = tmp_path / "metrics.json", tmp_path / "run.tsv"
    call_command("evaluate_matching", data=str(tiny_split), json=str(out_json), run=str(out_run))
    # then both systems are reported and the engine finds both cross-lingual answers first
    printed = capsys.readouterr().out
    assert "engine" in printed and "bm25" in printed
    metrics = json.loads(out_json.read_text())
    assert set(metrics["engine"]) == {"ndcg@10", "recall@10", "mrr", "p@5"}
    assert set(metrics["bm25"]) == {"ndcg@10", "recall@10", "mrr", "p@5"}
    assert metrics["engine"]["mrr"] == 1.0
    lines = [line.split("\t") for line in out_run.read_text().splitlines()]
    assert lines[0][:3] == ["N0001", "T0001", "1"]
    assert {line[0] for line in lines} == {"N0001", "N0002"}
    # and nothing was written to this database
    assert not Match.objects.exists()


def test_evaluate_matching_reports_a_missing_file(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("evaluate_matching", data=str(tmp_path))


def test_rematch_all_is_idempotent(leachate_need, leachate_technology, capsys):
    call_command("rematch", all=True)
    first = list(Match.objects.values_list("pk", "score"))
    call_command("rematch", all=True)
    assert list(Match.objects.values_list("pk", "score")) == first
    assert "1/1 needs" in capsys.readouterr().out
    assert MatchingRun.objects.filter(status="completed").count() == 2


def test_demo_seed_is_idempotent(leachate_need, leachate_technology):
    from matching.demo import seed

    seed()
    first = list(Match.objects.values_list("pk", "need", "technology", "score"))
    seed()
    assert list(Match.objects.values_list("pk", "need", "technology", "score")) == first
    assert first


@pytest.mark.django_db
def test_the_evaluation_loader_cuts_over_long_texts_and_reports_bad_records(tiny_split):
    from matching.engine.evaluation import load_split
    from matching.evaluation import LoadReport, load_split_into_database

    # given a split with a 300-character title in markup, a record that cannot be valid and a
    # need whose title is longer than its column
    technologies = [
        {**TECHNOLOGIES[0], "title": "<b>渗滤液</b>  处理" + "技术" * 150},
        {**TECHNOLOGIES[1], "region": "XX"},
        TECHNOLOGIES[2],
    ]
    needs = [{**NEEDS[0], "title": "Landfill leachate " * 20}, NEEDS[1]]
    (tiny_split / "technologies.jsonl").write_text(
        "\n".join(json.dumps(row, ensure_ascii=False) for row in technologies), encoding="utf-8"
    )
    (tiny_split / "needs.jsonl").write_text(
        "\n".join(json.dumps(row, ensure_ascii=False) for row in needs), encoding="utf-8"
    )
    report = LoadReport()
    # when it is loaded
    technology_ids, need_ids = load_split_into_database(load_split(tiny_split), report)
    # then the bad record is reported and left out, the long texts are cut and reported
    assert set(technology_ids) == {"T0001", "T0003"} and set(need_ids) == {"N0001", "N0002"}
    [(refused_id, reason)] = report.refused
    assert refused_id == "T0002" and "region" in reason
    assert {file_id for file_id, _fields in report.shortened} == {"T0001", "N0001"}
    from catalog.models import Technology

    title = Technology.objects.get(pk=technology_ids["T0001"]).title_zh
    assert title.startswith("渗滤液 处理技术") and len(title) <= 200
