# --- experts ----------------------------------------------------------------------------------
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.permissions import is_reviewer
from core.api.schema import ERROR_RESPONSES
from core.api.views import BaseViewSet
from core.exports import XLSX_CONTENT_TYPE
from programmes.api.serializers import (
    AssignSerializer,
    BookingSerializer,
    ChallengeSerializer,
    CompleteSerializer,
    ConsultingRequestSerializer,
    ConsultingResultSerializer,
    ConsultingTechnologySerializer,
    EntryScoreSerializer,
    EntrySerializer,
    EvaluationRequestSerializer,
    EvaluationSerializer,
    EventMatchSerializer,
    EventRegistrationSerializer,
    ExpertRosterSerializer,
    ExpertSerializer,
    MatchmakingEventSerializer,
    MeetingRecordSerializer,
    MeetingSerializer,
    ProgrammesActionSerializer,
    ReasonSerializer,
    ReplySerializer,
    RespondSerializer,
    ScoreSerializer,
    ScreeningProgrammeSerializer,
    SelectSerializer,
    SlotSerializer,
    SubmissionScoreSerializer,
    SubmissionSerializer,
    SubmitSerializer,
    TurnDownSerializer,
    WinnerSerializer,
)
from programmes.choices import ParticipantRole
from programmes.exports import shortlist_response
from programmes.filtersets import (
    ChallengeFilterSet,
    EvaluationFilterSet,
    EventFilterSet,
    ExpertFilterSet,
    ProgrammeFilterSet,
)
from programmes.selectors import experts as expert_selectors
from programmes.selectors import programmes as programme_selectors
from programmes.services import challenges as challenge_services
from programmes.services import evaluations as evaluation_services
from programmes.services import events as event_services
from programmes.services import experts as expert_services
from programmes.services import screening as screening_services


class ExportFormatSerializer(serializers.Serializer):
    file_format = serializers.ChoiceField(choices=["csv", "xlsx"], default="csv")


class ExpertViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, BaseViewSet, viewsets.ReadOnlyModelViewSet
):
    """The expert directory: verified experts are public; `q` searches names, organisations,
    fields and biographies in Chinese and English; `field` and `language` filter.

    `POST` applies for a profile (a reviewer verifies it); `transition` takes a verification
    step; `consulting` asks the expert for consulting, which opens a `consulting` deal.
    """

    serializer_class = ExpertSerializer
    filterset_class = ExpertFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return expert_selectors.experts_visible_to(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = expert_services.expert_profile_create(
            user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = expert_services.expert_profile_update(
            expert=serializer.instance, user=self.request.user, **serializer.validated_data
        )

    @extend_schema(
        request=ProgrammesActionSerializer, responses={200: ExpertSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def transition(self, request, pk=None):
        """Reviewers `verify`, `reject` (note), `suspend` (note), `reinstate`; the expert
        `resubmit`s a refused profile."""
        serializer = ProgrammesActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        expert = expert_services.expert_transition(
            expert=self.get_object(), user=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(expert).data)

    @extend_schema(responses={200: ConsultingTechnologySerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="consulting-technologies", pagination_class=None)
    def consulting_technologies(self, request, pk=None):
        """The technologies a consulting request may be about."""
        technologies = expert_services.consulting_technologies(expert=self.get_object())
        return Response(ConsultingTechnologySerializer(technologies, many=True).data)

    @extend_schema(
        request=ConsultingRequestSerializer,
        responses={201: ConsultingResultSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def consulting(self, request, pk=None):
        """Ask the expert for consulting: opens a `consulting` deal (your organisation buys)."""
        serializer = ConsultingRequestSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        consulting = expert_services.consulting_request_create(
            user=request.user, expert=self.get_object(), **serializer.validated_data
        )
        return Response(ConsultingResultSerializer(consulting).data, status=status.HTTP_201_CREATED)


# --- evaluations ------------------------------------------------------------------------------


class EvaluationViewSet(BaseViewSet, viewsets.ReadOnlyModelViewSet):
    """Third-party evaluations. `POST` requests one (reviewers, or the holder; `paid` is
    recorded). Workflow verbs answer 409 when it is not their turn."""

    serializer_class = EvaluationSerializer
    filterset_class = EvaluationFilterSet

    def get_queryset(self):
        return (
            expert_selectors.evaluations_visible_to(user=self.request.user)
            .prefetch_related("assignments__expert", "assignments__score")
            .order_by("-created_at", "-pk")
        )

    def _respond(self, evaluation, code=status.HTTP_200_OK):
        evaluation = self.get_queryset().get(pk=evaluation.pk)
        return Response(self.get_serializer(evaluation).data, status=code)

    @extend_schema(
        request=EvaluationRequestSerializer,
        responses={201: EvaluationSerializer, **ERROR_RESPONSES},
    )
    def create(self, request):
        serializer = EvaluationRequestSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        if not request.user.is_authenticated:
            raise PermissionDenied()
        evaluation = evaluation_services.evaluation_request(
            user=request.user, **serializer.validated_data
        )
        return self._respond(evaluation, status.HTTP_201_CREATED)

    @extend_schema(responses={200: ExpertSerializer(many=True), **ERROR_RESPONSES})
    @action(
        detail=True, methods=["get"], permission_classes=[IsAuthenticated], pagination_class=None
    )
    def suggestions(self, request, pk=None):
        """Reviewers: verified experts in the technology's field, conflicts left out."""
        evaluation = self.get_object()
        if not is_reviewer(user=request.user):
            raise PermissionDenied(_("Only reviewers assign experts."))
        experts = evaluation_services.evaluation_suggest_experts(evaluation=evaluation)
        return Response(ExpertSerializer(experts, many=True, context={"request": request}).data)

    @extend_schema(responses={200: ExpertRosterSerializer(many=True), **ERROR_RESPONSES})
    @action(
        detail=True, methods=["get"], permission_classes=[IsAuthenticated], pagination_class=None
    )
    def experts(self, request, pk=None):
        """The named roster of assigned experts: reviewers only. Everyone else sees the names
        the experts agreed to show in `assignments`."""
        evaluation = self.get_object()
        if not is_reviewer(user=request.user):
            raise PermissionDenied(
                _(
                    "The experts' identities are shown to reviewers only; an expert's name "
                    "appears in the evaluation when the expert agrees."
                )
            )
        roster = expert_selectors.evaluation_roster(evaluation=evaluation)
        return Response(ExpertRosterSerializer(roster, many=True).data)

    @extend_schema(
        request=AssignSerializer, responses={200: EvaluationSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def assign(self, request, pk=None):
        evaluation = self.get_object()
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        evaluation_services.evaluation_assign(
            evaluation=evaluation, user=request.user, **serializer.validated_data
        )
        return self._respond(evaluation)

    @extend_schema(
        request=ScoreSerializer, responses={200: EvaluationSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def score(self, request, pk=None):
        """An assigned expert submits the structured form (scores 1–10, TRL 1–9)."""
        evaluation = self.get_object()
        serializer = ScoreSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        evaluation_services.evaluation_score_submit(
            evaluation=evaluation, user=request.user, **serializer.validated_data
        )
        return self._respond(evaluation)

    @extend_schema(
        request=ReasonSerializer, responses={200: EvaluationSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def decline(self, request, pk=None):
        evaluation = self.get_object()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        evaluation_services.evaluation_decline(
            evaluation=evaluation, user=request.user, **serializer.validated_data
        )
        return self._respond(evaluation)

    @extend_schema(
        request=CompleteSerializer, responses={200: EvaluationSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def complete(self, request, pk=None):
        """Reviewers: combine the scores (median by default) and publish the summary."""
        evaluation = self.get_object()
        serializer = CompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        evaluation_services.evaluation_complete(
            evaluation=evaluation, user=request.user, **serializer.validated_data
        )
        return self._respond(evaluation)

    @extend_schema(
        request=ReasonSerializer, responses={200: EvaluationSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def cancel(self, request, pk=None):
        evaluation = self.get_object()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        evaluation_services.evaluation_cancel(
            evaluation=evaluation, user=request.user, **serializer.validated_data
        )
        return self._respond(evaluation)

    @extend_schema(
        request=ReplySerializer, responses={200: EvaluationSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def reply(self, request, pk=None):
        """The holder's reply to a completed evaluation."""
        evaluation = self.get_object()
        serializer = ReplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        evaluation_services.evaluation_reply(
            evaluation=evaluation, user=request.user, **serializer.validated_data
        )
        return self._respond(evaluation)


# --- programmes -------------------------------------------------------------------------------


class ProgrammeViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, BaseViewSet, viewsets.ReadOnlyModelViewSet
):
    """Screening programmes of districts and parks (operators: members of a government or
    operator organisation). `screen` ranks the published technologies against the criteria;
    `shortlist` shows each criterion's contribution; experts score, the operator selects,
    exports and invites the holders."""

    serializer_class = ScreeningProgrammeSerializer
    filterset_class = ProgrammeFilterSet
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            programme_selectors.programmes_visible_to(user=self.request.user)
            .prefetch_related("categories")
            .order_by("-created_at", "-pk")
        )

    def perform_create(self, serializer):
        serializer.instance = screening_services.programme_create(
            user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = screening_services.programme_update(
            programme=serializer.instance, user=self.request.user, **serializer.validated_data
        )

    def _entry(self, programme, technology_id):
        return get_object_or_404(programme.entries, technology_id=technology_id)

    def _shortlist(self, request, programme):
        entries = programme_selectors.programme_entries(programme=programme, user=request.user)
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(EntrySerializer(page, many=True).data)

    @extend_schema(responses={200: EntrySerializer(many=True), **ERROR_RESPONSES})
    @action(detail=True, methods=["get"])
    def shortlist(self, request, pk=None):
        """The ranked shortlist with each criterion's score, weight and contribution."""
        return self._shortlist(request, self.get_object())

    @extend_schema(request=None, responses={200: EntrySerializer(many=True), **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def screen(self, request, pk=None):
        """Rank the technologies now (selected ones stay on the shortlist)."""
        programme = self.get_object()
        screening_services.programme_screen(programme=programme, user=request.user)
        return self._shortlist(request, programme)

    @extend_schema(
        request=AssignSerializer, responses={200: ScreeningProgrammeSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"], url_path="invite-experts")
    def invite_experts(self, request, pk=None):
        programme = self.get_object()
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        screening_services.programme_invite_experts(
            programme=programme, user=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(programme).data)

    @extend_schema(
        request=EntryScoreSerializer, responses={200: EntrySerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def score(self, request, pk=None):
        """An invited expert scores one shortlisted technology (1–10)."""
        programme = self.get_object()
        serializer = EntryScoreSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = self._entry(programme, serializer.validated_data["technology"])
        screening_services.programme_expert_score(
            entry=entry,
            user=request.user,
            score=serializer.validated_data["score"],
            comment=serializer.validated_data["comment"],
        )
        return Response(EntrySerializer(entry).data)

    @extend_schema(request=SelectSerializer, responses={200: EntrySerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def select(self, request, pk=None):
        programme = self.get_object()
        serializer = SelectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = screening_services.programme_select(
            entry=self._entry(programme, serializer.validated_data["technology"]),
            user=request.user,
            selected=serializer.validated_data["selected"],
        )
        return Response(EntrySerializer(entry).data)

    @extend_schema(request=None, responses={200: EntrySerializer(many=True), **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], url_path="invite-holders")
    def invite_holders(self, request, pk=None):
        """Invite the holders of every selected technology not invited yet."""
        entries = screening_services.programme_invite_holders(
            programme=self.get_object(), user=request.user
        )
        return Response(EntrySerializer(entries, many=True).data)

    @extend_schema(request=RespondSerializer, responses={200: EntrySerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        """An invited holder accepts or declines."""
        programme = self.get_object()
        serializer = RespondSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = screening_services.programme_invitation_respond(
            entry=self._entry(programme, serializer.validated_data["technology"]),
            user=request.user,
            accept=serializer.validated_data["accept"],
        )
        return Response(EntrySerializer(entry).data)

    @extend_schema(
        request=ReasonSerializer, responses={200: ScreeningProgrammeSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        programme = screening_services.programme_close(
            programme=self.get_object(), user=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(programme).data)

    @extend_schema(
        parameters=[ExportFormatSerializer],
        responses={
            (200, "text/csv"): bytes,
            (200, XLSX_CONTENT_TYPE): bytes,
            **ERROR_RESPONSES,
        },
    )
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """The shortlist as CSV (default) or Excel (`?file_format=xlsx`)."""
        query = ExportFormatSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        programme = self.get_object()
        entries = programme_selectors.programme_entries(programme=programme, user=request.user)
        return shortlist_response(
            programme=programme,
            entries=entries,
            file_format=query.validated_data["file_format"],
        )


# --- events -----------------------------------------------------------------------------------


class EventViewSet(mixins.CreateModelMixin, BaseViewSet, viewsets.ReadOnlyModelViewSet):
    """Roadshows and matchmaking fairs. Operators and brokers create them (draft) and open
    registration; holders and enterprises `register`; a registered enterprise reads its
    `matches` among the featured technologies and books `meetings` in the `slots`."""

    serializer_class = MatchmakingEventSerializer
    filterset_class = EventFilterSet

    def get_queryset(self):
        return (
            programme_selectors.events_visible_to(user=self.request.user)
            .prefetch_related("featured_technologies", "featured_needs", "registrations")
            .order_by("starts_at", "pk")
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        technologies = data.pop("featured_technologies", None)
        needs = data.pop("featured_needs", [])
        event = event_services.event_create(
            user=self.request.user, technologies=technologies, needs=needs, **data
        )
        serializer.instance = self.get_queryset().get(pk=event.pk)

    def _respond(self, event):
        return Response(self.get_serializer(self.get_queryset().get(pk=event.pk)).data)

    @extend_schema(
        request=ProgrammesActionSerializer,
        responses={200: MatchmakingEventSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def transition(self, request, pk=None):
        """Organisers: `open`, `close_registration`, `cancel` (note)."""
        serializer = ProgrammesActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = event_services.event_transition(
            event=self.get_object(), user=request.user, **serializer.validated_data
        )
        return self._respond(event)

    @extend_schema(
        request=EventRegistrationSerializer,
        responses={201: EventRegistrationSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def register(self, request, pk=None):
        """Register your organisation (role `holder` or `enterprise`); refused when full or
        after the closing time."""
        serializer = EventRegistrationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        registration = event_services.event_register(
            event=self.get_object(), user=request.user, role=serializer.validated_data["role"]
        )
        return Response(
            EventRegistrationSerializer(registration).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses={200: SlotSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def slots(self, request, pk=None):
        slots = event_services.event_slots(event=self.get_object())
        return Response(
            SlotSerializer([{"starts_at": s, "ends_at": e} for s, e in slots], many=True).data
        )

    @extend_schema(responses={200: EventMatchSerializer(many=True), **ERROR_RESPONSES})
    @action(
        detail=True, methods=["get"], permission_classes=[IsAuthenticated], pagination_class=None
    )
    def matches(self, request, pk=None):
        """Your organisation's top matches among the featured technologies (registered
        enterprises)."""
        event = self.get_object()
        registration = programme_selectors.registration_of(event=event, user=request.user)
        if registration is None or registration.role != ParticipantRole.ENTERPRISE:
            raise PermissionDenied(_("Register your organisation as an enterprise first."))
        return Response(
            EventMatchSerializer(
                event_services.event_matches(event=event, registration=registration), many=True
            ).data
        )

    @extend_schema(
        methods=["GET"], responses={200: MeetingSerializer(many=True), **ERROR_RESPONSES}
    )
    @extend_schema(
        methods=["POST"],
        request=BookingSerializer,
        responses={201: MeetingSerializer, **ERROR_RESPONSES},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        permission_classes=[IsAuthenticated],
        pagination_class=None,
    )
    def meetings(self, request, pk=None):
        """GET: the meetings you may see. POST: book a meeting (registered enterprises); an
        overlapping slot or one beyond your allowance is refused (400)."""
        event = self.get_object()
        if request.method == "POST":
            serializer = BookingSerializer(data=request.data, context=self.get_serializer_context())
            serializer.is_valid(raise_exception=True)
            meeting = event_services.meeting_book(
                event=event, user=request.user, **serializer.validated_data
            )
            return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)
        meetings = programme_selectors.meetings_visible_to(event=event, user=request.user)
        return Response(MeetingSerializer(meetings, many=True).data)

    def _meeting(self, request, meeting_id):
        return get_object_or_404(
            programme_selectors.meetings_visible_to(event=self.get_object(), user=request.user),
            pk=meeting_id,
        )

    @extend_schema(request=None, responses={200: MeetingSerializer, **ERROR_RESPONSES})
    @action(
        detail=True,
        methods=["post"],
        url_path=r"meetings/(?P<meeting_id>\d+)/cancel",
        permission_classes=[IsAuthenticated],
    )
    def cancel_meeting(self, request, pk=None, meeting_id=None):
        meeting = event_services.meeting_cancel(
            meeting=self._meeting(request, meeting_id), user=request.user
        )
        return Response(MeetingSerializer(meeting).data)

    @extend_schema(
        request=MeetingRecordSerializer, responses={200: MeetingSerializer, **ERROR_RESPONSES}
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"meetings/(?P<meeting_id>\d+)/record",
        permission_classes=[IsAuthenticated],
    )
    def record_meeting(self, request, pk=None, meeting_id=None):
        """After its start: whether the meeting was held."""
        serializer = MeetingRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        meeting = event_services.meeting_record(
            meeting=self._meeting(request, meeting_id),
            user=request.user,
            **serializer.validated_data,
        )
        return Response(MeetingSerializer(meeting).data)


# --- challenges -------------------------------------------------------------------------------


class ChallengeViewSet(mixins.CreateModelMixin, BaseViewSet, viewsets.ReadOnlyModelViewSet):
    """Open challenges (揭榜挂帅): operators publish priority needs with a closing time;
    holders `submit` exchange proposals; judges `score`; the operator marks `winner`s and
    announces them (`transition` with action `announce` and the announcement as note)."""

    serializer_class = ChallengeSerializer
    filterset_class = ChallengeFilterSet

    def get_queryset(self):
        return programme_selectors.challenges_with_winners(
            challenges=programme_selectors.challenges_visible_to(user=self.request.user)
        ).order_by("-created_at", "-pk")

    def perform_create(self, serializer):
        challenge = challenge_services.challenge_create(
            user=self.request.user, **serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(pk=challenge.pk)

    def _respond(self, challenge):
        return Response(self.get_serializer(self.get_queryset().get(pk=challenge.pk)).data)

    @extend_schema(
        request=ProgrammesActionSerializer, responses={200: ChallengeSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def transition(self, request, pk=None):
        """Operators: `publish`, `close`, `announce` (note = the announcement)."""
        serializer = ProgrammesActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        challenge = challenge_services.challenge_transition(
            challenge=self.get_object(), user=request.user, **serializer.validated_data
        )
        return self._respond(challenge)

    @extend_schema(
        request=AssignSerializer, responses={200: ChallengeSerializer, **ERROR_RESPONSES}
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="invite-judges",
        permission_classes=[IsAuthenticated],
    )
    def invite_judges(self, request, pk=None):
        challenge = self.get_object()
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        challenge_services.challenge_invite_judges(
            challenge=challenge, user=request.user, **serializer.validated_data
        )
        return self._respond(challenge)

    @extend_schema(responses={200: SubmissionSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def submissions(self, request, pk=None):
        submissions = programme_selectors.challenge_submissions(
            challenge=self.get_object(), user=request.user
        )
        page = self.paginate_queryset(submissions)
        return self.get_paginated_response(SubmissionSerializer(page, many=True).data)

    @extend_schema(
        request=SubmitSerializer, responses={201: SubmissionSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def submit(self, request, pk=None):
        """A holder's proposal for one of the challenge's needs (an exchange proposal)."""
        serializer = SubmitSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        submission = challenge_services.challenge_submit(
            challenge=self.get_object(), user=request.user, **serializer.validated_data
        )
        return Response(SubmissionSerializer(submission).data, status=status.HTTP_201_CREATED)

    def _submission(self, challenge, submission_id):
        return get_object_or_404(challenge.submissions, pk=submission_id)

    @extend_schema(
        request=SubmissionScoreSerializer,
        responses={200: SubmissionSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def score(self, request, pk=None):
        """A judge scores a submission 1–10 once the challenge is closed."""
        challenge = self.get_object()
        serializer = SubmissionScoreSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        submission = self._submission(challenge, serializer.validated_data["submission"])
        challenge_services.challenge_score(
            submission=submission,
            user=request.user,
            score=serializer.validated_data["score"],
            comment=serializer.validated_data["comment"],
        )
        return Response(SubmissionSerializer(submission).data)

    @extend_schema(
        request=WinnerSerializer, responses={200: SubmissionSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def winner(self, request, pk=None):
        challenge = self.get_object()
        serializer = WinnerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        submission = challenge_services.challenge_mark_winner(
            submission=self._submission(challenge, serializer.validated_data["submission"]),
            user=request.user,
            winner=serializer.validated_data["winner"],
            award=serializer.validated_data["award"],
        )
        return Response(SubmissionSerializer(submission).data)

    @extend_schema(
        request=TurnDownSerializer,
        responses={200: SubmissionSerializer, **ERROR_RESPONSES},
        description="The operator tells a holder why its entry did not win: `reason_code` "
        "(required) and a `note`; the holder sees both.",
    )
    @action(
        detail=True, methods=["post"], permission_classes=[IsAuthenticated], url_path="turn-down"
    )
    def turn_down(self, request, pk=None):
        challenge = self.get_object()
        serializer = TurnDownSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        submission = challenge_services.challenge_submission_turn_down(
            submission=self._submission(challenge, data["submission"]),
            user=request.user,
            reason_code=data["reason_code"],
            note=data["note"],
        )
        return Response(SubmissionSerializer(submission).data)
