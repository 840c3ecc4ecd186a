"""Writes for accounts and organisations. Views, serializers and commands call these."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import SELF_ASSIGNABLE_ROLES, MembershipRole, Role, VerificationStatus
from accounts.models import Membership, Organization, OrganizationEvent, User
from audit.choices import AuditKind
from audit.services import audit_record
from core.workflow import (
    StateMachine,
    Transition,
    TransitionNotAllowed,
    compare_and_set_status,
)
from notifications.services import notify_users

REVIEWERS = frozenset({Role.REVIEWER, Role.ADMIN})
MEMBERS = frozenset({"member"})

VERIFICATION_WORKFLOW = StateMachine(
    {
        (VerificationStatus.UNVERIFIED, "request"): Transition(VerificationStatus.PENDING, MEMBERS),
        (VerificationStatus.REJECTED, "request"): Transition(VerificationStatus.PENDING, MEMBERS),
        (VerificationStatus.PENDING, "verify"): Transition(VerificationStatus.VERIFIED, REVIEWERS),
        (VerificationStatus.PENDING, "reject"): Transition(
            VerificationStatus.REJECTED, REVIEWERS, requires_note=True
        ),
        (VerificationStatus.VERIFIED, "revoke"): Transition(
            VerificationStatus.UNVERIFIED, REVIEWERS, requires_note=True
        ),
    }
)


def _validate_roles(roles: list[str]) -> list[str]:
    unknown = [role for role in roles if role not in SELF_ASSIGNABLE_ROLES]
    if unknown:
        raise ValidationError(
            {
                "roles": _("These roles cannot be chosen at registration: %(roles)s")
                % {"roles": ", ".join(unknown)}
            }
        )
    return sorted(set(roles))


@transaction.atomic
def user_register(
    *,
    email: str,
    password: str,
    full_name: str = "",
    roles: list[str] | None = None,
    preferred_language: str = "zh-hans",
) -> User:
    email = User.objects.normalize_email(email or "").strip().lower()
    user = User(email=email, full_name=full_name.strip(), preferred_language=preferred_language)
    user.roles = _validate_roles(roles or [])
    errors = {}
    if User.objects.filter(email__iexact=email).exists():
        errors["email"] = [_("A user with this email address already exists.")]
    try:
        user.full_clean(exclude=["password"], validate_unique=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        validate_password(password, user)
    except ValidationError as error:
        errors["password"] = list(error.messages)
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.save()
    return user


def user_sign_up(
    *,
    request,
    email: str,
    password: str,
    full_name: str = "",
    roles: list[str] | None = None,
    preferred_language: str = "zh-hans",
) -> User | None:
    """Sign-up that does not tell whether the address is registered (API and browser answer
    alike). A new address gets an account and a confirmation email; a registered one gets no
    account, and its owner an email saying someone tried (sign in or reset the password). Input
    errors other than the taken address are reported as for a new address. Returns the new user,
    or None when the address was taken."""
    from allauth.account.adapter import get_adapter
    from allauth.account.internal.flows.email_verification import (
        send_verification_email_for_user,
    )
    from django.contrib.auth.hashers import make_password

    normalized = User.objects.normalize_email(email or "").strip().lower()
    taken = bool(normalized) and User.objects.filter(email__iexact=normalized).exists()
    try:
        user = user_register(
            email=email,
            password=password,
            full_name=full_name,
            roles=roles,
            preferred_language=preferred_language,
        )
    except ValidationError as error:
        if not taken:
            raise
        others = {
            field: messages for field, messages in error.message_dict.items() if field != "email"
        }
        if others:
            raise ValidationError(others) from None
        make_password(password)  # as long as creating the account would take
        transaction.on_commit(
            lambda: get_adapter(request).send_account_already_exists_mail(normalized)
        )
        return None
    transaction.on_commit(lambda: send_verification_email_for_user(request, user))
    return user


@transaction.atomic
def user_update_profile(*, user: User, **fields) -> User:
    if "roles" in fields:
        # Privileged roles are granted by admins only; keep what the database says.
        stored_roles = User.objects.filter(pk=user.pk).values_list("roles", flat=True).first() or []
        privileged = [role for role in stored_roles if role in (Role.REVIEWER, Role.ADMIN)]
        fields["roles"] = (
            _validate_roles(
                [role for role in fields["roles"] if role not in (Role.REVIEWER, Role.ADMIN)]
            )
            + privileged
        )
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def organization_create(*, user: User, **fields) -> Organization:
    organization = Organization(**fields)
    organization.full_clean()
    organization.save()
    Membership.objects.create(user=user, organization=organization, role=MembershipRole.OWNER)
    OrganizationEvent.objects.create(
        organization=organization,
        actor=user,
        action="create",
        from_status="",
        to_status=organization.verification_status,
    )
    return organization


@transaction.atomic
def organization_update(*, organization: Organization, user: User, **fields) -> Organization:
    if not organization_is_member(organization=organization, user=user):
        raise ValidationError(_("Only members of the organisation may change it."))
    identity_changed = any(
        getattr(organization, name) != value
        for name, value in fields.items()
        if name in ("name_zh", "name_en", "credit_code", "kind", "region")
    )
    for name, value in fields.items():
        setattr(organization, name, value)
    organization.full_clean()
    if identity_changed and organization.verification_status == VerificationStatus.VERIFIED:
        # A verified identity that changes must be verified again.
        organization.verification_status = VerificationStatus.UNVERIFIED
        organization.verified_at = None
        OrganizationEvent.objects.create(
            organization=organization,
            actor=user,
            action="identity_changed",
            from_status=VerificationStatus.VERIFIED,
            to_status=VerificationStatus.UNVERIFIED,
        )
    organization.save()
    return organization


def organization_is_member(*, organization: Organization, user: User) -> bool:
    return user.is_authenticated and organization.memberships.filter(user=user).exists()


def verification_actor_roles(
    *, organization: Organization, user: User, organization_ids: list[int] | None = None
) -> set[str]:
    """`organization_ids`: the user's organisations when a list already looked them up."""
    roles = set(user.roles or []) & REVIEWERS
    if (
        organization.pk in organization_ids
        if organization_ids is not None
        else organization_is_member(organization=organization, user=user)
    ):
        roles.add("member")
    return roles


