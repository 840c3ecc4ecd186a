"""A re-match in batches (`matching_runs_execute`) stores what one run per need stores."""

import pytest

from catalog.models import Category
from matching import embeddings, services
from matching.candidates import candidate_ids, candidate_ids_many
from matching.choices import RunStatus, RunSubject, RunTrigger
from matching.models import Match, MatchingRun
from matching.statistics import corpus_statistics
from tests.matching.conftest import make_need, make_technology
from tests.matching.test_embeddings import FakeEmbedder

PAIR_FIELDS = ("need_id", "technology_id", "score", "components", "reasons_en", "demoted")


@pytest.fixture
def catalogue(holder_org, leachate_technology, solar_technology):
    make_technology(
        holder_org,
        title_en="Membrane bioreactor for high-strength wastewater",
        summary="MBR with ultrafiltration membranes for leachate and industrial wastewater.",
        description="Removes COD and ammonia from landfill leachate; 50-300 tonnes per day.",
        keywords=["membrane bioreactor", "leachate"],
        modes=("service",),
        price="3000000",
    )
    make_technology(
        holder_org,
        title_zh="工业园区分布式光伏与储能",
        summary="屋顶光伏加锂电池储能，削峰填谷，降低工厂电费。",
        code="3.2",
        keywords=["光伏", "储能"],
        modes=("transfer",),
    )
    return Category.objects.count()


@pytest.fixture
def needs(enterprise_org, leachate_need, catalogue):
    return [
        leachate_need,
        make_need(
            enterprise_org,
            title_en="Cut the electricity bill of our factory with rooftop solar",
            description="We want photovoltaic panels and battery storage on 20,000 m2 of roofs.",
            modes=("transfer", "license"),
        ),
        make_need(
            enterprise_org,
            title_zh="渗滤液氨氮超标",
            description="填埋场渗滤液氨氮2000 mg/L，需要膜处理或反渗透设备。",
            trl_min=6,
        ),
        make_need(enterprise_org, title_en="Zzz", description="Qqq xxx."),
    ]


def _pairs():
    return sorted(Match.objects.values_list(*PAIR_FIELDS), key=lambda row: row[:2])


def _runs(needs):
    return [
        services.matching_run_create(
            subject=RunSubject.NEED, subject_id=need.pk, trigger=RunTrigger.MANUAL
        )
        for need in needs
    ]


def test_a_batched_rematch_stores_the_same_matches_as_one_run_per_need(needs):
    # given every technology's terms and the statistics (as `rematch` starts), and the
    # matches of one run per need
    services.technology_profiles_refresh()
    corpus_statistics(refresh=True)
    for run in _runs(needs):
        services.matching_run_execute(run_id=run.pk)
    one_by_one = _pairs()
    assert one_by_one
    Match.objects.all().delete()
    # when the same needs are re-matched in one batch
    runs = services.matching_runs_execute(run_ids=[run.pk for run in _runs(needs)])
    # then the stored pairs, scores and reasons are the same, and every run completed
    assert _pairs() == one_by_one
    assert [run.status for run in runs] == [RunStatus.COMPLETED] * len(needs)
    counts = {run.subject_id: run.matches_count for run in runs}
    for need in needs:
        assert counts[need.pk] == Match.objects.filter(need=need).count()


def test_with_embeddings_a_batch_stores_the_same_matches_as_one_run_per_need(needs):
    # given the sentence-embedding component on (a small fake embedder) and every vector stored
    with embeddings.embedder_override(FakeEmbedder()):
        services.technology_profiles_refresh()
        services.technology_embeddings_refresh()
        corpus_statistics(refresh=True)
        for run in _runs(needs):
            services.matching_run_execute(run_id=run.pk)
        one_by_one = _pairs()
        Match.objects.all().delete()
        # when the needs are re-matched in one batch
        services.matching_runs_execute(run_ids=[run.pk for run in _runs(needs)])
        # then the fused scores are those of the runs alone
        assert _pairs() == one_by_one
    assert any("semantic" in components for _, _, _, components, _, _ in one_by_one)


def test_batched_candidates_equal_those_of_each_query_alone(needs):
    # given the needs' terms
    stats = corpus_statistics(refresh=True)
    queryset = services._published_technologies()
    queries = {need.pk: services.need_terms(services.need_document(need)) for need in needs}
    # when their candidates are fetched in one statement
    together = candidate_ids_many(queryset, queries, stats, limit=3)
    # then each need gets the candidates (and order) it gets alone
    assert together == {
        key: candidate_ids(queryset, terms, stats, limit=3) for key, terms in queries.items()
    }
    assert any(together.values())


def test_a_batched_rerun_removes_pairs_that_fell_below_the_minimum(needs, leachate_technology):
    # given stored matches, one of them no longer published
    services.matching_runs_execute(run_ids=[run.pk for run in _runs(needs)])
    assert Match.objects.filter(technology=leachate_technology).exists()
    leachate_technology.status = "withdrawn"
    leachate_technology.save(update_fields=["status"])
    # when the needs are re-matched in one batch
    runs = services.matching_runs_execute(run_ids=[run.pk for run in _runs(needs)])
    # then its pairs are gone and the runs count them as removed
    assert not Match.objects.filter(technology=leachate_technology).exists()
    assert sum(run.removed_count for run in runs) >= 1


def test_one_failing_need_fails_only_its_own_run(monkeypatch, needs):
    # given a batch whose shared path fails, and one need that fails on its own too
    broken = needs[1].pk

    def needs_match(*, need_ids, runs=None):
        if len(need_ids) > 1 or broken in need_ids:
            raise ValueError("broken")
        return original(need_ids=need_ids, runs=runs)

    original = services.needs_match
    monkeypatch.setattr(services, "needs_match", needs_match)
    # when the batch is executed
    runs = services.matching_runs_execute(run_ids=[run.pk for run in _runs(needs)])
    # then the other needs completed, one by one, and the broken one failed once
    status = {run.subject_id: run for run in runs}
    assert status[broken].status == RunStatus.FAILED
    assert status[broken].attempts == 1
    assert all(status[need.pk].status == RunStatus.COMPLETED for need in needs if need.pk != broken)


def test_a_finished_run_in_a_batch_is_not_executed_again(needs):
    # given a batch already executed
    runs = _runs(needs[:2])
    services.matching_runs_execute(run_ids=[run.pk for run in runs])
    Match.objects.all().delete()
    # when it is delivered again
    again = services.matching_runs_execute(run_ids=[run.pk for run in runs])
    # then nothing is recomputed
    assert [run.attempts for run in again] == [1, 1]
    assert not Match.objects.exists()


def test_scheduling_many_needs_dispatches_batches_after_commit(
    django_capture_on_commit_callbacks, monkeypatch, needs
):
    # given a queued run for the first need
    sent = []
    monkeypatch.setattr("matching.tasks.execute_matching_runs.delay", sent.append)
    monkeypatch.setattr(services, "RUN_BATCH_SIZE", 3)
    first = services.matching_run_create(
        subject=RunSubject.NEED, subject_id=needs[0].pk, trigger=RunTrigger.MANUAL
    )
    # when every need is scheduled
    with django_capture_on_commit_callbacks(execute=True):
        runs = services.schedule_matching_for_needs([need.pk for need in needs])
    # then the queued run is reused and the runs go out in batches of three, after the commit
    assert runs[0].pk == first.pk
    assert MatchingRun.objects.count() == len(needs)
    assert sent == [[run.pk for run in runs[:3]], [run.pk for run in runs[3:]]]
