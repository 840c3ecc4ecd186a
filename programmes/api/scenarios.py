"""REST API of application scenarios and scenario lists (the same services as the pages)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from catalog.models import Category, Technology
from catalog.selectors import technologies_visible_to
from core.api.fields import VisiblePrimaryKeyRelatedField
from core.api.schema import ERROR_RESPONSES
from core.api.views import BaseViewSet
from programmes.api.serializers import ProgrammesActionSerializer
from programmes.models import PilotAgreement, ProgrammeEntry, Scenario, ScenarioList
from programmes.selectors import programmes as programme_selectors
from programmes.services import scenarios as scenario_services


class PilotAgreementSerializer(serializers.ModelSerializer):
    holder = serializers.CharField(source="holder.display_name", read_only=True)

    class Meta:
        model = PilotAgreement
        fields = [
            "id",
            "scenario",
            "technology",
            "holder",
            "site",
            "starts_on",
            "ends_on",
            "support",
            "status",
            "created_at",
        ]
        read_only_fields = fields


class ScenarioSerializer(serializers.ModelSerializer):
    """A site offered for a pilot; `allowed_actions` answers what the reader may do now."""

    industry = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.all(), required=False, allow_null=True
    )
    operator = serializers.CharField(source="programme.operator.display_name", read_only=True)
    programme = serializers.IntegerField(source="programme_id", read_only=True)
    allowed_actions = serializers.SerializerMethodField()
    pilot_agreement = serializers.SerializerMethodField()

    class Meta:
        model = Scenario
        fields = [
            "id",
            *Scenario.EDITABLE_FIELDS,
            "status",
            "operator",
            "programme",
            "allowed_actions",
            "pilot_agreement",
        ]
        read_only_fields = ["status"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, scenario) -> list[str]:
        return scenario_services.scenario_allowed_actions(
            scenario=scenario, user=self.context["request"].user
        )

    @extend_schema_field(PilotAgreementSerializer(allow_null=True))
    def get_pilot_agreement(self, scenario):
        agreement = getattr(scenario, "pilot_agreement", None)
        return PilotAgreementSerializer(agreement).data if agreement else None


class ScenarioApplicationSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgrammeEntry
        fields = ["id", "technology", "status", "created_at"]
        read_only_fields = fields


class ApplySerializer(serializers.Serializer):
    technology = VisiblePrimaryKeyRelatedField(model=Technology, scope=technologies_visible_to)


class AwardSerializer(serializers.Serializer):
    entry = serializers.PrimaryKeyRelatedField(
        queryset=ProgrammeEntry.objects.all(), help_text="The winning application's id."
    )
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)


class ScenarioViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, BaseViewSet, viewsets.ReadOnlyModelViewSet
):
    """Application scenarios (新技术应用场景): operators `POST` drafts and `transition` them
    (`publish`, `close`); holders `apply` inside the window; the operator `award`s the pilot."""

    serializer_class = ScenarioSerializer

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return super().get_permissions()
        return [IsAuthenticated()]

    def get_queryset(self):
        return programme_selectors.scenarios_visible_to(user=self.request.user)

    def perform_create(self, serializer):
        scenario = scenario_services.scenario_create(
            user=self.request.user, **serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(pk=scenario.pk)

    def perform_update(self, serializer):
        scenario = scenario_services.scenario_update(
            scenario=serializer.instance, user=self.request.user, **serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(pk=scenario.pk)

    def _respond(self, scenario, status_code=200):
        data = self.get_serializer(self.get_queryset().get(pk=scenario.pk)).data
        return Response(data, status=status_code)

    @extend_schema(
        request=ProgrammesActionSerializer, responses={200: ScenarioSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        serializer = ProgrammesActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        scenario = scenario_services.scenario_transition(
            scenario=self.get_object(), user=request.user, **serializer.validated_data
        )
        return self._respond(scenario)

    @extend_schema(
        request=ApplySerializer, responses={201: ScenarioApplicationSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        scenario = self.get_object()
        serializer = ApplySerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        entry = scenario_services.scenario_apply(
            scenario=scenario, user=request.user, **serializer.validated_data
        )
        return Response(ScenarioApplicationSerializer(entry).data, status=201)

    @extend_schema(
        request=AwardSerializer, responses={201: PilotAgreementSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def award(self, request, pk=None):
        scenario = self.get_object()
        serializer = AwardSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agreement = scenario_services.scenario_award(
            scenario=scenario, user=request.user, **serializer.validated_data
        )
        return Response(PilotAgreementSerializer(agreement).data, status=201)

    @extend_schema(responses={200: ScenarioApplicationSerializer(many=True)})
    @action(detail=True, methods=["get"], permission_classes=[IsAuthenticated])
    def applications(self, request, pk=None):
        """The operator sees every application; a holder its own."""
        entries = programme_selectors.scenario_applications(
            scenario=self.get_object(), user=request.user
        )
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(ScenarioApplicationSerializer(page, many=True).data)


class ScenarioListSerializer(serializers.ModelSerializer):
    scenarios = serializers.PrimaryKeyRelatedField(many=True, queryset=Scenario.objects.all())
    operator = serializers.CharField(source="operator.display_name", read_only=True)
    scenario_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ScenarioList
        fields = [
            "id",
            "title",
            "period",
            "operator",
            "scenarios",
            "scenario_count",
            "published_at",
        ]
        read_only_fields = ["published_at"]


class ScenarioListViewSet(mixins.CreateModelMixin, BaseViewSet, viewsets.ReadOnlyModelViewSet):
    """Published scenario lists (新技术应用场景清单) of a period; operators `POST` one."""

    serializer_class = ScenarioListSerializer

    def get_permissions(self):
        if self.action == "create":
            return [IsAuthenticated()]
        return super().get_permissions()

    def get_queryset(self):
        return programme_selectors.scenario_lists_public()

    def perform_create(self, serializer):
        scenario_list = scenario_services.scenario_list_publish(
            user=self.request.user, **serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(pk=scenario_list.pk)


class PilotAgreementViewSet(BaseViewSet, viewsets.ReadOnlyModelViewSet):
    """Pilot agreements of your organisations (as the holder or as the operator)."""

    serializer_class = PilotAgreementSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return programme_selectors.pilot_agreements_visible_to(user=self.request.user)
