"""Why a party was turned down: one reason vocabulary and one set of fields for every app.

A declined proposal (exchange), a rejected financing application (finance) and a lost
challenge entry (programmes) each carry a reason code from `TurnDownReason` plus free text. The
code lives on the workflow's event row (`TurnDownReasonField`, the free text being the event's
`note`) or, where there is no event row per object, on the object (`TurnDownReasonFields`).
Forms and serializers check the pair with `turn_down_reason_errors`, so the rule "a reason code
is required, the text is required when the code is 'other'" is written once.
"""

from __future__ import annotations

from django import forms
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

NOTE_MAX_LENGTH = 2000


class TurnDownReason(models.TextChoices):
    """Why a proposal was declined, an application rejected or a challenge entry lost."""

    PRICE = "price", gettext_lazy("Price")
    TECHNICAL_FIT = "technical_fit", gettext_lazy("Technical fit")
    READINESS = "readiness", gettext_lazy("Technology readiness")
    CAPACITY = "capacity", gettext_lazy("Capacity")
    TIMING = "timing", gettext_lazy("Timing")
    DOCUMENTATION_INCOMPLETE = "documentation_incomplete", gettext_lazy("Documentation incomplete")
    ANOTHER_CHOSEN = "another_chosen", gettext_lazy("Another offer was chosen")
    OTHER = "other", gettext_lazy("Other")


class TurnDownReasonField(models.Model):
    """The reason code of an event row; its free text is the event's `note`."""

    reason_code = models.CharField(
        gettext_lazy("reason"),
        max_length=30,
        choices=TurnDownReason.choices,
        blank=True,
        db_index=True,
    )

    class Meta:
        abstract = True

    @property
    def reason_label(self) -> str:
        return str(TurnDownReason(self.reason_code).label) if self.reason_code else ""


class TurnDownReasonFields(TurnDownReasonField):
    """The reason code and free text of an object without an event row of its own."""

    reason_note = models.TextField(
        gettext_lazy("reason in your words"), blank=True, max_length=NOTE_MAX_LENGTH
    )

    class Meta:
        abstract = True


def turn_down_reason_errors(*, code: str, note: str) -> dict[str, str]:
    """Field errors of a reason code and its text ({} when they are acceptable)."""
    errors: dict[str, str] = {}
    if not code:
        errors["reason_code"] = _("Choose a reason from the list.")
    elif code not in TurnDownReason.values:
        errors["reason_code"] = _("Choose one of the reasons offered.")
    elif code == TurnDownReason.OTHER and not (note or "").strip():
        errors["note"] = _("Describe the reason in a few words.")
    if len(note or "") > NOTE_MAX_LENGTH:
        errors["note"] = _("Keep the reason under %(count)s characters.") % {
            "count": NOTE_MAX_LENGTH
        }
    return errors


def reason_code_form_field(*, required: bool = True) -> forms.ChoiceField:
    """The select of a decline or reject form."""
    return forms.ChoiceField(
        label=gettext_lazy("Reason"),
        choices=[("", gettext_lazy("Choose a reason")), *TurnDownReason.choices],
        required=required,
        error_messages={"required": gettext_lazy("Choose a reason from the list.")},
    )
