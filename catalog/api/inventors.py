"""`/api/v1/technologies/{id}/inventors/`: the people who made a technology, their shares and
the right a pilot gave them (职务科技成果赋权). Read by the holder's members and reviewers;
replaced as a whole by the holder's members (the shares add up to exactly 100 %)."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog import inventors, selectors
from catalog.choices import ServiceInventionRightKind
from catalog.models import TechnologyInventor, TechnologyServiceInventionRight
from core.api.schema import ERROR_RESPONSES


class InventorSerializer(serializers.ModelSerializer):
    user = serializers.IntegerField(
        source="user_id",
        required=False,
        allow_null=True,
        help_text=_("The inventor's own account: a member of the holder organisation."),
    )

    class Meta:
        model = TechnologyInventor
        fields = ["name", "department", "share", "user"]
        extra_kwargs = {"share": {"max_digits": 5, "decimal_places": 2}}


class ServiceInventionRightSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=ServiceInventionRightKind.choices)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = TechnologyServiceInventionRight
        fields = ["kind", "kind_label", "document", "granted_on", "term_years"]


class TechnologyInventorsSerializer(serializers.Serializer):
    inventors = InventorSerializer(many=True)
    service_invention_right = ServiceInventionRightSerializer(allow_null=True, required=False)


class TechnologyInventorsView(APIView):
    permission_classes = [IsAuthenticated]
    serializer_class = TechnologyInventorsSerializer

    def _technology(self, request, pk: int):
        technology = get_object_or_404(selectors.technologies_visible_to(user=request.user), pk=pk)
        if not inventors.inventors_visible(technology=technology, user=request.user):
            raise Http404
        return technology

    def _body(self, technology):
        right = getattr(technology, "service_invention_right", None)
        return TechnologyInventorsSerializer(
            {"inventors": list(technology.inventors.all()), "service_invention_right": right}
        ).data

    @extend_schema(responses={200: TechnologyInventorsSerializer, **ERROR_RESPONSES})
    def get(self, request, pk: int):
        return Response(self._body(self._technology(request, pk)))

    @extend_schema(
        request=TechnologyInventorsSerializer,
        responses={200: TechnologyInventorsSerializer, **ERROR_RESPONSES},
        description="Replace the inventors (shares add up to exactly 100 %) and, when given, "
        "the service invention right (null removes it).",
    )
    def put(self, request, pk: int):
        technology = self._technology(request, pk)
        if not inventors.inventors_may_edit(technology=technology, user=request.user):
            raise Http404
        serializer = TechnologyInventorsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rows = [
            {
                "name": row["name"],
                "department": row["department"],
                "share": row["share"],
                "user": row.get("user_id"),
            }
            for row in serializer.validated_data["inventors"]
        ]
        inventors.technology_inventors_replace(user=request.user, technology=technology, rows=rows)
        if "service_invention_right" in serializer.validated_data:
            right = serializer.validated_data["service_invention_right"] or {}
            inventors.technology_service_invention_right_set(
                user=request.user,
                technology=technology,
                kind=right.get("kind", ""),
                document=right.get("document", ""),
                granted_on=right.get("granted_on"),
                term_years=right.get("term_years"),
            )
        technology.refresh_from_db()
        return Response(self._body(technology))
