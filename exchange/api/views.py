from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import is_member, member_organization_ids
from core.api.pagination import SearchPagination
from core.api.progress import ProgressSerializer
from core.api.schema import ERROR_RESPONSES, VALIDATION_ERROR
from core.api.views import BaseViewSet
from core.filters import unsearchable_words_message
from exchange import selectors, services
from exchange.api.serializers import (
    ActionSerializer,
    ContractRegistrationSerializer,
    DealCreateSerializer,
    DealEventSerializer,
    DealMessageSerializer,
    DealSerializer,
    DealTransitionSerializer,
    DealUpdateSerializer,
    DemandListSerializer,
    IntroductionSerializer,
    LicenceCheckCreateSerializer,
    LicenceCheckSerializer,
    MilestoneSerializer,
    NeedConfirmSerializer,
    NeedNoteSerializer,
    NeedReviewSerializer,
    NeedSerializer,
    ProposalActionSerializer,
    ProposalMessageSerializer,
    ProposalSerializer,
    RatingSerializer,
)
from exchange.filtersets import NeedFilterSet
from exchange.search import has_no_searchable_word


class OrganizationContextMixin:
    """Looks the user's organisations up once per request instead of once per row."""

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if "organization_ids" not in self.__dict__:
            self.organization_ids = member_organization_ids(user=self.request.user)
        context["organization_ids"] = self.organization_ids
        return context


FACETS_RESPONSE = inline_serializer(
    name="NeedFacets",
    fields={
        "count": serializers.IntegerField(),
        "category": serializers.ListField(child=serializers.DictField()),
        "region": serializers.ListField(child=serializers.DictField()),
        "transaction_mode": serializers.ListField(child=serializers.DictField()),
        "open_call": serializers.ListField(child=serializers.DictField()),
    },
)


