"""Where a workflow stands, for a stage stepper: every step of the usual path, which are done,
where the subject is now, and what comes next and who must act. Built from a workflow's
StateMachine, so the stepper and the buttons (allowed_actions) never disagree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from core.i18n import in_chinese
from core.workflow import StateMachine


@dataclass(frozen=True)
class Step:
    status: str
    label: str
    state: str  # "done", "current", "upcoming"; "attention" or "stopped" for a detour

    @property
    def is_done(self) -> bool:
        return self.state == "done"

    @property
    def is_current(self) -> bool:
        return self.state in ("current", "attention", "stopped")

    @property
    def needs_attention(self) -> bool:
        return self.state == "attention"

    @property
    def is_stopped(self) -> bool:
        return self.state == "stopped"


@dataclass(frozen=True)
class NextAction:
    action: str
    label: str
    actors: tuple[str, ...]  # role codes
    actor_labels: tuple[str, ...]
    yours: bool  # the reader may take it

    @property
    def actors_text(self) -> str:
        return ("、" if in_chinese() else ", ").join(self.actor_labels)


@dataclass(frozen=True)
class Progress:
    steps: list[Step]
    next_actions: list[NextAction] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return not self.next_actions

    def as_dict(self) -> dict:
        """The API's form: codes beside the labels."""
        return {
            "steps": [
                {"status": step.status, "label": step.label, "state": step.state}
                for step in self.steps
            ],
            "next_actions": [
                {
                    "action": action.action,
                    "label": action.label,
                    "actors": list(action.actors),
                    "actor_labels": list(action.actor_labels),
                    "yours": action.yours,
                }
                for action in self.next_actions
            ],
        }


def workflow_progress(
    machine: StateMachine,
    *,
    path: Sequence[str],
    status: str,
    status_labels: Mapping[str, str],
    actor_labels: Mapping[str, str],
    action_labels: Mapping[str, str] | None = None,
    detours: Mapping[str, str] | None = None,
    stops: Sequence[str] = (),
    reader_roles: set[str] | frozenset[str] = frozenset(),
) -> Progress:
    """`path` is the usual order of statuses. A status off the path is shown in place of the
    path step `detours` names (a listing returned for changes in place of "awaiting review");
    one of `stops` (rejected, cancelled, withdrawn) ends the stepper there. The next actions
    are the transitions from `status` that move along the path, or from a detour back onto it
    (cancelling is not "next")."""
    action_labels = action_labels or {}
    detours = detours or {}
    if status in path:
        position, shown_state = path.index(status), "current"
    else:
        anchor = detours.get(status, path[0])
        position = path.index(anchor) if anchor in path else 0
        shown_state = "stopped" if status in stops else "attention"
    steps = []
    for index, step_status in enumerate(path):
        if index < position:
            steps.append(Step(step_status, str(status_labels[step_status]), "done"))
        elif index == position:
            shown = status if shown_state != "current" else step_status
            steps.append(Step(shown, str(status_labels[shown]), shown_state))
        elif shown_state != "stopped":
            steps.append(Step(step_status, str(status_labels[step_status]), "upcoming"))
    if shown_state == "current" and position == len(path) - 1:
        steps[-1] = Step(path[-1], str(status_labels[path[-1]]), "done")
    # On the path, "next" moves forward; from a detour, any way back onto the path is next.
    forward = set(path[position + 1 :]) if status in path else set(path)
    next_actions = []
    for action, transition in machine.actions_from(status).items():
        if transition.target not in forward:
            continue
        actors = tuple(sorted(transition.actors))
        next_actions.append(
            NextAction(
                action=action,
                label=str(transition.label or action_labels.get(action, action)),
                actors=actors,
                actor_labels=tuple(str(actor_labels.get(actor, actor)) for actor in actors),
                yours=bool(transition.actors & set(reader_roles)),
            )
        )
    return Progress(steps=steps, next_actions=next_actions)
