"""Shared helpers of the exchange services: actor roles, membership, change diffs, dates."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import Organization

User = get_user_model()

MEMBER = "member"
REVIEWER = "reviewer"
SYSTEM = "system"
REVIEWERS_ONLY = frozenset({REVIEWER})
MEMBERS_ONLY = frozenset({MEMBER})
SYSTEM_ONLY = frozenset({SYSTEM})


def is_member(*, organization: Organization | int | None, user) -> bool:
    if organization is None or not getattr(user, "is_authenticated", False):
        return False
    organization_id = organization if isinstance(organization, int) else organization.pk
    return user.memberships.filter(organization_id=organization_id).exists()


def primary_organization(*, user) -> Organization:
    """The organisation a user acts for (their first membership); a clear error without one."""
    organization = (
        Organization.objects.filter(memberships__user=user).order_by("memberships__pk").first()
        if getattr(user, "is_authenticated", False)
        else None
    )
    if organization is None:
        raise ValidationError(
            _("Create or join an organisation first: needs and deals belong to organisations.")
        )
    return organization


def reviewers():
    return User.objects.filter(roles__overlap=[Role.REVIEWER, Role.ADMIN], is_active=True)


def organization_members(organization_id: int):
    return User.objects.filter(memberships__organization_id=organization_id, is_active=True)


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
