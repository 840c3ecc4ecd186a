"""core.progress: a stepper built from a workflow's state machine."""

from core.progress import workflow_progress
from core.workflow import StateMachine, Transition

MACHINE = StateMachine(
    {
        ("draft", "submit"): Transition("submitted", frozenset({"member"}), "Submit"),
        ("submitted", "approve"): Transition("published", frozenset({"reviewer"}), "Approve"),
        ("submitted", "return"): Transition("returned", frozenset({"reviewer"}), "Return"),
        ("submitted", "reject"): Transition("rejected", frozenset({"reviewer"}), "Reject"),
        ("returned", "submit"): Transition("submitted", frozenset({"member"}), "Resubmit"),
        ("published", "withdraw"): Transition("withdrawn", frozenset({"member"}), "Withdraw"),
    }
)
LABELS = {
    "draft": "Draft",
    "submitted": "Awaiting review",
    "published": "Published",
    "returned": "Returned",
    "rejected": "Rejected",
    "withdrawn": "Withdrawn",
}
ROLES = {"member": "Holder", "reviewer": "Reviewer"}


def progress(status, **kwargs):
    return workflow_progress(
        MACHINE,
        path=("draft", "submitted", "published"),
        status=status,
        status_labels=LABELS,
        actor_labels=ROLES,
        detours={"returned": "submitted", "rejected": "submitted"},
        stops=("rejected",),
        **kwargs,
    )


def test_steps_before_are_done_the_current_is_marked_and_the_rest_upcoming():
    steps = progress("submitted", reader_roles={"member"}).steps
    assert [(s.status, s.state) for s in steps] == [
        ("draft", "done"),
        ("submitted", "current"),
        ("published", "upcoming"),
    ]


def test_next_actions_move_forward_and_say_who_acts():
    result = progress("submitted", reader_roles={"member"})
    assert [(a.action, a.actor_labels, a.yours) for a in result.next_actions] == [
        ("approve", ("Reviewer",), False)
    ]
    assert progress("submitted", reader_roles={"reviewer"}).next_actions[0].yours


def test_a_detour_takes_the_place_of_its_step_and_a_stop_ends_the_stepper():
    returned = progress("returned").steps
    assert [(s.status, s.state) for s in returned] == [
        ("draft", "done"),
        ("returned", "attention"),
        ("published", "upcoming"),
    ]
    rejected = progress("rejected")
    assert [(s.status, s.state) for s in rejected.steps] == [
        ("draft", "done"),
        ("rejected", "stopped"),
    ]
    assert rejected.finished


def test_the_last_step_reached_is_done_and_nothing_is_next():
    result = progress("published")
    assert {s.state for s in result.steps} == {"done"}
    assert result.finished  # withdrawing leaves the path: not "next"
    assert result.as_dict()["steps"][-1] == {
        "status": "published",
        "label": "Published",
        "state": "done",
    }
