"""Shared helpers of the exchange services: actor roles, change diffs, dates.

Membership questions (who belongs to an organisation, who reviews, whom to tell) are
`accounts.permissions`'.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

User = get_user_model()

MEMBER = "member"
REVIEWER = "reviewer"
SYSTEM = "system"
REVIEWERS_ONLY = frozenset({REVIEWER})
MEMBERS_ONLY = frozenset({MEMBER})
SYSTEM_ONLY = frozenset({SYSTEM})


def _jsonable(value):
    if isinstance(value, Decimal | datetime.date):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def _diff(instance, fields: dict) -> dict:
    changes = {}
    for name, new in fields.items():
        old = getattr(instance, name)
        if old != new:
            changes[name] = [_jsonable(old), _jsonable(new)]
    return changes


def validate_future_deadline(deadline: datetime.date | None, field: str = "deadline") -> None:
    if deadline is not None and deadline < timezone.localdate():
        raise ValidationError({field: _("The deadline must not be in the past.")})
