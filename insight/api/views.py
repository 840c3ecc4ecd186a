from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import NotAuthenticated, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.schema import ERROR_BODY, ERROR_RESPONSES
from insight import selectors
from insight.api.serializers import FreshnessSerializer, FunnelSerializer, StatisticsSerializer
from insight.api.statistics import statistics_api_data
from insight.forms import FunnelForm
from insight.pages import funnel_industries


def _not_ready() -> Response:
    return Response(
        {
            "detail": _("The statistics have not been computed yet."),
            "code": "statistics_not_ready",
        },
        status=503,
        headers={"Retry-After": "600"},
    )


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
            return _not_ready()
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


class FunnelView(APIView):
    """The matching funnel by period (month, quarter or year) and industry, from the summary
    tables. `scope=mine` gives a broker the funnel of their own introductions and deals."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        operation_id="stats_funnel_retrieve",
        summary="Matching funnel",
        parameters=[
            OpenApiParameter(
                "period", str, enum=["month", "quarter", "year"], description="Default quarter."
            ),
            OpenApiParameter("industry", str, description="Industry code (first-level)."),
            OpenApiParameter(
                "scope",
                str,
                enum=["platform", "mine"],
                description="`mine`: the signed-in broker's own work.",
            ),
        ],
        responses={
            200: FunnelSerializer,
            400: ERROR_RESPONSES[400],
            403: OpenApiResponse(
                ERROR_BODY, description="`scope=mine` by anyone but a signed-in broker."
            ),
            503: OpenApiResponse(ERROR_BODY, description="No refresh has completed yet."),
        },
        tags=["statistics"],
    )
    def get(self, request):
        run = selectors.latest_run()
        form = FunnelForm(request.query_params, industries=funnel_industries(run=run))
        if not form.is_valid():
            raise ValidationError(
                {
                    field: [error["message"] for error in errors]
                    for field, errors in form.errors.get_json_data().items()
                }
            )
        broker = None
        if form.cleaned_data["scope"] == "mine":
            if not request.user.is_authenticated:
                raise NotAuthenticated
            if not request.user.has_role("broker"):
                raise PermissionDenied(_("Only brokers have a funnel of their own work."))
            broker = request.user
        if run is None:
            return _not_ready()
        data = selectors.funnel(
            run=run,
            period=form.cleaned_data["period"],
            industry=form.cleaned_data["industry"],
            broker=broker,
        )
        return Response(FunnelSerializer(data).data)
