from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.choices import (
    LONG_TERM_USE_MINIMUM_YEARS,
    PATENT_KINDS,
    SDG_GOALS,
    TECHNOLOGY_STATUS_BADGES,
    TRL_DEFINITIONS,
    AccessRequestStatus,
    Currency,
    DuplicateFlagStatus,
    DuplicateSource,
    IntellectualPropertyKind,
    IntellectualPropertyStatus,
    ResourceKind,
    RevisionStatus,
    ServiceInventionRightKind,
    TechnologyAction,
    TechnologyStatus,
    TransactionMode,
    TrlAssessmentAction,
    TrlAssessmentStatus,
    TrlConfirmerRole,
)
from catalog.validators import normalize_patent_number, validate_patent_number
from core.content_translations import (
    COLUMN_SUFFIX,
    ContentTranslation,
    TranslatableText,
    original_language_field,
    translatable,
    translated_text_field,
)
from core.freshness import (
    DefaultValidUntil,
    default_valid_until,
    freshness_filter,
    is_outdated,
    outdated_q,
)
from core.i18n import bilingual
from core.labels import labelled_comments
from core.models import TransitionEvent, decided_by_field
from core.regions import region_label, validate_region


class Category(models.Model):
    """A green-industry category (绿色产业指导目录): an industry (level 1) or one of its groups."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=150)
    sort_key = models.CharField(max_length=40, editable=False, db_index=True)

    class Meta:
        ordering = ["sort_key"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    name = bilingual("name")

    @property
    def level(self) -> int:
        return self.code.count(".") + 1


class TsVectorField(SearchVectorField):
    """A stored tsvector written from a literal built in Python (see catalog.search)."""

    def get_placeholder(self, value, compiler, connection):
        return "%s::tsvector"


class TechnologyQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=TechnologyStatus.PUBLISHED)

    def of_organizations(self, organization_ids):
        return self.filter(organization_id__in=organization_ids)

    def fresh(self):
        """Without the outdated listings (published, `valid_until` passed; core.freshness)."""
        return freshness_filter(self, "", statuses=FRESHNESS_STATUSES)

    def outdated(self):
        return self.filter(outdated_q(statuses=FRESHNESS_STATUSES))


# The statuses in which a listing can be outdated: only a public listing lapses.
FRESHNESS_STATUSES = (TechnologyStatus.PUBLISHED,)


class Technology(models.Model):
    """A green technology (科技成果) listed by a holder organisation.

    Title, summary and the public fields form the teaser everyone sees once it is published; the
    description, performance figures and confidential attachments are shown only to members of
    the holder, reviewers and users whose access request (with the listing's NDA) was approved.
    `transaction_modes`, `asking_price` and `has_granted_patent` summarise the offer and IP rows
    and are maintained by catalog.services; `search_vector` and `completeness_score` too.
    """

    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("holder"),
        on_delete=models.PROTECT,
        related_name="technologies",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=250, blank=True)
    summary_zh = models.TextField(_("summary (Chinese)"), blank=True, max_length=2000)
    summary_en = models.TextField(_("summary (English)"), blank=True, max_length=3000)
    description_zh = models.TextField(_("full description (Chinese)"), blank=True)
    description_en = models.TextField(_("full description (English)"), blank=True)
    # The language the holder wrote the listing in: that text is authoritative (a Chinese or
    # English original is in the columns above, any other in its translation row).
    original_language = original_language_field()
    # Every translation row's public text, kept by catalog.services for the search vector and the
    # match documents (translations hold public fields only).
    translated_text = translated_text_field()
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="technologies",
    )
    keywords = ArrayField(
        models.CharField(max_length=60), default=list, blank=True, verbose_name=_("keywords")
    )
    trl = models.PositiveSmallIntegerField(
        _("technology readiness level (TRL)"),
        validators=[MinValueValidator(1), MaxValueValidator(9)],
    )
    application_scope = models.TextField(_("application scope"), blank=True)
    advantages = models.TextField(_("advantages over existing solutions"), blank=True)
    economic_comparison = models.TextField(_("economic comparison"), blank=True)
    transaction_modes = ArrayField(
        models.CharField(max_length=20, choices=TransactionMode.choices),
        default=list,
        blank=True,
        verbose_name=_("transaction modes"),
    )
    asking_price = models.DecimalField(
        _("asking price"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "The lowest asking price among the offers; empty when every offer is negotiable."
        ),
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY
    )
    co2e_avoided_tonnes_per_year = models.DecimalField(
        _("t CO2e avoided per year (typical deployment)"),
        max_digits=12,
        decimal_places=1,
        null=True,
        blank=True,
    )
    co2e_method = models.TextField(_("CO2e estimation method"), blank=True)
    sdg_goals = ArrayField(
        models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(17)]),
        default=list,
        blank=True,
        verbose_name=_("SDG goals"),
    )
    region = models.CharField(_("holder region"), max_length=10, validators=[validate_region])
    target_regions = ArrayField(
        models.CharField(max_length=10, validators=[validate_region]),
        default=list,
        blank=True,
        verbose_name=_("target regions"),
    )
    nda_text = models.TextField(
        _("non-disclosure agreement"),
        blank=True,
        help_text=_("Shown to users who ask for the confidential detail; empty: the standard NDA."),
    )
    has_granted_patent = models.BooleanField(default=False, editable=False)
    # 0-100, what catalog.completeness finds of what a buyer needs; kept by catalog.services on
    # every write that changes its inputs, so search results and cards read it without a query.
    completeness_score = models.PositiveSmallIntegerField(
        _("completeness"),
        default=0,
        db_default=0,  # bulk writers (COPY in catalog.synthetic) that leave the column out
        editable=False,
        validators=[MaxValueValidator(100)],
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=TechnologyStatus.choices,
        default=TechnologyStatus.DRAFT,
        db_index=True,
    )
    search_vector = TsVectorField(null=True, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # Set with the status `merged` (catalog.services.technology_merge): the listing a reviewer
    # kept of this duplicate; its page and API detail send readers there.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="merged_duplicates",
    )
    # Freshness (core.freshness): set on publication and on each confirmation by the holder.
    valid_until = models.DateField(
        _("valid until"), default=default_valid_until, db_default=DefaultValidUntil()
    )
    last_confirmed_at = models.DateTimeField(_("last confirmed"), null=True, blank=True)

    objects = TechnologyQuerySet.as_manager()

    # What a holder writes, by name: services, the form, the import and the API input take this
    # list. The offer summary (transaction_modes, asking_price) and has_granted_patent follow from
    # the rows (ROW_RELATIONS); status, dates and the search vector belong to the services.
    EDITABLE_FIELDS = (
        "title_zh",
        "title_en",
        "summary_zh",
        "summary_en",
        "description_zh",
        "description_en",
        "category",
        "keywords",
        "trl",
        "application_scope",
        "advantages",
        "economic_comparison",
        "currency",
        "co2e_avoided_tonnes_per_year",
        "co2e_method",
        "sdg_goals",
        "region",
        "target_regions",
        "nda_text",
        "original_language",
    )

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("technology")
        verbose_name_plural = _("technologies")
        indexes = [
            GinIndex(fields=["search_vector"], name="technology_search_gin"),
            models.Index(fields=["status", "-published_at"], name="technology_status_published"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(trl__gte=1) & Q(trl__lte=9), name="technology_trl_1_to_9"
            ),
            models.CheckConstraint(
                condition=Q(asking_price__isnull=True) | Q(asking_price__gte=0),
                name="technology_asking_price_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(title_zh="")
                | ~Q(title_en="")
                | ~Q(original_language__in=list(COLUMN_SUFFIX)),
                name="technology_has_a_title",
            ),
            models.CheckConstraint(
                condition=Q(co2e_avoided_tonnes_per_year__isnull=True)
                | Q(co2e_avoided_tonnes_per_year__gte=0),
                name="technology_co2e_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(status=TechnologyStatus.MERGED, merged_into__isnull=False)
                | (~Q(status=TechnologyStatus.MERGED) & Q(merged_into__isnull=True)),
                name="technology_merged_has_survivor",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    title = translatable("title")
    summary = translatable("summary")
    description = bilingual("description")

    @property
    def trl_definition(self) -> str:
        return str(TRL_DEFINITIONS.get(self.trl, ""))

    @property
    def region_label(self) -> str:
        return region_label(self.region)

    @property
    def target_region_labels(self) -> list[str]:
        return [region_label(code) for code in self.target_regions]

    @property
    def sdg_labels(self) -> list[tuple[int, str]]:
        """The listing's Sustainable Development Goals as (number, translated name)."""
        return [(number, SDG_GOALS[number]) for number in self.sdg_goals if number in SDG_GOALS]

    @property
    def is_public(self) -> bool:
        return self.status == TechnologyStatus.PUBLISHED

    @property
    def status_badge_class(self) -> str:
        return TECHNOLOGY_STATUS_BADGES.get(self.status, "text-bg-secondary")

    @property
    def is_outdated(self) -> bool:
        return is_outdated(
            status=self.status, valid_until=self.valid_until, statuses=FRESHNESS_STATUSES
        )

    def clean(self) -> None:
        errors: dict[str, list] = {}
        chinese_complete = bool(self.title_zh.strip() and self.summary_zh.strip())
        english_complete = bool(self.title_en.strip() and self.summary_en.strip())
        if (
            self.original_language in COLUMN_SUFFIX
            and not chinese_complete
            and not english_complete
        ):
            errors.setdefault("title_zh", []).append(
                _(
                    "Give at least the title and the summary in Chinese, or both in English: "
                    "one language must be complete."
                )
            )
        if self.category_id and self.category.parent_id is None:
            errors.setdefault("category", []).append(
                _(
                    "Choose a group of the taxonomy (a second-level code such as 2.4), "
                    "not an industry."
                )
            )
        if self.asking_price is not None and self.asking_price < 0:
            errors.setdefault("asking_price", []).append(_("A price cannot be negative."))
        if self.co2e_avoided_tonnes_per_year is not None and not self.co2e_method.strip():
            errors.setdefault("co2e_method", []).append(
                _("State how the avoided emissions were estimated.")
            )
        if len(set(self.transaction_modes)) != len(self.transaction_modes):
            errors.setdefault("transaction_modes", []).append(_("Each mode can be offered once."))
        self.keywords = [k.strip() for k in self.keywords if k and k.strip()]
        if errors:
            raise ValidationError(errors)

    @property
    def has_open_licence(self) -> bool:
        """An open licence (licensing app, reverse relation `open_licence_offers`) is on offer
        for one of its patents; lists prefetch the relation, a single listing asks once."""
        return any(offer.status == "open" for offer in self.open_licence_offers.all())


class TechnologyTranslation(ContentTranslation):
    """The public text of a listing in one language (core.content_translations): a translation,
    or the original when the listing was written in a language other than Chinese or English.
    The confidential description is never translated here."""

    technology = models.ForeignKey(
        Technology, on_delete=models.CASCADE, related_name="translations"
    )
    title = models.CharField(_("title"), max_length=250)
    summary = models.TextField(_("summary"), blank=True, max_length=3000)
    application_scope = models.TextField(_("application scope"), blank=True)
    advantages = models.TextField(_("advantages over existing solutions"), blank=True)
    economic_comparison = models.TextField(_("economic comparison"), blank=True)

    TEXT_FIELDS = ("title", "summary", "application_scope", "advantages", "economic_comparison")

    class Meta(ContentTranslation.Meta):
        verbose_name = _("technology translation")
        verbose_name_plural = _("technology translations")
        constraints = [
            models.UniqueConstraint(
                fields=["technology", "language"], name="technology_translation_once_per_language"
            )
        ]


TECHNOLOGY_TEXT = TranslatableText(
    fields=TechnologyTranslation.TEXT_FIELDS, bilingual=("title", "summary")
)


class TechnologyPerformanceFigure(models.Model):
    """A key performance figure of a technology (metric, value, unit). Confidential detail."""

    technology = models.ForeignKey(
        Technology, on_delete=models.CASCADE, related_name="performance_figures"
    )
    metric = models.CharField(_("metric"), max_length=120)
    value = models.CharField(_("value"), max_length=60)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    EDITABLE_FIELDS = ("metric", "value", "unit")  # `position` is the row's place in the list

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("performance figure")
        verbose_name_plural = _("performance figures")

    def __str__(self) -> str:
        return f"{self.metric}: {self.value} {self.unit}".strip()


class TechnologyResourceSaving(models.Model):
    """Resources a typical deployment saves: energy, water, materials, emissions or land."""

    technology = models.ForeignKey(
        Technology, on_delete=models.CASCADE, related_name="resource_savings"
    )
    resource = models.CharField(_("resource"), max_length=20, choices=ResourceKind.choices)
    amount = models.DecimalField(
        pgettext_lazy("quantity", "amount"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )
    unit = models.CharField(_("unit"), max_length=40)
    note = models.CharField(_("note"), max_length=200, blank=True)

    EDITABLE_FIELDS = ("resource", "amount", "unit", "note")

    class Meta:
        ordering = ["resource", "pk"]
        verbose_name = _("resource saving")
        verbose_name_plural = _("resource savings")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="resource_saving_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.get_resource_display()}: {self.amount} {self.unit}"


class TechnologyPatent(models.Model):
    """An intellectual-property record of a technology; Chinese patent numbers (check character)
    and PCT application numbers (shape and year) are checked (catalog.validators)."""

    technology = models.ForeignKey(Technology, on_delete=models.CASCADE, related_name="patents")
    number = models.CharField(_("number"), max_length=40)
    kind = models.CharField(_("kind"), max_length=20, choices=IntellectualPropertyKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=IntellectualPropertyStatus.choices
    )
    jurisdiction = models.CharField(_("jurisdiction"), max_length=10, default="CN")
    title = models.CharField(_("title"), max_length=300, blank=True)

    EDITABLE_FIELDS = ("number", "kind", "status", "jurisdiction", "title")

    class Meta:
        ordering = ["pk"]
        verbose_name = _("IP record")
        verbose_name_plural = _("IP records")
        constraints = [
            models.UniqueConstraint(fields=["technology", "number"], name="unique_patent_number")
        ]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        self.number = (
            normalize_patent_number(self.number)
            if self.kind in PATENT_KINDS
            else (self.number or "").strip()
        )
        self.jurisdiction = (self.jurisdiction or "").strip().upper()
        if not self.number:
            raise ValidationError({"number": _("Give the number of the right.")})
        if self.kind in PATENT_KINDS:
            try:
                validate_patent_number(self.number, kind=self.kind, jurisdiction=self.jurisdiction)
            except ValidationError as error:
                raise ValidationError({"number": error.messages}) from error


class TechnologyOffer(models.Model):
    """One transaction mode offered for a technology, with its asking price or "negotiable"."""

    technology = models.ForeignKey(Technology, on_delete=models.CASCADE, related_name="offers")
    mode = models.CharField(_("transaction mode"), max_length=20, choices=TransactionMode.choices)
    asking_price = models.DecimalField(
        _("asking price"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    negotiable = models.BooleanField(_("price negotiable"), default=False)
    exclusive = models.BooleanField(
        _("exclusive licence"), null=True, blank=True, help_text=_("Licences only.")
    )

    EDITABLE_FIELDS = ("mode", "asking_price", "negotiable", "exclusive")

    class Meta:
        ordering = ["pk"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        constraints = [
            models.UniqueConstraint(fields=["technology", "mode"], name="unique_offer_mode"),
            models.CheckConstraint(
                condition=Q(asking_price__isnull=True) | Q(asking_price__gte=0),
                name="offer_price_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(negotiable=True) | Q(asking_price__isnull=False),
                name="offer_price_or_negotiable",
            ),
        ]

    def __str__(self) -> str:
        return self.get_mode_display()

    @property
    def is_license(self) -> bool:
        return self.mode == TransactionMode.LICENSE

    def clean(self) -> None:
        errors = {}
        if self.asking_price is not None and self.asking_price < 0:
            errors["asking_price"] = _("A price cannot be negative.")
        if self.asking_price is None and not self.negotiable:
            errors["asking_price"] = _("Give an asking price or mark the price as negotiable.")
        if self.mode == TransactionMode.LICENSE and self.exclusive is None:
            errors["exclusive"] = _("Say whether the licence is exclusive.")
        if self.mode != TransactionMode.LICENSE:
            self.exclusive = None
        if errors:
            raise ValidationError(errors)


# The rows a holder writes with a listing: relation name -> row model (its EDITABLE_FIELDS).
ROW_RELATIONS = {
    "offers": TechnologyOffer,
    "patents": TechnologyPatent,
    "performance_figures": TechnologyPerformanceFigure,
    "resource_savings": TechnologyResourceSaving,
}


def attachment_path(instance, filename: str) -> str:
    return f"technologies/{instance.technology_id}/{timezone.now():%Y%m}/{filename}"


def thumbnail_path(instance, filename: str) -> str:
    return f"technologies/{instance.technology_id}/{timezone.now():%Y%m}/thumbnails/{filename}"


class TechnologyAttachment(models.Model):
    """A PDF or image attached to a listing; confidential ones follow the detail's access rules.

    An image (PNG, JPEG, WebP) is stored re-encoded without its metadata (EXIF) and has a small
    thumbnail beside it; public images make the listing's gallery and its picture in search
    results, both served only through the permission-checked download views.
    """

    technology = models.ForeignKey(Technology, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    thumbnail = models.FileField(
        _("thumbnail"), upload_to=thumbnail_path, max_length=300, blank=True, default=""
    )
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    confidential = models.BooleanField(_("confidential"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        """An image with a thumbnail: shown in the gallery rather than the documents list."""
        return bool(self.thumbnail)


class Favourite(models.Model):
    """A listing a user keeps in their favourites (the star); one row per user and listing."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favourites"
    )
    technology = models.ForeignKey(Technology, on_delete=models.CASCADE, related_name="favourites")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("favourite")
        verbose_name_plural = _("favourites")
        constraints = [
            models.UniqueConstraint(fields=["user", "technology"], name="one_favourite_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ★ {self.technology_id}"


class TechnologyRevision(models.Model):
    """A proposed change to a published technology; applied when a reviewer approves it.

    `data` holds the proposed field values (same names as the API) while the published version
    stays visible.
    """

    technology = models.ForeignKey(Technology, on_delete=models.CASCADE, related_name="revisions")
    data = models.JSONField(default=dict)
    status = models.CharField(
        max_length=20, choices=RevisionStatus.choices, default=RevisionStatus.SUBMITTED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("technology revision")
        verbose_name_plural = _("technology revisions")
        constraints = [
            models.UniqueConstraint(
                fields=["technology"],
                condition=Q(status__in=["draft", "submitted", "returned"]),
                name="one_open_revision_per_technology",
            )
        ]

    def __str__(self) -> str:
        return f"{self.technology} ({self.get_status_display()})"


class TechnologyEvent(TransitionEvent):
    """One entry of a technology's history: who, when, what (action, statuses, note), plus the
    revision it concerns, the reviewers' field comments and the changed fields."""

    status_choices = TechnologyStatus
    action_labels = dict(TechnologyAction.choices)

    technology = models.ForeignKey(Technology, on_delete=models.CASCADE, related_name="events")
    revision = models.ForeignKey(
        TechnologyRevision, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    field_comments = models.JSONField(default=dict, blank=True)
    changes = models.JSONField(default=list, blank=True)
    # Who may read `note` (core.visibility.Clearance): by default only the holder's members and
    # reviewers; e.g. the name of a public attachment is public (catalog.visibility).
    note_clearance = models.PositiveSmallIntegerField(default=2)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("technology event")
        verbose_name_plural = _("technology events")

    def __str__(self) -> str:
        return f"{self.technology_id}: {self.action}"

    @property
    def labelled_field_comments(self) -> list[tuple[str, str]]:
        """The reviewers' field comments as (field label, comment)."""
        return labelled_comments(Technology, self.field_comments)


class TechnologyFreshnessReminder(models.Model):
    """Records that the holder was reminded that a listing lapses on `valid_until`, `days_before`
    days ahead: once per listing, date and reminder (a confirmation moves the date, so the next
    lapse is reminded again)."""

    technology = models.ForeignKey(
        Technology, on_delete=models.CASCADE, related_name="freshness_reminders"
    )
    valid_until = models.DateField()
    days_before = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["technology", "valid_until", "days_before"],
                name="one_freshness_reminder_per_technology_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.technology_id}: {self.valid_until} -{self.days_before}"


class Inquiry(models.Model):
    """An expression of interest in a published technology; the exchange turns it into a deal."""

    technology = models.ForeignKey(Technology, on_delete=models.CASCADE, related_name="inquiries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="technology_inquiries"
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="technology_inquiries",
    )
    message = models.TextField(_("message"), max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")

    def __str__(self) -> str:
        return f"{self.user} → {self.technology}"


class AccessRequest(models.Model):
    """A user's request to see a technology's confidential detail, under the listing's NDA."""

    technology = models.ForeignKey(
        Technology, on_delete=models.CASCADE, related_name="access_requests"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_requests"
    )
    message = models.TextField(_("message"), blank=True, max_length=2000)
    nda_accepted_at = models.DateTimeField()
    nda_text = models.TextField()
    status = models.CharField(
        max_length=20, choices=AccessRequestStatus.choices, default=AccessRequestStatus.REQUESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        constraints = [
            models.UniqueConstraint(fields=["technology", "user"], name="unique_access_request")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.technology} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status == AccessRequestStatus.REQUESTED


class SavedSearch(models.Model):
    """A search a signed-in user saved; its owner is told when a new technology matches."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(_("name"), max_length=120)
    query = models.CharField(_("search words"), max_length=200, blank=True)
    filters = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")

    def __str__(self) -> str:
        return self.name


class SavedSearchHit(models.Model):
    """Records that a saved search's owner was told about a technology (once per pair)."""

    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="hits")
    technology = models.ForeignKey(Technology, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["saved_search", "technology"], name="unique_saved_search_hit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.saved_search_id} → {self.technology_id}"


class TechnologySearchEntry(models.Model):
    """The narrow search row of a technology: what search, sorting and facet counts read.

    Maintained only by statement-level triggers on catalog_technology (migration 0004), so every
    writer (services, imports, bulk COPY, raw updates) keeps it in step; never written from
    Python. The filter fields carry the same names as on Technology so TechnologyFilterSet
    applies to both; catalog.selectors reads only this table to count, rank and compute facets.
    """

    technology = models.OneToOneField(
        Technology,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="search_entry",
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    category = models.ForeignKey(
        Category, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    status = models.CharField(max_length=20, choices=TechnologyStatus.choices)
    published_at = models.DateTimeField(null=True)
    asking_price = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    trl = models.PositiveSmallIntegerField()
    transaction_modes = ArrayField(models.CharField(max_length=20), default=list)
    region = models.CharField(max_length=10)
    has_granted_patent = models.BooleanField(default=False)
    search_vector = TsVectorField(null=True)
    valid_until = models.DateField(null=True)

    class Meta:
        indexes = [
            GinIndex(fields=["search_vector"], name="search_entry_vector_gin"),
            models.Index(
                fields=["status", "-published_at", "-technology"], name="search_entry_newest"
            ),
            # The newest-first walk of an estimated search (any visibility scope): the order of
            # catalog.selectors, NULLS LAST included, so the first matches come off the index.
            models.Index(
                F("published_at").desc(nulls_last=True),
                F("technology").desc(),
                name="search_entry_recent",
            ),
        ]

    def __str__(self) -> str:
        return str(self.technology_id)


class SearchResultCache(models.Model):
    """The total, facet rows and ranked head of one expensive search statement (UNLOGGED table:
    a crash merely empties it). Keyed by a hash of the statement and its parameters, so every
    visibility scope, filter and sort has its own entry; written only for searches matching at
    least CATALOG_SEARCH_CACHE_MIN_MATCHES listings, read only while `generation` is the current
    value of the search generation sequence (catalog.search_cache, migration 0008)."""

    statement_hash = models.CharField(max_length=64, primary_key=True)
    generation = models.BigIntegerField()
    total = models.PositiveIntegerField()
    head = ArrayField(models.IntegerField(), default=list)
    facet_rows = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.statement_hash[:12]}@{self.generation}"


class DuplicateFlag(models.Model):
    """Two listings that read alike (catalog.duplicates), found when `technology` was submitted
    or imported; `candidate` is the listing it resembles. One row per pair, whichever way round
    (a constraint): a reviewer dismisses it (not duplicates, never raised again) or merges one
    listing into the other (`survivor` is the one kept)."""

    technology = models.ForeignKey(
        Technology,
        verbose_name=_("listing"),
        on_delete=models.CASCADE,
        related_name="duplicate_flags",
    )
    candidate = models.ForeignKey(
        Technology,
        verbose_name=_("similar listing"),
        on_delete=models.CASCADE,
        related_name="duplicate_candidate_flags",
    )
    same_organization = models.BooleanField(_("same holder"))
    score = models.FloatField(_("similarity"))
    title_score = models.FloatField(_("title similarity"))
    text_score = models.FloatField(_("text similarity"))
    shared_terms = models.JSONField(_("shared words"), default=list, blank=True)
    source = models.CharField(_("found"), max_length=10, choices=DuplicateSource.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DuplicateFlagStatus.choices,
        default=DuplicateFlagStatus.OPEN,
    )
    survivor = models.ForeignKey(
        Technology,
        verbose_name=_("listing kept"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = decided_by_field()
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("found at"), default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-score", "-pk"]
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        constraints = [
            models.CheckConstraint(
                condition=~Q(technology=models.F("candidate")), name="duplicate_flag_two_listings"
            ),
            models.UniqueConstraint(
                Least("technology", "candidate"),
                Greatest("technology", "candidate"),
                name="one_duplicate_flag_per_pair",
            ),
        ]
        indexes = [models.Index(fields=["status", "-score"], name="duplicate_flag_queue")]

    def __str__(self) -> str:
        return f"{self.technology_id} ~ {self.candidate_id} ({self.score:.2f})"

    @property
    def is_open(self) -> bool:
        return self.status == DuplicateFlagStatus.OPEN

    @property
    def percent(self) -> int:
        return round(self.score * 100)

    def other(self, technology_id: int) -> int:
        """The id of the pair's other listing."""
        return self.candidate_id if technology_id == self.technology_id else self.technology_id


class CatalogPolicy(models.Model):
    """The catalogue's settings an administrator sets (one row, pk 1): the completeness a listing
    needs before it can be submitted for review (catalog.completeness)."""

    SINGLETON_PK = 1

    minimum_completeness = models.PositiveSmallIntegerField(
        _("minimum completeness to submit a listing"),
        default=60,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "0 to 100. A listing whose completeness score is lower cannot be sent for review."
        ),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("last changed by"),
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("catalogue settings")
        verbose_name_plural = _("catalogue settings")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="catalog_policy_single_row"),
            models.CheckConstraint(
                condition=Q(minimum_completeness__lte=100), name="catalog_policy_minimum_0_to_100"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Catalogue settings"))


class TrlAssessment(models.Model):
    """A technology readiness level claimed at a date for one application context, with its
    evidence, and confirmed or refused by a reviewer or a verified expert outside the holder.

    `application_scope_then` keeps the listing's application scope as it was when the level was
    claimed: a confirmation holds only for that use (ISO 16290), so once the holder changes the
    scope, or claims a level for another context, the listing asks for a reassessment.
    """

    technology = models.ForeignKey(
        Technology, on_delete=models.CASCADE, related_name="trl_assessments"
    )
    level = models.PositiveSmallIntegerField(
        _("readiness level"), validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    application_context = models.CharField(
        _("application context"),
        max_length=300,
        help_text=_("The use the level was shown in, for example: municipal wastewater, 500 t/d."),
    )
    assessed_on = models.DateField(_("assessed on"))
    application_scope_then = models.TextField(blank=True, editable=False)
    # The level the listing showed when this claim was made: what it falls back to when every
    # claim has been refused.
    level_before = models.PositiveSmallIntegerField(editable=False)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=TrlAssessmentStatus.choices,
        default=TrlAssessmentStatus.CLAIMED,
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decider_role = models.CharField(
        _("in the capacity of"), max_length=20, choices=TrlConfirmerRole.choices, blank=True
    )
    decider_organization = models.ForeignKey(
        "accounts.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # an expert's employer that is not on the platform
    decider_organization_name = models.CharField(max_length=300, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        verbose_name = _("readiness assessment")
        verbose_name_plural = _("readiness assessments")
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=9), name="trl_assessment_level_1_to_9"
            ),
            models.CheckConstraint(
                condition=Q(status="claimed") | ~Q(decider_role=""),
                name="trl_assessment_decided_in_a_role",
            ),
        ]

    def __str__(self) -> str:
        return f"TRL {self.level} ({self.application_context})"

    @property
    def definition(self) -> str:
        return str(TRL_DEFINITIONS.get(self.level, ""))

    @property
    def is_claimed(self) -> bool:
        return self.status == TrlAssessmentStatus.CLAIMED

    @property
    def decider_organization_label(self) -> str:
        """The decider's organisation in the reader's language (its name off the platform)."""
        if self.decider_organization_id:
            return self.decider_organization.display_name
        return self.decider_organization_name

    @property
    def is_confirmed(self) -> bool:
        return self.status == TrlAssessmentStatus.CONFIRMED

    def clean(self) -> None:
        errors = {}
        if self.assessed_on and self.assessed_on > timezone.localdate():
            errors["assessed_on"] = _("The assessment date cannot be in the future.")
        self.application_context = (self.application_context or "").strip()
        if not self.application_context:
            errors["application_context"] = _("Name the use the level was shown in.")
        if errors:
            raise ValidationError(errors)


def trl_evidence_path(instance, filename: str) -> str:
    return f"trl-evidence/{instance.assessment_id}/{timezone.now():%Y%m}/{filename}"


class TrlEvidence(models.Model):
    """A file backing a readiness claim (a test report, a pilot record), with the SHA-256 of its
    content computed on upload. Its file and name are confidential to the holder, reviewers and
    the deciding expert; everyone who sees the listing sees that it exists and its hash."""

    assessment = models.ForeignKey(TrlAssessment, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=trl_evidence_path, max_length=300)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.sha256


class TrlAssessmentEvent(TransitionEvent):
    """One step of a readiness assessment: claimed, confirmed or not confirmed, by whom, why."""

    status_choices = TrlAssessmentStatus
    action_labels = dict(TrlAssessmentAction.choices)

    assessment = models.ForeignKey(TrlAssessment, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("readiness assessment event")
        verbose_name_plural = _("readiness assessment events")

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.action}"


class TechnologyInventor(models.Model):
    """A person who made the technology (成果完成人), named by the holder, with their share of
    what the inventors receive when a university or institute sells it (finance's reward split).
    `user` links the person's own account (a member of the holder) so they can see their share."""

    technology = models.ForeignKey(Technology, on_delete=models.CASCADE, related_name="inventors")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("name"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("linked account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inventor_entries",
    )
    department = models.CharField(_("department"), max_length=200)
    share = models.DecimalField(
        _("share among the inventors (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        ordering = ["technology", "position", "pk"]
        verbose_name = _("inventor")
        verbose_name_plural = _("inventors")
        constraints = [
            models.CheckConstraint(
                condition=Q(share__gt=0) & Q(share__lte=100), name="inventor_share_in_range"
            ),
            models.UniqueConstraint(
                fields=["technology", "user"],
                condition=Q(user__isnull=False),
                name="inventor_account_once_per_technology",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.share} %)"


class TechnologyServiceInventionRight(models.Model):
    """The right a pilot of 职务科技成果赋权 gave the researchers over this service invention:
    ownership or a long-term right of use, by which document and since when."""

    technology = models.OneToOneField(
        Technology, on_delete=models.CASCADE, related_name="service_invention_right"
    )
    kind = models.CharField(
        _("right given"), max_length=20, choices=ServiceInventionRightKind.choices
    )
    document = models.CharField(
        _("granting document"),
        max_length=300,
        help_text=_("The agreement or decision that gives the right, with its number."),
    )
    granted_on = models.DateField(_("granted on"))
    term_years = models.PositiveSmallIntegerField(
        _("term of the right of use (years)"),
        null=True,
        blank=True,
        help_text=_("For a long-term right of use: at least ten years."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("service invention right")
        verbose_name_plural = _("service invention rights")

    def __str__(self) -> str:
        return f"{self.technology_id}: {self.kind}"

    def clean(self) -> None:
        if self.kind == ServiceInventionRightKind.LONG_TERM_USE:
            if self.term_years is None or self.term_years < LONG_TERM_USE_MINIMUM_YEARS:
                raise ValidationError(
                    {
                        "term_years": _(
                            "A long-term right of use runs for at least %(years)s years."
                        )
                        % {"years": LONG_TERM_USE_MINIMUM_YEARS}
                    }
                )
        elif self.term_years is not None:
            raise ValidationError(
                {"term_years": _("A term applies only to a right of use, not to ownership.")}
            )
