"""A small domain-event registry: an app announces what happened, the apps above it listen.

Dependencies point down. When a listing is published, catalog does not call matching; it
publishes `technology_published` and matching, which imports catalog, subscribes to it in its
own `AppConfig.ready()`. Handlers get the payload only (ids, not objects), in subscription order.

By default a handler runs after the publishing transaction commits (never for a rolled-back
change); a failing one is logged and does not stop the others or undo the commit. A handler
whose rows must commit with the change or not at all (matching's queued run, which a worker
then picks up after the commit) subscribes with `in_transaction=True`: it runs inside the
publisher's transaction and its error rolls the change back, as a direct call would.

Event names are declared by the publishing app (e.g. `catalog/events.py`) as `DomainEvent`
constants, so a subscriber imports the name from the app below it and a typo fails at import.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

logger = logging.getLogger(__name__)

Handler = Callable[..., None]


@dataclass(frozen=True)
class DomainEvent:
    """The name of something that happened, and the payload keys every publisher sends."""

    name: str
    payload: tuple[str, ...] = ()


@dataclass(frozen=True)
class Subscription:
    handler: Handler
    in_transaction: bool = False


_subscriptions: dict[str, list[Subscription]] = defaultdict(list)


def subscribe(event: DomainEvent, handler: Handler, *, in_transaction: bool = False) -> None:
    """Call `handler(**payload)` for every `publish(event, ...)`: after the commit, or inside
    the publisher's transaction with `in_transaction=True`. Subscribing the same handler twice
    (a re-run `ready()`) keeps one."""
    subscriptions = _subscriptions[event.name]
    if all(subscription.handler is not handler for subscription in subscriptions):
        subscriptions.append(Subscription(handler, in_transaction))


def unsubscribe(event: DomainEvent, handler: Handler) -> None:
    _subscriptions[event.name] = [
        subscription
        for subscription in _subscriptions[event.name]
        if subscription.handler is not handler
    ]


def subscribers(event: DomainEvent) -> list[Handler]:
    return [subscription.handler for subscription in _subscriptions[event.name]]


def publish(event: DomainEvent, **payload) -> None:
    """Announce `event`: in-transaction handlers now, the others once the transaction commits."""
    missing = set(event.payload) - set(payload)
    if missing:
        raise TypeError(f"{event.name} needs {sorted(missing)}")

    subscriptions = list(_subscriptions[event.name])
    for subscription in subscriptions:
        if subscription.in_transaction:
            subscription.handler(**payload)
    after_commit = [
        subscription.handler for subscription in subscriptions if not subscription.in_transaction
    ]
    if not after_commit:
        return

    def deliver() -> None:
        for handler in after_commit:
            try:
                handler(**payload)
            except Exception:
                logger.exception("handler %r of %s failed (%r)", handler, event.name, payload)

    transaction.on_commit(deliver)
