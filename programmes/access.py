"""Who may do what in programmes, derived from existing data rather than new account roles.

- an expert is a user with a verified ExpertProfile;
- a programme operator holds the (reviewer-granted) operator role and is a member of a verified
  government or platform-operator organisation, or is an administrator;
- events are organised by operators and brokers.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.choices import OrganizationType, Role
from accounts.models import Organization
from accounts.permissions import has_role, member_organization_ids

OPERATOR_KINDS = (OrganizationType.GOVERNMENT, OrganizationType.OPERATOR)


def operator_organizations(*, user):
    """The government or operator organisations the user acts for."""
    if not has_role(user=user, role=Role.OPERATOR):
        return Organization.objects.none()
    return (
        Organization.objects.verified()
        .filter(pk__in=member_organization_ids(user=user), kind__in=OPERATOR_KINDS)
        .order_by("pk")
    )


def is_programme_operator(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if has_role(user=user, role=Role.ADMIN):
        return True
    cached = getattr(user, "_programmes_is_operator", None)
    if cached is None:
        cached = operator_organizations(user=user).exists()
        user._programmes_is_operator = cached
    return cached


def can_organize_events(user) -> bool:
    return is_programme_operator(user) or has_role(user=user, role=Role.BROKER)


def acting_operator_organization(*, user, organization: Organization | None = None):
    """The operator organisation a programme or challenge belongs to; a clear error otherwise."""
    candidates = operator_organizations(user=user)
    if organization is not None:
        if candidates.filter(pk=organization.pk).exists() or (
            has_role(user=user, role=Role.ADMIN)
            and organization.kind in OPERATOR_KINDS
            and organization.verified
        ):
            return organization
        raise ValidationError(
            {
                "operator": _(
                    "Choose a verified government or operator organisation you run programmes for."
                )
            }
        )
    first = candidates.first()
    if first is None:
        raise ValidationError(
            _(
                "Programmes and challenges are run by the programme operators of verified "
                "government, park or platform-operator organisations."
            )
        )
    return first
