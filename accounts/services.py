"""Writes for accounts and organisations. Views, serializers and commands call these."""

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from accounts.choices import (
    GRANTABLE_ROLES,
    PRIVILEGED_ROLES,
    ROLE_ORGANIZATION_KINDS,
    ROLES_NEEDING_CREDENTIAL,
    SELF_ASSIGNABLE_ROLES,
    MembershipRole,
    OrganizationType,
    Role,
    RoleGrantStatus,
    VerificationStatus,
)
from accounts.models import (
    Membership,
    Organization,
    OrganizationEvent,
    RoleGrant,
    RoleGrantEvent,
    User,
)
from accounts.permissions import (
    forget_memberships,
    is_member,
    member_organization_ids,
    members_of,
    platform_reviewers,
)
from accounts.selectors import organization_name_clashes, organizations_of_user
from audit.choices import AuditKind
from audit.services import audit_record
from core.workflow import (
    StateMachine,
    Transition,
    TransitionNotAllowed,
    compare_and_set_status,
)
from notifications.messages import Bilingual, Message, choice_label, person
from notifications.services import notify_users

REVIEWERS = frozenset({Role.REVIEWER, Role.ADMIN})
MEMBER = "member"
MEMBERS = frozenset({MEMBER})

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
        labels = dict(Role.choices)
        raise ValidationError(
            {
                "roles": _(
                    "These roles are granted by a reviewer, not chosen: %(roles)s. Ask for them "
                    "under “My roles” once your organisation is verified."
                )
                % {"roles": _list_separator().join(str(labels.get(role, role)) for role in unknown)}
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
    from allauth.account.internal.flows.email_verification import (
        send_verification_email_for_user,
        send_verification_email_to_address,
    )
    from allauth.account.models import EmailAddress
    from allauth.core.context import request_context
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

        def tell_the_owner() -> None:
            with request_context(request):
                # allauth's own path for a taken address: the same per-address rate limit
                send_verification_email_to_address(
                    request, EmailAddress(user=None, email=normalized), signup=True
                )

        transaction.on_commit(tell_the_owner)
        return None

    def ask_to_confirm() -> None:
        with request_context(request):
            send_verification_email_for_user(request, user)

    transaction.on_commit(ask_to_confirm)
    return user


@transaction.atomic
def user_update_profile(*, user: User, **fields) -> User:
    if "roles" in fields:
        # Privileged roles come from role grants only: keep what the database says, and refuse
        # any that is asked for here. Roles already held may be sent back unchanged.
        stored_roles = User.objects.filter(pk=user.pk).values_list("roles", flat=True).first() or []
        privileged = [role for role in stored_roles if role in PRIVILEGED_ROLES]
        fields["roles"] = sorted(
            set(_validate_roles([role for role in fields["roles"] if role not in privileged]))
            | set(privileged)
        )
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def user_set_preferred_language(*, user: User, language: str) -> None:
    """The language a user chose with the switcher: their e-mails follow it too."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"preferred_language": _("Choose one of the listed values.")})
    User.objects.filter(pk=user.pk).exclude(preferred_language=language).update(
        preferred_language=language
    )
    user.preferred_language = language


@transaction.atomic
def organization_create(*, user: User, **fields) -> Organization:
    organization = Organization(**fields)
    organization.full_clean()
    organization.save()
    Membership.objects.create(user=user, organization=organization, role=MembershipRole.OWNER)
    forget_memberships(user=user)
    _organization_event(organization, actor=user, action="create", source="")
    return organization


@transaction.atomic
def organization_update(*, organization: Organization, user: User, **fields) -> Organization:
    if not is_member(user=user, organization=organization):
        raise ValidationError(_("Only members of the organisation may change it."))
    unknown = set(fields) - set(Organization.EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    identity_changed = any(
        getattr(organization, name) != value
        for name, value in fields.items()
        if name in Organization.IDENTITY_FIELDS
    )
    for name, value in fields.items():
        setattr(organization, name, value)
    organization.full_clean()
    if identity_changed and organization.verification_status == VerificationStatus.VERIFIED:
        # A verified identity that changes must be verified again.
        organization.verification_status = VerificationStatus.UNVERIFIED
        organization.verified_at = None
        organization.save()
        _organization_event(
            organization, actor=user, action="identity_changed", source=VerificationStatus.VERIFIED
        )
        _organization_grants_revoke(organization=organization, user=user)
        return organization
    organization.save()
    return organization


def _organization_event(
    organization: Organization, *, actor: User | None, action: str, source: str, note: str = ""
) -> None:
    OrganizationEvent.objects.create(
        organization=organization,
        actor=actor,
        action=action,
        from_status=source,
        to_status=organization.verification_status,
        note=note,
    )


def verification_actor_roles(*, organization: Organization, user: User) -> set[str]:
    roles = set(user.roles or []) & REVIEWERS
    # The user's organisation ids are kept for the request: a list asks once for every row.
    if organization.pk in member_organization_ids(user=user):
        roles.add(MEMBER)
    return roles


def organization_allowed_actions(*, organization: Organization, user: User) -> list[str]:
    return VERIFICATION_WORKFLOW.allowed_actions(
        organization.verification_status,
        verification_actor_roles(organization=organization, user=user),
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
    organization.refresh_from_db()
    _organization_event(organization, actor=user, action=action, source=current, note=note.strip())
    if action == "revoke":
        _organization_grants_revoke(organization=organization, user=user)
    if action in ("verify", "reject", "revoke"):
        audit_record(
            kind=AuditKind.ORGANIZATION_VERIFICATION,
            actor=user,
            target=organization,
            summary=f"{action}: {current} -> {transition.target}",
            data={"action": action, "note": note.strip()},
        )
        notify_users(
            users=members_of(organization.pk),
            title=Message(
                gettext_lazy("Verification of %(name)s: %(status)s"),
                name=Bilingual.of(organization, "name"),
                status=choice_label(organization, "verification_status"),
            ),
            body=note.strip(),
            url=reverse("accounts:organization_detail", args=[organization.pk]),
        )
    return organization


# --- Role grants ------------------------------------------------------------------------------
# Privileged roles are granted, never chosen: a member of a verified organisation of the right
# kind asks, a reviewer (an administrator for the reviewer role) decides, with the evidence in
# sight. `User.roles` is the effective set and changes here only.

DECIDERS = frozenset({"decider"})

ROLE_GRANT_WORKFLOW = StateMachine(
    {
        (RoleGrantStatus.REQUESTED, "grant"): Transition(RoleGrantStatus.GRANTED, DECIDERS),
        (RoleGrantStatus.REQUESTED, "refuse"): Transition(
            RoleGrantStatus.REFUSED, DECIDERS, requires_note=True
        ),
        (RoleGrantStatus.GRANTED, "revoke"): Transition(
            RoleGrantStatus.REVOKED, DECIDERS | {"system"}, requires_note=True
        ),
    }
)


def role_grant_actor_roles(*, grant: RoleGrant, user: User | None) -> set[str]:
    """Who `user` is for this grant: its applicant, or a decider. Nobody decides their own."""
    if user is None or not user.is_authenticated:
        return set()
    roles = set()
    if user.pk == grant.user_id:
        roles.add("applicant")
    elif (grant.role == Role.REVIEWER and user.has_role(Role.ADMIN)) or (
        grant.role != Role.REVIEWER and user.is_reviewer
    ):
        roles.add("decider")
    return roles


def role_grant_allowed_actions(*, grant: RoleGrant, user: User) -> list[str]:
    return ROLE_GRANT_WORKFLOW.allowed_actions(
        grant.status, role_grant_actor_roles(grant=grant, user=user)
    )


def _list_separator() -> str:
    # "a, b" in English, "a、b" in Chinese.
    return pgettext("list separator", ", ")


def role_grant_missing(*, user: User, role: str, organization: Organization | None) -> list[str]:
    """What stands between the user and the role, in words; empty when it can be granted."""
    kinds = ROLE_ORGANIZATION_KINDS.get(role)
    if kinds is None:
        return [_("This role cannot be requested.")]
    missing = []
    kind_labels = _list_separator().join(str(OrganizationType(kind).label) for kind in kinds)
    if organization is None:
        missing.append(
            _("Join or create an organisation of one of these types: %(kinds)s.")
            % {"kinds": kind_labels}
        )
        return missing
    if not is_member(user=user, organization=organization):
        missing.append(_("You are not a member of this organisation."))
    if organization.kind not in kinds:
        missing.append(
            _("The role needs an organisation of one of these types: %(kinds)s.")
            % {"kinds": kind_labels}
        )
    if organization.verification_status != VerificationStatus.VERIFIED:
        missing.append(
            _("Your organisation “%(name)s” is not verified yet.")
            % {"name": organization.display_name}
        )
    return missing


def _role_grant_event(
    grant: RoleGrant, *, actor: User | None, action: str, source: str, note: str = ""
) -> None:
    RoleGrantEvent.objects.create(
        grant=grant,
        actor=actor,
        action=action,
        from_status=source,
        to_status=grant.status,
        note=note,
    )


def _user_roles_change(*, user_id: int, add: str | None = None, remove: str | None = None) -> None:
    # Locked for the shortest time: two grants decided at once must not lose each other's role.
    user = User.objects.select_for_update().get(pk=user_id)
    roles = set(user.roles or [])
    if add:
        roles.add(add)
    if remove:
        roles.discard(remove)
    if roles != set(user.roles or []):
        user.roles = sorted(roles)
        user.save(update_fields=["roles"])


@transaction.atomic
def role_grant_request(
    *,
    user: User,
    role: str,
    organization: Organization,
    credential_number: str = "",
    note: str = "",
    evidence=None,
) -> RoleGrant:
    """Ask for a privileged role in the name of one of the user's organisations."""
    from core.uploads import PDF_AND_IMAGES, upload_content_type

    errors: dict[str, str] = {}
    credential_number = (credential_number or "").strip()
    if role not in GRANTABLE_ROLES:
        errors["role"] = _("This role cannot be requested.")
    elif user.has_role(role):
        errors["role"] = _("You already hold this role.")
    elif RoleGrant.objects.open().filter(user=user, role=role).exists():
        errors["role"] = _("You have already asked for this role; a reviewer will decide.")
    if not is_member(user=user, organization=organization):
        errors["organization"] = _("Choose one of your own organisations.")
    elif role in ROLE_ORGANIZATION_KINDS and organization.kind not in ROLE_ORGANIZATION_KINDS[role]:
        errors["organization"] = _(
            "The role needs an organisation of one of these types: %(kinds)s."
        ) % {
            "kinds": _list_separator().join(
                str(OrganizationType(kind).label) for kind in ROLE_ORGANIZATION_KINDS[role]
            )
        }
    if role in ROLES_NEEDING_CREDENTIAL and not credential_number:
        errors["credential_number"] = (
            _("Give the number of your technology broker certificate (技术经纪人证书).")
            if role == Role.BROKER
            else _("Give the number of the institution's financial licence.")
        )
    content_type = ""
    if evidence is not None:
        try:
            content_type = upload_content_type(evidence, allowed=PDF_AND_IMAGES)
        except ValidationError as error:
            errors["evidence"] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    grant = RoleGrant(
        user=user,
        role=role,
        organization=organization,
        credential_number=credential_number[:100],
        note=(note or "").strip(),
    )
    if evidence is not None:
        grant.evidence_file = evidence
        grant.evidence_name = evidence.name[:255]
        grant.evidence_content_type = content_type
    grant.save()
    _role_grant_event(grant, actor=user, action="request", source="", note=grant.note)
    deciders = platform_reviewers().exclude(pk=user.pk)
    if role == Role.REVIEWER:
        # Only administrators decide who reviews.
        deciders = deciders.filter(roles__contains=[Role.ADMIN])
    notify_users(
        users=deciders,
        title=Message(
            gettext_lazy("%(user)s asks for the role %(role)s"),
            user=person(user),
            role=choice_label(grant, "role"),
        ),
        body=Bilingual.of(organization, "name"),
        url=reverse("accounts:role_grant_detail", args=[grant.pk]),
    )
    return grant


def _role_grant_apply(
    *, grant: RoleGrant, user: User | None, action: str, note: str, actor_roles: set[str]
) -> RoleGrant:
    current = grant.status
    transition = ROLE_GRANT_WORKFLOW.resolve(current, action, actor_roles)
    note = (note or "").strip()
    if transition.requires_note and not note:
        raise ValidationError({"note": _("Please give a reason.")})
    if transition.target == RoleGrantStatus.GRANTED:
        organization = Organization.objects.get(pk=grant.organization_id)
        missing = role_grant_missing(user=grant.user, role=grant.role, organization=organization)
        if missing:
            raise TransitionNotAllowed(" ".join(str(message) for message in missing))
    now = timezone.now()
    if not compare_and_set_status(
        RoleGrant,
        pk=grant.pk,
        expected=current,
        target=transition.target,
        decided_by=user,
        decided_at=now,
        decision_note=note,
        updated_at=now,
    ):
        raise TransitionNotAllowed(_("Someone else decided this request first; reload it."))
    grant.refresh_from_db()
    if transition.target == RoleGrantStatus.GRANTED:
        _user_roles_change(user_id=grant.user_id, add=grant.role)
    elif transition.target == RoleGrantStatus.REVOKED:
        _user_roles_change(user_id=grant.user_id, remove=grant.role)
    _role_grant_event(grant, actor=user, action=action, source=current, note=note)
    audit_record(
        kind=AuditKind.ROLES_CHANGED,
        actor=user,
        target=grant,
        summary=f"role {grant.role} {action}: {current} -> {grant.status}",
        data={
            "action": action,
            "role": grant.role,
            "user_id": grant.user_id,
            "organization_id": grant.organization_id,
            "credential_number": grant.credential_number,
            "evidence": grant.evidence_name,
            "note": note,
        },
    )
    notify_users(
        users=User.objects.filter(pk=grant.user_id),
        title=Message(
            gettext_lazy("Your request for the role %(role)s: %(status)s"),
            role=choice_label(grant, "role"),
            status=choice_label(grant, "status"),
        ),
        body=note,
        url=reverse("accounts:role_grants"),
    )
    return grant


@transaction.atomic
def role_grant_decide(*, grant: RoleGrant, user: User, decision: str, note: str = "") -> RoleGrant:
    """Grant or refuse a requested role (refusing needs a reason)."""
    if decision not in ("grant", "refuse"):
        raise ValidationError({"decision": _("Choose grant or refuse.")})
    return _role_grant_apply(
        grant=grant,
        user=user,
        action=decision,
        note=note,
        actor_roles=role_grant_actor_roles(grant=grant, user=user),
    )


@transaction.atomic
def role_grant_revoke(
    *, grant: RoleGrant, user: User | None, note: str, system: bool = False
) -> RoleGrant:
    """Take a granted role back; `system` when the organisation lost its verification."""
    return _role_grant_apply(
        grant=grant,
        user=user,
        action="revoke",
        note=note,
        actor_roles={"system"} if system else role_grant_actor_roles(grant=grant, user=user),
    )


def _organization_grants_revoke(*, organization: Organization, user: User | None) -> int:
    """An organisation that is no longer verified vouches for nobody: revoke its grants."""
    count = 0
    for grant in RoleGrant.objects.granted().filter(organization=organization):
        role_grant_revoke(
            grant=grant,
            user=user,
            note=_("The organisation “%(name)s” is no longer verified.")
            % {"name": organization.display_name},
            system=True,
        )
        count += 1
    return count


# --- Verified identity --------------------------------------------------------------------------


def organization_may_transact(*, organization: Organization | None) -> None:
    """Refuse an unverified organisation named like a verified one (an impostor, until a
    reviewer has verified it) when it opens deals, proposals, introductions or applications."""
    if organization is None or organization.verified:
        return
    if organization_name_clashes(organization=organization).exists():
        raise ValidationError(
            _(
                "“%(name)s” has the same name as a verified organisation. It can take part in "
                "deals, proposals, introductions and applications once a reviewer has verified "
                "it."
            )
            % {"name": organization.display_name},
            code="organization_name_clash",
        )


def role_requirements(*, user: User) -> list[dict]:
    """For each role a user may ask for: held or not, the open request, and what is missing
    (judged on the user's best-suited organisation). Feeds the "My roles" page."""
    organizations = list(organizations_of_user(user=user))
    open_grants = {grant.role: grant for grant in RoleGrant.objects.open().filter(user=user)}
    rows = []
    for role in GRANTABLE_ROLES:
        kinds = ROLE_ORGANIZATION_KINDS[role]
        suitable = [org for org in organizations if org.kind in kinds]
        best = next((org for org in suitable if org.verified), suitable[0] if suitable else None)
        rows.append(
            {
                "role": role,
                "label": Role(role).label,
                "held": user.has_role(role),
                "grant": open_grants.get(role),
                "organization": best,
                "missing": []
                if user.has_role(role)
                else role_grant_missing(user=user, role=role, organization=best),
                "needs_credential": role in ROLES_NEEDING_CREDENTIAL,
                "needs_broker_certificate": role == Role.BROKER,
                "granted_by_administrators": role == Role.REVIEWER,
            }
        )
    return rows
