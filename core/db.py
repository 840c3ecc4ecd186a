"""Read replicas: public searches, listings and statistics read from a streaming replica of the
database when DATABASE_REPLICA_URL is set; everything else reads and writes the primary.

Routing is explicit, the way Saleor does it: a read-only selector asks `read_replica()` for the
alias to read from and passes it to `.using()`. Nothing else is routed implicitly, so
transactions, `select_for_update()` and every read a write depends on stay on the primary.
`ReplicaRouter` only keeps writes (and migrations) off the replica: an object read from the
replica is saved to the primary, and its related rows are read where it came from.

Read-your-own-writes (the "pinning" of django-multidb-router): after a request that changes
something succeeds, that browser (a signed cookie) and that user (a cache marker, for API
clients that keep no cookies) read from the primary for REPLICA_PIN_SECONDS, longer than the
replica normally lags. The write request itself reads from the primary too, and so does any
read inside a transaction.

Without DATABASE_REPLICA_URL there is one alias, no router and no middleware, and
`read_replica()` answers "default".
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger(__name__)

REPLICA_DB_ALIAS = "replica"
PIN_COOKIE = "gte_read_primary"
_PIN_SALT = "core.db.read-primary"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def replica_configured() -> bool:
    return REPLICA_DB_ALIAS in settings.DATABASES


def _user_pin_key(user_id) -> str:
    return f"core:read-primary:user:{user_id}"


@dataclass
class _RequestPin:
    """Whether the current request reads from the primary: decided by the cookie at once, by the
    user's marker when first asked (API authentication happens in the view, after middleware)."""

    request: object
    pinned: bool
    user_checked: bool = False

    def reads_primary(self) -> bool:
        if self.pinned:
            return True
        if not self.user_checked:
            user = getattr(self.request, "user", None)
            if user is not None and getattr(user, "is_authenticated", False):
                self.user_checked = True
                self.pinned = bool(cache.get(_user_pin_key(user.pk)))
        return self.pinned


_current_pin: ContextVar[_RequestPin | None] = ContextVar("core_db_request_pin", default=None)


def _in_transaction(alias: str = DEFAULT_DB_ALIAS) -> bool:
    """Inside an atomic block of the application's own (the test case's outer atomic blocks do
    not count, as Django's durable check ignores them)."""
    return any(
        not getattr(block, "_from_testcase", False) for block in connections[alias].atomic_blocks
    )


def read_replica() -> str:
    """The alias a read-only selector reads from: the replica, unless none is configured, the
    current request or user is pinned to the primary after a write, or a transaction is open."""
    if not replica_configured():
        return DEFAULT_DB_ALIAS
    if _in_transaction():
        return DEFAULT_DB_ALIAS
    pin = _current_pin.get()
    if pin is not None and pin.reads_primary():
        return DEFAULT_DB_ALIAS
    return REPLICA_DB_ALIAS


def on_replica(alias: str) -> bool:
    return alias != DEFAULT_DB_ALIAS


class ReplicaRouter:
    """Writes and migrations go to the primary only; reads are routed explicitly (read_replica)."""

    def db_for_read(self, model, **hints):
        return None  # the instance's own database, else the primary

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA_DB_ALIAS}:
            return True  # the same data
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db == REPLICA_DB_ALIAS:
            return False  # a streaming replica replays the primary's schema
        return None


class ReplicaPinningMiddleware:
    """Reads of a browser or user that just wrote go to the primary for REPLICA_PIN_SECONDS."""

    def __init__(self, get_response):
        if not replica_configured():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        seconds = settings.REPLICA_PIN_SECONDS
        writes = request.method not in SAFE_METHODS
        pinned = writes or bool(
            request.get_signed_cookie(PIN_COOKIE, default=None, salt=_PIN_SALT, max_age=seconds)
        )
        token = _current_pin.set(_RequestPin(request=request, pinned=pinned))
        try:
            response = self.get_response(request)
        finally:
            _current_pin.reset(token)
        if writes and response.status_code < 400:
            response.set_signed_cookie(
                PIN_COOKIE,
                "1",
                salt=_PIN_SALT,
                max_age=seconds,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
            user = getattr(request, "user", None)  # DRF sets it for token-authenticated calls
            if user is not None and getattr(user, "is_authenticated", False):
                cache.set(_user_pin_key(user.pk), 1, timeout=seconds)
        return response


def read_from_replica_is_complete(alias: str, primary_wal_position: str | None) -> bool:
    """Whether the replica has replayed the primary's WAL up to `primary_wal_position` (so a read
    now sees every transaction committed on the primary before it was taken). False for an
    alias that is not a standby: nothing then says what it has seen."""
    if primary_wal_position is None:
        return False
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [primary_wal_position])
        return bool(cursor.fetchone()[0])


@dataclass(frozen=True)
class ReplicaState:
    answers: bool
    lag_seconds: float | None  # None: not a standby, or not known yet


def replica_state() -> ReplicaState | None:
    """None without a replica; otherwise whether it answers and how far behind the primary it
    replays (zero when it has replayed everything it received)."""
    if not replica_configured():
        return None
    try:
        with connections[REPLICA_DB_ALIAS].cursor() as cursor:
            cursor.execute(
                """
                SELECT CASE
                    WHEN NOT pg_is_in_recovery() THEN NULL
                    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                    ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
                END
                """
            )
            lag = cursor.fetchone()[0]
    except Exception:
        logger.warning("health check: the read replica does not answer", exc_info=True)
        return ReplicaState(answers=False, lag_seconds=None)
    return ReplicaState(answers=True, lag_seconds=None if lag is None else max(0.0, float(lag)))
