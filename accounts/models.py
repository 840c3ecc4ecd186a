from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import (
    GRANTABLE_ROLES,
    MembershipRole,
    NotificationFrequency,
    OrganizationType,
    Role,
    RoleGrantStatus,
    VerificationStatus,
)
from core.i18n import bilingual
from core.models import TransitionEvent, decided_by_field
from core.regions import is_chinese_region, region_label, validate_region
from core.timezones import DEFAULT_TIME_ZONE, validate_time_zone
from core.validators import validate_unified_social_credit_code
from core.visibility import actor_label


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        extra.setdefault("roles", [Role.ADMIN, Role.REVIEWER])
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address and may hold several platform roles."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    roles = ArrayField(
        models.CharField(max_length=20, choices=Role.choices),
        default=list,
        blank=True,
        verbose_name=_("platform roles"),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=DEFAULT_TIME_ZONE,
        validators=[validate_time_zone],
        help_text=_("Times are shown to you, and e-mailed to you, in this zone."),
    )
    notification_frequency = models.CharField(
        _("email notifications"),
        max_length=20,
        choices=NotificationFrequency.choices,
        default=NotificationFrequency.IMMEDIATE,
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        # Wherever a person is printed (templates, notifications, admin choices) they appear by
        # name, never by e-mail address (core.visibility.actor_label).
        return actor_label(self)

    def has_role(self, *roles: str) -> bool:
        return bool(set(self.roles or []) & set(roles))

    @property
    def is_reviewer(self) -> bool:
        return self.has_role(Role.REVIEWER, Role.ADMIN)

    def get_role_labels(self) -> list[str]:
        labels = dict(Role.choices)
        return [str(labels[role]) for role in self.roles or [] if role in labels]


class OrganizationQuerySet(models.QuerySet):
    def verified(self):
        return self.filter(verification_status=VerificationStatus.VERIFIED)

    def of_user(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)


class Organization(models.Model):
    """A university, institute, company, agency, bank or government body active on the exchange."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("type"), max_length=20, choices=OrganizationType.choices)
    region = models.CharField(_("region"), max_length=10, validators=[validate_region])
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        help_text=_(
            "统一社会信用代码, 18 characters; required for organisations registered in China."
        ),
        validators=[validate_unified_social_credit_code],
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    verification_status = models.CharField(
        _("verification"),
        max_length=20,
        choices=VerificationStatus.choices,
        default=VerificationStatus.UNVERIFIED,
    )
    verification_note = models.TextField(_("verification note"), blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # What members edit: the form, the API and the service share this list; a change to one of
    # IDENTITY_FIELDS takes a verified organisation back to unverified.
    EDITABLE_FIELDS = (
        "name_zh",
        "name_en",
        "kind",
        "region",
        "credit_code",
        "website",
        "description",
    )
    IDENTITY_FIELDS = ("name_zh", "name_en", "credit_code", "kind", "region")

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name_zh", "name_en"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name_zh="") | ~Q(name_en=""), name="organization_has_a_name"
            ),
            models.UniqueConstraint(
                fields=["credit_code"], condition=~Q(credit_code=""), name="unique_credit_code"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    display_name = bilingual("name")

    @property
    def verified(self) -> bool:
        return self.verification_status == VerificationStatus.VERIFIED

    @property
    def region_label(self) -> str:
        return region_label(self.region)

    def clean(self) -> None:
        errors = {}
        if not self.name_zh.strip() and not self.name_en.strip():
            errors["name_zh"] = _("Give the organisation's name in Chinese or in English.")
        if self.region and is_chinese_region(self.region) and not self.credit_code:
            errors["credit_code"] = _(
                "Organisations registered in China must give their unified social credit code."
            )
        if self.credit_code:
            self.credit_code = self.credit_code.strip().upper()
        if errors:
            raise ValidationError(errors)

    def can_request_verification(self) -> bool:
        return self.verification_status in (
            VerificationStatus.UNVERIFIED,
            VerificationStatus.REJECTED,
        )


class Membership(models.Model):
    """A user's membership of an organisation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        max_length=20, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="unique_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"


class OrganizationEvent(TransitionEvent):
    """One step of an organisation's verification workflow: who, when, from, to, note."""

    status_choices = VerificationStatus
    action_labels = {
        "create": _("created"),
        "request": _("verification requested"),
        "verify": _("verified"),
        "reject": _("verification refused"),
        "revoke": _("verification revoked"),
        "identity_changed": _("identity changed: to be verified again"),
    }

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("organisation event")
        verbose_name_plural = _("organisation events")

    def __str__(self) -> str:
        return f"{self.organization}: {self.action}"


def role_grant_evidence_path(instance: "RoleGrant", filename: str) -> str:
    # Never trust the uploaded name on disk: a random name keeps paths unguessable.
    import uuid

    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"accounts/role-grants/{instance.user_id}/{uuid.uuid4().hex}.{extension}"


class RoleGrantQuerySet(models.QuerySet):
    def granted(self):
        return self.filter(status=RoleGrantStatus.GRANTED)

    def open(self):
        return self.filter(status__in=(RoleGrantStatus.REQUESTED, RoleGrantStatus.GRANTED))


class RoleGrant(models.Model):
    """A privileged role (broker, financier, programme operator, reviewer) asked for by a member
    of an organisation and granted, refused or revoked by a reviewer (an administrator for the
    reviewer role). `User.roles` holds a privileged role only while its grant is granted."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="role_grants",
    )
    role = models.CharField(
        _("role"), max_length=20, choices=[(r.value, r.label) for r in GRANTABLE_ROLES]
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="role_grants",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RoleGrantStatus.choices,
        default=RoleGrantStatus.REQUESTED,
    )
    credential_number = models.CharField(
        _("credential or licence number"),
        max_length=100,
        blank=True,
        help_text=_(
            "Brokers: the number of the technology broker certificate (技术经纪人证书); "
            "financial institutions: the financial licence number."
        ),
    )
    evidence_file = models.FileField(
        _("evidence"), upload_to=role_grant_evidence_path, max_length=300, blank=True
    )
    evidence_name = models.CharField(max_length=255, blank=True)
    evidence_content_type = models.CharField(max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    decision_note = models.TextField(_("reviewer's note"), blank=True)
    decided_by = decided_by_field()
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RoleGrantQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            # One open request or grant per user and role: a second one is refused.
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(status__in=[RoleGrantStatus.REQUESTED, RoleGrantStatus.GRANTED]),
                name="one_open_role_grant_per_user_and_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organization}"


class RoleGrantEvent(TransitionEvent):
    """One step of a role grant: who, when, from, to, note."""

    status_choices = RoleGrantStatus
    action_labels = {
        "request": _("requested"),
        "grant": _("granted"),
        "refuse": _("refused"),
        "revoke": _("revoked"),
    }

    grant = models.ForeignKey(RoleGrant, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("role grant event")
        verbose_name_plural = _("role grant events")

    def __str__(self) -> str:
        return f"{self.grant_id}: {self.action}"
