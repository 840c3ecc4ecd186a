from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import organizations_visible_to
from core.api.progress import ProgressSerializer
from core.api.schema import ERROR_BODY, ERROR_RESPONSES
from core.api.views import BaseViewSet
from core.workflow import TransitionNotAllowed
from finance import selectors, services
from finance.api.serializers import (
    ApplicationDocumentSerializer,
    ApplicationSerializer,
    ApplicationTransitionSerializer,
    BudgetSerializer,
    DocumentUploadSerializer,
    EligibilitySerializer,
    FundSerializer,
    IssueVoucherSerializer,
    MoneyRequestSerializer,
    MoneyRequestTransitionSerializer,
    PaySubsidySerializer,
    ProductSerializer,
    ProductTransitionSerializer,
    ProgrammeSerializer,
    RedeemSerializer,
    RedemptionSerializer,
    ValuationSerializer,
    VoucherSerializer,
)
from finance.filtersets import ApplicationFilterSet, ProductFilterSet
from finance.ledger import IdempotencyKeyReused

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="A unique key per intended operation; a retry with the same key moves no "
    "money twice and returns the first result.",
)
REPLAY_REFUSED = OpenApiResponse(
    ERROR_BODY, description="The Idempotency-Key was already used for a different request."
)


def _idempotency_key(request) -> str | None:
    key = (request.headers.get("Idempotency-Key") or "").strip()
    if len(key) > 100:
        raise DjangoValidationError({"idempotency_key": _("The Idempotency-Key is too long.")})
    return key or None


def _conflict(error: TransitionNotAllowed) -> Response:
    """409 with the actions that are possible now (the shared handler drops them)."""
    return Response(
        {"detail": str(error), "code": error.code, "allowed_actions": error.allowed},
        status=status.HTTP_409_CONFLICT,
    )


def _replay_refused(error: IdempotencyKeyReused) -> Response:
    return Response(
        {"detail": str(error), "code": "idempotency_key_reused"},
        status=status.HTTP_422_UNPROCESSABLE_ENTITY,
    )


class TransitionMixin:
    """The `transition` action of a workflow's viewset: validate the body, call the workflow's
    service, answer 409 with the actions possible now when it refuses."""

    transition_serializer_class: type[serializers.Serializer]
    # The service's keyword for the row: product=, application=, money_request=.
    transition_subject: str

    def transition_service(self, **arguments):
        raise NotImplementedError

    def transition_response(self, row) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=row.pk)).data)

    def transition_run(self, request) -> Response:
        row = self.get_object()
        serializer = self.transition_serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            changed = self.transition_service(
                **{self.transition_subject: row}, user=request.user, **serializer.validated_data
            )
        except TransitionNotAllowed as error:
            return _conflict(error)
        return self.transition_response(changed)


