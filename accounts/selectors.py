import re
import unicodedata

from django.db.models import F, Func, Q, QuerySet, Value
from django.db.models.functions import Lower

from accounts.choices import Role, RoleGrantStatus, VerificationStatus
from accounts.models import Organization, OrganizationEvent, RoleGrant, RoleGrantEvent, User
from accounts.permissions import is_reviewer, member_organizations_subquery


def organizations_of_user(*, user: User) -> QuerySet[Organization]:
    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.filter(pk__in=member_organizations_subquery(user=user)).order_by(
        "pk"
    )


def organizations_visible_to(*, user: User) -> QuerySet[Organization]:
    """Verified organisations are public; the others only to their members and reviewers."""
    if is_reviewer(user=user):
        return Organization.objects.all()
    verified = Q(verification_status=VerificationStatus.VERIFIED)
    if user.is_authenticated:
        member_of = member_organizations_subquery(user=user)
        return Organization.objects.filter(verified | Q(pk__in=member_of))
    return Organization.objects.filter(verified)


def organization_memberships(*, organization: Organization):
    """The organisation's members and their roles (shown to its members)."""
    return organization.memberships.select_related("user").order_by("pk")


def organization_events(*, organization: Organization) -> QuerySet[OrganizationEvent]:
    return organization.events.select_related("actor")


def role_grant_events(*, grant: RoleGrant) -> QuerySet[RoleGrantEvent]:
    return grant.events.select_related("actor")


def organizations_awaiting_verification() -> QuerySet[Organization]:
    return Organization.objects.filter(verification_status=VerificationStatus.PENDING).order_by(
        "updated_at"
    )


# --- Role grants ------------------------------------------------------------------------------


def role_grants_visible_to(*, user: User) -> QuerySet[RoleGrant]:
    """Reviewers see every request; everyone else their own."""
    base = RoleGrant.objects.select_related("user", "organization", "decided_by")
    if not user.is_authenticated:
        return base.none()
    if is_reviewer(user=user):
        return base
    return base.filter(user=user)


def role_grants_awaiting_decision(*, user: User) -> QuerySet[RoleGrant]:
    """Requests this user may decide: reviewers decide all but the reviewer role (admins)."""
    queryset = role_grants_visible_to(user=user).filter(status=RoleGrantStatus.REQUESTED)
    if not is_reviewer(user=user):
        return queryset.none()
    if not user.has_role(Role.ADMIN):
        queryset = queryset.exclude(role=Role.REVIEWER)
    return queryset.exclude(user=user).order_by("created_at", "pk")


# --- Verified identity --------------------------------------------------------------------------


def organization_name_key(name: str) -> str:
    """A name as the clash check compares it: NFKC (full-width letters and spaces fold), case
    and every whitespace ignored."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or "").lower())


def _name_key_sql(field: str):
    return Func(
        Lower(Func(F(field), template="normalize(%(expressions)s, NFKC)")),
        Value(r"\s+"),
        Value(""),
        Value("g"),
        function="regexp_replace",
    )


def organization_name_clashes(*, organization: Organization) -> QuerySet[Organization]:
    """Verified organisations whose Chinese or English name equals this unverified one's
    (case, width and whitespace ignored). A verified organisation clashes with nobody."""
    if organization.verified:
        return Organization.objects.none()
    keys = {
        key
        for key in (
            organization_name_key(organization.name_zh),
            organization_name_key(organization.name_en),
        )
        if key
    }
    if not keys:
        return Organization.objects.none()
    return (
        Organization.objects.verified()
        .exclude(pk=organization.pk)
        .annotate(_zh_key=_name_key_sql("name_zh"), _en_key=_name_key_sql("name_en"))
        .filter(Q(_zh_key__in=keys) | Q(_en_key__in=keys))
        .order_by("pk")
    )


def organization_name_clash_map(*, organizations) -> dict[int, list[Organization]]:
    """`organization_name_clashes` for many organisations in one query: unverified id ->
    the verified organisations it is named like (only those with a clash)."""
    keys_of = {}
    for organization in organizations:
        if organization.verified:
            continue
        keys = {
            key
            for key in (
                organization_name_key(organization.name_zh),
                organization_name_key(organization.name_en),
            )
            if key
        }
        if keys:
            keys_of[organization.pk] = keys
    if not keys_of:
        return {}
    every_key = set().union(*keys_of.values())
    verified = list(
        Organization.objects.verified()
        .annotate(_zh_key=_name_key_sql("name_zh"), _en_key=_name_key_sql("name_en"))
        .filter(Q(_zh_key__in=every_key) | Q(_en_key__in=every_key))
        .order_by("pk")
    )
    clashes: dict[int, list[Organization]] = {}
    for pk, keys in keys_of.items():
        found = [org for org in verified if org.pk != pk and {org._zh_key, org._en_key} & keys]
        if found:
            clashes[pk] = found
    return clashes


def reviewer_account_todos(*, user) -> list[dict]:
    """A reviewer's account queues: organisations to verify and role requests to decide."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from accounts.workspace import queue_todo

    if not is_reviewer(user=user):
        return []
    queue = reverse("accounts:review_queue")
    return [
        queue_todo(
            key="organizations_to_verify",
            label=_("Organisations to verify"),
            queryset=organizations_awaiting_verification(),
            url=f"{queue}#org-queue",
            since_field="updated_at",
        ),
        queue_todo(
            key="role_requests_to_decide",
            label=_("Role requests to decide"),
            queryset=role_grants_awaiting_decision(user=user),
            url=f"{queue}#role-queue",
            since_field="created_at",
        ),
    ]
