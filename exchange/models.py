from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import TsVectorField
from core.content_translations import (
    COLUMN_SUFFIX,
    ContentTranslation,
    TranslatableText,
    original_language_field,
    translatable,
    translated_text_field,
)
from core.freshness import default_valid_until, freshness_filter, is_outdated, outdated_q
from core.i18n import bilingual
from core.labels import changed_field_rows
from core.models import TransitionEvent
from core.reasons import TurnDownReasonField
from core.regions import region_label, validate_region
from currencies.models import significant
from exchange.choices import (
    Currency,
    DealAction,
    DealActor,
    DealStage,
    DocumentKind,
    IntroductionAction,
    IntroductionStatus,
    LicenceCheckDecision,
    MilestoneKind,
    NeedAction,
    NeedCloseReason,
    NeedStatus,
    ProposalAction,
    ProposalStatus,
    RatingSubject,
    TransactionMode,
)
from exchange.crossborder import DIRECTION_BADGE_CLASSES, deal_direction, direction_label
from exchange.timeline_notes import NOTE_KEY, note_text

MONEY = {"max_digits": 14, "decimal_places": 2}


NEED_BADGE_CLASSES = {
    NeedStatus.PUBLISHED: "text-bg-success",
    NeedStatus.SUBMITTED: "text-bg-info",
    NeedStatus.RETURNED: "text-bg-warning",
    NeedStatus.REJECTED: "text-bg-danger",
    NeedStatus.IN_NEGOTIATION: "text-bg-primary",
}
DEAL_BADGE_CLASSES = {
    DealStage.COMPLETED: "text-bg-success",
    DealStage.CANCELLED: "text-bg-danger",
    DealStage.REJECTED: "text-bg-danger",
    DealStage.SUBMITTED_FOR_REVIEW: "text-bg-info",
    DealStage.RETURNED: "text-bg-warning",
}


# The statuses in which a need can be outdated: the ones the public list shows.
NEED_FRESHNESS_STATUSES = (NeedStatus.PUBLISHED, NeedStatus.IN_NEGOTIATION)


class NeedQuerySet(models.QuerySet):
    def fresh(self):
        """Without the outdated needs (listed, `valid_until` passed; core.freshness)."""
        return freshness_filter(self, "", statuses=NEED_FRESHNESS_STATUSES)

    def outdated(self):
        return self.filter(outdated_q(statuses=NEED_FRESHNESS_STATUSES))


