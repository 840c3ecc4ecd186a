import pytest
from django.db import OperationalError

from exchange.services import need_review
from matching import services
from matching.choices import RunStatus, RunSubject, RunTrigger
from matching.models import Match, MatchingRun
from notifications.models import Notification
from tests.factories import UserFactory
from tests.matching.conftest import make_need, make_technology


def _run_need(need):
    run = services.matching_run_create(
        subject=RunSubject.NEED, subject_id=need.pk, trigger=RunTrigger.MANUAL
    )
    return services.matching_run_execute(run_id=run.pk)


def test_need_run_ranks_the_cross_lingual_technology_first_and_explains_it(
    leachate_need, leachate_technology, solar_technology
):
    # given an English need and a Chinese leachate technology
    # when the need is matched
    run = _run_need(leachate_need)
    # then the run completed and the Chinese technology is the best match with reasons
    assert run.status == RunStatus.COMPLETED
    assert run.candidates_count >= 1
    best = Match.objects.filter(need=leachate_need).order_by("-score").first()
    assert best.technology == leachate_technology
    assert set(best.components) >= {"text", "category", "trl", "transaction", "budget"}
    assert any("cross-language" in reason for reason in best.reasons_en)
    assert len(best.reasons_zh) == len(best.components)


def test_running_twice_gives_the_same_rows(leachate_need, leachate_technology, solar_technology):
    # given a first run
    _run_need(leachate_need)
    first = list(Match.objects.order_by("pk").values("pk", "need", "technology", "score"))
    # when the need is matched again
    _run_need(leachate_need)
    # then the rows are the same (updated, not duplicated)
    assert list(Match.objects.order_by("pk").values("pk", "need", "technology", "score")) == first


def test_a_redelivered_finished_run_does_nothing(leachate_need, leachate_technology):
    # given a completed run
    run = _run_need(leachate_need)
    Match.objects.all().delete()
    # when the same run is delivered again
    again = services.matching_run_execute(run_id=run.pk)
    # then it is not executed a second time
    assert again.status == RunStatus.COMPLETED
    assert again.attempts == 1
    assert not Match.objects.exists()


def test_a_run_left_running_by_a_lost_worker_is_resumed(leachate_need, leachate_technology):
    # given a run marked running by a worker that died
    run = services.matching_run_create(
        subject=RunSubject.NEED, subject_id=leachate_need.pk, trigger=RunTrigger.MANUAL
    )
    MatchingRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, attempts=1)
    # when the task is delivered again
    run = services.matching_run_execute(run_id=run.pk)
    # then it completes once
    assert run.status == RunStatus.COMPLETED
    assert run.attempts == 2
    assert Match.objects.filter(need=leachate_need).count() == 1


def test_a_technology_deleted_mid_run_does_not_fail_the_run(
    monkeypatch, leachate_need, leachate_technology, holder_org
):
    # given a second relevant technology that is deleted after candidates were loaded
    doomed = make_technology(
        holder_org,
        title_en="Leachate reverse osmosis container plant",
        summary="Reverse osmosis for landfill leachate.",
        description="Treats landfill leachate with COD and ammonia by reverse osmosis.",
        modes=("service",),
    )
    original = services.load_technology_candidates

    def load_then_delete(ids):
        result = original(ids)
        doomed.delete()
        return result

    monkeypatch.setattr(services, "load_technology_candidates", load_then_delete)
    # when the need is matched
    run = _run_need(leachate_need)
    # then the run completes without the deleted technology
    assert run.status == RunStatus.COMPLETED
    assert list(Match.objects.values_list("technology_id", flat=True)) == [leachate_technology.pk]


def test_an_unrecoverable_error_marks_the_run_failed(monkeypatch, leachate_need):
    # given an engine that breaks
    def broken(**kwargs):
        raise RuntimeError("engine broke")

    monkeypatch.setattr(services, "need_match", broken)
    # when the run executes
    run = _run_need(leachate_need)
    # then it is failed with the reason
    assert run.status == RunStatus.FAILED
    assert "engine broke" in run.message


def test_a_recoverable_error_puts_the_run_back_in_the_queue(monkeypatch, leachate_need):
    # given a database outage during the run
    def unavailable(**kwargs):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(services, "need_match", unavailable)
    run = services.matching_run_create(
        subject=RunSubject.NEED, subject_id=leachate_need.pk, trigger=RunTrigger.MANUAL
    )
    # when it executes
    with pytest.raises(OperationalError):
        services.matching_run_execute(run_id=run.pk)
    # then it waits for the retry
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED


