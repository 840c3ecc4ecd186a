"""Celery tasks of matching: load by id, call a service.

Late acknowledgement with rejection on worker loss is global (config.settings), so a run whose
worker dies is delivered again and resumed (runs are idempotent). Only errors a retry can fix
are retried, with exponential backoff; anything else marks the run failed.
"""

from celery import shared_task

from matching import services
from matching.statistics import REFRESH_TASK, corpus_statistics, corpus_statistics_refresh

MAX_RETRIES = 5
# Technologies encoded per nightly sweep (about 10 per second on one core).
EMBEDDINGS_PER_SWEEP = 20_000


@shared_task(bind=True, name=services.EXECUTE_RUN_TASK, max_retries=MAX_RETRIES)
def execute_matching_run(self, run_id: int) -> str | None:
    try:
        run = services.matching_run_execute(run_id=run_id)
    except services.RECOVERABLE_ERRORS as error:
        if self.request.retries >= MAX_RETRIES:
            services.matching_run_fail(run_id=run_id, message=f"{type(error).__name__}: {error}")
            raise
        raise self.retry(exc=error, countdown=min(600, 5 * 2**self.request.retries)) from error
    return run.status if run is not None else None


@shared_task(bind=True, name=services.EXECUTE_RUNS_TASK, max_retries=MAX_RETRIES)
def execute_matching_runs(self, run_ids: list[int]) -> int:
    """A batch of runs (a re-match of many needs): one candidate statement and one upsert."""
    try:
        return len(services.matching_runs_execute(run_ids=run_ids))
    except services.RECOVERABLE_ERRORS as error:
        if self.request.retries >= MAX_RETRIES:
            for run_id in run_ids:
                services.matching_run_fail(
                    run_id=run_id, message=f"{type(error).__name__}: {error}"
                )
            raise
        raise self.retry(exc=error, countdown=min(600, 5 * 2**self.request.retries)) from error


@shared_task
def rematch_stale() -> dict[str, int]:
    """Nightly: refresh the corpus statistics, encode listings that have no sentence embedding
    yet (bounded) and queue runs for what is stale."""
    corpus_statistics(refresh=True)
    encoded = services.technology_embeddings_refresh(limit=EMBEDDINGS_PER_SWEEP)
    return {**services.stale_subjects_schedule(), "embedded": encoded}


@shared_task(name=REFRESH_TASK)
def refresh_corpus_statistics() -> int:
    """Recompute the statistics that requests kept serving once they went stale."""
    return corpus_statistics_refresh().document_count


@shared_task
def redispatch_queued_runs() -> int:
    """Every few minutes: runs whose message never reached the broker are sent again."""
    return services.queued_runs_redispatch()
