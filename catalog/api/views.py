from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from accounts.permissions import is_reviewer, primary_organization
from accounts.selectors import organizations_visible_to
from catalog import duplicates, selectors, services
from catalog.api.pagination import SearchPagination
from catalog.api.serializers import (
    AccessRequestSerializer,
    AttachmentSerializer,
    AttachmentUploadSerializer,
    CategorySerializer,
    CompletenessRefusalSerializer,
    ConfirmSerializer,
    DuplicateCandidateSerializer,
    DuplicateDismissSerializer,
    DuplicateFlagSerializer,
    DuplicateMergeSerializer,
    EventSerializer,
    FacetsSerializer,
    FavouriteSerializer,
    InquirySerializer,
    NoteSerializer,
    ReviewSerializer,
    SavedSearchSerializer,
    TechnologyDetailSerializer,
    TechnologyListSerializer,
    TechnologySerializer,
    TechnologyWriteSerializer,
    TrlAssessmentSerializer,
    TrlClaimSerializer,
)
from catalog.choices import SearchSort, TechnologyStatus
from catalog.completeness import CompletenessBelowMinimum
from catalog.filtersets import CategoryFilterSet, DuplicateFlagFilterSet
from catalog.models import Category, DuplicateFlag, Favourite, SavedSearch
from core.api.filtering import refuse_values_outside_the_schema
from core.api.progress import ProgressSerializer
from core.api.schema import ERROR_RESPONSES
from core.api.views import BaseViewSet
from core.filters import raise_for_filter_errors, unsearchable_words_message
from core.freshness import Freshness

MERGED_BODY = inline_serializer(
    name="Merged",
    fields={
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
        "merged_into": serializers.IntegerField(),
    },
)


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """The green-industry taxonomy: six industries and their second-level groups."""

    queryset = Category.objects.select_related("parent")
    serializer_class = CategorySerializer
    filterset_class = CategoryFilterSet
    permission_classes = [AllowAny]
    lookup_field = "code"
    lookup_value_regex = r"[0-9.]+"
    pagination_class = None


