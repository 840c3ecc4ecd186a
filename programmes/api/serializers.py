import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Organization
from accounts.selectors import organizations_visible_to
from catalog.choices import Currency, TransactionMode
from catalog.models import Category, Technology
from catalog.selectors import technologies_visible_to
from core.api.fields import (
    VisiblePrimaryKeyRelatedField,
    turn_down_reason_field,
    turn_down_reason_read_field,
)
from core.regions import validate_country
from core.timezones import city, validate_time_zone, zone_label
from core.validators import validate_https_url
from exchange.choices import NeedStatus
from exchange.models import Need
from exchange.selectors import needs_visible_to
from programmes.choices import (
    EVALUATION_CRITERIA,
    SCORE_MAX,
    SCORE_MIN,
    ChallengeStatus,
    ExpertStatus,
    Language,
)
from programmes.models import (
    Challenge,
    ChallengeSubmission,
    Evaluation,
    Event,
    EventRegistration,
    ExpertProfile,
    Meeting,
    Programme,
    ProgrammeEntry,
)
from programmes.selectors import experts as expert_selectors
from programmes.selectors.programmes import (
    entry_expert_median,
    online_link_visible,
    programmes_visible_to,
)
from programmes.services import challenges as challenge_services
from programmes.services import evaluations as evaluation_services
from programmes.services import events as event_services
from programmes.services import experts as expert_services
from programmes.services import screening as screening_services


class ReasonSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ProgrammesActionSerializer(serializers.Serializer):
    action = serializers.CharField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


# --- experts ----------------------------------------------------------------------------------