class NeedViewSet(
    OrganizationContextMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    BaseViewSet,
    viewsets.ReadOnlyModelViewSet,
):
    """Technology needs (技术需求): published ones are public; members see and edit their own.

    `q` searches titles and descriptions in Chinese and English; the other query parameters are
    the facets. Creating a need makes a draft of your organisation; `submit` sends it to review.
    """

    serializer_class = NeedSerializer
    filterset_class = NeedFilterSet
    pagination_class = SearchPagination
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.needs_visible_to(user=self.request.user).prefetch_related("translations")

    def filter_queryset(self, queryset):
        # The filters (outdated needs left out by default) are the list's and its facets': a
        # need's own address and actions reach it whatever its freshness.
        if self.detail:
            return queryset
        words = self.request.query_params.get("q", "")
        queryset = super().filter_queryset(queryset)  # a q too long is a 400 first
        if has_no_searchable_word(words):
            raise exceptions.ValidationError({"q": [unsearchable_words_message(words)]})
        return queryset

    def perform_create(self, serializer):
        serializer.instance = services.need_create(
            user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        fields = dict(serializer.validated_data)
        fields.pop("original_text", None)  # the original is written once, then translated
        serializer.instance = services.need_update(
            need=serializer.instance, user=self.request.user, **fields
        )

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        if request.method == "PATCH" and not is_member(
            organization=obj.organization_id, user=request.user
        ):
            self.permission_denied(request, message=_("Only members may change this need."))

    def _respond(self, need):
        return Response(self.get_serializer(need).data)

    @extend_schema(
        request=None,
        responses={200: NeedSerializer, **ERROR_RESPONSES},
        description="Send a draft or returned need to review (members of the organisation).",
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def submit(self, request, pk=None):
        return self._respond(services.need_submit(need=self.get_object(), user=request.user))

    @extend_schema(
        request=NeedConfirmSerializer,
        responses={200: NeedSerializer, **ERROR_RESPONSES},
        description="Members of the organisation: confirm that a published need is current "
        "until `valid_until` (default: its deadline); an outdated need comes back in the list "
        "and the matching. 409 when the need is not published.",
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def confirm(self, request, pk=None):
        body = NeedConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        need = services.need_confirm(
            need=self.get_object(),
            user=request.user,
            valid_until=body.validated_data.get("valid_until"),
        )
        return self._respond(need)

    @extend_schema(
        request=NeedNoteSerializer,
        responses={200: NeedSerializer, **ERROR_RESPONSES},
        description="Close the need as withdrawn (members of the organisation).",
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def withdraw(self, request, pk=None):
        serializer = NeedNoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        need = services.need_withdraw(
            need=self.get_object(), user=request.user, note=serializer.validated_data["note"]
        )
        return self._respond(need)

    @extend_schema(
        request=NeedReviewSerializer,
        responses={200: NeedSerializer, **ERROR_RESPONSES},
        description=(
            "Reviewers only: `approve` publishes the need; `return` and `reject` need a comment."
        ),
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def review(self, request, pk=None):
        serializer = NeedReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        need = services.need_review(
            need=self.get_object(), user=request.user, **serializer.validated_data
        )
        return self._respond(need)

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="Search text")],
        responses={200: FACETS_RESPONSE},
        description="Facet counts of the needs matching the query and filters.",
    )
    @action(detail=False, methods=["get"])
    def facets(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        return Response({"count": queryset.count(), **selectors.need_facets(queryset=queryset)})


class DemandListViewSet(mixins.CreateModelMixin, BaseViewSet, viewsets.ReadOnlyModelViewSet):
    """Public demand lists (技术需求清单) reviewers publish for a period, region or category."""

    serializer_class = DemandListSerializer

    def get_queryset(self):
        return selectors.demand_lists_public()

    def perform_create(self, serializer):
        demand_list = services.demand_list_publish(
            user=self.request.user, **serializer.validated_data
        )
        serializer.instance = selectors.demand_lists_public().get(pk=demand_list.pk)

    @extend_schema(responses={200: NeedSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def needs(self, request, pk=None):
        needs = selectors.demand_list_needs(demand_list=self.get_object())
        page = self.paginate_queryset(needs)
        context = self.get_serializer_context()
        context["organization_ids"] = member_organization_ids(user=request.user)
        return self.get_paginated_response(NeedSerializer(page, many=True, context=context).data)


# --- deals ----------------------------------------------------------------------------------


class DealViewSet(OrganizationContextMixin, BaseViewSet, viewsets.ReadOnlyModelViewSet):
    """Deals (交易): only the parties' members, the broker and reviewers see one (404 otherwise).

    `POST /deals/` opens an inquiry as the buyer (your organisation). `allowed_actions` lists
    what you may do now; `POST /deals/{id}/transition/` takes one of them.
    """

    serializer_class = DealSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["stage", "deal_type"]

    def get_queryset(self):
        return (
            selectors.deals_visible_to(user=self.request.user)
            .select_related("certificate", *selectors.DEAL_SCREENING_RELATED)
            .prefetch_related("milestones", "licence_checks")
            .order_by("-updated_at", "-pk")
        )

    @extend_schema(request=DealCreateSerializer, responses={201: DealSerializer, **ERROR_RESPONSES})
    def create(self, request):
        serializer = DealCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        deal = services.deal_open(user=request.user, **serializer.validated_data)
        return Response(self.get_serializer(deal).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DealUpdateSerializer, responses={200: DealSerializer, **ERROR_RESPONSES})
    def partial_update(self, request, pk=None):
        deal = self.get_object()
        serializer = DealUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        deal = services.deal_update(deal=deal, user=request.user, **serializer.validated_data)
        return Response(self.get_serializer(deal).data)

    @extend_schema(
        request=DealTransitionSerializer,
        responses={200: DealSerializer, **ERROR_RESPONSES},
        description=(
            "Take one action of the deal workflow. 409 when it is not allowed now (nothing "
            "changes); 400 names the data the step still needs (price, payment terms, contract, "
            "milestones)."
        ),
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        serializer = DealTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        deal = services.deal_transition(
            deal=self.get_object(), user=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=deal.pk)).data)

    @extend_schema(responses={200: DealEventSerializer(many=True), **ERROR_RESPONSES})
    @action(detail=True, methods=["get"], pagination_class=None)
    def timeline(self, request, pk=None):
        events = selectors.deal_timeline(deal=self.get_object())
        return Response(DealEventSerializer(events, many=True).data)

    @extend_schema(responses={200: ProgressSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        """The deal's stages as a stepper: done, current, upcoming, and the next actions with
        who must take them (`yours`: you may)."""
        progress = services.deal_progress(deal=self.get_object(), user=request.user)
        return Response(progress.as_dict())

    @extend_schema(
        request=MilestoneSerializer, responses={201: MilestoneSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def milestones(self, request, pk=None):
        deal = self.get_object()
        serializer = MilestoneSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        milestone = services.milestone_add(
            deal=deal, user=request.user, **serializer.validated_data
        )
        return Response(
            MilestoneSerializer(milestone, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses={200: MilestoneSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], url_path=r"milestones/(?P<milestone_id>\d+)/done")
    def milestone_done(self, request, pk=None, milestone_id=None):
        deal = self.get_object()
        milestone = selectors.deal_milestone(deal=deal, milestone_id=milestone_id)
        if milestone is None:
            raise Http404
        milestone = services.milestone_complete(milestone=milestone, user=request.user)
        return Response(MilestoneSerializer(milestone, context=self.get_serializer_context()).data)

    @extend_schema(
        methods=["GET"], responses={200: DealMessageSerializer(many=True), **ERROR_RESPONSES}
    )
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": DealMessageSerializer},
        responses={201: DealMessageSerializer, **ERROR_RESPONSES},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, JSONParser],
        pagination_class=None,
    )
    def messages(self, request, pk=None):
        deal = self.get_object()
        if request.method == "GET":
            messages = selectors.deal_room_messages(deal=deal)
            return Response(DealMessageSerializer(messages, many=True).data)
        serializer = DealMessageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = services.deal_message_post(
            deal=deal,
            user=request.user,
            body=serializer.validated_data.get("body", ""),
            upload=serializer.validated_data.get("file"),
            kind=serializer.validated_data.get("kind", "other"),
        )
        return Response(DealMessageSerializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=LicenceCheckCreateSerializer,
        responses={201: LicenceCheckSerializer, **ERROR_RESPONSES},
        description=(
            "A platform reviewer who is not a party checks a licence-intent letter or export "
            "licence the seller attached: accepted with its number, issue date and expiry (an "
            "expired one is refused, 400), or refused with a reason. 409 for anyone else."
        ),
    )
    @action(detail=True, methods=["post"], url_path="licence-checks")
    def licence_checks(self, request, pk=None):
        deal = self.get_object()
        serializer = LicenceCheckCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        document = selectors.deal_document(deal=deal, document_id=data.pop("document"))
        if document is None:
            raise serializers.ValidationError({"document": [_("No such document in this deal.")]})
        check = services.deal_licence_check(deal=deal, user=request.user, document=document, **data)
        return Response(LicenceCheckSerializer(check).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ContractRegistrationSerializer,
        responses={200: DealSerializer, **ERROR_RESPONSES},
        description=(
            "The seller or the broker records the technology import/export contract "
            "registration number of a free (unlisted) technology export."
        ),
    )
    @action(detail=True, methods=["post"], url_path="contract-registration")
    def contract_registration(self, request, pk=None):
        deal = self.get_object()
        serializer = ContractRegistrationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.deal_contract_registration_record(
            deal=deal, user=request.user, number=serializer.validated_data["number"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=deal.pk)).data)

    @extend_schema(request=RatingSerializer, responses={201: RatingSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def ratings(self, request, pk=None):
        deal = self.get_object()
        serializer = RatingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rating = services.rating_create(deal=deal, user=request.user, **serializer.validated_data)
        return Response(RatingSerializer(rating).data, status=status.HTTP_201_CREATED)


class ProposalViewSet(
    OrganizationContextMixin,
    mixins.CreateModelMixin,
    BaseViewSet,
    viewsets.ReadOnlyModelViewSet,
):
    """Holders' proposals answering needs; the enterprise shortlists, declines or accepts."""

    serializer_class = ProposalSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["need", "status"]

    def get_queryset(self):
        return selectors.proposals_visible_to(user=self.request.user).order_by("-pk")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        need = get_object_or_404(
            selectors.needs_visible_to(user=self.request.user), pk=data.pop("need").pk
        )
        serializer.instance = services.proposal_create(user=self.request.user, need=need, **data)

    @extend_schema(
        request=ProposalActionSerializer,
        responses={200: ProposalSerializer, **ERROR_RESPONSES},
        description="`shortlist`, `decline` (with a `reason_code` and a note), `accept` (opens "
        "a deal), `withdraw` (the proposer).",
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        serializer = ProposalActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        proposal = services.proposal_transition(
            proposal=self.get_object(), user=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(proposal).data)

    @extend_schema(methods=["GET"], responses={200: ProposalMessageSerializer(many=True)})
    @extend_schema(
        methods=["POST"],
        request=ProposalMessageSerializer,
        responses={201: ProposalMessageSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def messages(self, request, pk=None):
        proposal = self.get_object()
        if request.method == "GET":
            return Response(
                ProposalMessageSerializer(
                    selectors.proposal_messages(proposal=proposal), many=True
                ).data
            )
        serializer = ProposalMessageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = services.proposal_message_post(
            proposal=proposal, user=request.user, body=serializer.validated_data["body"]
        )
        return Response(ProposalMessageSerializer(message).data, status=status.HTTP_201_CREATED)


class IntroductionViewSet(
    OrganizationContextMixin,
    mixins.CreateModelMixin,
    BaseViewSet,
    viewsets.ReadOnlyModelViewSet,
):
    """Brokers introduce a technology to a need or an enterprise; both sides accept."""

    serializer_class = IntroductionSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return selectors.introductions_visible_to(user=self.request.user).order_by("-pk")

    def perform_create(self, serializer):
        serializer.instance = services.introduction_create(
            broker=self.request.user, **serializer.validated_data
        )

    @extend_schema(
        request=ActionSerializer,
        responses={200: IntroductionSerializer, **ERROR_RESPONSES},
        description="`accept_as_seller`, `accept_as_buyer`, `decline`.",
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        serializer = ActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        introduction = services.introduction_transition(
            introduction=self.get_object(), user=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(introduction).data)


CERTIFICATE_RESPONSE = inline_serializer(
    name="CertificateVerification",
    fields={
        "number": serializers.CharField(),
        "status": serializers.ChoiceField(choices=["genuine", "forged"]),
        "facts": serializers.DictField(required=False),
    },
)


class CertificateQuerySerializer(serializers.Serializer):
    number = serializers.CharField(help_text=_("The number printed on the certificate."))


class CertificateVerifyView(APIView):
    """Anyone can check a transaction certificate number (交易鉴证). Without a number (or with
    a blank one) the answer is a 400 naming `number`; any other number is `genuine` or
    `forged`."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[CertificateQuerySerializer],
        responses={200: CERTIFICATE_RESPONSE, 400: VALIDATION_ERROR},
    )
    def get(self, request):
        query = CertificateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        number = query.validated_data["number"]
        verdict, certificate = selectors.certificate_lookup(number)
        body = {"number": number, "status": verdict}
        if certificate is not None:
            body["facts"] = selectors.certificate_facts(certificate=certificate)
        return Response(body)


class CreditView(APIView):
    """An organisation's credit profile: completed deals, ratings, on-time milestones, disputes."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses={
            200: inline_serializer(
                name="Credit",
                fields={
                    "completed_deals": serializers.IntegerField(),
                    "cancelled_deals": serializers.IntegerField(),
                    "rating_count": serializers.IntegerField(),
                    "average_rating": serializers.FloatField(allow_null=True),
                    "milestones_done": serializers.IntegerField(),
                    "milestones_on_time": serializers.IntegerField(),
                    "on_time_rate": serializers.FloatField(allow_null=True),
                    "disputes": serializers.IntegerField(),
                },
            ),
            404: ERROR_RESPONSES[404],
        }
    )
    def get(self, request, organization_id: int):
        from accounts.selectors import organizations_visible_to

        organization = get_object_or_404(
            organizations_visible_to(user=request.user), pk=organization_id
        )
        return Response(selectors.organization_credit(organization))
