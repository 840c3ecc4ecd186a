from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core.api.schema import ERROR_RESPONSES
from core.api.views import BaseViewSet
from core.exports import XLSX_CONTENT_TYPE
from registry import exports, selectors, services
from registry.api.serializers import (
    ContractRecordSerializer,
    ContractRecordUpdateSerializer,
    RecordNoteSerializer,
    RecordRegisterSerializer,
    RecordReturnSerializer,
)
from registry.choices import RecordAction
from registry.filtersets import ContractRecordFilterSet

FORMAT_PARAMETER = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=list(exports.FORMATS),
    description="`csv` (default) or `xlsx`.",
)
FILE_RESPONSES = {
    (200, "text/csv"): OpenApiTypes.BINARY,
    (200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY,
    **ERROR_RESPONSES,
}


@extend_schema_view(
    list=extend_schema(responses={200: ContractRecordSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: ContractRecordSerializer, **ERROR_RESPONSES}),
)
class ContractRecordViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet, viewsets.GenericViewSet
):
    """Technology contract records (技术合同认定登记) of completed deals: the parties' members,
    the deal's broker and reviewers see one (404 otherwise).

    `PATCH` completes a draft or returned record (the seller only); `submit` (seller) sends it
    to registration once nothing is missing; `register` (a reviewer, with the registry's number)
    and `return` (a reviewer, with a reason) decide it — 409 when not possible now. `export`
    downloads the records (filtered like the list) or one record, `?format=csv|xlsx`.
    """

    serializer_class = ContractRecordSerializer
    filterset_class = ContractRecordFilterSet
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.records_visible_to(user=self.request.user).order_by("-completed_on", "-pk")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["single_record"] = self.action != "list"
        return context

    def perform_content_negotiation(self, request, force=False):
        # `?format=csv|xlsx` names the export's file, not a renderer: the file is the answer and
        # errors stay JSON.
        if self.action in ("export", "export_record"):
            return (JSONRenderer(), JSONRenderer.media_type)
        return super().perform_content_negotiation(request, force=force)

    def _answer(self, record):
        return Response(self.get_serializer(self.get_queryset().get(pk=record.pk)).data)

    @extend_schema(
        request=ContractRecordUpdateSerializer,
        responses={200: ContractRecordSerializer, **ERROR_RESPONSES},
    )
    def partial_update(self, request, pk=None):
        record = self.get_object()
        serializer = ContractRecordUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = services.record_update(
            record=record, user=request.user, **serializer.validated_data
        )
        return self._answer(record)

    def _transition(self, serializer_class, action_name):
        record = self.get_object()  # others' records are 404 before the body is read
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        record = services.record_transition(
            record=record, user=self.request.user, action=action_name, **serializer.validated_data
        )
        return self._answer(record)

    @extend_schema(
        request=RecordNoteSerializer,
        responses={200: ContractRecordSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """The seller submits the record (400 naming each missing field)."""
        return self._transition(RecordNoteSerializer, RecordAction.SUBMIT)

    @extend_schema(
        request=RecordRegisterSerializer,
        responses={200: ContractRecordSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        """A reviewer (not a party) registers a submitted record with the registry's number."""
        return self._transition(RecordRegisterSerializer, RecordAction.REGISTER)

    @extend_schema(
        request=RecordReturnSerializer,
        responses={200: ContractRecordSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_for_changes(self, request, pk=None):
        """A reviewer returns a submitted record to the seller, with a reason."""
        return self._transition(RecordReturnSerializer, RecordAction.RETURN)

    def _file_format(self) -> str:
        file_format = self.request.query_params.get("format", "csv")
        if file_format not in exports.FORMATS:
            raise ValidationError({"format": [_("Choose csv or xlsx.")]})
        return file_format

    @extend_schema(
        operation_id="v1_contract_records_export",
        parameters=[FORMAT_PARAMETER],
        filters=True,
        responses=FILE_RESPONSES,
    )
    @action(detail=False, methods=["get"])
    def export(self, request):
        """The records you may see, filtered like the list, as one table."""
        file_format = self._file_format()
        records = self.filter_queryset(self.get_queryset()).order_by("completed_on", "pk")
        return exports.records_response(
            records, file_format=file_format, filename="contract-records"
        )

    @extend_schema(
        operation_id="v1_contract_records_record_export",
        parameters=[FORMAT_PARAMETER],
        filters=False,
        responses=FILE_RESPONSES,
    )
    @action(detail=True, methods=["get"], url_path="export", url_name="record-export")
    def export_record(self, request, pk=None):
        """This deal's record as a file."""
        file_format = self._file_format()
        record = self.get_object()
        return exports.records_response(
            [record],
            file_format=file_format,
            filename=f"contract-record-deal-{record.deal_id}",
        )