def test_the_task_retries_only_recoverable_errors(monkeypatch, leachate_need):
    # given a database outage
    from celery.exceptions import Retry

    from matching.tasks import execute_matching_run

    monkeypatch.setattr(
        services, "need_match", lambda **kwargs: (_ for _ in ()).throw(OperationalError("down"))
    )
    run = services.matching_run_create(
        subject=RunSubject.NEED, subject_id=leachate_need.pk, trigger=RunTrigger.MANUAL
    )
    # when the task runs, then it asks Celery for a retry
    with pytest.raises(Retry):
        execute_matching_run.apply(args=[run.pk], throw=True)


def test_a_need_without_matchable_text_completes_with_a_clear_message(enterprise_org):
    # given a need written only in figures and another script
    need = make_need(enterprise_org, title_en="Пример 123", description="Описание задачи 456")
    # when it is matched
    run = _run_need(need)
    # then the run completes and says why nothing matched
    assert run.status == RunStatus.COMPLETED
    assert run.matches_count == 0


def test_strong_matches_notify_both_parties_once(
    leachate_need, leachate_technology, holder, enterprise, settings
):
    # given a low strong-match threshold
    settings.MATCHING_STRONG_SCORE = 1
    # when the need is matched twice
    _run_need(leachate_need)
    _run_need(leachate_need)
    # then the holder and the enterprise were told once each
    assert Notification.objects.filter(recipient=holder).count() == 1
    assert Notification.objects.filter(recipient=enterprise).count() == 1
    assert Match.objects.get().notified_at is not None


def test_approving_a_need_dispatches_a_run_after_commit(
    django_capture_on_commit_callbacks, enterprise_org, leachate_technology, monkeypatch
):
    # given a submitted need and a reviewer
    need = make_need(
        enterprise_org,
        title_en="Landfill leachate treatment",
        description="Leachate with ammonia needs reverse osmosis treatment.",
        status="submitted",
    )
    reviewer = UserFactory(roles=["reviewer"])
    dispatched = []
    monkeypatch.setattr(
        "matching.tasks.execute_matching_run.delay",
        lambda run_id: dispatched.append(services.matching_run_execute(run_id=run_id)),
    )
    # when the reviewer approves it
    with django_capture_on_commit_callbacks(execute=True):
        need_review(need=need, user=reviewer, decision="approve")
    # then a run was queued, dispatched after the commit, and stored the match
    assert [run.status for run in dispatched] == [RunStatus.COMPLETED]
    assert Match.objects.filter(need=need, technology=leachate_technology).exists()


def test_nothing_is_dispatched_when_the_transaction_rolls_back(
    django_capture_on_commit_callbacks, leachate_need
):
    # when scheduling inside a transaction that is rolled back
    from django.db import transaction

    with django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                services.schedule_matching_for_need(leachate_need.pk)
                raise RuntimeError
        except RuntimeError:
            pass
    # then no run row and no dispatch remain
    assert not MatchingRun.objects.exists()
    assert callbacks == []


def test_scheduling_twice_reuses_the_queued_run(django_capture_on_commit_callbacks, leachate_need):
    with django_capture_on_commit_callbacks():
        first = services.schedule_matching_for_need(leachate_need.pk)
        second = services.schedule_matching_for_need(leachate_need.pk)
    assert first.pk == second.pk
    assert MatchingRun.objects.count() == 1


def test_technology_run_stores_the_same_score_as_the_need_run(leachate_need, leachate_technology):
    # given the need's run
    _run_need(leachate_need)
    need_side = Match.objects.get().score
    # when the technology is matched
    run = services.matching_run_create(
        subject=RunSubject.TECHNOLOGY,
        subject_id=leachate_technology.pk,
        trigger=RunTrigger.MANUAL,
    )
    run = services.matching_run_execute(run_id=run.pk)
    # then the pair keeps one row with the same score
    assert run.status == RunStatus.COMPLETED
    assert Match.objects.count() == 1
    assert Match.objects.get().score == pytest.approx(need_side, abs=0.01)


def test_stale_sweep_queues_unmatched_needs_and_changed_technologies(
    django_capture_on_commit_callbacks, leachate_need, leachate_technology
):
    with django_capture_on_commit_callbacks():
        counts = services.stale_subjects_schedule()
    assert counts == {"technologies": 1, "needs": 1}
    assert MatchingRun.objects.filter(trigger=RunTrigger.STALE).count() == 2


def test_feedback_is_one_verdict_per_user(leachate_need, leachate_technology, enterprise, other):
    from django.core.exceptions import PermissionDenied

    _run_need(leachate_need)
    match = Match.objects.get()
    services.match_feedback_record(user=enterprise, match=match, useful=False)
    services.match_feedback_record(user=enterprise, match=match, useful=True)
    assert list(match.feedback.values_list("useful", "role")) == [(True, "enterprise")]
    with pytest.raises(PermissionDenied):
        services.match_feedback_record(user=other, match=match, useful=True)
    assert match.feedback.count() == 1