def organization_allowed_actions(
    *, organization: Organization, user: User, organization_ids: list[int] | None = None
) -> list[str]:
    return VERIFICATION_WORKFLOW.allowed_actions(
        organization.verification_status,
        verification_actor_roles(
            organization=organization, user=user, organization_ids=organization_ids
        ),
    )


@transaction.atomic
def organization_transition(
    *, organization: Organization, user: User, action: str, note: str = ""
) -> Organization:
    """Request, grant, refuse or revoke an organisation's verification."""
    current = organization.verification_status
    transition = VERIFICATION_WORKFLOW.resolve(
        current, action, verification_actor_roles(organization=organization, user=user)
    )
    if transition.requires_note and not note.strip():
        raise ValidationError({"note": _("Please give a reason.")})
    extra = {"verification_note": note.strip(), "updated_at": timezone.now()}
    if transition.target == VerificationStatus.VERIFIED:
        extra.update(verified_at=timezone.now(), verified_by=user)
    elif transition.target != VerificationStatus.PENDING:
        extra.update(verified_at=None, verified_by=None)
    if not compare_and_set_status(
        Organization,
        pk=organization.pk,
        expected=current,
        target=transition.target,
        field_name="verification_status",
        **extra,
    ):
        raise TransitionNotAllowed(_("Someone else changed this organisation first; reload it."))
    OrganizationEvent.objects.create(
        organization=organization,
        actor=user,
        action=action,
        from_status=current,
        to_status=transition.target,
        note=note.strip(),
    )
    organization.refresh_from_db()
    if action in ("verify", "reject", "revoke"):
        audit_record(
            kind=AuditKind.ORGANIZATION_VERIFICATION,
            actor=user,
            target=organization,
            summary=f"{action}: {current} -> {transition.target}",
            data={"action": action, "note": note.strip()},
        )
        members = User.objects.filter(memberships__organization=organization)
        notify_users(
            users=members,
            title=_("Verification of %(name)s: %(status)s")
            % {
                "name": organization.display_name,
                "status": organization.get_verification_status_display(),
            },
            body=note.strip(),
            url=reverse("accounts:organization_detail", args=[organization.pk]),
        )
    return organization
