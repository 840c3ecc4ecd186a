"""Helpers shared by the programmes services."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.models import TransitionEvent

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


def event_record(
    model: type[TransitionEvent],
    *,
    user,
    action: str,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    **subject,
) -> TransitionEvent:
    """Write one history row of a workflow; `subject` is its foreign key (`expert=...`)."""
    return model.objects.create(
        actor=user if getattr(user, "pk", None) else None,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        **subject,
    )