class Need(models.Model):
    """A technology need (技术需求) an organisation posts so that holders can answer it."""

    # What the organisation writes (service, form and API alike); the rest is set by workflow.
    EDITABLE_FIELDS = (
        "title_zh",
        "title_en",
        "description_zh",
        "description_en",
        "original_language",
        "category",
        "industry",
        "context",
        "trl_min",
        "budget_min",
        "budget_max",
        "currency",
        "transaction_modes",
        "region",
        "deadline",
        "is_anonymous",
        "is_open_call",
        "call_closes_on",
    )

    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="needs",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    # The language the need was written in: that text is authoritative (a Chinese or English
    # original is in the columns above, any other in its translation row).
    original_language = original_language_field()
    # Every translation row's text, kept by the services for the search vector and matching.
    translated_text = translated_text_field()
    category = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="needs",
        help_text=_("Optional: leave it empty if you are not sure."),
    )
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    context = models.TextField(
        _("context and scale"),
        blank=True,
        help_text=_("The plant, its capacity and the figures a solution must meet."),
    )
    trl_min = models.PositiveSmallIntegerField(
        _("minimum technology readiness level"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
    )
    budget_min = models.DecimalField(
        _("budget from"), null=True, blank=True, validators=[MinValueValidator(0)], **MONEY
    )
    budget_max = models.DecimalField(
        _("budget up to"), null=True, blank=True, validators=[MinValueValidator(0)], **MONEY
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY
    )
    transaction_modes = ArrayField(
        models.CharField(max_length=20, choices=TransactionMode.choices),
        default=list,
        blank=True,
        verbose_name=_("wanted transaction modes"),
    )
    region = models.CharField(_("region"), max_length=10, validators=[validate_region])
    deadline = models.DateField(_("deadline"))
    is_anonymous = models.BooleanField(
        _("anonymous"),
        default=False,
        help_text=_("Hide the company name from the public; reviewers and partners still see it."),
    )
    is_open_call = models.BooleanField(
        _("open call (揭榜)"),
        default=False,
        help_text=_("Collect proposals until a closing date, then pick one."),
    )
    call_closes_on = models.DateField(_("call closes on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=NeedStatus.choices, default=NeedStatus.DRAFT
    )
    close_reason = models.CharField(
        _("closed because"), max_length=20, choices=NeedCloseReason.choices, blank=True
    )
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    search_vector = TsVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Freshness (core.freshness): the deadline when published, moved by the owner's confirmation.
    valid_until = models.DateField(_("valid until"), default=default_valid_until)
    last_confirmed_at = models.DateTimeField(_("last confirmed"), null=True, blank=True)

    objects = NeedQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at", "-pk"]
        verbose_name = _("technology need")
        verbose_name_plural = _("technology needs")
        indexes = [
            GinIndex(fields=["search_vector"], name="need_search_vector"),
            models.Index(fields=["status", "deadline"], name="need_status_deadline"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(title_zh="")
                | ~Q(title_en="")
                | ~Q(original_language__in=list(COLUMN_SUFFIX)),
                name="need_has_a_title",
            ),
            models.CheckConstraint(
                condition=Q(budget_min__isnull=True)
                | Q(budget_max__isnull=True)
                | Q(budget_min__lte=F("budget_max")),
                name="need_budget_min_not_above_max",
            ),
            models.CheckConstraint(
                condition=Q(trl_min__isnull=True) | Q(trl_min__gte=1, trl_min__lte=9),
                name="need_trl_min_between_1_and_9",
            ),
            models.CheckConstraint(
                condition=Q(is_open_call=False) | Q(call_closes_on__isnull=False),
                name="need_open_call_has_closing_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def badge_class(self) -> str:
        """The colour of the status badge."""
        return NEED_BADGE_CLASSES.get(self.status, "text-bg-secondary")

    title = translatable("title")

    description = translatable("description")

    @property
    def is_outdated(self) -> bool:
        return is_outdated(
            status=self.status, valid_until=self.valid_until, statuses=NEED_FRESHNESS_STATUSES
        )

    @property
    def region_label(self) -> str:
        return region_label(self.region)

    @property
    def transaction_mode_labels(self) -> list[str]:
        labels = dict(TransactionMode.choices)
        return [str(labels.get(mode, mode)) for mode in self.transaction_modes]

    @property
    def is_editable(self) -> bool:
        return self.status in (NeedStatus.DRAFT, NeedStatus.RETURNED)

    @property
    def accepts_proposals(self) -> bool:
        if self.status != NeedStatus.PUBLISHED:
            return False
        return not (self.is_open_call and self.call_closes_on < timezone.localdate())

    def clean(self) -> None:
        errors: dict[str, str] = {}
        has_chinese = bool(self.title_zh.strip() and self.description_zh.strip())
        has_english = bool(self.title_en.strip() and self.description_en.strip())
        if self.original_language in COLUMN_SUFFIX and not has_chinese and not has_english:
            errors["title_zh"] = _(
                "Give the title and the description in Chinese, in English, or in both."
            )
        if (
            self.budget_min is not None
            and self.budget_max is not None
            and self.budget_min > self.budget_max
        ):
            errors["budget_max"] = _("The upper budget must not be below the lower budget.")
        if self.is_open_call and not self.call_closes_on:
            errors["call_closes_on"] = _("An open call needs a closing date.")
        if (
            self.is_open_call
            and self.call_closes_on
            and self.deadline
            and self.call_closes_on > self.deadline
        ):
            errors["call_closes_on"] = _("The call must close on or before the need's deadline.")
        if errors:
            raise ValidationError(errors)


class NeedTranslation(ContentTranslation):
    """A need's text in one language (core.content_translations): a translation, or the
    original when the need was written in a language other than Chinese or English."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="translations")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    context = models.TextField(_("context and scale"), blank=True)

    TEXT_FIELDS = ("title", "description", "context")

    class Meta(ContentTranslation.Meta):
        verbose_name = _("need translation")
        verbose_name_plural = _("need translations")
        constraints = [
            models.UniqueConstraint(
                fields=["need", "language"], name="need_translation_once_per_language"
            )
        ]


NEED_TEXT = TranslatableText(fields=NeedTranslation.TEXT_FIELDS, bilingual=("title", "description"))


class NeedEvent(TransitionEvent):
    """One step or edit of a need: who, when, from, to, note and the fields changed."""

    status_choices = NeedStatus
    action_labels = dict(NeedAction.choices)

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="events")
    changes = models.JSONField(default=dict, blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("need event")
        verbose_name_plural = _("need events")

    def __str__(self) -> str:
        return f"{self.need_id}: {self.action}"


class NeedFreshnessReminder(models.Model):
    """Records that the organisation was reminded that a need lapses on `valid_until`,
    `days_before` days ahead (once per need, date and reminder)."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="freshness_reminders")
    valid_until = models.DateField()
    days_before = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["need", "valid_until", "days_before"],
                name="one_freshness_reminder_per_need_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.need_id}: {self.valid_until} -{self.days_before}"


class DemandList(models.Model):
    """A periodic public list of needs (技术需求清单) a reviewer publishes: a frozen selection."""

    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    region = models.CharField(_("region"), max_length=10, blank=True, validators=[validate_region])
    category = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    needs = models.ManyToManyField(Need, related_name="demand_lists", blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("demand list")
        verbose_name_plural = _("demand lists")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start__lte=F("period_end")), name="demand_list_period_order"
            )
        ]

    def __str__(self) -> str:
        return self.title

    title = bilingual("title")

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_start > self.period_end:
            raise ValidationError({"period_end": _("The period must end after it starts.")})


class Proposal(TurnDownReasonField):
    """A holder's answer to a published need: which technology, the approach, price and timeline.

    A declined proposal keeps its reason code (`reason_code`) and the enterprise's words
    (`decline_reason`), which the holder sees."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="proposals")
    technology = models.ForeignKey(
        "catalog.Technology",
        verbose_name=_("technology"),
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="proposals"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approach = models.TextField(_("approach"))
    price = models.DecimalField(
        _("price"), null=True, blank=True, validators=[MinValueValidator(0)], **MONEY
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY
    )
    deal_type = models.CharField(
        _("transaction mode"), max_length=20, choices=TransactionMode.choices
    )
    timeline = models.CharField(_("timeline"), max_length=300)
    status = models.CharField(
        _("status"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.SUBMITTED
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["need", "technology"], name="one_proposal_per_need_and_technology"
            ),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0),
                name="proposal_price_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.technology} → {self.need}"

    @property
    def is_accepted(self) -> bool:
        return self.status == ProposalStatus.ACCEPTED


class ProposalMessage(models.Model):
    """A question or answer about a proposal between the enterprise and the holder."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("message"), max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("proposal message")
        verbose_name_plural = _("proposal messages")

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.body[:40]}"


class ProposalEvent(TransitionEvent):
    """One step of a proposal: submitted, shortlisted, declined (with the reason), accepted or
    withdrawn."""

    status_choices = ProposalStatus
    action_labels = dict(ProposalAction.choices)

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("proposal event")
        verbose_name_plural = _("proposal events")

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.action}"