class ExpertSerializer(serializers.ModelSerializer):
    """An expert profile. `fields` are taxonomy codes; `organization` the platform organisation
    (your own) when the employer is on the platform, otherwise `organization_name`."""

    fields = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Category.objects.all()
    )
    languages = serializers.ListField(child=serializers.ChoiceField(choices=Language.choices))
    organization = VisiblePrimaryKeyRelatedField(
        model=Organization, scope=organizations_visible_to, required=False, allow_null=True
    )
    declared_conflicts = VisiblePrimaryKeyRelatedField(
        model=Organization, scope=organizations_visible_to, many=True, required=False
    )
    organization_label = serializers.CharField(read_only=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = ExpertProfile
        fields = [
            "id",
            "name",
            "title",
            "organization",
            "organization_name",
            "organization_label",
            "fields",
            "languages",
            "bio",
            "declared_conflicts",
            "conflicts_note",
            "offers_consulting",
            "status",
            "verified_at",
            "allowed_actions",
        ]
        read_only_fields = ["status", "verified_at"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, expert) -> list[str]:
        return expert_services.expert_allowed_actions(
            expert=expert, user=self.context["request"].user
        )


class ConsultingRequestSerializer(serializers.Serializer):
    technology = VisiblePrimaryKeyRelatedField(
        model=Technology,
        scope=technologies_visible_to,
        help_text=_("One of the expert's consulting technologies (see `consulting_technologies`)."),
    )
    topic = serializers.CharField(max_length=4000)


class ConsultingResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    deal = serializers.IntegerField(source="deal_id")
    deal_type = serializers.CharField(source="deal.deal_type")
    stage = serializers.CharField(source="deal.stage")


class ConsultingTechnologySerializer(serializers.ModelSerializer):
    class Meta:
        model = Technology
        fields = ["id", "title_zh", "title_en"]


# --- evaluations ------------------------------------------------------------------------------


class EvaluationRequestSerializer(serializers.Serializer):
    technology = VisiblePrimaryKeyRelatedField(model=Technology, scope=technologies_visible_to)
    paid = serializers.BooleanField(default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class AssignSerializer(serializers.Serializer):
    # Only the public directory: a pending expert's name must not come back in an error.
    experts = serializers.PrimaryKeyRelatedField(
        queryset=ExpertProfile.objects.filter(status=ExpertStatus.VERIFIED),
        many=True,
        allow_empty=False,
    )


class ScoreSerializer(serializers.Serializer):
    """The structured form; every score is 1–10, `assessed_trl` 1–9 (the database enforces the
    same ranges)."""

    technical_novelty = serializers.IntegerField()
    maturity = serializers.IntegerField()
    assessed_trl = serializers.IntegerField()
    market_prospects = serializers.IntegerField()
    economic_feasibility = serializers.IntegerField()
    green_benefit = serializers.IntegerField()
    comments = serializers.CharField(max_length=6000)
    identity_disclosed = serializers.BooleanField(
        default=False, help_text=_("Let the holder see your name.")
    )


class CompleteSerializer(serializers.Serializer):
    summary = serializers.CharField(max_length=4000)


class ReplySerializer(serializers.Serializer):
    reply = serializers.CharField(max_length=4000)


class AssignmentViewSerializer(serializers.Serializer):
    label = serializers.CharField()
    status = serializers.CharField()
    identity_disclosed = serializers.BooleanField()
    scores = serializers.DictField(allow_null=True)
    assessed_trl = serializers.IntegerField(allow_null=True)
    comments = serializers.CharField(allow_null=True)


class EvaluationSerializer(serializers.ModelSerializer):
    """An evaluation. Everyone sees the combined result of a completed one; the holder, the
    experts and reviewers also see each expert's form — names only for reviewers, the expert
    themself, or when the expert agreed to show it."""

    technology_title = serializers.CharField(source="technology.title", read_only=True)
    assignments = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()
    combination = serializers.CharField(source="get_method_display", read_only=True)

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "technology",
            "technology_title",
            "status",
            "requested_as",
            "paid",
            "note",
            "method",
            "combination",
            "combined_score",
            "combined_scores",
            "assessed_trl",
            "summary",
            "completed_at",
            "holder_reply",
            "holder_replied_at",
            "created_at",
            "assignments",
            "allowed_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(AssignmentViewSerializer(many=True))
    def get_assignments(self, evaluation) -> list[dict]:
        user = self.context["request"].user
        viewer = expert_selectors.evaluation_viewer(evaluation=evaluation, user=user)
        if viewer == expert_selectors.VIEWER_PUBLIC:
            return []
        rows = []
        for row in expert_selectors.evaluation_assignment_rows(
            assignments=evaluation.assignments.all(), viewer=viewer, user=user
        ):
            assignment, score = row["assignment"], row["score"]
            rows.append(
                {
                    "label": row["label"],
                    "status": assignment.status,
                    "identity_disclosed": assignment.identity_disclosed,
                    "scores": (
                        {name: getattr(score, name) for name, *_ in EVALUATION_CRITERIA}
                        if score
                        else None
                    ),
                    "assessed_trl": score.assessed_trl if score else None,
                    "comments": score.comments if score else None,
                }
            )
        return rows

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, evaluation) -> list[str]:
        return evaluation_services.evaluation_allowed_actions(
            evaluation=evaluation, user=self.context["request"].user
        )


class ExpertRosterSerializer(serializers.Serializer):
    expert = serializers.IntegerField(source="expert_id")
    name = serializers.CharField(source="expert.name")
    organization = serializers.CharField(source="expert.organization_label")
    status = serializers.CharField()
    identity_disclosed = serializers.BooleanField()


SCORE_RANGE_TEXT = f"{SCORE_MIN}–{SCORE_MAX}"


# --- programmes -------------------------------------------------------------------------------


class ScreeningProgrammeSerializer(serializers.ModelSerializer):
    """A screening programme: criteria (categories, regions, TRL range) and the weights (0–100)
    of fit, market prospects, feasibility and green benefit."""

    categories = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Category.objects.all(), required=False
    )
    operator = VisiblePrimaryKeyRelatedField(
        model=Organization,
        scope=organizations_visible_to,
        required=False,
        help_text=_("Your government or operator organisation (default: the first one)."),
    )
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Programme
        fields = [
            "id",
            *Programme.EDITABLE_FIELDS,
            "operator",
            "categories",
            "status",
            "screened_at",
            "created_at",
            "allowed_actions",
        ]
        read_only_fields = ["status", "screened_at", "created_at"]

    def validate(self, attrs):
        if self.instance is not None:
            attrs.pop("operator", None)
        return attrs

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, programme) -> list[str]:
        return screening_services.programme_allowed_actions(
            programme=programme, user=self.context["request"].user
        )


class ComponentSerializer(serializers.Serializer):
    score = serializers.FloatField(help_text=_("0–1"))
    weight = serializers.IntegerField()
    contribution = serializers.FloatField(help_text=_("Points of the total (0–100)."))
    basis = serializers.CharField()


