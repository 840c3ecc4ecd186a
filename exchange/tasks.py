from celery import shared_task

from exchange import services


@shared_task(acks_late=True)
def expire_overdue_needs(batch_size: int = 200, max_batches: int = 50) -> int:
    """Close needs past their deadline (bounded batches; rerunning closes nothing twice)."""
    return services.needs_expire_overdue(batch_size=batch_size, max_batches=max_batches)


@shared_task(acks_late=True, task_reject_on_worker_lost=True)
def remind_lapsing_needs(batch_size: int = 200, max_batches: int = 50) -> int:
    """Remind organisations 30 and 7 days before a need lapses (once per need, date and
    reminder: rerunning sends nothing twice)."""
    return services.need_freshness_reminders_send(batch_size=batch_size, max_batches=max_batches)
