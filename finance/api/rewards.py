"""API of the reward policies and splits: `/api/v1/reward-policies/`, `/api/v1/reward-splits/`."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core.api.schema import ERROR_RESPONSES
from core.api.views import BaseViewSet
from finance import reward_selectors
from finance.models import RewardPolicy, RewardSplit, RewardSplitLine
from finance.services import rewards


class RewardPolicySerializer(serializers.ModelSerializer):
    organization = serializers.IntegerField(
        source="organization_id",
        required=False,
        help_text=_("The university or institute; optional when you administer only one."),
    )

    class Meta:
        model = RewardPolicy
        fields = ["id", *RewardPolicy.EDITABLE_FIELDS, "created_at"]
        read_only_fields = ["id", "created_at"]
        # the model's own checks run in the service, with the same messages as the page
        validators = []


class RewardSplitLineSerializer(serializers.ModelSerializer):
    recipient_label = serializers.CharField(source="get_recipient_display", read_only=True)
    is_mine = serializers.SerializerMethodField()

    class Meta:
        model = RewardSplitLine
        fields = [
            "recipient",
            "recipient_label",
            "name",
            "department",
            "share",
            "amount",
            "is_mine",
        ]

    def get_is_mine(self, line) -> bool:
        return line.user_id is not None and line.user_id == self.context["request"].user.pk


class RewardSplitSerializer(serializers.ModelSerializer):
    technology_title = serializers.CharField(source="technology.__str__", read_only=True)
    statutory_default = serializers.BooleanField(source="is_statutory_default", read_only=True)
    lines = RewardSplitLineSerializer(source="visible_lines", many=True, read_only=True)

    class Meta:
        model = RewardSplit
        fields = [
            "id",
            "deal",
            "organization",
            "technology",
            "technology_title",
            "policy",
            "statutory_default",
            "completed_on",
            "currency",
            "gross_income",
            "deductions",
            "net_income",
            "inventors_share",
            "department_share",
            "unit_share",
            "inventors_amount",
            "department_amount",
            "unit_amount",
            "lines",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(responses={200: RewardPolicySerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: RewardPolicySerializer, **ERROR_RESPONSES}),
    create=extend_schema(
        request=RewardPolicySerializer,
        responses={201: RewardPolicySerializer, **ERROR_RESPONSES},
        description="Add a version of the policy of a university or institute you administer. "
        "The three shares add up to exactly 100 %; the inventors receive at least 50 % "
        "(statutory minimum). Versions are never changed, only superseded.",
    ),
)
class RewardPolicyViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, BaseViewSet
):
    serializer_class = RewardPolicySerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return reward_selectors.reward_policies_visible_to(user=self.request.user)

    def create(self, request, *args, **kwargs):
        organizations = reward_selectors.reward_policy_organizations(user=request.user)
        if not organizations.exists():
            raise PermissionDenied(
                _("Only the administrator of a university or research institute sets its policy.")
            )
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        organization_id = data.pop("organization_id", None)
        if organization_id is None:
            if organizations.count() != 1:
                raise serializers.ValidationError(
                    {"organization": [_("Choose the university or institute.")]}
                )
            organization = organizations.get()
        else:
            organization = get_object_or_404(organizations, pk=organization_id)
        policy = rewards.reward_policy_create(user=request.user, organization=organization, **data)
        return Response(self.get_serializer(policy).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        responses={200: RewardSplitSerializer(many=True), **ERROR_RESPONSES},
        description="Splits of completed deals: all of your organisation's as its "
        "administrator, with every line; as an inventor, the splits naming you with your own "
        "lines only.",
    ),
    retrieve=extend_schema(responses={200: RewardSplitSerializer, **ERROR_RESPONSES}),
)
class RewardSplitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    serializer_class = RewardSplitSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return reward_selectors.reward_splits_visible_to(user=self.request.user)


router = SimpleRouter()
router.register("reward-policies", RewardPolicyViewSet, basename="reward-policy")
router.register("reward-splits", RewardSplitViewSet, basename="reward-split")
urlpatterns = router.urls
