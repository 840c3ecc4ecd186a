"""Celery tasks of catalog: load by id, call a service."""

from celery import shared_task

from catalog import search_cache, services


@shared_task
def notify_saved_searches(technology_id: int) -> int:
    """Tell owners of matching saved searches about a newly published technology (idempotent)."""
    return services.saved_searches_notify(technology_id=technology_id)


@shared_task
def prune_search_cache() -> int:
    """Drop cached search results of past generations (they are never read again)."""
    return search_cache.prune()


@shared_task(acks_late=True, task_reject_on_worker_lost=True)
def remind_lapsing_technologies(batch_size: int = 200, max_batches: int = 50) -> int:
    """Remind holders 30 and 7 days before a listing lapses (once per listing, date and
    reminder: rerunning sends nothing twice)."""
    return services.technology_freshness_reminders_send(
        batch_size=batch_size, max_batches=max_batches
    )
