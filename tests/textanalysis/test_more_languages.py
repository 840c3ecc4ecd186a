"""Vietnamese, Indonesian and Malay through the glossary (glossary_more.tsv)."""

import json
from pathlib import Path

import pytest

from catalog.demo import CORE
from exchange.demo import DEMO_NEEDS
from textanalysis import (
    DEFAULT_GLOSSARY_PATH,
    Glossary,
    analyze,
    concept_token,
    default_glossary,
    english_words,
    is_concept_token,
    normalize_text,
)
from textanalysis.languages import read_lexically
from textanalysis.normalize import fold_diacritics

CROSS_LINGUAL_OFFERS = (
    Path(__file__).resolve().parents[2] / "matching/evaluation_data/crosslingual/technologies.jsonl"
)


def _concepts(text: str) -> set[str]:
    return {token for token in analyze(text) if is_concept_token(token)}


@pytest.mark.parametrize(
    ("chinese", "vietnamese", "indonesian", "expected"),
    [
        (
            "垃圾填埋场渗滤液处理",
            "Xử lý nước rỉ rác tại bãi chôn lấp",
            "Pengolahan air lindi di tempat pembuangan akhir",
            {"leachate", "wastewater", "landfill"},
        ),
        (
            "燃煤锅炉烟气脱硫",
            "Khử lưu huỳnh khói thải lò hơi đốt than",
            "Desulfurisasi gas buang boiler batubara",
            {"desulfurization", "flue_gas", "coal_boiler"},
        ),
        (
            "工厂屋顶分布式光伏",
            "Điện mặt trời áp mái cho nhà xưởng",
            "PLTS atap untuk pabrik",
            {"rooftop_pv"},
        ),
    ],
)
def test_vietnamese_and_indonesian_needs_share_the_concepts_of_the_chinese_one(
    chinese, vietnamese, indonesian, expected
):
    # given
    tokens = {concept_token(concept) for concept in expected}

    # when
    chinese_concepts = _concepts(chinese)
    vietnamese_concepts = _concepts(vietnamese)
    indonesian_concepts = _concepts(indonesian)

    # then
    assert tokens <= chinese_concepts
    assert tokens <= vietnamese_concepts
    assert tokens <= indonesian_concepts


def test_a_vietnamese_form_brings_the_broader_concepts_of_its_concept():
    # given: dtro -> reverse_osmosis -> membrane in glossary.tsv
    text = "Hệ thống thẩm thấu ngược dạng đĩa"

    # when
    concepts = _concepts(text)

    # then
    assert {
        concept_token("dtro"),
        concept_token("reverse_osmosis"),
        concept_token("membrane"),
    } <= concepts


def test_vietnamese_without_accents_and_malay_forms_are_read_too():
    # given
    unaccented = "xu ly nuoc thai cong nghiep"
    malay = "Rawatan air sisa industri di kilang"

    # when / then
    assert concept_token("industrial_wastewater") in _concepts(unaccented)
    assert concept_token("industrial_wastewater") in _concepts(malay)


def test_accents_are_folded_for_latin_letters_only():
    # given
    texts = ["Nước thải đô thị", "Ørsted façade", "高浓度有机废水 MBR", "Очистка сточных вод"]

    # when
    folded = [fold_diacritics(normalize_text(text)) for text in texts]

    # then
    assert folded == [
        "nuoc thai do thi",
        "orsted facade",
        "高浓度有机废水 mbr",
        "очистка сточных вод",
    ]
    assert english_words(normalize_text("Nước thải")) == ["nuoc", "thai"]


def _chinese_and_english_samples() -> list[str]:
    samples: list[str] = []
    for _category, zh_title, en_title, zh_summary, en_summary, keywords, *_ in CORE:
        samples.extend([zh_title, en_title, zh_summary, en_summary, " ".join(keywords)])
    for title_zh, title_en, description_zh, *_ in DEMO_NEEDS:
        samples.extend([title_zh, title_en, description_zh])
    with CROSS_LINGUAL_OFFERS.open(encoding="utf-8") as handle:
        for line in handle:
            offer = json.loads(line)
            samples.extend([offer["title"], offer["summary"]])
    return [sample for sample in samples if sample]


def test_chinese_and_english_tokens_are_unchanged_by_the_new_languages():
    # given: the demo technologies and needs and the cross-lingual offers (zh and en), and the
    # glossary as it was (zh/en only)
    samples = _chinese_and_english_samples()
    chinese_and_english_only = Glossary.from_path(DEFAULT_GLOSSARY_PATH)

    # when
    before = [analyze(text, glossary=chinese_and_english_only) for text in samples]
    after = [analyze(text) for text in samples]

    # then: the same tokens, and folding changes none of these texts' words
    assert len(samples) > 150
    assert after == before
    assert all(fold_diacritics(normalize_text(text)) == normalize_text(text) for text in samples)


def test_every_concept_has_vietnamese_and_indonesian_forms():
    # given
    glossary = default_glossary()

    # when
    covered = {
        language: {concept for concepts in table.values() for concept in concepts}
        for language, table in glossary.more_forms.items()
    }

    # then
    assert covered["vi"] == glossary.concepts
    assert covered["id"] == glossary.concepts
    assert covered["ms"] <= glossary.concepts


def test_no_new_form_is_an_english_form_of_another_concept():
    # given
    glossary = default_glossary()

    # when
    clashes = [
        (language, form)
        for language, table in glossary.more_forms.items()
        for form, concepts in table.items()
        if form in glossary.english_forms and not concepts <= glossary.english_forms[form]
    ]

    # then
    assert clashes == []


def test_language_rows_for_unknown_concepts_are_refused():
    # given
    glossary = Glossary.from_lines(["sludge\t污泥\tsludge"])

    # when / then
    with pytest.raises(ValueError, match="unknown concept"):
        glossary.add_language_lines(["slugde\tvi\tbùn thải"])
    with pytest.raises(ValueError, match="expected concept"):
        glossary.add_language_lines(["sludge\tbùn thải"])


def test_language_rows_add_forms_to_a_custom_glossary():
    # given
    glossary = Glossary.from_lines(["sludge\t污泥\tsludge"])

    # when
    glossary.add_language_lines(["sludge\tvi\tbùn thải", "sludge\tid\tlumpur limbah"])

    # then
    assert concept_token("sludge") in analyze("Bùn thải", glossary=glossary)
    assert concept_token("sludge") in analyze("lumpur limbah", glossary=glossary)


def test_vietnamese_and_indonesian_text_naming_a_concept_is_read_lexically():
    # given / when / then
    assert read_lexically("Xử lý nước thải nhà máy chế biến thủy sản")
    assert read_lexically("Pengolahan air limbah pabrik tahu dengan biogas")
    assert not read_lexically("Chúng tôi cần một giải pháp cho vấn đề này")
    assert not read_lexically("Kami mencari mitra untuk proyek ini dengan segera")
