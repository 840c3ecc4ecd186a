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
