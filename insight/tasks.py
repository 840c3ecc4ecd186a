from celery import shared_task

from insight import services
from insight.choices import RunTrigger


@shared_task(acks_late=True)
def refresh_statistics() -> int:
    """Recompute the summary tables (beat, every 10 minutes). Rerunning is harmless: the latest
    run replaces the previous one, and an overlapping run is skipped by the advisory lock."""
    return services.statistics_refresh(trigger=RunTrigger.SCHEDULE).pk
