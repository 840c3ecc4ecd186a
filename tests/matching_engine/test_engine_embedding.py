import numpy as np
import pytest

from matching.engine.documents import NeedDocument, TechnologyDocument
from matching.engine.embedding import VectorIndex
from matching.engine.evaluation import Split, engine_rankings
from matching.engine.index import CorpusStats, technology_terms
from matching.engine.scoring import DEFAULT_WEIGHTS, rank

# Concepts the fake embedder recognises in any language, one axis each.
CONCEPTS = (
    ("irrigation", "灌溉", "ชลประทาน", "орошени"),
    ("odour", "臭", "กลิ่น", "запах"),
    ("desalination", "淡化", "تحلية"),
)


class ConceptEmbedder:
    """A tiny stand-in for the multilingual encoder: a vector per concept word found."""

    def __init__(self):
        self.encoded: list[str] = []

    def encode(self, texts):
        self.encoded.extend(texts)
        rows = []
        for text in texts:
            lowered = text.lower()
            row = [1.0 if any(word in lowered for word in words) else 0.0 for words in CONCEPTS]
            row.append(0.1)
            rows.append(np.array(row) / np.linalg.norm(row))
        return np.array(rows, dtype=np.float32)


IRRIGATION = TechnologyDocument(
    id="T1",
    language="en",
    title="Solar-powered irrigation pumping kit",
    summary="A photovoltaic pump lifts water to drip lines without grid power.",
    transaction_modes=("license",),
)
ODOUR = TechnologyDocument(
    id="T2",
    language="zh",
    title="鱼粉厂恶臭生物除臭装置",
    summary="生物滴滤塔去除氨和硫化氢。",
    transaction_modes=("license",),
)


def _stats(*technologies):
    return CorpusStats.from_terms(technology_terms(item) for item in technologies)


def test_vector_index_returns_the_nearest_first_within_the_limit():
    # given
    index = VectorIndex(["a", "b", "c"], np.array([[1, 0], [0.6, 0.8], [0, 1]], dtype=float))

    # when
    hits = index.search(np.array([1.0, 0.1]), limit=2)

    # then
    assert [item for item, _ in hits] == ["a", "b"]
    assert hits[0][1] == pytest.approx(0.995, abs=0.01)
    assert index.search(np.array([1.0, 0.0]), limit=3, minimum=0.5) == [
        ("a", pytest.approx(1.0)),
        ("b", pytest.approx(0.6)),
    ]
    assert VectorIndex().search(np.array([1.0]), limit=3) == []


def test_vector_index_refuses_ids_without_vectors():
    with pytest.raises(ValueError):
        VectorIndex(["a", "b"], np.array([[1.0, 0.0]]))


def test_a_thai_need_is_ranked_on_its_embedding_with_the_unread_share():
    # given a Thai need sharing no token with either technology
    need = NeedDocument(id="N1", language="th", title="ปั๊มน้ำเพื่อการชลประทาน")
    embedder = ConceptEmbedder()

    # when
    results = rank(need, [ODOUR, IRRIGATION], _stats(ODOUR, IRRIGATION), embedder=embedder)

    # then the irrigation kit comes first and the semantic part carries the relevance
    assert [result.technology_id for result in results] == ["T1", "T2"]
    semantic = results[0].components["semantic"]
    assert semantic.weight == pytest.approx(DEFAULT_WEIGHTS.text * 0.8)
    assert results[0].components["text"].score == 0.0
    assert results[0].score > 40


def test_a_described_chinese_need_keeps_the_lexical_share_and_a_title_alone_leans_on_meaning():
    # given a need with a description and one that is only a title
    described = NeedDocument(
        id="N1",
        language="zh",
        title="农田灌溉缺电",
        description="我们在云南山区有三百亩果园，没有电网，柴油泵运行费用太高，"
        "希望用太阳能水泵从山下的河里抽水到山上的滴灌管网，日供水量约五十立方米。",
    )
    title_only = NeedDocument(id="N2", language="zh", title="灌溉水泵")

    # when
    long = rank(described, [IRRIGATION], _stats(IRRIGATION), embedder=ConceptEmbedder())[0]
    short = rank(title_only, [IRRIGATION], _stats(IRRIGATION), embedder=ConceptEmbedder())[0]

    # then
    assert long.components["semantic"].weight == pytest.approx(
        DEFAULT_WEIGHTS.text * DEFAULT_WEIGHTS.semantic_share
    )
    assert short.components["semantic"].weight == pytest.approx(
        DEFAULT_WEIGHTS.text * DEFAULT_WEIGHTS.semantic_share_short
    )


def test_vectors_given_by_id_replace_the_embedder_and_a_pair_without_one_is_text_only():
    # given vectors for the need and only one of the technologies
    need = NeedDocument(id="N1", language="en", title="Irrigation pumps")
    need_vectors = {"N1": np.array([1.0, 0.0])}
    technology_vectors = {"T1": np.array([1.0, 0.0])}

    # when
    results = rank(
        need,
        [IRRIGATION, ODOUR],
        _stats(IRRIGATION, ODOUR),
        need_vectors=need_vectors,
        technology_vectors=technology_vectors,
    )

    # then
    by_id = {result.technology_id: result for result in results}
    assert by_id["T1"].components["semantic"].score == 1.0
    assert "semantic" not in by_id["T2"].components
    assert sum(part.weight for part in by_id["T2"].components.values()) == pytest.approx(1.0)


def test_evaluation_adds_semantic_candidates_for_needs_without_tokens():
    # given a split whose only need is in Russian
    split = Split(
        technologies=[IRRIGATION, ODOUR],
        needs=[NeedDocument(id="N1", language="ru", title="Насосы для орошения")],
        qrels={"N1": {"T1": 2}},
    )

    # when
    lexical = engine_rankings(split)
    fused = engine_rankings(split, embedder=ConceptEmbedder())

    # then
    assert lexical["N1"] == []
    assert fused["N1"][0][0] == "T1"


def test_vector_index_searches_a_batch_as_it_searches_each_vector():
    # given an index and a few query vectors
    generator = np.random.default_rng(3)
    ids = [f"T{number}" for number in range(300)]
    index = VectorIndex(ids, generator.normal(size=(300, 16)))
    queries = generator.normal(size=(5, 16))
    # when the batch is searched at once
    together = index.search_many(queries, limit=7, minimum=0.1)
    # then each row gets the ids (in order) and similarities that a search of it alone gives
    alone = [index.search(query, limit=7, minimum=0.1) for query in queries]
    assert [[pk for pk, _ in row] for row in together] == [[pk for pk, _ in row] for row in alone]
    for batch_row, single_row in zip(together, alone, strict=True):
        assert [value for _, value in batch_row] == pytest.approx([v for _, v in single_row])
    assert VectorIndex().search_many(queries, limit=3) == [[]] * 5
