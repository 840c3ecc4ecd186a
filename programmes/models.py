"""Experts, third-party evaluations, screening programmes, roadshows and fairs, open challenges.

Single-row rules are database constraints (score ranges, TRL ranges, weights, capacities, one
booking per slot); multi-row rules and state changes live in programmes.services.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.models import TsVectorField
from core.models import TransitionEvent
from core.reasons import TurnDownReasonFields
from core.regions import region_label, validate_country, validate_region
from core.timezones import DEFAULT_TIME_ZONE, validate_time_zone
from core.validators import validate_https_url
from programmes.choices import (
    CHALLENGE_ACTION_LABELS,
    EVALUATION_ACTION_LABELS,
    EVENT_ACTION_LABELS,
    EXPERT_ACTION_LABELS,
    PROGRAMME_ACTION_LABELS,
    SCENARIO_ACTION_LABELS,
    SCORE_MAX,
    SCORE_MIN,
    AssignmentStatus,
    ChallengeStatus,
    CombinationMethod,
    EntryStatus,
    EvaluationStatus,
    EventKind,
    EventStatus,
    ExpertStatus,
    InvitationResponse,
    Language,
    MeetingStatus,
    ParticipantRole,
    PilotStatus,
    ProgrammeStatus,
    ScenarioStatus,
)

SCORE_VALIDATORS = [MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]


def _score_check(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": SCORE_MIN, f"{field}__lte": SCORE_MAX}), name=name
    )


# --- experts ----------------------------------------------------------------------------------


class ExpertProfile(models.Model):
    """An expert's public profile; listed in the directory once a reviewer has verified it.

    `organization` (when the expert's employer is on the platform) and `declared_conflicts`
    decide which technologies the expert may not evaluate.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_profile"
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=120)
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation on the platform"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="experts",
    )
    organization_name = models.CharField(
        _("organisation"),
        max_length=200,
        blank=True,
        help_text=_("Only when your organisation is not on the platform."),
    )
    title = models.CharField(
        pgettext_lazy("job title", "title"),
        max_length=120,
        help_text=_("For example: professor, senior engineer."),
    )
    fields = models.ManyToManyField(
        "catalog.Category", verbose_name=_("fields"), related_name="experts"
    )
    languages = ArrayField(
        models.CharField(max_length=5, choices=Language.choices),
        default=list,
        verbose_name=_("languages"),
    )
    bio = models.TextField(_("short biography"), max_length=2000)
    declared_conflicts = models.ManyToManyField(
        "accounts.Organization",
        verbose_name=_("declared conflicts of interest"),
        blank=True,
        related_name="+",
        help_text=_("Organisations whose technologies you must not evaluate."),
    )
    conflicts_note = models.TextField(_("other interests to declare"), blank=True, max_length=2000)
    offers_consulting = models.BooleanField(_("offers consulting"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=ExpertStatus.choices, default=ExpertStatus.PENDING
    )
    review_note = models.TextField(_("reviewer's note"), blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    search_vector = TsVectorField(null=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    # What the expert (or a reviewer) edits: the service, the form and the API share this list.
    EDITABLE_FIELDS = (
        "name",
        "title",
        "bio",
        "languages",
        "organization",
        "organization_name",
        "conflicts_note",
        "offers_consulting",
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        indexes = [GinIndex(fields=["search_vector"], name="expert_search_gin")]
        constraints = [
            models.CheckConstraint(
                condition=Q(organization__isnull=False) | ~Q(organization_name=""),
                name="expert_has_an_organization",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def organization_label(self) -> str:
        if self.organization_id:
            return self.organization.display_name
        return self.organization_name

    @property
    def is_verified(self) -> bool:
        return self.status == ExpertStatus.VERIFIED

    @property
    def language_labels(self) -> list[str]:
        labels = dict(Language.choices)
        return [str(labels.get(code, code)) for code in self.languages]

    def clean(self) -> None:
        errors = {}
        if not self.organization_id and not self.organization_name.strip():
            errors["organization_name"] = _(
                "Name your organisation, or choose it if it is on the platform."
            )
        if not self.languages:
            errors["languages"] = _("Choose at least one language.")
        if len(set(self.languages)) != len(self.languages):
            errors["languages"] = _("Each language once.")
        if errors:
            raise ValidationError(errors)


class ExpertHistory(TransitionEvent):
    """One step of an expert's verification: who, when, from, to, note."""

    status_choices = ExpertStatus
    action_labels = EXPERT_ACTION_LABELS

    expert = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="history")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("expert history entry")
        verbose_name_plural = _("expert history")


class ConsultingRequest(models.Model):
    """A request for an expert's consulting; it is a `consulting` deal of the exchange."""

    expert = models.ForeignKey(
        ExpertProfile, on_delete=models.PROTECT, related_name="consulting_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    deal = models.OneToOneField(
        "exchange.Deal", on_delete=models.CASCADE, related_name="consulting_request"
    )
    topic = models.TextField(_("what you need advice on"), max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("consulting request")
        verbose_name_plural = _("consulting requests")

    def __str__(self) -> str:
        return f"{self.expert} ← {self.deal.buyer}"


# --- evaluations ------------------------------------------------------------------------------


class Evaluation(models.Model):
    """A third-party evaluation (第三方评价) of a technology by assigned experts.

    Scores are combined by `method` (median by default) into `combined_scores` per criterion and
    `combined_score` overall when a reviewer completes it.
    """

    technology = models.ForeignKey(
        "catalog.Technology",
        verbose_name=_("technology"),
        on_delete=models.CASCADE,
        related_name="evaluations",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_as = models.CharField(_("requested as"), max_length=20)
    paid = models.BooleanField(
        _("paid evaluation"), default=False, help_text=_("Recorded: the holder pays a fee.")
    )
    note = models.TextField(_("what should the experts look at"), blank=True, max_length=2000)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=EvaluationStatus.choices,
        default=EvaluationStatus.REQUESTED,
    )
    method = models.CharField(
        _("combination"),
        max_length=20,
        choices=CombinationMethod.choices,
        default=CombinationMethod.MEDIAN,
    )
    combined_score = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    combined_scores = models.JSONField(default=dict, blank=True)
    assessed_trl = models.PositiveSmallIntegerField(null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True, max_length=4000)
    completed_at = models.DateTimeField(null=True, blank=True)
    holder_reply = models.TextField(_("holder's reply"), blank=True, max_length=4000)
    holder_replied_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.UniqueConstraint(
                fields=["technology"],
                condition=Q(status__in=[EvaluationStatus.REQUESTED, EvaluationStatus.IN_PROGRESS]),
                name="one_open_evaluation_per_technology",
            ),
            models.CheckConstraint(
                condition=Q(combined_score__isnull=True)
                | Q(combined_score__gte=SCORE_MIN, combined_score__lte=SCORE_MAX),
                name="evaluation_combined_score_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(status=EvaluationStatus.COMPLETED) | Q(combined_score__isnull=False),
                name="completed_evaluation_has_score",
            ),
        ]

    def __str__(self) -> str:
        return _("Evaluation of %(technology)s") % {"technology": self.technology}

    @property
    def is_completed(self) -> bool:
        return self.status == EvaluationStatus.COMPLETED


class EvaluationAssignment(models.Model):
    """An expert assigned to an evaluation; `identity_disclosed` lets the holder see the name."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="assignments")
    expert = models.ForeignKey(
        ExpertProfile, on_delete=models.PROTECT, related_name="evaluation_assignments"
    )
    status = models.CharField(
        max_length=20, choices=AssignmentStatus.choices, default=AssignmentStatus.ASSIGNED
    )
    identity_disclosed = models.BooleanField(_("show my name to the holder"), default=False)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decline_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("evaluation assignment")
        verbose_name_plural = _("evaluation assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "expert"], name="one_assignment_per_expert"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expert} → {self.evaluation_id}"


class EvaluationScore(models.Model):
    """One expert's structured form: five scores 1–10, the TRL they found, and comments."""

    assignment = models.OneToOneField(
        EvaluationAssignment, on_delete=models.CASCADE, related_name="score"
    )
    technical_novelty = models.PositiveSmallIntegerField(
        _("technical novelty"), validators=SCORE_VALIDATORS
    )
    maturity = models.PositiveSmallIntegerField(_("maturity"), validators=SCORE_VALIDATORS)
    assessed_trl = models.PositiveSmallIntegerField(
        _("TRL found by the expert"), validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    market_prospects = models.PositiveSmallIntegerField(
        _("market prospects"), validators=SCORE_VALIDATORS
    )
    economic_feasibility = models.PositiveSmallIntegerField(
        _("economic feasibility"), validators=SCORE_VALIDATORS
    )
    green_benefit = models.PositiveSmallIntegerField(
        _("green benefit"), validators=SCORE_VALIDATORS
    )
    comments = models.TextField(_("comments"), max_length=6000)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("evaluation score")
        verbose_name_plural = _("evaluation scores")
        constraints = [
            _score_check("technical_novelty", "score_technical_novelty_1_to_10"),
            _score_check("maturity", "score_maturity_1_to_10"),
            _score_check("market_prospects", "score_market_prospects_1_to_10"),
            _score_check("economic_feasibility", "score_economic_feasibility_1_to_10"),
            _score_check("green_benefit", "score_green_benefit_1_to_10"),
            models.CheckConstraint(
                condition=Q(assessed_trl__gte=1, assessed_trl__lte=9),
                name="score_assessed_trl_1_to_9",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment}: {self.overall}"

    @property
    def overall(self) -> float:
        values = [
            self.technical_novelty,
            self.maturity,
            self.market_prospects,
            self.economic_feasibility,
            self.green_benefit,
        ]
        return round(sum(values) / len(values), 2)


class EvaluationHistory(TransitionEvent):
    """One step of an evaluation: request, assignment, score, start, completion, reply."""

    status_choices = EvaluationStatus
    action_labels = EVALUATION_ACTION_LABELS

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="history")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("evaluation history entry")
        verbose_name_plural = _("evaluation history")


# --- screening programmes ---------------------------------------------------------------------


class Programme(models.Model):
    """A screening programme of a district or park: criteria, weights and a ranked shortlist."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    positioning = models.TextField(
        _("industrial positioning"),
        max_length=4000,
        help_text=_(
            "The industries and problems the district or park wants solved; technologies are "
            "ranked by how well they fit this text."
        ),
    )
    operator = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="programmes",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    categories = models.ManyToManyField(
        "catalog.Category", verbose_name=_("categories"), blank=True, related_name="+"
    )
    regions = ArrayField(
        models.CharField(max_length=10, validators=[validate_region]),
        default=list,
        blank=True,
        verbose_name=_("regions"),
        help_text=_("Holder regions or target regions; empty: any region."),
    )
    trl_min = models.PositiveSmallIntegerField(
        _("TRL from"), default=1, validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    trl_max = models.PositiveSmallIntegerField(
        _("TRL to"), default=9, validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    weight_fit = models.PositiveSmallIntegerField(
        _("weight: fit"), default=40, validators=[MaxValueValidator(100)]
    )
    weight_market = models.PositiveSmallIntegerField(
        _("weight: market prospects"), default=25, validators=[MaxValueValidator(100)]
    )
    weight_feasibility = models.PositiveSmallIntegerField(
        _("weight: feasibility"), default=20, validators=[MaxValueValidator(100)]
    )
    weight_green = models.PositiveSmallIntegerField(
        _("weight: green benefit"), default=15, validators=[MaxValueValidator(100)]
    )
    shortlist_size = models.PositiveSmallIntegerField(
        _("shortlist size"), default=30, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ProgrammeStatus.choices, default=ProgrammeStatus.DRAFT
    )
    screened_at = models.DateTimeField(null=True, blank=True)
    experts = models.ManyToManyField(
        ExpertProfile, verbose_name=_("invited experts"), blank=True, related_name="programmes"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    # The criteria an operator edits: the service, the form and the API share this list.
    EDITABLE_FIELDS = (
        "name",
        "description",
        "positioning",
        "regions",
        "trl_min",
        "trl_max",
        "weight_fit",
        "weight_market",
        "weight_feasibility",
        "weight_green",
        "shortlist_size",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("screening programme")
        verbose_name_plural = _("screening programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(trl_min__gte=1) & Q(trl_min__lte=F("trl_max")) & Q(trl_max__lte=9),
                name="programme_trl_range",
            ),
            models.CheckConstraint(
                condition=Q(weight_fit__lte=100)
                & Q(weight_market__lte=100)
                & Q(weight_feasibility__lte=100)
                & Q(weight_green__lte=100),
                name="programme_weights_at_most_100",
            ),
            models.CheckConstraint(
                condition=Q(weight_fit__gt=0)
                | Q(weight_market__gt=0)
                | Q(weight_feasibility__gt=0)
                | Q(weight_green__gt=0),
                name="programme_has_a_weight",
            ),
            models.CheckConstraint(
                condition=Q(shortlist_size__gte=1, shortlist_size__lte=500),
                name="programme_shortlist_size",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_screening(self) -> bool:
        return self.status == ProgrammeStatus.SCREENING

    @property
    def weights(self) -> dict[str, int]:
        return {
            "fit": self.weight_fit,
            "market": self.weight_market,
            "feasibility": self.weight_feasibility,
            "green": self.weight_green,
        }

    @property
    def region_labels(self) -> list[str]:
        return [region_label(code) for code in self.regions]

    def clean(self) -> None:
        errors = {}
        if self.trl_min and self.trl_max and self.trl_min > self.trl_max:
            errors["trl_max"] = _("The upper TRL must not be below the lower one.")
        if not any(self.weights.values()):
            errors["weight_fit"] = _("Give at least one criterion a weight above zero.")
        if errors:
            raise ValidationError(errors)


class ProgrammeEntry(models.Model):
    """A technology on a programme's shortlist with its score and each criterion's part.

    `components` maps each criterion to {score (0–1), weight (%), contribution (points),
    basis}; `total_score` (0–100) is the sum of the contributions.
    """

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="entries")
    technology = models.ForeignKey(
        "catalog.Technology", on_delete=models.CASCADE, related_name="programme_entries"
    )
    rank = models.PositiveIntegerField()
    total_score = models.DecimalField(max_digits=5, decimal_places=2)
    components = models.JSONField(default=dict)
    status = models.CharField(
        max_length=20, choices=EntryStatus.choices, default=EntryStatus.SHORTLISTED
    )
    selected_at = models.DateTimeField(null=True, blank=True)
    holder_invited_at = models.DateTimeField(null=True, blank=True)
    holder_response = models.CharField(
        max_length=20, choices=InvitationResponse.choices, default=InvitationResponse.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["rank", "pk"]
        verbose_name = _("shortlist entry")
        verbose_name_plural = _("shortlist entries")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "technology"], name="one_entry_per_programme_technology"
            ),
            models.CheckConstraint(
                condition=Q(total_score__gte=0, total_score__lte=100),
                name="entry_total_score_0_to_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} #{self.rank}: {self.technology_id}"

    @property
    def is_selected(self) -> bool:
        return self.status == EntryStatus.SELECTED

    @property
    def awaits_holder_response(self) -> bool:
        return (
            self.holder_invited_at is not None
            and self.holder_response == InvitationResponse.PENDING
        )


class ExpertScore(models.Model):
    """An expert's score (1–10) with a comment; programmes and challenges score this way."""

    expert = models.ForeignKey(ExpertProfile, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"), validators=SCORE_VALIDATORS)
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]


class ProgrammeExpertScore(ExpertScore):
    """An invited expert's score (1–10) of one shortlisted technology."""

    entry = models.ForeignKey(
        ProgrammeEntry, on_delete=models.CASCADE, related_name="expert_scores"
    )

    class Meta(ExpertScore.Meta):
        verbose_name = _("expert score of a shortlisted technology")
        verbose_name_plural = _("expert scores of shortlisted technologies")
        constraints = [
            models.UniqueConstraint(fields=["entry", "expert"], name="one_score_per_entry_expert"),
            _score_check("score", "programme_score_1_to_10"),
        ]

    def __str__(self) -> str:
        return f"{self.expert}: {self.score}"


class ProgrammeHistory(TransitionEvent):
    """One step of a programme: screening, invitations, selections, closing."""

    status_choices = ProgrammeStatus
    action_labels = PROGRAMME_ACTION_LABELS

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="history")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("programme history entry")
        verbose_name_plural = _("programme history")


# --- roadshows and matchmaking fairs ----------------------------------------------------------


class Event(models.Model):
    """A roadshow or matchmaking fair with featured technologies and needs and meeting slots.

    Meetings are booked on a grid of `slot_minutes` from `starts_at` to `ends_at`.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organizer_organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organiser"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organized_events",
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    registration_closes_at = models.DateTimeField(_("registration closes at"))
    venue = models.CharField(_("place"), max_length=300, blank=True)
    online_url = models.URLField(
        _("online link"),
        blank=True,
        validators=[validate_https_url],
        help_text=_("Shown to registered participants only."),
    )
    organizer_time_zone = models.CharField(
        _("organiser's time zone"),
        max_length=64,
        default=DEFAULT_TIME_ZONE,
        validators=[validate_time_zone],
        help_text=_("The times you enter are in this zone; each reader also sees them in theirs."),
    )
    target_countries = ArrayField(
        models.CharField(max_length=2, validators=[validate_country]),
        default=list,
        blank=True,
        verbose_name=_("countries targeted"),
    )
    capacity = models.PositiveIntegerField(
        _("capacity (organisations)"), validators=[MinValueValidator(1)]
    )
    languages = ArrayField(
        models.CharField(max_length=5, choices=Language.choices),
        default=list,
        verbose_name=_("languages"),
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("meeting length (minutes)"),
        default=20,
        validators=[MinValueValidator(5), MaxValueValidator(120)],
    )
    meetings_per_participant = models.PositiveSmallIntegerField(
        _("meetings per enterprise"), default=6, validators=[MinValueValidator(1)]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=EventStatus.choices, default=EventStatus.DRAFT
    )
    featured_technologies = models.ManyToManyField(
        "catalog.Technology", verbose_name=_("featured technologies"), blank=True, related_name="+"
    )
    featured_needs = models.ManyToManyField(
        "exchange.Need", verbose_name=_("featured needs"), blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    # What the organiser sets: the service and the API share this list.
    EDITABLE_FIELDS = (
        "kind",
        "title",
        "description",
        "starts_at",
        "ends_at",
        "registration_closes_at",
        "venue",
        "online_url",
        "organizer_time_zone",
        "target_countries",
        "capacity",
        "languages",
        "slot_minutes",
        "meetings_per_participant",
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(registration_closes_at__lte=F("starts_at")),
                name="event_registration_closes_before_start",
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="event_capacity_positive"),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5, slot_minutes__lte=120),
                name="event_slot_minutes_5_to_120",
            ),
            models.CheckConstraint(
                condition=Q(meetings_per_participant__gte=1),
                name="event_meetings_per_participant_positive",
            ),
            models.CheckConstraint(
                condition=~Q(venue="") | ~Q(online_url=""), name="event_has_a_place_or_link"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def language_labels(self) -> list[str]:
        labels = dict(Language.choices)
        return [str(labels.get(code, code)) for code in self.languages]

    @property
    def target_country_labels(self) -> list[str]:
        return [region_label(code) for code in self.target_countries]

    @property
    def registration_open(self) -> bool:
        return self.status == EventStatus.OPEN and timezone.now() < self.registration_closes_at

    def clean(self) -> None:
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The event must end after it starts.")
        if (
            self.starts_at
            and self.registration_closes_at
            and self.registration_closes_at > self.starts_at
        ):
            errors["registration_closes_at"] = _("Registration must close before the event starts.")
        if not self.venue.strip() and not self.online_url.strip():
            errors["venue"] = _("Give a place, an online link, or both.")
        if not self.languages:
            errors["languages"] = _("Choose at least one language.")
        if errors:
            raise ValidationError(errors)


class EventRegistration(models.Model):
    """An organisation registered for an event, as a technology holder or as an enterprise."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="event_registrations"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    role = models.CharField(_("taking part as"), max_length=20, choices=ParticipantRole.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "organization"], name="one_registration_per_organization"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} @ {self.event}"


ACTIVE_MEETING = Q(status__in=[MeetingStatus.BOOKED, MeetingStatus.HELD])


class Meeting(models.Model):
    """A short one-to-one meeting between an enterprise and a featured technology's holder.

    The unique constraints make double booking impossible at the database: one active meeting
    per slot for the technology, for the enterprise and for the holder.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meetings")
    registration = models.ForeignKey(
        EventRegistration, on_delete=models.CASCADE, related_name="meetings"
    )
    enterprise = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    technology = models.ForeignKey(
        "catalog.Technology", on_delete=models.PROTECT, related_name="event_meetings"
    )
    holder = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(
        max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.BOOKED
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "technology", "starts_at"],
                condition=ACTIVE_MEETING,
                name="meeting_one_per_technology_slot",
            ),
            models.UniqueConstraint(
                fields=["event", "enterprise", "starts_at"],
                condition=ACTIVE_MEETING,
                name="meeting_one_per_enterprise_slot",
            ),
            models.UniqueConstraint(
                fields=["event", "holder", "starts_at"],
                condition=ACTIVE_MEETING,
                name="meeting_one_per_holder_slot",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(enterprise=F("holder")), name="meeting_between_two_organizations"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%H:%M} {self.enterprise} × {self.technology}"

    @property
    def is_booked(self) -> bool:
        return self.status == MeetingStatus.BOOKED


class EventHistory(TransitionEvent):
    """One step of an event: opening, registrations, bookings, meetings held."""

    status_choices = EventStatus
    action_labels = EVENT_ACTION_LABELS

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="history")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("event history entry")
        verbose_name_plural = _("event history")


# --- open challenges --------------------------------------------------------------------------


class Challenge(models.Model):
    """An open challenge (揭榜挂帅): priority needs of one region or sector, a closing time,
    proposals from holders (exchange proposals), expert scores and announced winners."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=6000)
    operator = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="challenges",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    region = models.CharField(_("region"), max_length=10, blank=True, validators=[validate_region])
    sector = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("sector"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("An industry of the taxonomy (first level)."),
    )
    closes_at = models.DateTimeField(_("closes at"))
    needs = models.ManyToManyField(
        "exchange.Need", verbose_name=_("priority needs"), related_name="challenges"
    )
    judges = models.ManyToManyField(
        ExpertProfile, verbose_name=_("expert judges"), blank=True, related_name="challenges"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ChallengeStatus.choices, default=ChallengeStatus.DRAFT
    )
    announcement = models.TextField(_("announcement"), blank=True, max_length=6000)
    announced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("open challenge")
        verbose_name_plural = _("open challenges")
        constraints = [
            models.CheckConstraint(
                condition=~Q(region="") | Q(sector__isnull=False),
                name="challenge_has_region_or_sector",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_announced(self) -> bool:
        return self.status == ChallengeStatus.ANNOUNCED

    @property
    def region_label(self) -> str:
        return region_label(self.region) if self.region else ""

    @property
    def accepts_proposals(self) -> bool:
        return self.status == ChallengeStatus.OPEN and timezone.now() < self.closes_at

    def clean(self) -> None:
        if not self.region and not self.sector_id:
            raise ValidationError({"region": _("Choose a region, a sector, or both.")})
        if self.sector_id and self.sector.parent_id is not None:
            raise ValidationError({"sector": _("Choose an industry (a first-level category).")})


class ChallengeSubmission(TurnDownReasonFields):
    """A holder's exchange proposal entered in a challenge; `is_winner` once announced, and a
    reason (code and words) the operator gives an entry that did not win."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="submissions")
    proposal = models.OneToOneField(
        "exchange.Proposal", on_delete=models.CASCADE, related_name="challenge_submission"
    )
    is_winner = models.BooleanField(default=False)
    award = models.CharField(_("award"), max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("challenge submission")
        verbose_name_plural = _("challenge submissions")

    def __str__(self) -> str:
        return f"{self.challenge_id}: {self.proposal}"


class ChallengeScore(ExpertScore):
    """A judge's score (1–10) of one submission."""

    submission = models.ForeignKey(
        ChallengeSubmission, on_delete=models.CASCADE, related_name="scores"
    )

    class Meta(ExpertScore.Meta):
        verbose_name = _("challenge score")
        verbose_name_plural = _("challenge scores")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "expert"], name="one_score_per_submission_expert"
            ),
            _score_check("score", "challenge_score_1_to_10"),
        ]

    def __str__(self) -> str:
        return f"{self.expert}: {self.score}"


class ChallengeHistory(TransitionEvent):
    """One step of a challenge: publishing, submissions, closing, announcement."""

    status_choices = ChallengeStatus
    action_labels = CHALLENGE_ACTION_LABELS

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="history")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("challenge history entry")
        verbose_name_plural = _("challenge history")


# --- application scenarios (新技术应用场景清单) ---------------------------------------------------


class Scenario(models.Model):
    """A real site (a plant, a district, a river section) where a new technology may be piloted.

    Each scenario owns one Programme (one-to-one, created with it): holders' applications ARE
    that programme's ProgrammeEntry rows, so invited experts score them, the operator selects
    and exports the shortlist with the existing screening machinery, and no second copy of
    criteria, expert scores or shortlists exists. The scenario adds the site, the window and the
    award (a PilotAgreement).
    """

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="scenario", editable=False
    )
    title = models.CharField(_("title"), max_length=200)
    site = models.CharField(
        _("site"), max_length=300, help_text=_("The plant, district or river section.")
    )
    problem = models.TextField(_("problem to solve"), max_length=4000)
    conditions = models.TextField(_("site conditions"), blank=True, max_length=4000)
    capacity = models.CharField(
        _("capacity on offer"),
        max_length=300,
        help_text=_("What the site offers the pilot: e.g. one treatment line of 500 t/day."),
    )
    support = models.TextField(_("support given"), blank=True, max_length=2000)
    criteria = models.TextField(_("judging criteria"), max_length=4000)
    region = models.CharField(_("region"), max_length=10, blank=True, validators=[validate_region])
    industry = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("industry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opens_at = models.DateTimeField(_("applications open"))
    closes_at = models.DateTimeField(_("applications close"))
    pilot_months = models.PositiveSmallIntegerField(
        _("pilot period (months)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ScenarioStatus.choices, default=ScenarioStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    EDITABLE_FIELDS = (
        "title",
        "site",
        "problem",
        "conditions",
        "capacity",
        "support",
        "criteria",
        "region",
        "industry",
        "opens_at",
        "closes_at",
        "pilot_months",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("application scenario")
        verbose_name_plural = _("application scenarios")
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__lt=F("closes_at")), name="scenario_window_order"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def region_label(self) -> str:
        return region_label(self.region) if self.region else ""

    def window_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at

    def clean(self) -> None:
        if self.opens_at and self.closes_at and self.opens_at >= self.closes_at:
            raise ValidationError({"closes_at": _("Applications must close after they open.")})


class ScenarioHistory(TransitionEvent):
    status_choices = ScenarioStatus
    action_labels = SCENARIO_ACTION_LABELS

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="history")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("scenario history entry")
        verbose_name_plural = _("scenario history")


class ScenarioList(models.Model):
    """A published list of application scenarios for one period (e.g. “2026 Q4”)."""

    operator = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="scenario_lists",
    )
    title = models.CharField(_("title"), max_length=200)
    period = models.CharField(_("period"), max_length=40, help_text=_("For example “2026 Q4”."))
    scenarios = models.ManyToManyField(Scenario, verbose_name=_("scenarios"), related_name="lists")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), default=timezone.now)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("scenario list")
        verbose_name_plural = _("scenario lists")
        constraints = [
            models.UniqueConstraint(
                fields=["operator", "period"], name="one_scenario_list_per_operator_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.period})"


class PilotAgreement(models.Model):
    """The award of a scenario: the winning technology pilots at the site for a period."""

    scenario = models.OneToOneField(
        Scenario, on_delete=models.PROTECT, related_name="pilot_agreement"
    )
    entry = models.OneToOneField(ProgrammeEntry, on_delete=models.PROTECT, related_name="+")
    technology = models.ForeignKey(
        "catalog.Technology",
        verbose_name=_("technology"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    holder = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("holder"),
        on_delete=models.PROTECT,
        related_name="pilot_agreements",
    )
    site = models.CharField(_("site"), max_length=300)
    starts_on = models.DateField(_("pilot starts"))
    ends_on = models.DateField(_("pilot ends"))
    support = models.TextField(_("support given"), blank=True, max_length=2000)
    status = models.CharField(
        _("status"), max_length=20, choices=PilotStatus.choices, default=PilotStatus.ACTIVE
    )
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("pilot agreement")
        verbose_name_plural = _("pilot agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__lt=F("ends_on")), name="pilot_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scenario} – {self.technology}"
