from textanalysis import Glossary, analyze, concept_token, stem_english


def test_search_mode_segmentation_finds_sub_phrases():
    # given
    text = "高浓度有机废水厌氧处理"

    # when
    tokens = analyze(text, "zh")

    # then
    assert {"高浓度", "有机废水", "有机", "废水", "厌氧"} <= set(tokens)


def test_english_and_chinese_terms_share_glossary_concepts():
    # given
    chinese = "垃圾填埋场渗滤液处理"
    english = "Treatment of landfill leachate"

    # when
    chinese_tokens = set(analyze(chinese, "zh"))
    english_tokens = set(analyze(english, "en"))

    # then
    assert concept_token("leachate") in chinese_tokens & english_tokens
    assert concept_token("landfill") in chinese_tokens & english_tokens


def test_glossary_synonyms_map_to_one_concept():
    # given
    texts = ["光伏电站", "photovoltaic plant", "rooftop PV"]

    # when
    token_sets = [set(analyze(text)) for text in texts]

    # then
    assert all(concept_token("pv") in tokens for tokens in token_sets)


def test_broader_concepts_are_emitted_with_the_narrow_one():
    # given
    text = "碟管式反渗透"

    # when
    tokens = set(analyze(text))

    # then
    assert {
        concept_token("dtro"),
        concept_token("reverse_osmosis"),
        concept_token("membrane"),
    } <= tokens


def test_analysis_without_glossary_has_no_concept_tokens():
    # given
    text = "Waste heat recovery 余热回收"

    # when
    tokens = analyze(text, use_glossary=False)

    # then
    assert tokens
    assert not any(token.startswith("zc") for token in tokens)


def test_tokens_are_safe_for_the_postgresql_simple_configuration():
    # given
    text = "SO₂ 排放 < 35 mg/Nm³，PM2.5 与 VOCs (non-methane) 在线监测"

    # when
    tokens = analyze(text)

    # then
    assert tokens
    assert all(token.isalnum() and token == token.lower() for token in tokens)


def test_stopwords_and_numbers_are_dropped():
    # given
    text = "We need the 2000 m3 system and 我们 希望 的"

    # when
    tokens = analyze(text, use_glossary=False)

    # then
    assert "the" not in tokens and "we" not in tokens and "2000" not in tokens
    assert "我们" not in tokens and "希望" not in tokens


def test_light_stemmer_folds_plurals_and_british_spelling():
    # given
    words = ["batteries", "optimisation", "odour", "centre", "glass", "heating"]

    # when
    stems = [stem_english(word) for word in words]

    # then
    assert stems == ["battery", "optimization", "odor", "center", "glass", "heating"]


def test_custom_glossary_lines_are_parsed():
    # given
    lines = [
        "# comment",
        "sludge\t污泥\tsludge|biosolids",
        "sludge_drying\t污泥干化\tsludge drying\tsludge",
    ]

    # when
    glossary = Glossary.from_lines(lines)
    tokens = analyze("solar sludge drying", glossary=glossary)

    # then
    assert concept_token("sludge_drying") in tokens
    assert tokens.count(concept_token("sludge")) == 2  # from "sludge" and as broader concept
    assert glossary.label(concept_token("sludge")) == ("污泥", "sludge")
