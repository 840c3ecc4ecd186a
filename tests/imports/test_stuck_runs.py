"""The beat sweep dispatches again the import runs that show no progress (lost message, dead
worker), in bounded batches, once per silent spell."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from imports import services
from imports.choices import ImportKind, RunStatus
from imports.models import ImportRun
from imports.tasks import redispatch_stuck_runs
from tests.imports import realistic

pytestmark = pytest.mark.django_db


def _queued_run(holder, *, name="export.csv"):
    """A run started whose message never reached a worker (the on-commit dispatch not run)."""
    organization = holder.memberships.first().organization
    source = services.import_source_save(
        user=holder, organization=organization, name=name, kind=ImportKind.TECHNOLOGIES
    )
    rows, _expected = realistic.realistic_rows(6)
    run = services.import_run_create(
        user=holder,
        organization=organization,
        upload=SimpleUploadedFile(name, realistic.csv_bytes(rows[1:])),
        kind=ImportKind.TECHNOLOGIES,
        source=source,
    )
    return services.import_run_start(user=holder, run=run, column_mapping=realistic.MAPPING)


def _age(run, minutes):
    ImportRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - timedelta(minutes=minutes)
    )


def test_a_run_queued_without_progress_is_dispatched_again_and_completes(
    holder, run_tasks_eagerly, django_capture_on_commit_callbacks
):
    # given a queued run whose message was lost 30 minutes ago
    run = _queued_run(holder)
    assert run.status == RunStatus.QUEUED and run.heartbeat_at is not None
    _age(run, 30)
    # when the sweep runs
    with django_capture_on_commit_callbacks(execute=True):
        claimed = services.import_runs_redispatch_stuck(older_than=timedelta(minutes=10))
    # then the run is dispatched again and the worker completes it
    assert claimed == [run.pk]
    run.refresh_from_db()
    assert run.status == RunStatus.COMPLETED and run.processed == run.total == 5


def test_a_running_run_with_a_stale_heartbeat_is_resumed_after_its_last_batch(
    holder, run_tasks_eagerly, django_capture_on_commit_callbacks
):
    # given a run that began but whose worker died before any batch committed
    run = _queued_run(holder)
    ImportRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    _age(run, 30)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.import_runs_redispatch_stuck() == [run.pk]
    run.refresh_from_db()
    assert run.status == RunStatus.COMPLETED and run.rows.count() == 5


def test_the_sweep_is_idempotent_and_leaves_live_and_finished_runs_alone(
    holder, django_capture_on_commit_callbacks
):
    stuck = _queued_run(holder, name="a.csv")
    live = _queued_run(holder, name="b.csv")
    finished = _queued_run(holder, name="c.csv")
    _age(stuck, 30)
    _age(live, 2)
    ImportRun.objects.filter(pk=finished.pk).update(
        status=RunStatus.COMPLETED, heartbeat_at=timezone.now() - timedelta(hours=5)
    )
    with django_capture_on_commit_callbacks() as first:
        assert services.import_runs_redispatch_stuck() == [stuck.pk]
    # a second sweep right after finds the claimed run showing life: nothing sent twice
    with django_capture_on_commit_callbacks() as second:
        assert services.import_runs_redispatch_stuck() == []
    assert len(first) == 1 and second == []
    live.refresh_from_db()
    assert live.status == RunStatus.QUEUED


def test_the_sweep_works_in_bounded_batches_oldest_first(
    holder, django_capture_on_commit_callbacks
):
    runs = [_queued_run(holder, name=f"{index}.csv") for index in range(3)]
    for minutes, run in zip((40, 60, 50), runs, strict=True):
        _age(run, minutes)
    with django_capture_on_commit_callbacks():
        assert services.import_runs_redispatch_stuck(limit=2) == [runs[1].pk, runs[2].pk]
        assert services.import_runs_redispatch_stuck(limit=2) == [runs[0].pk]
        assert services.import_runs_redispatch_stuck(limit=2) == []


def test_the_beat_task_is_scheduled_and_calls_the_sweep(
    holder, settings, django_capture_on_commit_callbacks
):
    schedule = settings.CELERY_BEAT_SCHEDULE["imports-redispatch-stuck-runs"]
    assert schedule["task"] == redispatch_stuck_runs.name
    run = _queued_run(holder)
    _age(run, settings.IMPORT_STUCK_AFTER_MINUTES + 1)
    with django_capture_on_commit_callbacks():
        assert redispatch_stuck_runs.apply().get() == 1
