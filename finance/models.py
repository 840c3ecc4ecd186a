from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, RangeOperators
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Func, Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.choices import OrganizationType
from core.i18n import bilingual
from core.models import TransitionEvent
from core.reasons import TurnDownReasonField
from finance.choices import (
    AccountKind,
    ApplicationAction,
    ApplicationStatus,
    CreditGrade,
    Currency,
    MoneyRequestAction,
    MoneyRequestKind,
    MoneyRequestStatus,
    NormalBalance,
    ProductAction,
    ProductKind,
    ProductStatus,
    ProgrammeKind,
    RewardRecipient,
    TransactionKind,
)

MONEY = {"max_digits": 18, "decimal_places": 2}
RATE = {"max_digits": 7, "decimal_places": 4}  # annual rates and ratios as fractions: 0.0435
PERCENT = {"max_digits": 5, "decimal_places": 2}
RISK_SHARE_FIELDS = (
    "risk_share_fund",
    "risk_share_bank",
    "risk_share_insurer",
    "risk_share_valuer",
)


class BilingualNameMixin(models.Model):
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    name = bilingual("name")

    def __str__(self) -> str:
        return self.name


class CreditAssessment(models.Model):
    """An organisation's credit grade and size as assessed by the platform's reviewers.

    Products can require a minimum grade; voucher programmes are limited to small enterprises.
    """

    organization = models.OneToOneField(
        "accounts.Organization", on_delete=models.CASCADE, related_name="credit_assessment"
    )
    grade = models.CharField(_("credit grade"), max_length=3, choices=CreditGrade.choices)
    employee_count = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    annual_revenue = models.DecimalField(_("annual revenue (CNY)"), null=True, blank=True, **MONEY)
    note = models.TextField(_("note"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assessed_at = models.DateTimeField(_("assessed at"), default=timezone.now)

    class Meta:
        verbose_name = _("credit assessment")
        verbose_name_plural = _("credit assessments")

    def __str__(self) -> str:
        return f"{self.organization}: {self.grade}"


class FinancingProduct(BilingualNameMixin):
    """A financing product published by a financial institution, with its eligibility rules."""

    # What its institution's financiers may write: the service, the form and the API use these.
    EDITABLE_FIELDS = (
        "kind",
        "name_zh",
        "name_en",
        "description",
        "currency",
        "amount_min",
        "amount_max",
        "rate_min",
        "rate_max",
        "terms",
        "tenor_months_min",
        "tenor_months_max",
        "required_documents",
        "eligible_categories",
        "trl_min",
        "trl_max",
        "eligible_regions",
        "eligible_organization_kinds",
        "minimum_credit_grade",
        "requires_verified_organization",
        "loan_to_value",
        *RISK_SHARE_FIELDS,
    )

    institution = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="financing_products",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("type"), max_length=30, choices=ProductKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=ProductStatus.choices, default=ProductStatus.DRAFT
    )
    description = models.TextField(_("description"), blank=True)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY
    )
    amount_min = models.DecimalField(_("minimum amount"), **MONEY)
    amount_max = models.DecimalField(_("maximum amount"), **MONEY)
    rate_min = models.DecimalField(
        _("lowest annual rate (%)"),
        null=True,
        blank=True,
        **PERCENT,
        validators=[MinValueValidator(Decimal("0"))],
    )
    rate_max = models.DecimalField(
        _("highest annual rate (%)"),
        null=True,
        blank=True,
        **PERCENT,
        validators=[MinValueValidator(Decimal("0"))],
    )
    terms = models.TextField(_("rate or terms"), blank=True)
    tenor_months_min = models.PositiveSmallIntegerField(
        _("shortest tenor (months)"), null=True, blank=True
    )
    tenor_months_max = models.PositiveSmallIntegerField(
        _("longest tenor (months)"), null=True, blank=True
    )
    required_documents = ArrayField(
        models.CharField(max_length=100),
        default=list,
        blank=True,
        verbose_name=_("required documents"),
    )
    eligible_categories = models.ManyToManyField(
        "catalog.Category", blank=True, related_name="+", verbose_name=_("eligible categories")
    )
    trl_min = models.PositiveSmallIntegerField(
        _("lowest TRL"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
    )
    trl_max = models.PositiveSmallIntegerField(
        _("highest TRL"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
    )
    eligible_regions = ArrayField(
        models.CharField(max_length=10),
        default=list,
        blank=True,
        verbose_name=_("eligible regions"),
    )
    eligible_organization_kinds = ArrayField(
        models.CharField(max_length=20, choices=OrganizationType.choices),
        default=list,
        blank=True,
        verbose_name=_("eligible organisation types"),
    )
    minimum_credit_grade = models.CharField(
        _("minimum credit grade"), max_length=3, choices=CreditGrade.choices, blank=True
    )
    requires_verified_organization = models.BooleanField(
        _("verified organisations only"), default=True
    )
    loan_to_value = models.DecimalField(
        _("loan-to-value ratio"),
        null=True,
        blank=True,
        max_digits=4,
        decimal_places=3,
        help_text=_("For IP-pledge loans: the share of the valuation that may be lent, e.g. 0.5."),
    )
    risk_share_fund = models.DecimalField(
        _("risk share: compensation fund (%)"), null=True, blank=True, **PERCENT
    )
    risk_share_bank = models.DecimalField(
        _("risk share: bank (%)"), null=True, blank=True, **PERCENT
    )
    risk_share_insurer = models.DecimalField(
        _("risk share: insurer (%)"), null=True, blank=True, **PERCENT
    )
    risk_share_valuer = models.DecimalField(
        _("risk share: valuer (%)"), null=True, blank=True, **PERCENT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("financing product")
        verbose_name_plural = _("financing products")
        ordering = ["kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name_zh="") | ~Q(name_en=""), name="financing_product_has_a_name"
            ),
            models.CheckConstraint(
                condition=Q(amount_min__gt=0) & Q(amount_max__gte=F("amount_min")),
                name="financing_product_amount_range",
            ),
            models.CheckConstraint(
                condition=Q(trl_min__isnull=True)
                | Q(trl_max__isnull=True)
                | Q(trl_min__lte=F("trl_max")),
                name="financing_product_trl_range",
            ),
            models.CheckConstraint(
                condition=Q(tenor_months_min__isnull=True)
                | Q(tenor_months_max__isnull=True)
                | Q(tenor_months_min__lte=F("tenor_months_max")),
                name="financing_product_tenor_range",
            ),
            models.CheckConstraint(
                condition=~Q(kind=ProductKind.IP_PLEDGE_LOAN)
                | Q(loan_to_value__gt=0, loan_to_value__lte=1),
                name="financing_product_ip_pledge_has_ltv",
            ),
            models.CheckConstraint(
                condition=Q(
                    risk_share_fund__isnull=True,
                    risk_share_bank__isnull=True,
                    risk_share_insurer__isnull=True,
                    risk_share_valuer__isnull=True,
                )
                | Q(
                    risk_share_fund__gte=0,
                    risk_share_bank__gte=0,
                    risk_share_insurer__gte=0,
                    risk_share_valuer__gte=0,
                    risk_share_fund=Decimal(100)
                    - F("risk_share_bank")
                    - F("risk_share_insurer")
                    - F("risk_share_valuer"),
                ),
                name="financing_product_risk_shares_sum_to_100",
            ),
        ]

    @property
    def has_risk_compensation(self) -> bool:
        return self.risk_share_fund is not None

    @property
    def risk_shares(self) -> list[tuple[str, Decimal]]:
        if not self.has_risk_compensation:
            return []
        return [
            (str(_("Compensation fund")), self.risk_share_fund),
            (str(_("Bank")), self.risk_share_bank),
            (str(_("Insurer")), self.risk_share_insurer),
            (str(_("Valuer")), self.risk_share_valuer),
        ]

    @property
    def is_ip_pledge(self) -> bool:
        return self.kind == ProductKind.IP_PLEDGE_LOAN

    @property
    def is_published(self) -> bool:
        return self.status == ProductStatus.PUBLISHED

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not self.name_zh.strip() and not self.name_en.strip():
            errors["name_zh"] = _("Give the product's name in Chinese or in English.")
        if self.amount_min is not None and self.amount_min <= 0:
            errors["amount_min"] = _("The minimum amount must be greater than zero.")
        if (
            self.amount_min is not None
            and self.amount_max is not None
            and self.amount_max < self.amount_min
        ):
            errors["amount_max"] = _("The maximum amount must not be below the minimum.")
        if self.trl_min and self.trl_max and self.trl_min > self.trl_max:
            errors["trl_max"] = _("The highest TRL must not be below the lowest.")
        if (
            self.tenor_months_min
            and self.tenor_months_max
            and self.tenor_months_min > self.tenor_months_max
        ):
            errors["tenor_months_max"] = _("The longest tenor must not be below the shortest.")
        rates_given = self.rate_min is not None and self.rate_max is not None
        if rates_given and self.rate_min > self.rate_max:
            errors["rate_max"] = _("The highest rate must not be below the lowest.")
        if self.kind == ProductKind.IP_PLEDGE_LOAN and (
            self.loan_to_value is None or not 0 < self.loan_to_value <= 1
        ):
            errors["loan_to_value"] = _(
                "An IP-pledge loan needs a loan-to-value ratio above 0 and at most 1."
            )
        shares = [getattr(self, name) for name in RISK_SHARE_FIELDS]
        if any(share is not None for share in shares):
            if any(share is None for share in shares):
                errors["risk_share_fund"] = _(
                    "Give all four risk shares (fund, bank, insurer, valuer) or none."
                )
            elif any(share < 0 for share in shares):
                errors["risk_share_fund"] = _("Risk shares cannot be negative.")
            elif sum(shares) != 100:
                errors["risk_share_fund"] = _(
                    "The risk shares must add up to 100%%; they add up to %(total)s%%."
                ) % {"total": sum(shares)}
        for code in self.eligible_regions or []:
            from core.regions import validate_region

            try:
                validate_region(code)
            except ValidationError as error:
                errors["eligible_regions"] = error.messages[0]
        if errors:
            raise ValidationError(errors)


class ProductEvent(TransitionEvent):
    """One step of a financing product: created, published or withdrawn, by whom and when."""

    status_choices = ProductStatus
    action_labels = dict(ProductAction.choices)

    product = models.ForeignKey(FinancingProduct, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("product event")
        verbose_name_plural = _("product events")

    def __str__(self) -> str:
        return f"{self.product_id}: {self.action}"


class Valuation(models.Model):
    """A saved relief-from-royalty valuation of a technology: its inputs, every step and the value.

    A valuation belongs to the organisation that made it and can be pledged as collateral.
    """

    # The relief-from-royalty inputs, in the order the method uses them.
    INPUT_FIELDS = (
        "first_year_revenue",
        "revenue_growth_rate",
        "useful_life_years",
        "royalty_rate",
        "tax_rate",
        "risk_free_rate",
        "technology_premium",
        "market_premium",
        "management_premium",
        "trl",
    )

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="valuations"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    technology = models.ForeignKey(
        "catalog.Technology",
        verbose_name=_("technology"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="valuations",
    )
    title = models.CharField(_("technology valued"), max_length=200)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY
    )
    first_year_revenue = models.DecimalField(_("first-year revenue"), **MONEY)
    revenue_growth_rate = models.DecimalField(_("annual revenue growth"), **RATE)
    useful_life_years = models.PositiveSmallIntegerField(_("useful life (years)"))
    royalty_rate = models.DecimalField(_("royalty rate"), **RATE)
    tax_rate = models.DecimalField(_("tax rate"), **RATE)
    risk_free_rate = models.DecimalField(_("risk-free rate"), **RATE)
    technology_premium = models.DecimalField(_("technology risk premium"), **RATE)
    market_premium = models.DecimalField(_("market risk premium"), **RATE)
    management_premium = models.DecimalField(_("management risk premium"), **RATE)
    trl = models.PositiveSmallIntegerField(
        _("TRL"), validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    discount_rate = models.DecimalField(_("discount rate"), **RATE)
    trl_factor = models.DecimalField(_("TRL risk factor"), **RATE)
    steps = models.JSONField(_("calculation steps"), default=dict)
    comparables = models.JSONField(_("comparable deals"), default=dict, blank=True)
    value = models.DecimalField(pgettext_lazy("valuation", "value"), **MONEY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("valuation")
        verbose_name_plural = _("valuations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="valuation_value_not_negative"),
            models.CheckConstraint(
                condition=Q(discount_rate__gt=0), name="valuation_discount_rate_positive"
            ),
            models.CheckConstraint(
                condition=Q(useful_life_years__gte=1), name="valuation_useful_life_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} · {self.value} {self.currency}"


class FinancingApplication(TurnDownReasonField):
    """An organisation's application for a financing product, moved through review by the
    product's institution. Eligibility is checked on every submission."""

    # What the applicant may change on a draft or when information is requested.
    EDITABLE_FIELDS = (
        "requested_amount",
        "tenor_months",
        "purpose",
        "technology",
        "deal",
        "valuation",
    )

    product = models.ForeignKey(
        FinancingProduct,
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    applicant = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="financing_applications",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    technology = models.ForeignKey(
        "catalog.Technology",
        verbose_name=_("technology"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="financing_applications",
    )
    deal = models.ForeignKey(
        "exchange.Deal",
        verbose_name=_("deal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="financing_applications",
    )
    valuation = models.ForeignKey(
        Valuation,
        verbose_name=_("pledged valuation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    status = models.CharField(
        _("status"),
        max_length=30,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
        db_index=True,
    )
    requested_amount = models.DecimalField(_("amount requested"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    tenor_months = models.PositiveSmallIntegerField(_("tenor (months)"), null=True, blank=True)
    purpose = models.TextField(_("purpose"), blank=True)
    approved_amount = models.DecimalField(_("approved amount"), null=True, blank=True, **MONEY)
    approved_terms = models.TextField(_("approved terms"), blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("financing application")
        verbose_name_plural = _("financing applications")
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(requested_amount__gt=0), name="application_requested_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(approved_amount__isnull=True) | Q(approved_amount__gt=0),
                name="application_approved_amount_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.product} · {self.applicant}"

    @property
    def is_rejected(self) -> bool:
        return self.status == ApplicationStatus.REJECTED

    @property
    def awaits_information(self) -> bool:
        """The institution asked the applicant for more information."""
        return self.status == ApplicationStatus.INFORMATION_REQUESTED


class ApplicationEvent(TransitionEvent):
    """One step in an application's history: who, when, from which status to which, and why."""

    status_choices = ApplicationStatus
    action_labels = dict(ApplicationAction.choices)

    application = models.ForeignKey(
        FinancingApplication, on_delete=models.CASCADE, related_name="events"
    )

    class Meta(TransitionEvent.Meta):
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    def __str__(self) -> str:
        return f"{self.application_id}: {self.action}"


def application_document_path(instance: "ApplicationDocument", filename: str) -> str:
    # Never trust the uploaded name on disk: a random name keeps paths unguessable.
    import uuid

    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"finance/applications/{instance.application_id}/{uuid.uuid4().hex}.{extension}"


class ApplicationDocument(models.Model):
    """A file supporting an application, stored outside the public web root and downloaded only
    through a view that checks who may see the application."""

    application = models.ForeignKey(
        FinancingApplication, on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("document"), max_length=100)
    file = models.FileField(upload_to=application_document_path, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")

    def __str__(self) -> str:
        return self.title


# --- Ledger -----------------------------------------------------------------------------------


class LedgerAccount(models.Model):
    """An account of the double-entry ledger. `balance` is kept in the account's normal
    direction (debit-normal: sum of entries; credit-normal: minus the sum) and can never be
    negative: a check constraint refuses any posting that would overdraw it."""

    kind = models.CharField(max_length=30, choices=AccountKind.choices)
    normal_balance = models.CharField(max_length=6, choices=NormalBalance.choices)
    name = models.CharField(max_length=200)
    currency = models.CharField(max_length=3, choices=Currency.choices)
    organization = models.ForeignKey(
        "accounts.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_accounts",
    )
    balance = models.DecimalField(default=Decimal("0"), **MONEY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            models.CheckConstraint(
                condition=Q(balance__gte=0), name="ledger_account_balance_not_negative"
            ),
            models.UniqueConstraint(
                fields=["kind", "organization", "currency"],
                condition=Q(
                    kind__in=[AccountKind.PROVIDER_RECEIVABLE, AccountKind.SUBSIDY_RECEIVED]
                ),
                name="one_receivable_account_per_organization_and_currency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.currency})"


class LedgerTransaction(models.Model):
    """One balanced money movement: its entries sum to zero (a deferred constraint trigger in
    the database checks this at commit). A client's Idempotency-Key makes a retry a no-op."""

    kind = models.CharField(max_length=30, choices=TransactionKind.choices)
    currency = models.CharField(max_length=3, choices=Currency.choices)
    description = models.CharField(max_length=300)
    initiated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # NULL, not "", when absent: the unique constraint must ignore requests without a key.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    request_fingerprint = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        constraints = [
            models.UniqueConstraint(
                fields=["initiated_by", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="unique_idempotency_key_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"


class LedgerEntry(models.Model):
    """One leg of a transaction: a signed amount on one account (positive = debit)."""

    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="entries"
    )
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="entries")
    amount = models.DecimalField(**MONEY)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_amount_not_zero")
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.amount}"


# --- Support programmes -----------------------------------------------------------------------


class SupportProgramme(BilingualNameMixin):
    """A publicly funded programme run by the platform operator: innovation vouchers for small
    enterprises, or interest subsidies on green loans. Its budget is a ledger account."""

    kind = models.CharField(_("type"), max_length=20, choices=ProgrammeKind.choices)
    operator = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="support_programmes",
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY
    )
    funding_account = models.OneToOneField(
        LedgerAccount, on_delete=models.PROTECT, related_name="+", editable=False
    )
    budget_account = models.OneToOneField(
        LedgerAccount, on_delete=models.PROTECT, related_name="+", editable=False
    )
    maximum_employees = models.PositiveIntegerField(
        _("largest eligible enterprise (employees)"), null=True, blank=True
    )
    maximum_annual_revenue = models.DecimalField(
        _("largest eligible enterprise (annual revenue, CNY)"), null=True, blank=True, **MONEY
    )
    subsidy_ratio = models.DecimalField(
        _("share of interest subsidised"),
        null=True,
        blank=True,
        **RATE,
        validators=[MinValueValidator(Decimal("0.0001")), MaxValueValidator(Decimal("1"))],
    )
    is_open = models.BooleanField(_("open"), default=True)
    # Vouchers of a programme pay for deals with service providers; only where the programme
    # says so do they also pay for shared facilities (pilot lines, test benches, lab services).
    allows_facility_services = models.BooleanField(
        _("vouchers may pay for shared facility services"), default=False
    )
    # Set only when a second person approves a budget request: funding beyond it is refused.
    approved_budget = models.DecimalField(
        _("approved budget"), null=True, blank=True, editable=False, **MONEY
    )
    budget_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    budget_approved_at = models.DateTimeField(
        _("budget approved at"), null=True, blank=True, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("support programme")
        verbose_name_plural = _("support programmes")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name_zh="") | ~Q(name_en=""), name="support_programme_has_a_name"
            ),
            models.CheckConstraint(
                condition=~Q(kind=ProgrammeKind.INTEREST_SUBSIDY)
                | Q(subsidy_ratio__gt=0, subsidy_ratio__lte=1),
                name="subsidy_programme_has_ratio",
            ),
            models.CheckConstraint(
                condition=Q(approved_budget__isnull=True) | Q(approved_budget__gt=0),
                name="programme_approved_budget_positive",
            ),
        ]

    @property
    def is_approved(self) -> bool:
        return self.approved_budget is not None


class Voucher(models.Model):
    """An innovation voucher: money of a programme earmarked for one small enterprise, spent on
    deals with service providers before it expires. Its balance is its ledger account's."""

    programme = models.ForeignKey(
        SupportProgramme, on_delete=models.PROTECT, related_name="vouchers"
    )
    holder = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="vouchers"
    )
    account = models.OneToOneField(
        LedgerAccount, on_delete=models.PROTECT, related_name="voucher", editable=False
    )
    face_value = models.DecimalField(_("face value"), **MONEY)
    expires = models.DateField(_("expires"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("innovation voucher")
        verbose_name_plural = _("innovation vouchers")
        ordering = ["expires", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(face_value__gt=0), name="voucher_face_value_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme} · {self.holder}"

    @property
    def balance(self) -> Decimal:
        return self.account.balance

    @property
    def currency(self) -> str:
        return self.account.currency

    def is_expired(self, today=None) -> bool:
        return (today or timezone.localdate()) > self.expires


class VoucherRedemption(models.Model):
    """Part of a voucher spent on a deal with a service provider, moved by one ledger
    transaction."""

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="redemptions")
    deal = models.ForeignKey(
        "exchange.Deal", on_delete=models.PROTECT, related_name="voucher_redemptions"
    )
    provider = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="voucher_redemptions"
    )
    amount = models.DecimalField(**MONEY)
    transaction = models.OneToOneField(
        LedgerTransaction, on_delete=models.PROTECT, related_name="voucher_redemption"
    )
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("voucher redemption")
        verbose_name_plural = _("voucher redemptions")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="redemption_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.voucher_id}: {self.amount}"


class InterestSubsidy(models.Model):
    """An interest subsidy paid on a disbursed loan: principal × rate × ratio × days / 360."""

    programme = models.ForeignKey(
        SupportProgramme, on_delete=models.PROTECT, related_name="subsidies"
    )
    application = models.ForeignKey(
        FinancingApplication, on_delete=models.PROTECT, related_name="interest_subsidies"
    )
    principal = models.DecimalField(_("principal"), **MONEY)
    annual_rate = models.DecimalField(_("annual interest rate"), **RATE)
    subsidy_ratio = models.DecimalField(_("share subsidised"), **RATE)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    days = models.PositiveIntegerField(_("days"))
    amount = models.DecimalField(_("subsidy"), **MONEY)
    transaction = models.OneToOneField(
        LedgerTransaction, on_delete=models.PROTECT, related_name="interest_subsidy"
    )
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("interest subsidy")
        verbose_name_plural = _("interest subsidies")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="subsidy_amount_positive"),
            models.CheckConstraint(
                condition=Q(period_end__gt=F("period_start")), name="subsidy_period_positive"
            ),
            # No two subsidies of one loan cover the same day. The loan's equality is written as
            # the overlap of one-value ranges, so plain GiST range operators do the work and the
            # btree_gist extension (absent from the embedded PostgreSQL) is not needed.
            ExclusionConstraint(
                name="subsidy_periods_of_a_loan_do_not_overlap",
                index_type="gist",
                expressions=[
                    (
                        Func(
                            F("application_id"),
                            F("application_id"),
                            Value("[]"),
                            function="int8range",
                        ),
                        RangeOperators.OVERLAPS,
                    ),
                    (
                        Func(
                            F("period_start"),
                            F("period_end"),
                            Value("[)"),
                            function="daterange",
                        ),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                violation_error_message=_(
                    "A subsidy was already paid for part of this period on this loan."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.amount}"


# --- Two keys for money -------------------------------------------------------------------------


class MoneyRequest(models.Model):
    """A request to create or pay out programme money that a second person must approve.

    One operator member asks (a programme budget, funding, a voucher above the threshold, an
    interest subsidy); a different user — an operator member of the same verified organisation
    or a platform reviewer — approves or refuses it. The ledger moves only on approval, in the
    same database transaction as the compare-and-set of the status. The database refuses an
    approval by the requester.
    """

    programme = models.ForeignKey(
        SupportProgramme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="money_requests",
    )
    kind = models.CharField(_("type"), max_length=20, choices=MoneyRequestKind.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=MoneyRequestStatus.choices,
        default=MoneyRequestStatus.PENDING,
        db_index=True,
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    note = models.TextField(_("reason"), blank=True)
    # Voucher issue
    holder = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    expires = models.DateField(_("expires"), null=True, blank=True)
    # Interest subsidy
    application = models.ForeignKey(
        FinancingApplication,
        verbose_name=_("loan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subsidy_requests",
    )
    principal = models.DecimalField(_("principal"), null=True, blank=True, **MONEY)
    annual_rate = models.DecimalField(_("annual interest rate"), null=True, blank=True, **RATE)
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    # Who asked and who decided
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    # What the approval produced
    ledger_transaction = models.OneToOneField(
        LedgerTransaction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="money_request",
    )
    voucher = models.OneToOneField(
        Voucher, null=True, blank=True, on_delete=models.PROTECT, related_name="money_request"
    )
    subsidy = models.OneToOneField(
        InterestSubsidy,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="money_request",
    )
    # NULL, not "", when absent: the unique constraint must ignore requests without a key.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    request_fingerprint = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("two-key money request")
        verbose_name_plural = _("two-key money requests")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="money_request_amount_positive"),
            # The second key is a different person: the database refuses a self-approval.
            models.CheckConstraint(
                condition=~Q(status=MoneyRequestStatus.APPROVED)
                | (Q(decided_by__isnull=False) & ~Q(decided_by=F("requested_by"))),
                name="money_request_approved_by_a_second_person",
            ),
            models.CheckConstraint(
                condition=~Q(kind=MoneyRequestKind.VOUCHER_ISSUE)
                | Q(holder__isnull=False, expires__isnull=False),
                name="money_request_voucher_has_holder",
            ),
            models.CheckConstraint(
                condition=~Q(kind=MoneyRequestKind.INTEREST_SUBSIDY)
                | Q(
                    application__isnull=False,
                    principal__isnull=False,
                    annual_rate__isnull=False,
                    period_start__isnull=False,
                    period_end__gt=F("period_start"),
                ),
                name="money_request_subsidy_has_loan_and_period",
            ),
            models.UniqueConstraint(
                fields=["requested_by", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="unique_money_request_key_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} · {self.amount} {self.currency}"

    @property
    def is_pending(self) -> bool:
        return self.status == MoneyRequestStatus.PENDING

    @property
    def is_approved(self) -> bool:
        return self.status == MoneyRequestStatus.APPROVED


class MoneyRequestEvent(TransitionEvent):
    """One step of a money request: who asked, approved, refused or withdrew it, and why."""

    status_choices = MoneyRequestStatus
    action_labels = dict(MoneyRequestAction.choices)

    request = models.ForeignKey(MoneyRequest, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("money request event")
        verbose_name_plural = _("money request events")

    def __str__(self) -> str:
        return f"{self.request_id}: {self.action}"


# --- rewards to the people who made the technology ----------------------------------------------
#
# 《促进科技成果转化法》第四十五条: when a unit's own rules or contracts are silent, at least
# 50 % of the net income from transferring or licensing a service invention goes to the people
# who made it and those who contributed to its transformation.
STATUTORY_MINIMUM_INVENTORS_SHARE = Decimal("50")
REWARD_POLICY_ORGANIZATION_KINDS = (OrganizationType.UNIVERSITY, OrganizationType.INSTITUTE)


class RewardPolicy(models.Model):
    """One version of a university's or institute's reward policy, set by its administrator: how
    the income of a completed transfer or licence is split after deducting costs. The version in
    force on the day a deal completes applies; versions are never changed, only superseded."""

    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="reward_policies",
    )
    effective_from = models.DateField(_("effective from"))
    inventors_share = models.DecimalField(
        _("inventors' share (%)"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        **PERCENT,
    )
    department_share = models.DecimalField(
        _("department's share (%)"),
        default=Decimal("0"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        **PERCENT,
    )
    unit_share = models.DecimalField(
        _("unit's share (%)"),
        default=Decimal("0"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        **PERCENT,
    )
    fixed_deduction = models.DecimalField(
        _("fixed costs deducted per deal"),
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
        help_text=_("In the deal's currency, e.g. patent fees and the evaluation."),
        **MONEY,
    )
    percentage_deduction = models.DecimalField(
        _("costs deducted as a share of income (%)"),
        default=Decimal("0"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("E.g. the technology transfer office's management fee."),
        **PERCENT,
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organization", "-effective_from", "-pk"]
        verbose_name = _("reward policy")
        verbose_name_plural = _("reward policies")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "effective_from"], name="one_reward_policy_per_day"
            ),
            models.CheckConstraint(
                condition=Q(inventors_share__gte=STATUTORY_MINIMUM_INVENTORS_SHARE)
                & Q(department_share__gte=0)
                & Q(unit_share__gte=0)
                & Q(fixed_deduction__gte=0)
                & Q(percentage_deduction__gte=0)
                & Q(percentage_deduction__lte=100),
                name="reward_policy_bounds",
            ),
            models.CheckConstraint(
                condition=Q(
                    inventors_share=Value(Decimal("100")) - F("department_share") - F("unit_share")
                ),
                name="reward_policy_shares_add_up_to_100",
            ),
        ]

    # what the administrator writes (the form and the API)
    EDITABLE_FIELDS = (
        "organization",
        "effective_from",
        "inventors_share",
        "department_share",
        "unit_share",
        "fixed_deduction",
        "percentage_deduction",
        "note",
    )

    def __str__(self) -> str:
        return f"{self.organization_id} ({self.effective_from})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        shares = (self.inventors_share, self.department_share, self.unit_share)
        if all(share is not None for share in shares):
            total = sum(shares, Decimal("0"))
            if total != 100:
                errors["unit_share"] = _(
                    "The inventors', department's and unit's shares must add up to exactly "
                    "100 %%; they add up to %(total)s %%."
                ) % {"total": f"{total.normalize():f}"}
        if (
            self.inventors_share is not None
            and self.inventors_share < STATUTORY_MINIMUM_INVENTORS_SHARE
        ):
            errors["inventors_share"] = _(
                "The inventors receive at least %(minimum)s %% of the net income "
                "(Law on Promoting the Transformation of Scientific and Technological "
                "Achievements, article 45)."
            ) % {"minimum": f"{STATUTORY_MINIMUM_INVENTORS_SHARE.normalize():f}"}
        if (
            self.organization_id
            and self.effective_from
            and RewardPolicy.objects.filter(
                organization_id=self.organization_id, effective_from=self.effective_from
            )
            .exclude(pk=self.pk)
            .exists()
        ):
            errors["effective_from"] = _(
                "A version of the policy already takes effect on this day; choose another day."
            )
        if errors:
            raise ValidationError(errors)


class RewardAccount(models.Model):
    """Which ledger account holds one recipient's part of a unit's transfer income: the income
    itself, the deducted costs, one inventor (by linked account, else by name), one department or
    the unit. One row per recipient and currency, so every split of the unit adds to it."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="reward_accounts"
    )
    key = models.CharField(max_length=250)
    currency = models.CharField(max_length=3, choices=Currency.choices)
    ledger_account = models.OneToOneField(
        LedgerAccount, on_delete=models.PROTECT, related_name="reward_account"
    )

    class Meta:
        verbose_name = _("reward account")
        verbose_name_plural = _("reward accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "key", "currency"], name="one_reward_account_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.key} ({self.currency})"


class RewardSplit(models.Model):
    """How a completed deal's income was split under the seller's reward policy (or the statutory
    default): one per deal (a unique constraint), posted on the ledger as one balanced
    transaction. The figures are kept as computed; a later policy version does not change them."""

    deal = models.OneToOneField(
        "exchange.Deal",
        verbose_name=_("deal"),
        on_delete=models.PROTECT,
        related_name="reward_split",
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("seller"),
        on_delete=models.PROTECT,
        related_name="reward_splits",
    )
    technology = models.ForeignKey(
        "catalog.Technology",
        verbose_name=_("technology"),
        on_delete=models.PROTECT,
        related_name="reward_splits",
    )
    policy = models.ForeignKey(
        RewardPolicy,
        verbose_name=_("policy applied"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="splits",
    )
    completed_on = models.DateField(_("completed on"))
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    gross_income = models.DecimalField(_("income"), **MONEY)
    deductions = models.DecimalField(_("costs deducted"), **MONEY)
    net_income = models.DecimalField(_("net income"), **MONEY)
    inventors_share = models.DecimalField(_("inventors' share (%)"), **PERCENT)
    department_share = models.DecimalField(_("department's share (%)"), **PERCENT)
    unit_share = models.DecimalField(_("unit's share (%)"), **PERCENT)
    inventors_amount = models.DecimalField(_("to the inventors"), **MONEY)
    department_amount = models.DecimalField(_("to the departments"), **MONEY)
    unit_amount = models.DecimalField(_("to the unit"), **MONEY)
    ledger_transaction = models.OneToOneField(
        LedgerTransaction, on_delete=models.PROTECT, related_name="reward_split"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-completed_on", "-pk"]
        verbose_name = _("reward split")
        verbose_name_plural = _("reward splits")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    gross_income=F("deductions")
                    + F("inventors_amount")
                    + F("department_amount")
                    + F("unit_amount")
                )
                & Q(net_income=F("gross_income") - F("deductions"))
                & Q(deductions__gte=0)
                & Q(inventors_amount__gte=0)
                & Q(department_amount__gte=0)
                & Q(unit_amount__gte=0),
                name="reward_split_adds_up",
            )
        ]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.net_income} {self.currency}"

    @property
    def is_statutory_default(self) -> bool:
        return self.policy_id is None


class RewardSplitLine(models.Model):
    """One recipient's part of a split: the deducted costs, an inventor, a department or the
    unit, with the share it was computed from and the ledger account it went to."""

    split = models.ForeignKey(RewardSplit, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    recipient = models.CharField(_("recipient"), max_length=20, choices=RewardRecipient.choices)
    name = models.CharField(_("name"), max_length=300, blank=True)
    department = models.CharField(_("department"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("linked account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reward_split_lines",
    )
    share = models.DecimalField(_("share (%)"), null=True, blank=True, **PERCENT)
    amount = models.DecimalField(_("amount"), **MONEY)
    account = models.ForeignKey(
        LedgerAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["split", "position", "pk"]
        verbose_name = _("reward split line")
        verbose_name_plural = _("reward split lines")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="reward_line_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.split_id}: {self.name} {self.amount}"
