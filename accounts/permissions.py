"""The one vocabulary for "who is this user to that organisation": membership, the
organisation a user acts for, reviewers, and the members to tell about something.

Services, selectors, views, serializers and templates ask here (templates through the `rules`
permissions declared in `accounts/rules.py`); nothing else queries `Membership` to decide who
may do what. Privileged roles (broker, financier, operator, reviewer, expert) are only ever
granted by review (`accounts.services.role_grant_decide`); `User.has_role` reads the result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.choices import MembershipRole, Role
from accounts.models import Membership, Organization, User

# The ids are kept on the user object for the rest of the request: pages and lists ask for every
# row, one query answers them all.
_CACHE_ATTRIBUTE = "_member_organization_ids"


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def member_organization_ids(*, user) -> list[int]:
    """The ids of the organisations `user` belongs to (empty for anonymous), oldest first."""
    if not _authenticated(user):
        return []
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user)
            .order_by("pk")
            .values_list("organization_id", flat=True)
        )
        setattr(user, _CACHE_ATTRIBUTE, cached)
    return cached


def forget_memberships(*, user) -> None:
    """Drop the ids kept on `user` (after a membership of theirs was added or removed)."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


def member_organizations_subquery(*, user) -> QuerySet:
    """The user's organisation ids as a subquery, for `Q(organization_id__in=...)` filters."""
    return Membership.objects.filter(user=user).values("organization_id")


def is_member(*, user, organization: Organization | int | None) -> bool:
    """Whether `user` belongs to `organization` (an instance or an id)."""
    if organization is None or not _authenticated(user):
        return False
    organization_id = organization if isinstance(organization, int) else organization.pk
    if organization_id is None:
        return False
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return organization_id in cached
    return Membership.objects.filter(user=user, organization_id=organization_id).exists()


def is_reviewer(*, user) -> bool:
    return _authenticated(user) and user.is_reviewer


def acts_for(*, user, organization: Organization | None, on_behalf: bool = False) -> bool:
    """Whether `user` may write for `organization`: one of its members, or, only where the
    caller says the write is made on the organisation's behalf (a reviewer's import), a reviewer
    writing for a verified organisation."""
    if is_member(user=user, organization=organization):
        return True
    return bool(
        on_behalf and organization is not None and organization.verified and is_reviewer(user=user)
    )


def has_role(*, user, role: str) -> bool:
    return _authenticated(user) and user.has_role(role)


def may_draft_translations(*, user) -> bool:
    """Who may propose a draft translation of another organisation's listing or need: a
    technology broker (a granted role) or a reviewer; the holder confirms it as its own."""
    return is_reviewer(user=user) or has_role(user=user, role=Role.BROKER)


def primary_organization(*, user) -> Organization:
    """The organisation a user acts for (their first membership); a clear error without one."""
    organization = (
        Organization.objects.filter(memberships__user=user).order_by("memberships__pk").first()
        if _authenticated(user)
        else None
    )
    if organization is None:
        raise ValidationError(
            _("Create or join an organisation first: needs and deals belong to organisations.")
        )
    return organization


def members_of(*organization_ids: int | None) -> QuerySet[User]:
    """Active members of the organisations (the people to tell about something)."""
    return User.objects.filter(
        memberships__organization_id__in=[pk for pk in organization_ids if pk], is_active=True
    ).distinct()


def platform_reviewers() -> QuerySet[User]:
    """Active reviewers and administrators."""
    return User.objects.filter(roles__overlap=[Role.REVIEWER, Role.ADMIN], is_active=True)


# --- verified experts ---------------------------------------------------------------------------
#
# Experts are verified in programmes, above accounts (and catalog) in the layer order, so the
# experts' app registers how to recognise one (in its AppConfig.ready) and lower apps ask here.


@dataclass(frozen=True)
class ExpertStanding:
    """A verified expert and the organisation they work for (an id when it is on the platform)."""

    organization_id: int | None
    organization_name: str


ExpertStandingProvider = Callable[..., ExpertStanding | None]
_expert_standing_providers: list[ExpertStandingProvider] = []
_EXPERT_CACHE_ATTRIBUTE = "_expert_standing"


def register_expert_standing(provider: ExpertStandingProvider) -> ExpertStandingProvider:
    if provider not in _expert_standing_providers:
        _expert_standing_providers.append(provider)
    return provider


def expert_standing(*, user) -> ExpertStanding | None:
    """The user's standing as a verified expert; None for anyone else (anonymous included)."""
    if not _authenticated(user):
        return None
    # kept for the request like the memberships: a page asks once per row
    if hasattr(user, _EXPERT_CACHE_ATTRIBUTE):
        return getattr(user, _EXPERT_CACHE_ATTRIBUTE)
    standing = None
    for provider in _expert_standing_providers:
        standing = provider(user=user)
        if standing is not None:
            break
    setattr(user, _EXPERT_CACHE_ATTRIBUTE, standing)
    return standing


def is_verified_expert(*, user) -> bool:
    return expert_standing(user=user) is not None


# --- organisation administrators ----------------------------------------------------------------
#
# An organisation's administrator is its owner (the membership role given to whoever created or
# was first given the organisation); decisions with money attached, such as the reward policy of a
# university or institute, are theirs.


def is_organization_admin(*, user, organization: Organization | int | None) -> bool:
    """Whether `user` administers `organization` (owner membership)."""
    if organization is None or not _authenticated(user):
        return False
    organization_id = organization if isinstance(organization, int) else organization.pk
    return Membership.objects.filter(
        user=user, organization_id=organization_id, role=MembershipRole.OWNER
    ).exists()


def administered_organizations(*, user, kinds: tuple[str, ...] = ()) -> QuerySet[Organization]:
    """The organisations `user` administers, optionally only those of `kinds`."""
    if not _authenticated(user):
        return Organization.objects.none()
    organizations = Organization.objects.filter(
        memberships__user=user, memberships__role=MembershipRole.OWNER
    )
    if kinds:
        organizations = organizations.filter(kind__in=kinds)
    return organizations.order_by("pk").distinct()
