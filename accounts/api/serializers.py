from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.choices import SELF_ASSIGNABLE_ROLES, Role
from accounts.models import Organization, User
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
        choices=["zh-hans", "en"], required=False, default="zh-hans"
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
            "notification_frequency",
            "organizations",
        ]
        read_only_fields = ["id", "email", "organizations"]

    def get_organizations(self, user) -> list[int]:
        return [membership.organization_id for membership in user.memberships.all()]


class OrganizationSerializer(serializers.ModelSerializer):
    region = serializers.CharField(validators=[validate_region])
    verified = serializers.BooleanField(read_only=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = [
            "id",
            "name_zh",
            "name_en",
            "kind",
            "region",
            "credit_code",
            "website",
            "description",
            "verification_status",
            "verified",
            "verified_at",
            "created_at",
            "allowed_actions",
        ]
        read_only_fields = ["verification_status", "verified", "verified_at", "created_at"]

    def get_allowed_actions(self, organization) -> list[str]:
        from accounts.services import organization_allowed_actions

        request = self.context.get("request")
        if request is None or not request.user.is_authenticated:
            return []
        # Looked up once for a whole list (its rows share the context), and only when the data
        # is read: after a create has added the membership.
        if "member_organization_ids" not in self.context:
            self.context["member_organization_ids"] = list(
                Organization.objects.of_user(request.user).values_list("pk", flat=True)
            )
        return organization_allowed_actions(
            organization=organization,
            user=request.user,
            organization_ids=self.context["member_organization_ids"],
        )


class TransitionSerializer(serializers.Serializer):
    action = serializers.CharField(help_text=_("One of the actions listed in allowed_actions."))
    note = serializers.CharField(required=False, allow_blank=True, default="")