class Introduction(models.Model):
    """A broker introduces a technology to a need or an enterprise; both sides must accept."""

    # What the broker proposes (form and API alike).
    PROPOSED_FIELDS = (
        "technology",
        "need",
        "enterprise",
        "deal_type",
        "note",
        "commission_rate",
        "commission_amount",
        "lead_centre",
        "partner_centre",
        "lead_centre_share",
        "partner_centre_share",
    )

    broker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="introductions"
    )
    technology = models.ForeignKey(
        "catalog.Technology",
        verbose_name=_("technology"),
        on_delete=models.PROTECT,
        related_name="introductions",
    )
    need = models.ForeignKey(
        Need,
        verbose_name=_("need"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="introductions",
    )
    enterprise = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="introductions_received",
    )
    deal_type = models.CharField(
        _("transaction mode"), max_length=20, choices=TransactionMode.choices
    )
    note = models.TextField(_("why they fit"), blank=True)
    commission_rate = models.DecimalField(
        _("commission rate (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    commission_amount = models.DecimalField(
        _("commission amount"), null=True, blank=True, validators=[MinValueValidator(0)], **MONEY
    )
    # Co-brokering (联合经纪): two technology transfer centres share the introduction and split
    # the commission between them; both centres and both shares, or none.
    lead_centre = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("lead centre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="introductions_led",
    )
    partner_centre = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("co-broker centre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="introductions_co_brokered",
    )
    lead_centre_share = models.DecimalField(
        _("lead centre's share of the commission (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    partner_centre_share = models.DecimalField(
        _("co-broker centre's share of the commission (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    status = models.CharField(
        max_length=20, choices=IntroductionStatus.choices, default=IntroductionStatus.PROPOSED
    )
    decline_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("introduction")
        verbose_name_plural = _("introductions")
        constraints = [
            models.CheckConstraint(
                condition=Q(commission_rate__isnull=True) | Q(commission_amount__isnull=True),
                name="introduction_commission_rate_or_amount",
            ),
            models.CheckConstraint(
                condition=Q(
                    lead_centre__isnull=True,
                    partner_centre__isnull=True,
                    lead_centre_share__isnull=True,
                    partner_centre_share__isnull=True,
                )
                | (
                    Q(
                        lead_centre__isnull=False,
                        partner_centre__isnull=False,
                        lead_centre_share__gte=0,
                        partner_centre_share__gte=0,
                    )
                    & ~Q(lead_centre=F("partner_centre"))
                    & Q(lead_centre_share=Decimal("100") - F("partner_centre_share"))
                ),
                name="introduction_co_broker_split_sums_to_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.technology} → {self.enterprise}"


class IntroductionEvent(TransitionEvent):
    """One step of a broker's introduction: introduced, accepted by a side, or declined."""

    status_choices = IntroductionStatus
    action_labels = dict(IntroductionAction.choices)

    introduction = models.ForeignKey(Introduction, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("introduction event")
        verbose_name_plural = _("introduction events")

    def __str__(self) -> str:
        return f"{self.introduction_id}: {self.action}"


class Deal(models.Model):
    """A transaction (交易) of a technology between a seller and a buyer, reviewed by the platform.

    `stage` moves only through exchange.services.deals.DEAL_WORKFLOW; every change is a DealEvent.
    """

    # The terms the parties and the broker negotiate (service, form and API alike).
    EDITABLE_FIELDS = ("price", "currency", "payment_terms", "commission_rate", "commission_amount")

    technology = models.ForeignKey(
        "catalog.Technology",
        verbose_name=_("technology"),
        on_delete=models.PROTECT,
        related_name="deals",
    )
    need = models.ForeignKey(
        Need,
        verbose_name=_("need"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deals",
    )
    proposal = models.OneToOneField(
        Proposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="deal"
    )
    introduction = models.OneToOneField(
        Introduction, null=True, blank=True, on_delete=models.SET_NULL, related_name="deal"
    )
    seller = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("seller"),
        on_delete=models.PROTECT,
        related_name="deals_as_seller",
    )
    buyer = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("buyer"),
        on_delete=models.PROTECT,
        related_name="deals_as_buyer",
    )
    broker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("broker"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deals_as_broker",
    )
    deal_type = models.CharField(_("deal type"), max_length=20, choices=TransactionMode.choices)
    price = models.DecimalField(
        _("price"), null=True, blank=True, validators=[MinValueValidator(0)], **MONEY
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY
    )
    payment_terms = models.TextField(_("payment terms"), blank=True)
    commission_rate = models.DecimalField(
        _("broker's commission rate (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    commission_amount = models.DecimalField(
        _("broker's commission amount"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        **MONEY,
    )
    # Fixed when the contract is signed (DEAL_WORKFLOW's sign_contract), never edited by a party.
    fx_rate = models.DecimalField(
        _("exchange rate fixed at signing (yuan per unit)"),
        max_digits=20,
        decimal_places=10,
        null=True,
        blank=True,
        editable=False,
    )
    fx_rate_date = models.DateField(
        _("date of the fixed exchange rate"), null=True, blank=True, editable=False
    )
    stage = models.CharField(
        _("stage"), max_length=30, choices=DealStage.choices, default=DealStage.INQUIRY
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_requested_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # 技术进出口合同登记编号: what a free (unlisted) technology export needs before completion.
    contract_registration_number = models.CharField(
        _("technology import/export contract registration number"), max_length=40, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        indexes = [models.Index(fields=["stage", "review_requested_at"], name="deal_stage_review")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(seller=F("buyer")), name="deal_seller_is_not_buyer"
            ),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0), name="deal_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(commission_rate__isnull=True) | Q(commission_amount__isnull=True),
                name="deal_commission_rate_or_amount",
            ),
        ]

    def __str__(self) -> str:
        return _("Deal %(number)s: %(technology)s") % {
            "number": self.pk,
            "technology": self.technology,
        }

    @property
    def badge_class(self) -> str:
        """The colour of the stage badge."""
        return DEAL_BADGE_CLASSES.get(self.stage, "text-bg-primary")

    @property
    def buyer_is_anonymous(self) -> bool:
        return bool(self.need_id and self.need.is_anonymous)

    @property
    def trade_direction(self) -> str | None:
        """export / import / foreign from China's side, None when domestic (crossborder)."""
        return deal_direction(self)

    @property
    def direction_label(self) -> str:
        return direction_label(self.trade_direction)

    @property
    def direction_badge_class(self) -> str:
        return DIRECTION_BADGE_CLASSES.get(self.trade_direction, "")

    @property
    def shows_fixed_rate(self) -> bool:
        """A rate fixed at signing worth showing: the deal is not in yuan."""
        return self.fx_rate is not None and self.currency != Currency.CNY

    @property
    def fx_rate_text(self) -> str:
        """The fixed rate as people read it (six significant figures)."""
        return significant(self.fx_rate) if self.fx_rate is not None else ""

    @property
    def price_cny(self) -> Decimal | None:
        """The price in yuan at the rate fixed at signing (None before signing, or no price)."""
        if self.price is None or self.fx_rate is None:
            return None
        return (self.price * self.fx_rate).quantize(Decimal("0.01"))

    @property
    def commission_value(self) -> Decimal | None:
        if self.commission_amount is not None:
            return self.commission_amount
        if self.commission_rate is not None and self.price is not None:
            return (self.price * self.commission_rate / 100).quantize(Decimal("0.01"))
        return None


class DealEvent(TransitionEvent):
    """One entry of a deal's timeline: a transition or a field change (who, in which role, when,
    from which stage to which)."""

    status_choices = DealStage
    action_labels = dict(DealAction.choices)

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="events")
    actor_role = models.CharField(max_length=20, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("deal event")
        verbose_name_plural = _("deal events")

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.action}"

    @property
    def actor_role_label(self) -> str:
        return str(dict(DealActor.choices).get(self.actor_role, self.actor_role))

    @property
    def changed_fields(self) -> list[tuple[str, object, object]]:
        """(label, before, after) of each changed field, as a reader sees them: the field's
        name and choice labels, never the column name or the stored code."""
        return changed_field_rows(Deal, self.changes)

    @property
    def shown_note(self) -> str:
        """The note in the reader's language when the platform wrote it (a screening decision),
        else as its author wrote it."""
        spec = (self.changes or {}).get(NOTE_KEY)
        return note_text(spec) if spec else self.note


class DealMilestone(models.Model):
    """A payment or delivery the contract schedules; done when the receiving side confirms."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(_("kind"), max_length=20, choices=MilestoneKind.choices)
    title = models.CharField(_("title"), max_length=200)
    amount = models.DecimalField(
        _("amount"), null=True, blank=True, validators=[MinValueValidator(0)], **MONEY
    )
    due_date = models.DateField(_("due date"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.title

    @property
    def on_time(self) -> bool | None:
        if self.done_at is None:
            return None
        return timezone.localdate(self.done_at) <= self.due_date


def deal_document_path(instance, filename: str) -> str:
    return f"deals/{instance.deal_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class DealMessage(models.Model):
    """A message in the deal room among the parties, the broker and reviewers."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("message"), max_length=8000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("deal message")
        verbose_name_plural = _("deal messages")

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.body[:40]}"


class DealDocument(models.Model):
    """A file in the deal room (NDA, term sheet, contract, acceptance report), never public."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="documents")
    message = models.ForeignKey(
        DealMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to=deal_document_path, max_length=300)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("deal document")
        verbose_name_plural = _("deal documents")

    def __str__(self) -> str:
        return self.name


class DealLicenceCheck(models.Model):
    """A reviewer's check of an export-licence document of a deal (the licence-intent letter or
    the licence): the number, issue and expiry dates, accepted or refused with a reason."""

    document = models.OneToOneField(
        DealDocument, on_delete=models.CASCADE, related_name="licence_check"
    )
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="licence_checks")
    kind = models.CharField(_("kind"), max_length=30, choices=DocumentKind.choices)
    decision = models.CharField(_("decision"), max_length=10, choices=LicenceCheckDecision.choices)
    number = models.CharField(_("document number"), max_length=60, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["checked_at", "pk"]
        verbose_name = _("licence document check")
        verbose_name_plural = _("licence document checks")
        constraints = [
            models.CheckConstraint(
                condition=Q(issued_on__isnull=True)
                | Q(expires_on__isnull=True)
                | Q(expires_on__gte=F("issued_on")),
                name="licence_check_expires_after_issue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.kind} {self.decision}"

    @property
    def badge_class(self) -> str:
        return (
            "text-bg-success"
            if self.decision == LicenceCheckDecision.ACCEPTED
            else "text-bg-danger"
        )

    @property
    def is_valid_today(self) -> bool:
        return (
            self.decision == LicenceCheckDecision.ACCEPTED
            and self.expires_on is not None
            and self.expires_on >= timezone.localdate()
        )


class DealReview(models.Model):
    """One transaction review: the checklist, the decision, and how long the deal waited."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField(max_length=20)
    reason = models.TextField(blank=True)
    checklist = models.JSONField(default=dict)
    requested_at = models.DateTimeField()
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("deal review")
        verbose_name_plural = _("deal reviews")

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.decision}"

    @property
    def turnaround(self):
        return self.decided_at - self.requested_at


class Certificate(models.Model):
    """A transaction certificate (交易鉴证) of a completed deal, verifiable by its number."""

    deal = models.OneToOneField(Deal, on_delete=models.PROTECT, related_name="certificate")
    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    amount_band = models.CharField(_("amount band"), max_length=40)
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("transaction certificate")
        verbose_name_plural = _("transaction certificates")

    def __str__(self) -> str:
        return self.number


class Rating(models.Model):
    """After completion, a party rates the other party (or the broker): 1–5 and a comment."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="ratings")
    rater = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="ratings_given"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(max_length=20, choices=RatingSubject.choices)
    rated_organization = models.ForeignKey(
        "accounts.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings_received",
    )
    rated_broker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="broker_ratings_received",
    )
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["deal", "rater", "subject"], name="one_rating_per_deal_rater_subject"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="rating_score_between_1_and_5"
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        subject="organization",
                        rated_organization__isnull=False,
                        rated_broker__isnull=True,
                    )
                    | Q(
                        subject="broker",
                        rated_broker__isnull=False,
                        rated_organization__isnull=True,
                    )
                ),
                name="rating_has_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.score}"
