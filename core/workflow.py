"""A small, explicit state-machine helper shared by every workflow (listings, deals, applications).

Each workflow declares a table `{(from_status, action): Transition(to_status, actors)}`; the same
table answers `allowed_actions(...)` for pages and the API, and refuses anything else with
TransitionNotAllowed (HTTP 409 in the API). Applying a transition is compare-and-set on the status
column so two users acting at once cannot both win.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _


class TransitionNotAllowed(Exception):
    """Raised when an action is not allowed from the current status for this actor."""

    code = "transition_not_allowed"

    def __init__(self, message: str, *, allowed: Iterable[str] = ()):
        super().__init__(message)
        self.allowed = list(allowed)


@dataclass(frozen=True)
class Transition:
    """Where an action leads and who may take it.

    `label` names the action on a button; `requires_note` asks the actor for a reason;
    `requires` names the data the subject must have first (the workflow's service checks them,
    e.g. a deal's price and contract before it goes to review).
    """

    target: str
    actors: frozenset[str]
    label: str = ""
    requires_note: bool = False
    requires: tuple[str, ...] = ()


class StateMachine:
    def __init__(self, table: Mapping[tuple[str, str], Transition]):
        self.table = dict(table)
        # Refusals name statuses and actions as people read them: the tables are written with
        # TextChoices members (which carry their label) and labelled transitions.
        statuses = [source for source, _action in self.table]
        statuses += [transition.target for transition in self.table.values()]
        self._status_labels = {
            str(status): status.label for status in statuses if hasattr(status, "label")
        }
        self._action_labels = {
            action: transition.label for (_source, action), transition in self.table.items()
            if transition.label
        }  # fmt: skip

    def status_label(self, status: str) -> str:
        return str(self._status_labels.get(str(status), status))

    def action_label(self, action: str) -> str:
        return str(self._action_labels.get(action, action))

    def actions_from(self, status: str) -> dict[str, Transition]:
        return {action: t for (source, action), t in self.table.items() if source == status}

    def allowed_actions(self, status: str, actor_roles: set[str]) -> list[str]:
        return [
            action
            for action, transition in self.actions_from(status).items()
            if transition.actors & actor_roles
        ]

    def allowed_action_labels(self, status: str, actor_roles: set[str]) -> list[tuple[str, str]]:
        """`(action, button label)` for each allowed action; the action when it has no label."""
        return [
            (action, transition.label or action)
            for action, transition in self.actions_from(status).items()
            if transition.actors & actor_roles
        ]

    def resolve(self, status: str, action: str, actor_roles: set[str]) -> Transition:
        transition = self.table.get((status, action))
        allowed = self.allowed_actions(status, actor_roles)
        if transition is None:
            raise TransitionNotAllowed(
                _("The action “%(action)s” is not possible while the status is “%(status)s”.")
                % {"action": self.action_label(action), "status": self.status_label(status)},
                allowed=allowed,
            )
        if not transition.actors & actor_roles:
            raise TransitionNotAllowed(
                _("You may not take the action “%(action)s” now.")
                % {"action": self.action_label(action)},
                allowed=allowed,
            )
        return transition


def compare_and_set_status(
    model: type[models.Model],
    *,
    pk: int,
    expected: str,
    target: str,
    field_name: str = "status",
    **extra_updates,
) -> bool:
    """Move one row from `expected` to `target`; True only if this call won the race."""
    updated = model.objects.filter(pk=pk, **{field_name: expected}).update(
        **{field_name: target}, **extra_updates
    )
    return updated == 1


def event_record(
    model,
    *,
    user,
    action: str,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    **fields,
):
    """Write one history row of a workflow (a `core.models.TransitionEvent` subclass); `fields`
    are its foreign key to the subject (`deal=...`) and any columns of its own. An anonymous or
    system actor is stored as no one."""
    return model.objects.create(
        actor=user if getattr(user, "pk", None) else None,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        **fields,
    )
