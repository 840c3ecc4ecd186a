"""Helpers shared by the programmes services."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

REVIEWER = "reviewer"
OPERATOR = "operator"
EXPERT = "expert"
HOLDER = "holder"
REQUESTER = "requester"
SELF = "self"
ORGANIZER = "organizer"
SYSTEM = "system"


def note_required(transition, note: str) -> str:
    note = (note or "").strip()
    if transition.requires_note and not note:
        raise ValidationError({"note": _("Please give a reason.")})
    return note


def save_or_conflict(instance, message: str) -> None:
    """Insert a row; a unique constraint that fires means someone else got there first."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        raise ValidationError(message) from error
