"""Queue Celery tasks once the transaction commits, without failing what already committed.

When the broker does not answer, `task.delay` raises after its own short retries. Raised from an
on-commit callback, that would turn a request whose data is saved into a 500 and skip the other
callbacks. Here the error is logged once and the remaining calls of the batch are skipped (each
would wait for the same broker); the rows they were for stay queued (matching runs) or pending
(notification emails).

A service names its own app's task (`"matching.tasks.execute_matching_run"`) instead of importing
the tasks module, which imports the service: the task is looked up in the Celery app's registry
(each app imports its tasks module in `AppConfig.ready()`), so patching its `delay` still works.
"""

import logging
from collections.abc import Iterable, Sequence

from celery import current_app
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnavailable

logger = logging.getLogger(__name__)


def delay_on_commit(task, calls: Iterable[Sequence]) -> None:
    """After the commit, `task.delay(*arguments)` for each `arguments` in `calls`, in order.

    `task` is a Celery task or the name it is registered under."""
    calls = [tuple(arguments) for arguments in calls]
    if not calls:
        return
    if isinstance(task, str):
        task = current_app.tasks[task]

    def publish() -> None:
        for position, arguments in enumerate(calls):
            try:
                task.delay(*arguments)
            except BrokerUnavailable as error:
                logger.error(
                    "broker unavailable: %d of %d %s not queued (from %r): %s",
                    len(calls) - position,
                    len(calls),
                    task.name,
                    arguments,
                    error,
                )
                return

    transaction.on_commit(publish)
