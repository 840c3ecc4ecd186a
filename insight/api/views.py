from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.schema import ERROR_BODY, ERROR_RESPONSES
from insight import selectors
from insight.api.serializers import FreshnessSerializer, StatisticsSerializer
from insight.api.statistics import statistics_api_data


class StatisticsView(APIView):
    """The public platform statistics, read from the summary tables (refreshed every 10 min)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        operation_id="stats_retrieve",
        summary="Platform statistics",
        responses={
            200: StatisticsSerializer,
            503: OpenApiResponse(ERROR_BODY, description="No refresh has completed yet."),
        },
        tags=["statistics"],
    )
    def get(self, request):
        run = selectors.latest_run()
        if run is None:
            return Response(
                {
                    "detail": _("The statistics have not been computed yet."),
                    "code": "statistics_not_ready",
                },
                status=503,
                headers={"Retry-After": "600"},
            )
        data = statistics_api_data(run=run)
        return Response(data)


class IsReviewer(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_role("reviewer", "admin"))


class FreshnessView(APIView):
    """Reviewers and administrators: per organisation, how many of its published technologies
    and needs are outdated (past `valid_until`, not confirmed by their owner) and that share."""

    permission_classes = [IsReviewer]

    @extend_schema(
        operation_id="freshness_retrieve",
        summary="Outdated listings per organisation",
        responses={
            200: FreshnessSerializer,
            403: ERROR_RESPONSES[403],
        },
        tags=["statistics"],
    )
    def get(self, request):
        return Response(FreshnessSerializer(selectors.freshness_by_organization()).data)