class EntrySerializer(serializers.ModelSerializer):
    technology_title = serializers.CharField(source="technology.title", read_only=True)
    holder = serializers.CharField(source="technology.organization.display_name", read_only=True)
    components = serializers.DictField(child=ComponentSerializer())
    expert_median = serializers.SerializerMethodField()

    class Meta:
        model = ProgrammeEntry
        fields = [
            "id",
            "rank",
            "technology",
            "technology_title",
            "holder",
            "total_score",
            "components",
            "expert_median",
            "status",
            "selected_at",
            "holder_invited_at",
            "holder_response",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_expert_median(self, entry) -> float | None:
        return entry_expert_median(entry)


class EntryActionSerializer(serializers.Serializer):
    technology = serializers.IntegerField(help_text=_("The shortlisted technology's id."))


class SelectSerializer(EntryActionSerializer):
    selected = serializers.BooleanField(default=True)


class EntryScoreSerializer(EntryActionSerializer):
    score = serializers.IntegerField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class RespondSerializer(EntryActionSerializer):
    accept = serializers.BooleanField()


# --- events -----------------------------------------------------------------------------------


class MatchmakingEventSerializer(serializers.ModelSerializer):
    """A roadshow or matchmaking fair. Without `technologies`, an event created from a
    `programme` features the programme's selected technologies."""

    technologies = VisiblePrimaryKeyRelatedField(
        source="featured_technologies",
        many=True,
        model=Technology,
        scope=technologies_visible_to,
        required=False,
    )
    needs = VisiblePrimaryKeyRelatedField(
        source="featured_needs",
        many=True,
        model=Need,
        scope=needs_visible_to,
        required=False,
    )
    programme = VisiblePrimaryKeyRelatedField(
        model=Programme, scope=programmes_visible_to, required=False, allow_null=True
    )
    languages = serializers.ListField(child=serializers.ChoiceField(choices=Language.choices))
    language_labels = serializers.ListField(child=serializers.CharField(), read_only=True)
    online_url = serializers.URLField(
        required=False,
        allow_blank=True,
        validators=[validate_https_url],
        help_text=_(
            "https only. Shown to the organisers and to registered participants; blank for "
            "everyone else (see `has_online_link`)."
        ),
    )
    has_online_link = serializers.SerializerMethodField()
    organizer_time_zone = serializers.CharField(
        required=False,
        max_length=64,
        validators=[validate_time_zone],
        help_text=_(
            "IANA time zone of the organiser (e.g. Asia/Shanghai). Times in the API are ISO 8601 "
            "with the offset of your own time zone (your profile's `time_zone`)."
        ),
    )
    organizer_time_zone_label = serializers.SerializerMethodField()
    target_countries = serializers.ListField(
        child=serializers.CharField(max_length=2, validators=[validate_country]),
        required=False,
        help_text=_("ISO 3166-1 alpha-2 codes of the countries the event invites."),
    )
    target_country_labels = serializers.ListField(child=serializers.CharField(), read_only=True)
    registration_count = serializers.IntegerField(read_only=True, default=0)
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "id",
            *Event.EDITABLE_FIELDS,
            "programme",
            "status",
            "technologies",
            "needs",
            "registration_count",
            "allowed_actions",
            "language_labels",
            "has_online_link",
            "organizer_time_zone_label",
            "target_country_labels",
        ]
        read_only_fields = ["status"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, event) -> list[str]:
        return event_services.event_allowed_actions(event=event, user=self.context["request"].user)

    def get_has_online_link(self, event) -> bool:
        return bool(event.online_url)

    def get_organizer_time_zone_label(self, event) -> str:
        """Beijing (UTC+08:00): the zone's city and its offset at the event's start."""
        return zone_label(event.organizer_time_zone, event.starts_at)

    def to_representation(self, event):
        data = super().to_representation(event)
        if not online_link_visible(event=event, user=self.context["request"].user):
            data["online_url"] = ""
        return data


class EventRegistrationSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.display_name", read_only=True)

    class Meta:
        model = EventRegistration
        fields = ["id", "organization", "organization_name", "role", "created_at"]
        read_only_fields = ["organization", "created_at"]


class MeetingSerializer(serializers.ModelSerializer):
    technology_title = serializers.CharField(source="technology.title", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.display_name", read_only=True)
    holder_name = serializers.CharField(source="holder.display_name", read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "technology",
            "technology_title",
            "enterprise",
            "enterprise_name",
            "holder",
            "holder_name",
            "starts_at",
            "ends_at",
            "status",
            "note",
        ]
        read_only_fields = fields


class LocalDateTimeField(serializers.DateTimeField):
    """A time with its offset, or a local time read in the caller's own time zone; a local time
    the clocks skip there (the spring change) is refused in words, naming the zone."""

    def enforce_timezone(self, value):
        aware = super().enforce_timezone(value)
        if timezone.is_naive(value):
            # zoneinfo accepts a skipped local time silently; the round trip shows it.
            zone = timezone.get_current_timezone()
            if aware.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None) != value:
                raise serializers.ValidationError(
                    _(
                        "%(time)s does not exist in %(zone)s: the clocks change then. Choose "
                        "another time or give the UTC offset."
                    )
                    % {
                        "time": value.strftime("%Y-%m-%d %H:%M"),
                        "zone": city(timezone.get_current_timezone_name()),
                    },
                    code="make_aware",
                )
        return aware


