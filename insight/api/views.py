from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.schema import ERROR_BODY
from insight import selectors
from insight.api.serializers import StatisticsSerializer
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
