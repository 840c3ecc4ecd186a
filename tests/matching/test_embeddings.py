"""The multilingual component in the production run path, with a small fake embedder."""

import numpy as np
import pytest

from matching import embeddings, services
from matching.choices import RunSubject, RunTrigger
from matching.models import Match, TechnologyMatchProfile, TextEmbedding
from tests.matching.conftest import make_need, make_technology

AXES = (("fruit", "果蔬"), ("odour", "臭"))


class FakeEmbedder:
    """One axis per concept word found, in either language; counts what it encodes."""

    model_version = "fake-1"

    def __init__(self):
        self.encoded: list[str] = []

    def encode(self, texts):
        self.encoded.extend(texts)
        rows = []
        for text in texts:
            row = [1.0 if any(word in text.lower() for word in words) else 0.0 for words in AXES]
            row.append(0.05)
            rows.append(np.array(row) / np.linalg.norm(row))
        return np.array(rows, dtype=np.float32)


@pytest.fixture
def fake_embedder():
    embedder = FakeEmbedder()
    with embeddings.embedder_override(embedder):
        yield embedder


@pytest.fixture
def cold_room_technology(holder_org):
    return make_technology(
        holder_org,
        title_en="Solar cold rooms for fruit and vegetables",
        summary="Off-grid solar cold rooms keep produce cool and cut post-harvest losses.",
        code="3.2",
    )


@pytest.fixture
def odour_technology(holder_org):
    return make_technology(
        holder_org,
        title_zh="鱼粉厂恶臭生物除臭装置",
        summary="生物滴滤塔去除蒸煮烘干废气中的氨和硫化氢。",
    )


@pytest.fixture
def short_chinese_need(enterprise_org):
    # No token in common with the English offer, and no glossary entry links them.
    return make_need(enterprise_org, title_zh="果蔬保鲜", description="采后损耗大")


def _encode_catalogue():
    # What the technologies' own runs and the nightly sweep do in the worker.
    services.technology_profiles_refresh()
    services.technology_embeddings_refresh()


def _run(subject, subject_id):
    run = services.matching_run_create(
        subject=subject, subject_id=subject_id, trigger=RunTrigger.MANUAL
    )
    return services.matching_run_execute(run_id=run.pk)


def test_without_the_component_a_short_chinese_need_misses_the_english_offer(
    short_chinese_need, cold_room_technology, odour_technology
):
    # given the embeddings switched off (the test default)
    # when
    _run(RunSubject.NEED, short_chinese_need.pk)

    # then
    assert not Match.objects.filter(
        need=short_chinese_need, technology=cold_room_technology
    ).exists()


def test_a_short_chinese_need_finds_the_english_offer_through_the_embedding(
    fake_embedder, short_chinese_need, cold_room_technology, odour_technology
):
    # given the multilingual component on and the catalogue encoded
    _encode_catalogue()

    # when the need is matched
    run = _run(RunSubject.NEED, short_chinese_need.pk)

    # then the English offer is a semantic candidate and the best match, explained
    best = Match.objects.filter(need=short_chinese_need).order_by("-score").first()
    assert run.candidates_count >= 1
    assert best.technology == cold_room_technology
    assert best.components["semantic"]["score"] == 1.0
    assert any("Semantic similarity" in reason for reason in best.reasons_en)


def test_vectors_are_cached_per_text_and_model_version(
    fake_embedder, short_chinese_need, cold_room_technology, odour_technology
):
    # given a first run encoded the need and the candidates
    _encode_catalogue()
    _run(RunSubject.NEED, short_chinese_need.pk)
    first = len(fake_embedder.encoded)
    stored = TextEmbedding.objects.filter(model_version="fake-1").count()

    # when the need runs again
    _run(RunSubject.NEED, short_chinese_need.pk)

    # then nothing is encoded twice, one row per distinct text
    assert first == stored == len(set(fake_embedder.encoded))
    assert len(fake_embedder.encoded) == first
    profile = TechnologyMatchProfile.objects.get(technology=cold_room_technology)
    row = TextEmbedding.objects.get(content_hash=profile.embedding_hash, model_version="fake-1")
    assert row.dimensions == 3


def test_another_model_version_never_reuses_the_vectors(short_chinese_need, cold_room_technology):
    # given vectors stored by the fake model
    with embeddings.embedder_override(FakeEmbedder()):
        _encode_catalogue()
        _run(RunSubject.NEED, short_chinese_need.pk)
    newer = FakeEmbedder()
    newer.model_version = "fake-2"

    # when a new model version runs
    with embeddings.embedder_override(newer):
        _run(RunSubject.NEED, short_chinese_need.pk)

    # then it encoded the texts again under its own key
    assert newer.encoded
    assert TextEmbedding.objects.filter(model_version="fake-2").count() == len(set(newer.encoded))


def test_the_technology_run_finds_the_need_and_stores_the_same_score(
    fake_embedder, short_chinese_need, cold_room_technology
):
    # given the need ran once (its profile records its text's hash)
    _encode_catalogue()
    _run(RunSubject.NEED, short_chinese_need.pk)
    by_need = Match.objects.get(need=short_chinese_need, technology=cold_room_technology).score
    Match.objects.all().delete()
    embeddings.semantic_indexes_invalidate()

    # when the technology is matched against the needs
    _run(RunSubject.TECHNOLOGY, cold_room_technology.pk)

    # then the pair is found from the technology's side with the same score
    match = Match.objects.get(need=short_chinese_need, technology=cold_room_technology)
    assert match.score == pytest.approx(by_need, abs=0.01)


def test_the_sweep_encodes_only_listings_without_a_vector(
    fake_embedder, cold_room_technology, odour_technology
):
    # given profiles without stored vectors
    services.technology_profiles_refresh()

    # when the sweep runs twice
    first = services.technology_embeddings_refresh()
    second = services.technology_embeddings_refresh()

    # then every listing was encoded once
    assert (first, second) == (2, 0)
    assert TextEmbedding.objects.filter(model_version="fake-1").count() == 2


def test_the_sweep_does_nothing_when_the_component_is_off(cold_room_technology):
    # given / when / then
    services.technology_profiles_refresh()
    assert services.technology_embeddings_refresh() == 0
    assert not TextEmbedding.objects.exists()
