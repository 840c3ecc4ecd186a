"""Celery tasks of core."""

from celery import shared_task

from core import status


@shared_task(ignore_result=True)
def record_worker_heartbeat() -> None:
    """Scheduled every minute: the status page tells from its age whether workers run."""
    status.heartbeat_record()