class ProductViewSet(
    TransitionMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    BaseViewSet,
    viewsets.ReadOnlyModelViewSet,
):
    """Financing products: published ones are public; financiers manage their institution's."""

    serializer_class = ProductSerializer
    filterset_class = ProductFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    transition_serializer_class = ProductTransitionSerializer
    transition_subject = "product"

    def transition_service(self, **arguments):
        return services.product_transition(**arguments)

    def transition_response(self, row) -> Response:
        return Response(self.get_serializer(row).data)

    def get_queryset(self):
        return selectors.products_visible_to(user=self.request.user).order_by("kind", "pk")

    @extend_schema(responses={201: ProductSerializer, **ERROR_RESPONSES})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(responses={200: ProductSerializer, **ERROR_RESPONSES})
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    def perform_create(self, serializer):
        serializer.instance = services.product_create(
            user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.product_update(
            product=serializer.instance, user=self.request.user, **serializer.validated_data
        )

    @extend_schema(
        request=ProductTransitionSerializer, responses={200: ProductSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Publish or withdraw a product (its institution's financiers)."""
        return self.transition_run(request)


class ApplicationViewSet(
    TransitionMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    BaseViewSet,
    viewsets.ReadOnlyModelViewSet,
):
    """Financing applications, visible only to the applicant, the product's institution and
    reviewers (anyone else gets 404)."""

    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilterSet
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "post", "patch", "head", "options"]
    transition_serializer_class = ApplicationTransitionSerializer
    transition_subject = "application"

    def transition_service(self, **arguments):
        return services.application_transition(**arguments)

    def get_queryset(self):
        return (
            selectors.applications_visible_to(user=self.request.user)
            .prefetch_related("documents", "events__actor")
            .order_by("-updated_at", "-pk")
        )

    @extend_schema(responses={201: ApplicationSerializer, **ERROR_RESPONSES})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(responses={200: ApplicationSerializer, **ERROR_RESPONSES})
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    def perform_create(self, serializer):
        serializer.instance = services.application_create(
            user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.application_update(
            application=serializer.instance, user=self.request.user, **serializer.validated_data
        )

    @extend_schema(
        request=ApplicationTransitionSerializer,
        responses={200: ApplicationSerializer, **ERROR_RESPONSES},
        description="Take a workflow action. Actions: submit, withdraw, start_review, "
        "request_information (note), approve (approved_amount, approved_terms), reject (note), "
        "resubmit, disburse, start_repayment, close. Not allowed now: 409 with allowed_actions. "
        "An ineligible submission: 400 with one message per failing rule under `eligibility`.",
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        return self.transition_run(request)

    @extend_schema(responses={200: ProgressSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        """The application's steps as a stepper: done, current, upcoming, and the next actions
        with who must take them (`yours`: you may)."""
        progress = services.application_progress(application=self.get_object(), user=request.user)
        return Response(progress.as_dict())

    @extend_schema(responses={200: EligibilitySerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["get"])
    def eligibility(self, request, pk=None):
        """Check the applicant against the product's rules now, without changing anything."""
        application = self.get_object()
        failures = services.eligibility_failures(
            product=application.product,
            organization=application.applicant,
            technology=application.technology,
        )
        return Response(
            {"eligible": not failures, "failures": [failure.as_dict() for failure in failures]}
        )

    @extend_schema(
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: ApplicationDocumentSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def documents(self, request, pk=None):
        """Attach a supporting document (PDF, PNG, JPEG, DOCX or XLSX; at most 10 MB)."""
        application = self.get_object()
        serializer = DocumentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = services.application_document_add(
            application=application,
            user=request.user,
            title=serializer.validated_data["title"],
            uploaded=serializer.validated_data["file"],
        )
        return Response(ApplicationDocumentSerializer(document).data, status=201)

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            404: ERROR_RESPONSES[404],
        }
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"documents/(?P<document_id>\d+)/download",
        parser_classes=[JSONParser],
    )
    def download(self, request, pk=None, document_id=None):
        """Download a document of an application you may see."""
        application = self.get_object()
        document = get_object_or_404(application.documents, pk=document_id)
        return FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=document.original_name,
            content_type=document.content_type,
        )


class ValuationViewSet(mixins.CreateModelMixin, BaseViewSet, viewsets.ReadOnlyModelViewSet):
    """Relief-from-royalty valuations, saved with their inputs and every step."""

    serializer_class = ValuationSerializer
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return selectors.valuations_visible_to(user=self.request.user).order_by("-pk")

    @extend_schema(responses={201: ValuationSerializer, **ERROR_RESPONSES})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        serializer.instance = services.valuation_create(
            user=self.request.user, **serializer.validated_data
        )


class VoucherViewSet(BaseViewSet, viewsets.ReadOnlyModelViewSet):
    """Innovation vouchers of the caller's organisations, with `balance` and `expires`."""

    serializer_class = VoucherSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return selectors.vouchers_visible_to(user=self.request.user).order_by("expires", "pk")

    @extend_schema(
        request=RedeemSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: RedemptionSerializer,
            200: OpenApiResponse(RedemptionSerializer, description="A replay of a retried key."),
            422: REPLAY_REFUSED,
            **ERROR_RESPONSES,
        },
    )
    @action(detail=True, methods=["post"])
    def redeem(self, request, pk=None):
        """Spend part of the voucher on one of your service deals (contract signed or later)."""
        voucher = self.get_object()
        serializer = RedeemSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            redemption, created = services.voucher_redeem(
                voucher=voucher,
                user=request.user,
                amount=serializer.validated_data["amount"],
                deal_id=serializer.validated_data["deal"],
                idempotency_key=_idempotency_key(request),
            )
        except IdempotencyKeyReused as error:
            return _replay_refused(error)
        response = Response(
            RedemptionSerializer(redemption).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
        if not created:
            response["Idempotent-Replayed"] = "true"
        return response


ACCEPTED_FOR_SECOND_KEY = OpenApiResponse(
    MoneyRequestSerializer,
    description="Accepted: a two-key request waits for a second person's approval; nothing "
    "moved yet. A retry with the same Idempotency-Key returns the same request.",
)


class ProgrammeViewSet(mixins.CreateModelMixin, BaseViewSet, viewsets.ReadOnlyModelViewSet):
    """Voucher and interest-subsidy programmes of verified government or operator bodies.

    Money has two keys: funding, a budget, a voucher above FINANCE_VOUCHER_SECOND_KEY_THRESHOLD
    and every interest subsidy become a pending request (202) that a different person approves
    through `money-requests/{id}/transition/`."""

    serializer_class = ProgrammeSerializer
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return selectors.programmes_visible_to(user=self.request.user).order_by("pk")

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        responses={201: ProgrammeSerializer, 422: REPLAY_REFUSED, **ERROR_RESPONSES},
    )
    def create(self, request, *args, **kwargs):
        """Open a programme; its `budget` waits for a second person's approval."""
        try:
            return super().create(request, *args, **kwargs)
        except IdempotencyKeyReused as error:
            return _replay_refused(error)

    def perform_create(self, serializer):
        serializer.instance = services.programme_create(
            user=self.request.user,
            idempotency_key=_idempotency_key(self.request),
            **serializer.validated_data,
        )

    def _accepted(self, money_request) -> Response:
        fresh = selectors.money_requests_visible_to(user=self.request.user).get(pk=money_request.pk)
        return Response(
            MoneyRequestSerializer(fresh, context={"request": self.request}).data,
            status=status.HTTP_202_ACCEPTED,
        )

    def _money_action(self, request, serializer_class, respond) -> Response:
        """Validate the body and run `respond(programme, data, idempotency_key)`; a key reused
        for a different request is 422."""
        programme = self.get_object()
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            return respond(programme, dict(serializer.validated_data), _idempotency_key(request))
        except IdempotencyKeyReused as error:
            return _replay_refused(error)

    def _second_key_request(self, service):
        """`respond` for an action that only opens a two-key request (202)."""

        def respond(programme, data, idempotency_key) -> Response:
            return self._accepted(
                service(
                    programme=programme,
                    user=self.request.user,
                    idempotency_key=idempotency_key,
                    **data,
                )
            )

        return respond

    @extend_schema(
        request=BudgetSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={202: ACCEPTED_FOR_SECOND_KEY, 422: REPLAY_REFUSED, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def budget(self, request, pk=None):
        """Ask for the programme's budget to be approved or changed (second key)."""
        return self._money_action(
            request, BudgetSerializer, self._second_key_request(services.programme_budget_request)
        )

    @extend_schema(
        request=FundSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={202: ACCEPTED_FOR_SECOND_KEY, 422: REPLAY_REFUSED, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def fund(self, request, pk=None):
        """Ask for funds received to be recorded into the budget (second key; never beyond the
        approved budget)."""
        return self._money_action(
            request, FundSerializer, self._second_key_request(services.programme_funding_request)
        )

    @extend_schema(
        request=IssueVoucherSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: VoucherSerializer,
            202: ACCEPTED_FOR_SECOND_KEY,
            422: REPLAY_REFUSED,
            **ERROR_RESPONSES,
        },
    )
    @action(detail=True, methods=["post"])
    def vouchers(self, request, pk=None):
        """Issue a voucher to an eligible small enterprise out of the programme's budget: at
        once (201) up to the second-key threshold, as a request for approval (202) above it."""

        def respond(programme, data, idempotency_key) -> Response:
            # An organisation the operator may not see is as unknown as one that does not exist.
            holder = (
                organizations_visible_to(user=request.user).filter(pk=data.pop("holder")).first()
            )
            if holder is None:
                raise DjangoValidationError({"holder": _("Unknown organisation.")})
            data.update(holder=holder, idempotency_key=idempotency_key)
            if services.voucher_needs_second_key(data["face_value"]):
                return self._accepted(
                    services.voucher_issue_request(programme=programme, user=request.user, **data)
                )
            data.pop("note", None)
            voucher = services.voucher_issue(programme=programme, user=request.user, **data)
            return Response(VoucherSerializer(voucher).data, status=status.HTTP_201_CREATED)

        return self._money_action(request, IssueVoucherSerializer, respond)

    @extend_schema(
        request=PaySubsidySerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={202: ACCEPTED_FOR_SECOND_KEY, 422: REPLAY_REFUSED, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def subsidies(self, request, pk=None):
        """Ask for an interest subsidy on a disbursed loan for one past period within its term
        (principal × rate × ratio × days/360); paid when a second person approves."""

        def respond(programme, data, idempotency_key) -> Response:
            application_id = data.pop("application")
            # Beyond the applications it sees, the operator may name only loans open to a
            # subsidy: any other application is as unknown as one that does not exist.
            application = (
                selectors.applications_visible_to(user=request.user)
                .filter(pk=application_id)
                .first()
                or selectors.loans_open_to_subsidy().filter(pk=application_id).first()
            )
            if application is None:
                raise DjangoValidationError({"application": _("Unknown application.")})
            return self._second_key_request(services.interest_subsidy_request)(
                programme, {**data, "application": application}, idempotency_key
            )

        return self._money_action(request, PaySubsidySerializer, respond)


class MoneyRequestViewSet(TransitionMixin, BaseViewSet, viewsets.ReadOnlyModelViewSet):
    """Two-key money requests: seen by the programme's operator members and platform
    reviewers; approved or refused by a person other than the requester."""

    serializer_class = MoneyRequestSerializer
    permission_classes = [IsAuthenticated]
    transition_serializer_class = MoneyRequestTransitionSerializer
    transition_subject = "money_request"

    def transition_service(self, **arguments):
        return services.money_request_transition(**arguments)

    def get_queryset(self):
        return (
            selectors.money_requests_visible_to(user=self.request.user)
            .prefetch_related("events__actor")
            .order_by("-requested_at", "-pk")
        )

    @extend_schema(
        request=MoneyRequestTransitionSerializer,
        responses={200: MoneyRequestSerializer, **ERROR_RESPONSES},
        description="approve (the second key: a different operator member of the programme's "
        "verified organisation, or a platform reviewer; the money moves now), refuse (note) or "
        "withdraw (the requester). Not allowed now: 409 with allowed_actions. No longer possible "
        "(budget, eligibility, overlapping period): 400 and the request stays pending.",
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        return self.transition_run(request)


class PipelineView(APIView):
    """The financier's pipeline: applications by stage, amounts in yuan (each at the rate of
    its submission day) and the approval rate; `left_out` lists amounts without a rate."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        pipeline = selectors.financier_pipeline(user=request.user)
        return Response(
            {
                "stages": [
                    {
                        "status": stage["status"],
                        "count": stage["count"],
                        "requested": str(stage["requested"]),
                        "approved": str(stage["approved"]),
                    }
                    for stage in pipeline["stages"]
                ],
                "total": pipeline["total"],
                "approved": pipeline["approved"],
                "rejected": pipeline["rejected"],
                "approval_rate": str(pipeline["approval_rate"])
                if pipeline["approval_rate"] is not None
                else None,
                "amount_approved": str(pipeline["amount_approved"]),
                "currency": "CNY",
                "left_out": [
                    {"currency": row["currency"], "amount": str(row["amount"])}
                    for row in pipeline["left_out"]
                ],
            }
        )


class ProgrammeDashboardView(APIView):
    """The operator's view: budgets, vouchers issued and redeemed, subsidies paid."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            200: inline_serializer(
                name="ProgrammeDashboardRow",
                many=True,
                fields={
                    "programme": serializers.IntegerField(),
                    "name": serializers.CharField(),
                    "kind": serializers.CharField(),
                    "currency": serializers.CharField(),
                    "funded": serializers.DecimalField(max_digits=16, decimal_places=2),
                    "available": serializers.DecimalField(max_digits=16, decimal_places=2),
                    "vouchers": serializers.IntegerField(),
                    "issued": serializers.DecimalField(max_digits=16, decimal_places=2),
                    "redeemed": serializers.DecimalField(max_digits=16, decimal_places=2),
                    "subsidies_paid": serializers.DecimalField(max_digits=16, decimal_places=2),
                },
            )
        }
    )
    def get(self, request):
        rows = selectors.operator_dashboard(user=request.user)
        return Response(
            [
                {
                    "programme": row["programme"].pk,
                    "name": row["programme"].name,
                    "kind": row["programme"].kind,
                    "currency": row["programme"].currency,
                    "funded": str(row["funded"]),
                    "available": str(row["available"]),
                    "vouchers": row["vouchers"],
                    "issued": str(row["issued"]),
                    "redeemed": str(row["redeemed"]),
                    "subsidies_paid": str(row["subsidies_paid"]),
                }
                for row in rows
            ]
        )
