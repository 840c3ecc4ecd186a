from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.models import Organization
from core.api.pagination import StandardPagination
from core.api.schema import ERROR_RESPONSES
from core.api.views import BaseViewSet
from imports import selectors, services
from imports.api.serializers import (
    ImportRowResultSerializer,
    ImportRunCreateSerializer,
    ImportRunSerializer,
    ImportSourceSerializer,
)
from imports.choices import RowOutcome


def _organization(user, data) -> Organization:
    """The organisation the import is for: the user's own, or the one a reviewer names."""
    return services.import_owner_resolve(user=user, organization_id=data.get("owner_organisation"))


@extend_schema_view(
    list=extend_schema(summary="Your organisation's import sources"),
    retrieve=extend_schema(
        summary="One import source", responses={200: ImportSourceSerializer, **ERROR_RESPONSES}
    ),
    create=extend_schema(
        summary="Create an import source",
        responses={201: ImportSourceSerializer, **ERROR_RESPONSES},
    ),
    partial_update=extend_schema(
        summary="Rename a source or change its saved mappings",
        responses={200: ImportSourceSerializer, **ERROR_RESPONSES},
    ),
)
class ImportSourceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    BaseViewSet,
):
    serializer_class = ImportSourceSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = StandardPagination
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.import_sources_visible_to(self.request.user).order_by("name", "pk")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.import_source_save(
            user=self.request.user,
            organization=_organization(self.request.user, data),
            name=data["name"],
            kind=data["kind"],
            column_mapping=data.get("column_mapping"),
            value_mappings=data.get("value_mappings"),
        )

    def perform_update(self, serializer):
        source, data = serializer.instance, serializer.validated_data
        serializer.instance = services.import_source_save(
            user=self.request.user,
            organization=source.organization,
            name=data.get("name", source.name),
            kind=data.get("kind", source.kind),
            column_mapping=data.get("column_mapping"),
            value_mappings=data.get("value_mappings"),
            source=source,
        )


@extend_schema_view(
    list=extend_schema(summary="Your organisation's import runs"),
    retrieve=extend_schema(
        summary="An import run: status, counts and progress",
        responses={200: ImportRunSerializer, **ERROR_RESPONSES},
    ),
)
class ImportRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    serializer_class = ImportRunSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = StandardPagination

    def get_queryset(self):
        return selectors.import_runs_visible_to(self.request.user)

    @extend_schema(
        summary="Upload a file and start its import",
        description=(
            "Multipart: `file` (CSV in UTF-8 or GBK, .xlsx or JSON), `kind`, `source` and the "
            "column `mapping` as a JSON text (the source's saved mapping when left out). The "
            "rows are processed by a worker: poll the run for its progress and counts."
        ),
        request={"multipart/form-data": ImportRunCreateSerializer},
        responses={201: ImportRunSerializer, **ERROR_RESPONSES},
    )
    def create(self, request):
        serializer = ImportRunCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        organization = _organization(request.user, data)
        source = (
            selectors.import_sources_visible_to(request.user)
            .filter(pk=data["source"], organization=organization)
            .first()
        )
        if source is None:
            raise ValidationError(
                {"source": [_("Choose one of the sources of the organisation you import for.")]}
            )
        mapping = data.get("mapping") or source.column_mapping
        if not mapping:
            raise ValidationError(
                {"mapping": [_("Send the column mapping: the source has none saved.")]}
            )
        run = services.import_run_create(
            user=request.user,
            organization=organization,
            upload=data["file"],
            kind=data["kind"],
            source=source,
        )
        try:
            run = services.import_run_start(
                user=request.user,
                run=run,
                column_mapping=mapping,
                value_mappings=data.get("value_mappings", source.value_mappings),
                save_to_source="mapping" in data,
            )
        except ValidationError as error:
            run.file.delete(save=False)
            run.delete()
            raise ValidationError({"mapping": error.messages}) from error
        return Response(ImportRunSerializer(run).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The result of each row of an import run",
        parameters=[OpenApiParameter("outcome", enum=RowOutcome.values, required=False)],
        responses={200: ImportRowResultSerializer(many=True), **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["get"])
    def rows(self, request, pk=None):
        run = self.get_object()
        outcome = request.query_params.get("outcome")
        if outcome and outcome not in RowOutcome.values:
            raise ValidationError({"outcome": [_("Choose one of the outcomes.")]})
        page = self.paginate_queryset(selectors.import_run_rows(run=run, outcome=outcome))
        return self.get_paginated_response(ImportRowResultSerializer(page, many=True).data)

    def get_parsers(self):
        # The schema generator asks before a request is attached.
        request = getattr(self, "request", None)
        if getattr(self, "action", None) == "create" or (request and request.method == "POST"):
            return [MultiPartParser()]
        return super().get_parsers()