SEARCH_PARAMETERS = [
    OpenApiParameter(
        "q",
        str,
        description="Full-text search words, Chinese and/or English, at most 200 characters. "
        "Single characters, very common words and punctuation are not searched for: a `q` of "
        "nothing else is a 400.",
    ),
    OpenApiParameter("sort", str, enum=SearchSort.values, description="Sort order."),
]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            *SEARCH_PARAMETERS,
            OpenApiParameter(
                "category", str, description="Category code; an industry code includes its groups."
            ),
            OpenApiParameter("trl_band", str, enum=["1-3", "4-6", "7-9"]),
            OpenApiParameter("trl_min", int),
            OpenApiParameter("trl_max", int),
            OpenApiParameter("transaction_mode", str),
            OpenApiParameter("region", str),
            OpenApiParameter("holder_type", str),
            OpenApiParameter("has_granted_patent", OpenApiTypes.BOOL),
            OpenApiParameter(
                "open_licence", OpenApiTypes.BOOL, description="Offered under an open licence."
            ),
            OpenApiParameter("price_min", OpenApiTypes.DECIMAL),
            OpenApiParameter("price_max", OpenApiTypes.DECIMAL),
            OpenApiParameter(
                "published_from", OpenApiTypes.DATE, description="A day of Asia/Shanghai."
            ),
            OpenApiParameter(
                "published_until", OpenApiTypes.DATE, description="A day of Asia/Shanghai."
            ),
            OpenApiParameter("status", str),
            OpenApiParameter("organization", int, description="The holder's organisation id."),
            OpenApiParameter(
                "freshness",
                str,
                enum=Freshness.values,
                description="`current` (the default) leaves out outdated listings (published, "
                "`valid_until` passed); `all` includes them; `outdated` lists only them.",
            ),
        ],
        description="Published technologies (and your organisation's own; reviewers: all but "
        "drafts), searched with `q` and filtered by the facet parameters.",
    ),
    retrieve=extend_schema(
        responses={
            200: TechnologyDetailSerializer,
            301: OpenApiResponse(
                MERGED_BODY,
                description="The listing was merged into another one: `Location` is that "
                "listing's address, `merged_into` its id.",
            ),
            **ERROR_RESPONSES,
        }
    ),
)
class TechnologyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    BaseViewSet,
):
    """Green technologies: search, read, create, edit, and move through review."""

    serializer_class = TechnologySerializer
    pagination_class = SearchPagination
    filterset_class = None  # filtering and q are applied by selectors.technology_search
    filter_backends: list = []

    def get_queryset(self):
        return (
            selectors.technologies_visible_to(user=self.request.user)
            .select_related("category", "organization")
            .prefetch_related("offers", "patents", "performance_figures", "resource_savings")
        )

    def get_serializer_class(self):
        if self.action == "retrieve":
            return TechnologyDetailSerializer
        return TechnologySerializer

    def _context_for(self, technologies):
        context = self.get_serializer_context()
        context["confidential_ids"] = selectors.confidential_access_ids(
            user=self.request.user, technologies=technologies
        )
        return context

    def _search(self):
        search = selectors.technology_search(
            user=self.request.user, params=self.request.query_params, public_only=False
        )
        raise_for_filter_errors(search.filterset)
        refuse_values_outside_the_schema(search.filterset, enums={"sort": SearchSort.values})
        query = str(self.request.query_params.get("q") or "")
        if query.strip() and search.parsed_query.is_empty:
            raise exceptions.ValidationError({"q": [unsearchable_words_message(query)]})
        return search

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self._search().queryset)
        context = self._context_for(page)
        selectors.technology_page_nested_rows(
            technologies=page, confidential_ids=context["confidential_ids"]
        )
        serializer = TechnologyListSerializer(page, many=True, context=context)
        return self.get_paginated_response(serializer.data)

    def _merged_response(self, pk) -> Response | None:
        if not str(pk).isdigit() or len(str(pk)) > 18:
            return None
        target = duplicates.merged_redirect_target(user=self.request.user, technology_id=int(pk))
        if target is None:
            return None
        return Response(
            {
                "detail": _("This listing was merged into another one."),
                "code": "merged",
                "merged_into": target.pk,
            },
            status=status.HTTP_301_MOVED_PERMANENTLY,
            headers={"Location": reverse("technology-detail", args=[target.pk])},
        )

    def retrieve(self, request, *args, **kwargs):
        try:
            found = self.get_object()
        except Http404:
            merged = self._merged_response(kwargs["pk"])
            if merged is None:
                raise
            return merged
        if found.status == TechnologyStatus.MERGED:
            merged = self._merged_response(found.pk)
            if merged is not None:
                return merged
        technology = selectors.technology_with_detail_rows(pk=found.pk)
        serializer = TechnologyDetailSerializer(technology, context=self._context_for([technology]))
        return Response(serializer.data)

    def _detail_response(self, technology, code=status.HTTP_200_OK):
        return Response(
            TechnologyDetailSerializer(technology, context=self._context_for([technology])).data,
            status=code,
        )

    @extend_schema(
        request=TechnologyWriteSerializer,
        responses={201: TechnologyDetailSerializer, **ERROR_RESPONSES},
        description="Create a draft listing of your organisation (`organization` chooses one "
        "when you belong to several).",
    )
    def create(self, request):
        if not request.user.is_authenticated:
            self.permission_denied(request)
        serializer = TechnologyWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        organization_id = data.pop("organization", None)
        if organization_id is not None:
            # A private organisation is as unknown as one that does not exist.
            organization = get_object_or_404(
                organizations_visible_to(user=request.user), pk=organization_id
            )
        else:
            try:
                organization = primary_organization(user=request.user)
            except ValidationError as error:
                raise ValidationError(
                    {"organization": _("Create or join an organisation before listing.")}
                ) from error
        technology = services.technology_create(
            user=request.user, organization=organization, data=data
        )
        return self._detail_response(technology, status.HTTP_201_CREATED)

    @extend_schema(
        request=TechnologyWriteSerializer,
        responses={200: TechnologyDetailSerializer, **ERROR_RESPONSES},
        description="Edit a listing (fields given replace the current ones). The change of a "
        "published listing goes to review and becomes public only when approved.",
    )
    def update(self, request, pk=None):
        technology = self.get_object()
        serializer = TechnologyWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("organization", None)
        data.pop("original_text", None)  # the original is written once, then translated
        try:
            technology = services.technology_update(
                user=request.user, technology=technology, data=data
            )
        except CompletenessBelowMinimum as refusal:
            body = CompletenessRefusalSerializer(refusal).data
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        return self._detail_response(technology)

    @extend_schema(
        request=TechnologyWriteSerializer,
        responses={200: TechnologyDetailSerializer, **ERROR_RESPONSES},
    )
    def partial_update(self, request, pk=None):
        return self.update(request, pk)

    @extend_schema(
        request=None,
        responses={
            200: TechnologyDetailSerializer,
            **ERROR_RESPONSES,
            400: OpenApiResponse(
                CompletenessRefusalSerializer,
                description="The listing is invalid (field errors) or gives less of what buyers "
                "need than the minimum the administrator set: `missing` lists the criteria.",
            ),
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def submit(self, request, pk=None):
        """Send a draft, returned or withdrawn listing (or a returned change) to review. A new
        listing needs the minimum completeness (`completeness` of the detail)."""
        try:
            technology = services.technology_submit(user=request.user, technology=self.get_object())
        except CompletenessBelowMinimum as refusal:
            body = CompletenessRefusalSerializer(refusal).data
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        return self._detail_response(technology)

    @extend_schema(
        request=ConfirmSerializer, responses={200: TechnologyDetailSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def confirm(self, request, pk=None):
        """Members of the holder: confirm that a published listing is current until
        `valid_until` (default twelve months); an outdated listing comes back in the search and
        the matching. 409 when the listing is not published."""
        body = ConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        technology = services.technology_confirm(
            user=request.user,
            technology=self.get_object(),
            valid_until=body.validated_data.get("valid_until"),
        )
        return self._detail_response(technology)

    @extend_schema(
        request=NoteSerializer, responses={200: TechnologyDetailSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def withdraw(self, request, pk=None):
        """Take a published listing off the public catalogue."""
        note = NoteSerializer(data=request.data)
        note.is_valid(raise_exception=True)
        technology = services.technology_withdraw(
            user=request.user,
            technology=self.get_object(),
            note=note.validated_data.get("note", ""),
        )
        return self._detail_response(technology)

    @extend_schema(
        request=NoteSerializer, responses={200: TechnologyDetailSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def archive(self, request, pk=None):
        """Archive a published or withdrawn listing."""
        note = NoteSerializer(data=request.data)
        note.is_valid(raise_exception=True)
        technology = services.technology_archive(
            user=request.user,
            technology=self.get_object(),
            note=note.validated_data.get("note", ""),
        )
        return self._detail_response(technology)

    @extend_schema(
        request=ReviewSerializer, responses={200: TechnologyDetailSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def review(self, request, pk=None):
        """Reviewers only: approve (publish), return for changes (comments required) or reject
        (reason required) a submitted listing or the pending change of a published one."""
        technology = self.get_object()
        if not is_reviewer(user=request.user):
            self.permission_denied(request, message=_("Only reviewers can review technologies."))
        review = ReviewSerializer(data=request.data)
        review.is_valid(raise_exception=True)
        try:
            technology = services.technology_review(
                user=request.user,
                technology=technology,
                decision=review.validated_data["decision"],
                comment=review.validated_data.get("comment", ""),
                field_comments=review.validated_data.get("field_comments"),
            )
        except CompletenessBelowMinimum as refusal:
            # The listing is fine as it is, the decision is what cannot be taken: a conflict.
            body = CompletenessRefusalSerializer(refusal).data
            return Response(body, status=status.HTTP_409_CONFLICT)
        return self._detail_response(technology)

    @extend_schema(responses={200: EventSerializer(many=True), **ERROR_RESPONSES})
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request, pk=None):
        """Every change and decision: who, when, what."""
        technology = self.get_object()
        events = selectors.technology_history_for(technology=technology, user=request.user)
        return Response(EventSerializer(events, many=True).data)

    @extend_schema(responses={200: DuplicateCandidateSerializer(many=True), **ERROR_RESPONSES})
    @action(detail=True, methods=["get"], pagination_class=None)
    def duplicates(self, request, pk=None):
        """Members of the holder and reviewers: listings that read like this one (titles and
        texts), most alike first, with score and reason. A holder sees their own listings and
        other holders' published ones only; reviewers every listing but drafts."""
        technology = self.get_object()
        if not selectors.technology_insider(user=request.user, technology=technology):
            self.permission_denied(
                request, message=_("Only the holder and reviewers see possible duplicates.")
            )
        found = duplicates.technology_duplicates(technology=technology, user=request.user)
        return Response(DuplicateCandidateSerializer(found, many=True).data)

    @extend_schema(responses={200: ProgressSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        """The listing's review as a stepper: draft, review, published, and the next actions
        with who must take them (`yours`: you may)."""
        progress = services.technology_progress(technology=self.get_object(), user=request.user)
        return Response(progress.as_dict())

    @extend_schema(request=InquirySerializer, responses={201: InquirySerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def inquire(self, request, pk=None):
        """Express interest in a published technology."""
        serializer = InquirySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        inquiry = services.inquiry_create(
            user=request.user,
            technology=self.get_object(),
            message=serializer.validated_data["message"],
        )
        return Response(InquirySerializer(inquiry).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=AccessRequestSerializer,
        responses={201: AccessRequestSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated], url_path="access")
    def request_access(self, request, pk=None):
        """Ask the holder for the confidential detail, accepting the listing's NDA."""
        serializer = AccessRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        access = services.access_request_create(
            user=request.user,
            technology=self.get_object(),
            accept_nda=serializer.validated_data["accept_nda"],
            message=serializer.validated_data.get("message", ""),
        )
        return Response(AccessRequestSerializer(access).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer, **ERROR_RESPONSES},
    )
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[IsAuthenticated],
        parser_classes=[MultiPartParser],
    )
    def attachments(self, request, pk=None):
        """Members of the holder attach a PDF or a picture (PNG, JPEG, WebP; at most 10 MB). A
        picture must really be one; it is stored without its metadata, with a thumbnail."""
        serializer = AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attachment = services.attachment_add(
            user=request.user,
            technology=self.get_object(),
            upload=serializer.validated_data["file"],
            confidential=serializer.validated_data["confidential"],
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        request=None,
        responses={200: TrlAssessmentSerializer(many=True), **ERROR_RESPONSES},
        description="The readiness assessments of a listing, newest claim first. Evidence "
        "files show their SHA-256 to everyone; their names and download addresses only to the "
        "holder's members, reviewers and the deciding expert.",
    )
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": TrlClaimSerializer},
        responses={201: TrlAssessmentSerializer, **ERROR_RESPONSES},
        description="Members of the holder claim a readiness level shown at a date (not in "
        "the future) in one application context, with evidence files. A reviewer or a "
        "verified expert outside the holder confirms it.",
    )
    @action(
        detail=True,
        methods=["get", "post"],
        permission_classes=[IsAuthenticatedOrReadOnly],
        parser_classes=[MultiPartParser, FormParser],
        pagination_class=None,  # a listing's assessments are few: one plain list, not a page
        url_path="trl-assessments",
    )
    def trl_assessments(self, request, pk=None):
        technology = self.get_object()
        if request.method == "GET":
            assessments = selectors.trl_assessments_of(technology=technology)
            for assessment in assessments:
                assessment.technology = technology
            serializer = TrlAssessmentSerializer(
                assessments, many=True, context=self.get_serializer_context()
            )
            return Response(serializer.data)
        serializer = TrlClaimSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assessment = services.trl_claim(
            user=request.user,
            technology=technology,
            level=serializer.validated_data["level"],
            application_context=serializer.validated_data["application_context"],
            assessed_on=serializer.validated_data["assessed_on"],
            files=serializer.validated_data.get("files", []),
        )
        return Response(
            TrlAssessmentSerializer(assessment, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        methods=["POST"],
        request=None,
        responses={200: FavouriteSerializer, 201: FavouriteSerializer, **ERROR_RESPONSES},
        description="Star a published listing (idempotent: 201 when new, 200 when it was "
        "already starred).",
    )
    @extend_schema(
        methods=["DELETE"],
        request=None,
        responses={204: None, **ERROR_RESPONSES},
        description="Unstar a listing (idempotent).",
    )
    @action(detail=True, methods=["post", "delete"], permission_classes=[IsAuthenticated])
    def favourite(self, request, pk=None):
        technology = self.get_object()
        if request.method == "DELETE":
            services.favourite_remove(user=request.user, technology=technology)
            return Response(status=status.HTTP_204_NO_CONTENT)
        favourite, created = services.favourite_add(user=request.user, technology=technology)
        return Response(
            FavouriteSerializer(favourite).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        parameters=[
            *SEARCH_PARAMETERS,
            OpenApiParameter("category", str),
            OpenApiParameter("trl_band", str),
            OpenApiParameter("transaction_mode", str),
            OpenApiParameter("region", str),
            OpenApiParameter("holder_type", str),
            OpenApiParameter("has_granted_patent", OpenApiTypes.BOOL),
        ],
        responses={200: FacetsSerializer},
    )
    @action(detail=False, methods=["get"])
    def facets(self, request):
        """Facet counts of a search: every facet but transaction modes adds up to `total`."""
        return Response(selectors.technology_facets(search=self._search()))


class SavedSearchViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    BaseViewSet,
):
    """Your saved searches: you are told when a newly published technology matches one."""

    serializer_class = SavedSearchSerializer
    permission_classes = [IsAuthenticated]

    queryset = SavedSearch.objects.none()  # for the schema generator (no user there)

    def get_queryset(self):
        return selectors.saved_searches_of(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.saved_search_create(
            user=self.request.user,
            name=serializer.validated_data.get("name", ""),
            query=serializer.validated_data.get("query", ""),
            filters=serializer.validated_data.get("filters") or {},
        )


class FavouriteViewSet(mixins.ListModelMixin, BaseViewSet):
    """Your favourites (starred published listings), newest first; nobody else's. Star and
    unstar with POST / DELETE /api/v1/technologies/{id}/favourite/."""

    serializer_class = FavouriteSerializer
    permission_classes = [IsAuthenticated]

    queryset = Favourite.objects.none()  # for the schema generator (no user there)

    def get_queryset(self):
        return selectors.favourites_of(user=self.request.user)


@extend_schema_view(
    list=extend_schema(
        description="Reviewers only: recorded pairs of look-alike listings (`status=open`: "
        "still to check), most alike first.",
        responses={200: DuplicateFlagSerializer(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(responses={200: DuplicateFlagSerializer, **ERROR_RESPONSES}),
)
class DuplicateFlagViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Possible duplicates: pairs of listings found alike on submission or import. Reviewers
    dismiss a pair or merge one listing into the other; to anyone else a pair is unknown."""

    serializer_class = DuplicateFlagSerializer
    filterset_class = DuplicateFlagFilterSet
    permission_classes = [IsAuthenticated]
    queryset = DuplicateFlag.objects.none()  # for the schema generator (no user there)

    def get_queryset(self):
        return duplicates.duplicate_flags_visible_to(user=self.request.user)

    def list(self, request, *args, **kwargs):
        if not is_reviewer(user=request.user):
            self.permission_denied(request, message=_("Only reviewers see possible duplicates."))
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=DuplicateDismissSerializer,
        responses={200: DuplicateFlagSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        """The two listings are not duplicates: the pair is not raised again (409 when the pair
        was already decided)."""
        flag = self.get_object()
        body = DuplicateDismissSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        flag = duplicates.duplicate_flag_dismiss(
            user=request.user, flag=flag, note=body.validated_data.get("note", "")
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=flag.pk)).data)

    @extend_schema(
        request=DuplicateMergeSerializer,
        responses={200: DuplicateFlagSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Merge the pair's other listing into `keep`: the merged one keeps its history, its
        page and API detail send readers to the one kept (301), its stars (and, for one holder,
        its inquiries) move there. Two holders' listings: administrators only (403). 409 when
        the pair was already decided, e.g. by another reviewer a moment earlier."""
        flag = self.get_object()
        body = DuplicateMergeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        keep_id = body.validated_data["keep"]
        if keep_id not in (flag.technology_id, flag.candidate_id):
            raise ValidationError(
                {"keep": _("Choose one of the two listings of the pair to keep.")}
            )
        keep = flag.technology if keep_id == flag.technology_id else flag.candidate
        services.technology_merge(
            user=request.user, flag=flag, keep=keep, note=body.validated_data.get("note", "")
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=flag.pk)).data)


class TrlAssessmentViewSet(BaseViewSet):
    """Readiness claims decided by a reviewer or a verified expert outside the holder."""

    serializer_class = TrlAssessmentSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return selectors.trl_assessments_visible_to(user=self.request.user).prefetch_related(
            "evidence"
        )

    @extend_schema(
        request=NoteSerializer, responses={200: TrlAssessmentSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Confirm a claimed level (409 once it is decided; 403 for its own organisation)."""
        return self._decide(services.trl_confirm)

    @extend_schema(
        request=NoteSerializer, responses={200: TrlAssessmentSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Refuse a claimed level; the note saying why is required."""
        return self._decide(services.trl_reject)

    def _decide(self, service):
        serializer = NoteSerializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        assessment = service(
            user=self.request.user,
            assessment=self.get_object(),
            note=serializer.validated_data.get("note", ""),
        )
        return Response(self.get_serializer(assessment).data)
