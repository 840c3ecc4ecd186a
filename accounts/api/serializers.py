from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.choices import SELF_ASSIGNABLE_ROLES, Role
from accounts.models import Organization, RoleGrant, User
from accounts.permissions import is_reviewer, member_organization_ids
from accounts.selectors import organization_name_clash_map, organizations_of_user
from accounts.tokens.models import ApiToken
from core.regions import validate_region


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    device = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=_("A name for this device or client; the User-Agent header when left out."),
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Shown only once: send it as `Token <token>`."))
    expiry = serializers.DateTimeField(
        allow_null=True,
        help_text=_(
            "When the token stops working unless used; each use extends it, up to a limit."
        ),
    )


class ApiTokenSerializer(serializers.ModelSerializer):
    """One signed-in device. Never the key: knox stores only its digest."""

    device = serializers.CharField(source="name", read_only=True)
    current = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = ["id", "device", "created", "expiry", "last_used_at", "current"]
        read_only_fields = fields

    def get_current(self, token) -> bool:
        request = self.context.get("request")
        return bool(request is not None and getattr(request.auth, "pk", None) == token.pk)


class LogoutAllResponseSerializer(serializers.Serializer):
    revoked = serializers.IntegerField(help_text=_("How many tokens were revoked."))


class RegistrationResponseSerializer(serializers.Serializer):
    detail = serializers.CharField()


class RegistrationSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, trim_whitespace=False)
    full_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=[r.value for r in SELF_ASSIGNABLE_ROLES]),
        allow_empty=False,
    )
    preferred_language = serializers.ChoiceField(
        choices=[code for code, _ in settings.LANGUAGES], required=False, default="zh-hans"
    )


class UserSerializer(serializers.ModelSerializer):
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), required=False
    )
    organizations = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "full_name",
            "phone",
            "roles",
            "preferred_language",
            "time_zone",
            "notification_frequency",
            "organizations",
        ]
        read_only_fields = ["id", "email", "organizations"]

    def get_organizations(self, user) -> list[int]:
        return member_organization_ids(user=user)


class OrganizationSerializer(serializers.ModelSerializer):
    region = serializers.CharField(validators=[validate_region])
    verified = serializers.BooleanField(read_only=True)
    allowed_actions = serializers.SerializerMethodField()
    name_clashes = serializers.SerializerMethodField(
        help_text=_(
            "Reviewers only: verified organisations this unverified one is named like "
            "(possible impersonation). Empty for everyone else."
        )
    )

    class Meta:
        model = Organization
        fields = [
            "id",
            *Organization.EDITABLE_FIELDS,
            "verification_status",
            "verified",
            "verified_at",
            "created_at",
            "allowed_actions",
            "name_clashes",
        ]
        read_only_fields = ["verification_status", "verified", "verified_at", "created_at"]

    def get_name_clashes(self, organization) -> list[int]:
        request = self.context.get("request")
        if request is None or not is_reviewer(user=request.user):
            return []
        clash_map = self.context.setdefault("name_clash_map", {})
        checked = self.context.setdefault("name_clash_checked", set())
        if organization.pk not in checked:
            # One query for a whole page: the list serializer's rows share the context.
            parent = getattr(self, "parent", None)
            rows = list(parent.instance) if parent is not None and parent.instance else []
            if organization not in rows:
                rows = [organization]
            clash_map.update(organization_name_clash_map(organizations=rows))
            checked.update(row.pk for row in rows)
        return [clash.pk for clash in clash_map.get(organization.pk, [])]

    def get_allowed_actions(self, organization) -> list[str]:
        from accounts.services import organization_allowed_actions

        request = self.context.get("request")
        if request is None or not request.user.is_authenticated:
            return []
        # The user's organisations are looked up once for a whole list (kept on the user for the
        # request; organization_create forgets them when it adds the membership).
        return organization_allowed_actions(organization=organization, user=request.user)


class TransitionSerializer(serializers.Serializer):
    action = serializers.CharField(help_text=_("One of the actions listed in allowed_actions."))
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RoleGrantSerializer(serializers.ModelSerializer):
    """A request for a privileged role; created by the applicant, decided by reviewers."""

    role_label = serializers.CharField(source="get_role_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())
    organization_name = serializers.CharField(source="organization.display_name", read_only=True)
    organization_verified = serializers.BooleanField(source="organization.verified", read_only=True)
    user_email = serializers.EmailField(source="user.email", read_only=True)
    evidence = serializers.FileField(write_only=True, required=False)
    evidence_url = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = RoleGrant
        fields = [
            "id",
            "user",
            "user_email",
            "role",
            "role_label",
            "organization",
            "organization_name",
            "organization_verified",
            "status",
            "status_label",
            "credential_number",
            "note",
            "evidence",
            "evidence_url",
            "decision_note",
            "decided_by",
            "decided_at",
            "created_at",
            "allowed_actions",
        ]
        read_only_fields = [
            "user",
            "status",
            "decision_note",
            "decided_by",
            "decided_at",
            "created_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            # Only one's own organisations can be named: others are "does not exist".
            self.fields["organization"].queryset = organizations_of_user(user=request.user)

    def get_evidence_url(self, grant) -> str:
        if not grant.evidence_file:
            return ""
        return reverse("accounts:role_grant_evidence", args=[grant.pk])

    def get_allowed_actions(self, grant) -> list[str]:
        from accounts.services import role_grant_allowed_actions

        request = self.context.get("request")
        if request is None:
            return []
        return role_grant_allowed_actions(grant=grant, user=request.user)


class RoleGrantDecisionSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("The reason; required to refuse or revoke."),
    )
