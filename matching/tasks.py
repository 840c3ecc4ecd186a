"""Celery tasks of matching: load by id, call a service.

Late acknowledgement with rejection on worker loss is global (config.settings), so a run whose
worker dies is delivered again and resumed (runs are idempotent). Only errors a retry can fix
are retried, with exponential backoff; anything else marks the run failed.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError

RECOVERABLE_ERRORS = (OperationalError, InterfaceError, RedisConnectionError)
MAX_RETRIES = 5


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES)
def execute_matching_run(self, run_id: int) -> str | None:
    from matching.services import matching_run_execute, matching_run_fail

    try:
        run = matching_run_execute(run_id=run_id)
    except RECOVERABLE_ERRORS as error:
        if self.request.retries >= MAX_RETRIES:
            matching_run_fail(run_id=run_id, message=f"{type(error).__name__}: {error}")
            raise
        raise self.retry(exc=error, countdown=min(600, 5 * 2**self.request.retries)) from error
    return run.status if run is not None else None


@shared_task(acks_late=True, reject_on_worker_lost=True)
def rematch_stale() -> dict[str, int]:
    """Nightly: refresh the corpus statistics and queue runs for what is stale."""
    from matching.services import stale_subjects_schedule
    from matching.statistics import corpus_statistics

    corpus_statistics(refresh=True)
    return stale_subjects_schedule()


@shared_task
def redispatch_queued_runs() -> int:
    """Every few minutes: runs whose message never reached the broker are sent again."""
    from matching.services import queued_runs_redispatch

    return queued_runs_redispatch()
