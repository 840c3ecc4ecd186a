"""The near-duplicate score of two listings (textanalysis.similarity): plain Python."""

import pytest

from textanalysis.similarity import DUPLICATE_THRESHOLD, fingerprint, similarity


def _listing(title: str, summary: str = "", *, title_en: str = "", summary_en: str = ""):
    return fingerprint(titles=[title, title_en], texts=[summary, summary_en])


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # Chinese: a particle and a word more, the summary cut short
        (
            (
                "高浓度有机废水内循环厌氧处理技术",
                "内循环厌氧反应器处理化工、制药高浓度有机废水，COD去除率高。",
            ),
            (
                "高浓度有机废水的内循环厌氧处理工艺",
                "内循环厌氧反应器处理化工和制药高浓度有机废水。",
            ),
        ),
        # English: a hyphen less, plural and British spelling
        (
            (
                "Membrane bioreactor for landfill leachate with nanofiltration",
                "A membrane bioreactor followed by nanofiltration treats landfill leachate.",
            ),
            (
                "Membrane bioreactors for landfill leachate, nanofiltration polishing",
                "Membrane bioreactor and nanofiltration treat landfill leachate.",
            ),
        ),
        # one title mixing both scripts
        (
            (
                "MBR膜生物反应器处理垃圾渗滤液 leachate 技术",
                "MBR膜生物反应器加纳滤处理垃圾渗滤液。",
            ),
            (
                "MBR膜生物反应器处理垃圾渗滤液 (leachate) 工艺",
                "MBR膜生物反应器与纳滤处理垃圾渗滤液。",
            ),
        ),
    ],
)
def test_a_listing_typed_in_again_scores_over_the_threshold(first, second):
    # when two wordings of one technology are compared
    result = similarity(_listing(*first), _listing(*second))
    # then they read alike, by title and by text
    assert result.score >= DUPLICATE_THRESHOLD
    assert result.title > 0.5
    assert result.text > 0.5


def test_listings_of_one_field_that_do_different_things_stay_under_the_threshold():
    # given two wastewater technologies of different methods
    anaerobic = _listing(
        "高浓度有机废水内循环厌氧处理技术",
        "内循环厌氧反应器处理化工、制药高浓度有机废水，沼气回收。",
    )
    oxidation = _listing(
        "高盐废水臭氧催化氧化深度处理", "臭氧催化氧化去除高盐废水中的难降解有机物，出水回用。"
    )
    # when compared
    result = similarity(anaerobic, oxidation)
    # then they are not duplicates
    assert result.score < DUPLICATE_THRESHOLD


def test_the_same_listing_in_chinese_and_in_english_shares_its_concepts():
    # given a Chinese-only and an English-only title of one technology
    chinese = _listing("垃圾渗滤液膜生物反应器处理")
    english = _listing("", title_en="Membrane bioreactor treatment of landfill leachate")
    unrelated = _listing("", title_en="Retired photovoltaic module recycling")
    # when compared, then the glossary's concepts make them closer than an unrelated listing
    assert similarity(chinese, english).title > similarity(chinese, unrelated).title


def test_shared_terms_name_the_telling_words_of_both_languages():
    # given two wordings in both languages
    first = _listing(
        "高浓度有机废水厌氧处理技术",
        title_en="Anaerobic treatment of high-strength organic wastewater",
    )
    second = _listing(
        "高浓度有机废水的厌氧处理工艺",
        title_en="Anaerobic treatment for high-strength organic wastewater",
    )
    # when compared
    terms = similarity(first, second).shared_terms
    # then the longest Chinese word leads and a word inside it is not repeated
    assert terms[0] == "高浓度有机废水"
    assert "有机废水" not in terms
    assert "anaerobic" in terms
    assert not any(term.startswith("zc") for term in terms)


def test_an_empty_listing_is_like_nothing():
    assert similarity(_listing(""), _listing("高浓度有机废水厌氧处理技术")).score == 0.0
