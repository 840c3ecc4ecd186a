"""A refused transition names the status and the action as people read them, never their codes
(#14 item 2): the API's 409 detail and the page's message both show this text."""

import pytest
from django.db import models
from django.utils import translation

from catalog.services import TECHNOLOGY_WORKFLOW
from core.workflow import StateMachine, Transition, TransitionNotAllowed


class LampStatus(models.TextChoices):
    OFF = "switched_off", "Switched off"
    ON = "switched_on", "Switched on"


LAMP = StateMachine(
    {
        (LampStatus.OFF, "switch_on"): Transition(
            LampStatus.ON, frozenset({"owner"}), label="Switch on"
        ),
        (LampStatus.ON, "switch_off"): Transition(
            LampStatus.OFF, frozenset({"owner"}), label="Switch off"
        ),
    }
)


def refusal(machine, status, action, roles) -> str:
    with pytest.raises(TransitionNotAllowed) as refused:
        machine.resolve(status, action, roles)
    return str(refused.value)


def test_an_impossible_action_is_named_by_its_button_and_the_status_by_its_label():
    with translation.override("en"):
        message = refusal(LAMP, "switched_on", "switch_on", {"owner"})
    assert "“Switch on”" in message and "“Switched on”" in message
    assert "switch_on" not in message and "switched_on" not in message


def test_an_action_of_someone_else_is_named_by_its_button():
    with translation.override("en"):
        message = refusal(LAMP, "switched_off", "switch_on", {"visitor"})
    assert message == "You may not take the action “Switch on” now."


def test_an_action_no_table_knows_is_quoted_as_sent():
    assert "“explode”" in refusal(LAMP, "switched_off", "explode", {"owner"})


def test_a_real_workflow_refuses_in_the_readers_language():
    published = "published"
    with translation.override("zh-hans"):
        message = refusal(TECHNOLOGY_WORKFLOW, published, "submit", {"owner", "member"})
    assert "已发布" in message
    assert published not in message and "submit" not in message
