"""What the service status page and the health check report: whether the database and the
message broker answer, when a background worker last took a task (a beat-scheduled
heartbeat) and, with a read replica configured, whether it answers and how far behind it is.
Nothing here needs the database to render, so the page still opens when it is down.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from celery import current_app as celery_app
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import db

logger = logging.getLogger(__name__)

HEARTBEAT_KEY = "core:worker-heartbeat"
# The heartbeat is scheduled every minute; a worker busy with a long job may miss a few.
HEARTBEAT_LATE_AFTER = datetime.timedelta(minutes=5)


@dataclass(frozen=True)
class Check:
    code: str
    label: str
    state: str  # "ok", "down" or "late"
    explanation: str
    lag_seconds: float | None = None  # the read replica's replay lag


def database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("health check: database does not answer", exc_info=True)
        return False


def broker_answers() -> bool:
    # The project's Celery app is the current one (config imports it at start-up); core knows
    # no project module, config included.
    try:
        with celery_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        logger.warning("health check: broker does not answer", exc_info=True)
        return False


def heartbeat_record() -> None:
    cache.set(HEARTBEAT_KEY, timezone.now().isoformat(), timeout=None)


def last_heartbeat() -> datetime.datetime | None:
    try:
        value = cache.get(HEARTBEAT_KEY)
    except Exception:
        logger.warning("status: the cache does not answer", exc_info=True)
        return None
    try:
        return datetime.datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def replica_check() -> Check | None:
    """None without a replica. Down when it does not answer; delayed when it replays more than
    REPLICA_LAG_LATE_SECONDS behind the primary or is not replaying at all."""
    state = db.replica_state()
    if state is None:
        return None
    label = _("Read replica")
    if not state.answers:
        return Check(
            "replica",
            label,
            "down",
            _("The copy of the database that searches, listings and statistics read from does "
              "not answer: those pages are unavailable."),
        )  # fmt: skip
    if state.lag_seconds is None or state.lag_seconds > settings.REPLICA_LAG_LATE_SECONDS:
        return Check(
            "replica",
            label,
            "late",
            _("Searches, listings and statistics may show changes of the last minutes late.")
            if state.lag_seconds is not None
            else _("The read replica is not replaying the primary database's changes."),
            state.lag_seconds,
        )
    return Check(
        "replica",
        label,
        "ok",
        _("Searches, listings and statistics are read from an up-to-date copy of the database."),
        state.lag_seconds,
    )


def service_checks() -> list[Check]:
    database = database_answers()
    broker = broker_answers()
    beat = last_heartbeat()
    worker_fresh = beat is not None and timezone.now() - beat <= HEARTBEAT_LATE_AFTER
    checks = [
        Check(
            "database",
            _("Database"),
            "ok" if database else "down",
            _("Listings, deals and accounts can be read and saved.")
            if database
            else _("The database does not answer: pages and the API are unavailable."),
        ),
        Check(
            "broker",
            _("Message queue"),
            "ok" if broker else "down",
            _("Background work (matching, notifications, imports) can be queued.")
            if broker
            else _("The message queue does not answer: background work waits until it is back."),
        ),
        Check(
            "worker",
            _("Background workers"),
            "ok" if worker_fresh else "late",
            _("A worker took a scheduled task in the last few minutes.")
            if worker_fresh
            else _("No worker has taken a scheduled task recently: matching results, "
                   "notifications and imports may be delayed."),
        ),
    ]  # fmt: skip
    replica = replica_check()
    if replica is not None:
        checks.append(replica)
    return checks
