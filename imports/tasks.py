"""Celery tasks of imports: load by id, call a service.

A redelivered run resumes after its last committed batch (imports.services); only errors a retry
can fix are retried, with backoff; anything else marks the run failed with its reason."""

from celery import shared_task

from imports import services

MAX_RETRIES = 5


@shared_task(bind=True, name=services.PROCESS_RUN_TASK, max_retries=MAX_RETRIES)
def process_import_run(self, run_id: int) -> str | None:
    try:
        run = services.import_run_process(run_id=run_id)
    except services.RECOVERABLE_ERRORS as error:
        if self.request.retries >= MAX_RETRIES:
            services.import_run_fail(run_id=run_id, message=f"{type(error).__name__}: {error}")
            raise
        raise self.retry(exc=error, countdown=min(600, 5 * 2**self.request.retries)) from error
    return run.status if run is not None else None


@shared_task(name="imports.tasks.redispatch_stuck_runs")
def redispatch_stuck_runs() -> int:
    return len(services.import_runs_redispatch_stuck())