class BookingSerializer(serializers.Serializer):
    technology = VisiblePrimaryKeyRelatedField(model=Technology, scope=technologies_visible_to)
    starts_at = LocalDateTimeField(
        help_text=_(
            "The start of one of the event's slots: ISO 8601 with its offset, or a local time "
            "in your profile's time zone."
        )
    )


class MeetingRecordSerializer(serializers.Serializer):
    held = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class SlotSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class EventMatchSerializer(serializers.Serializer):
    technology_id = serializers.IntegerField()
    score = serializers.FloatField()
    need_id = serializers.IntegerField(allow_null=True)
    reasons_zh = serializers.ListField(child=serializers.CharField())
    reasons_en = serializers.ListField(child=serializers.CharField())


# --- challenges -------------------------------------------------------------------------------


class ChallengeSerializer(serializers.ModelSerializer):
    """An open challenge: published priority needs of one region or sector (an industry code)."""

    # Only published needs: a draft need's title must not come back in an error.
    needs = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Need.objects.filter(status=NeedStatus.PUBLISHED)
    )
    sector = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Category.objects.filter(parent__isnull=True),
        required=False,
        allow_null=True,
    )
    operator = VisiblePrimaryKeyRelatedField(
        model=Organization, scope=organizations_visible_to, required=False
    )
    submission_count = serializers.IntegerField(read_only=True, default=0)
    winners = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Challenge
        fields = [
            "id",
            "title",
            "description",
            "operator",
            "region",
            "sector",
            "closes_at",
            "needs",
            "status",
            "announcement",
            "announced_at",
            "submission_count",
            "winners",
            "allowed_actions",
        ]
        read_only_fields = ["status", "announcement", "announced_at"]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_winners(self, challenge) -> list[dict]:
        if challenge.status != ChallengeStatus.ANNOUNCED:
            return []
        # The API's list prefetches them; a single challenge asks.
        winners = getattr(challenge, "winning_submissions", None)
        if winners is None:
            winners = challenge.submissions.filter(is_winner=True).select_related(
                "proposal__technology", "proposal__organization"
            )
        return [
            {
                "technology": s.proposal.technology_id,
                "technology_title": s.proposal.technology.title,
                "holder": s.proposal.organization.display_name,
                "award": s.award,
            }
            for s in winners
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, challenge) -> list[str]:
        return challenge_services.challenge_allowed_actions(
            challenge=challenge, user=self.context["request"].user
        )


class SubmissionSerializer(serializers.ModelSerializer):
    """A submission; the reason it did not win is seen only by those who see the submission
    (the operator, judges, reviewers and its holder)."""

    need = serializers.IntegerField(source="proposal.need_id", read_only=True)
    reason_label = serializers.CharField(read_only=True)
    technology = serializers.IntegerField(source="proposal.technology_id", read_only=True)
    technology_title = serializers.CharField(source="proposal.technology.title", read_only=True)
    holder = serializers.CharField(source="proposal.organization.display_name", read_only=True)
    approach = serializers.CharField(source="proposal.approach", read_only=True)
    expert_median = serializers.SerializerMethodField()

    reason_code = turn_down_reason_read_field()

    class Meta:
        model = ChallengeSubmission
        fields = [
            "id",
            "proposal",
            "need",
            "technology",
            "technology_title",
            "holder",
            "approach",
            "expert_median",
            "is_winner",
            "award",
            "reason_code",
            "reason_label",
            "reason_note",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_expert_median(self, submission) -> float | None:
        return challenge_services.submission_median(submission)


class SubmitSerializer(serializers.Serializer):
    need = VisiblePrimaryKeyRelatedField(model=Need, scope=needs_visible_to)
    technology = VisiblePrimaryKeyRelatedField(model=Technology, scope=technologies_visible_to)
    approach = serializers.CharField(max_length=4000)
    deal_type = serializers.ChoiceField(choices=TransactionMode.choices)
    timeline = serializers.CharField(max_length=300)
    price = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, min_value=0
    )
    currency = serializers.ChoiceField(choices=Currency.choices, default="CNY")


class SubmissionScoreSerializer(serializers.Serializer):
    submission = serializers.IntegerField()
    score = serializers.IntegerField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class TurnDownSerializer(serializers.Serializer):
    submission = serializers.IntegerField()
    reason_code = turn_down_reason_field()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class WinnerSerializer(serializers.Serializer):
    submission = serializers.IntegerField()
    winner = serializers.BooleanField(default=True)
    award = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
