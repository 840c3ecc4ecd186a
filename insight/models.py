"""Summary tables of the platform's statistics and the inputs of green-impact accounting.

Every summary row belongs to one StatisticsRun and records when it was computed; pages and the
API read the rows of the latest completed run and never aggregate the live tables.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from insight.choices import (
    DealScope,
    FunnelPeriod,
    FunnelStep,
    ImpactDimension,
    ImpactMethod,
    ListingKind,
    RegionalIndicator,
    ReviewQueue,
    RunStatus,
    RunTrigger,
    TurnedDownKind,
)

TONNES = {"max_digits": 16, "decimal_places": 1}
MONEY = {"max_digits": 20, "decimal_places": 2}


class ImpactDefaults(models.Model):
    """The platform's documented assumptions for deals that do not state their own deployments
    and years (one row, id 1). Avoided emissions from the technology's stated rate are
    t CO2e per deployment-year × deployments × years; a deal without DealImpact figures uses
    these numbers, and every figure computed with them says so."""

    deployments = models.PositiveIntegerField(
        _("deployments per deal"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("Assumed number of plants or sites where a traded technology is deployed."),
    )
    years = models.DecimalField(
        _("years counted per deployment"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("50"))],
        help_text=_("Assumed operating years counted for each deployment."),
    )
    note = models.TextField(
        _("rationale"),
        blank=True,
        default="Conservative: one deployment counted for its first year only.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("impact accounting defaults")
        verbose_name_plural = _("impact accounting defaults")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="impact_defaults_single_row"),
            models.CheckConstraint(condition=Q(deployments__gte=1), name="impact_defaults_deploy"),
            models.CheckConstraint(condition=Q(years__gt=0), name="impact_defaults_years"),
        ]

    def __str__(self) -> str:
        return _("%(deployments)s deployment(s) × %(years)s year(s)") % {
            "deployments": self.deployments,
            "years": self.years.normalize(),
        }

    @classmethod
    def current(cls) -> "ImpactDefaults":
        defaults, _created = cls.objects.get_or_create(pk=1)
        return defaults


class DealImpact(models.Model):
    """The emission figures a completed deal states (entered by the parties or a reviewer).

    With both baseline and technology emissions, the avoided emissions are
    (baseline − technology) × deployments, the emissions being t CO2e of one deployment over the
    accounting period; otherwise the technology's stated t CO2e per deployment-year × deployments
    × years.
    """

    deal = models.OneToOneField(
        "exchange.Deal", on_delete=models.CASCADE, related_name="impact", verbose_name=_("deal")
    )
    deployments = models.PositiveIntegerField(
        _("deployments"), default=1, validators=[MinValueValidator(1)]
    )
    years = models.DecimalField(
        _("years counted"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("50"))],
    )
    baseline_tonnes = models.DecimalField(
        _("baseline emissions per deployment (t CO2e)"), null=True, blank=True, **TONNES
    )
    technology_tonnes = models.DecimalField(
        _("emissions with the technology per deployment (t CO2e)"),
        null=True,
        blank=True,
        **TONNES,
    )
    note = models.TextField(_("source of the figures"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("deal impact figures")
        verbose_name_plural = _("deal impact figures")
        constraints = [
            models.CheckConstraint(condition=Q(deployments__gte=1), name="deal_impact_deploy"),
            models.CheckConstraint(condition=Q(years__gt=0), name="deal_impact_years"),
            models.CheckConstraint(
                condition=Q(baseline_tonnes__isnull=True, technology_tonnes__isnull=True)
                | Q(
                    baseline_tonnes__isnull=False,
                    technology_tonnes__isnull=False,
                    technology_tonnes__gte=0,
                    baseline_tonnes__gte=F("technology_tonnes"),
                ),
                name="deal_impact_baseline_pair",
            ),
        ]

    def __str__(self) -> str:
        return str(self.deal_id)

    def clean(self) -> None:
        baseline, technology = self.baseline_tonnes, self.technology_tonnes
        if (baseline is None) != (technology is None):
            raise ValidationError(
                {"baseline_tonnes": _("Give both the baseline and the technology emissions.")}
            )
        if baseline is not None and (technology < 0 or baseline < technology):
            raise ValidationError(
                {
                    "technology_tonnes": _(
                        "The emissions with the technology must be between 0 and the baseline."
                    )
                }
            )


class StatisticsRun(models.Model):
    """One refresh of the summary tables: queued by the beat schedule, the command or the demo
    seed. Readers use the rows of the latest completed run; older runs are deleted."""

    trigger = models.CharField(max_length=20, choices=RunTrigger.choices)
    status = models.CharField(
        max_length=20, choices=RunStatus.choices, default=RunStatus.RUNNING, db_index=True
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    default_deployments = models.PositiveIntegerField(default=1)
    default_years = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("1"))
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("statistics refresh")
        verbose_name_plural = _("statistics refreshes")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.status}"


class SummaryRow(models.Model):
    run = models.ForeignKey(StatisticsRun, on_delete=models.CASCADE, related_name="+")
    computed_at = models.DateTimeField()

    class Meta:
        abstract = True


class ListingStatistic(SummaryRow):
    """Public listings (published technologies; published or negotiating needs) counted by
    category group or by region: exactly one of the two is set."""

    kind = models.CharField(max_length=20, choices=ListingKind.choices)
    category = models.ForeignKey(
        "catalog.Category", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    region = models.CharField(max_length=10, blank=True)
    count = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("listing statistic")
        verbose_name_plural = _("listing statistics")
        constraints = [
            models.CheckConstraint(
                condition=(Q(category__isnull=True) & ~Q(region=""))
                | (Q(category__isnull=False) & Q(region="")),
                name="listing_statistic_one_dimension",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.category_id or self.region}: {self.count}"


class DealStatistic(SummaryRow):
    """Deals counted by stage and by scope (international when seller and buyer are in
    different countries)."""

    stage = models.CharField(max_length=30)
    scope = models.CharField(max_length=20, choices=DealScope.choices)
    # export / import / foreign (exchange.crossborder.TradeDirection); blank when domestic.
    direction = models.CharField(max_length=10, blank=True, default="")
    count = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("deal statistic")
        verbose_name_plural = _("deal statistics")

    def __str__(self) -> str:
        return f"{self.stage} {self.scope}: {self.count}"


class MonthlyValueStatistic(SummaryRow):
    """Completed deals and their value in one month (Asia/Shanghai) and currency, also in yuan."""

    month = models.DateField()
    currency = models.CharField(max_length=3)
    deals = models.PositiveIntegerField()
    value = models.DecimalField(**MONEY)
    # In yuan: signed deals at the rate fixed at signing, others at the rate of their day. Deals
    # with no rate are left out of `value_cny` and counted in `left_out` (None: none converted).
    value_cny = models.DecimalField(null=True, **MONEY)
    left_out = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["month", "currency"]
        verbose_name = _("monthly value statistic")
        verbose_name_plural = _("monthly value statistics")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.currency}: {self.value}"


class ConversionStatistic(SummaryRow):
    """Listings ever published, and how many of them reached a signed deal."""

    kind = models.CharField(max_length=20, choices=ListingKind.choices)
    listed = models.PositiveIntegerField()
    converted = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("conversion statistic")
        verbose_name_plural = _("conversion statistics")
        constraints = [
            models.CheckConstraint(
                condition=Q(converted__lte=F("listed")), name="conversion_not_above_listed"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.converted}/{self.listed}"

    @property
    def percent(self) -> float | None:
        return round(100 * self.converted / self.listed, 1) if self.listed else None


class ImpactStatistic(SummaryRow):
    """Avoided emissions of completed deals by one estimation method, in total or by the
    technology's category group or the buyer's region."""

    dimension = models.CharField(max_length=20, choices=ImpactDimension.choices)
    key = models.CharField(max_length=20, blank=True)
    method = models.CharField(max_length=30, choices=ImpactMethod.choices)
    deals = models.PositiveIntegerField()
    tonnes = models.DecimalField(**TONNES)

    class Meta:
        verbose_name = _("impact statistic")
        verbose_name_plural = _("impact statistics")

    def __str__(self) -> str:
        return f"{self.dimension} {self.key} {self.method}: {self.tonnes} t"


class SdgStatistic(SummaryRow):
    """Coverage of one Sustainable Development Goal: published technologies that address it,
    completed deals of such technologies and their avoided emissions."""

    goal = models.PositiveSmallIntegerField()
    technologies = models.PositiveIntegerField()
    completed_deals = models.PositiveIntegerField()
    tonnes = models.DecimalField(**TONNES)

    class Meta:
        ordering = ["goal"]
        verbose_name = _("SDG statistic")
        verbose_name_plural = _("SDG statistics")

    def __str__(self) -> str:
        return f"SDG {self.goal}: {self.technologies}"


class RegionalStatistic(SummaryRow):
    """One programme indicator of one region in one month (Asia/Shanghai): a count, an amount
    in `currency` for money indicators, tonnes and `method` for avoided emissions."""

    region = models.CharField(max_length=10)
    month = models.DateField()
    indicator = models.CharField(max_length=30, choices=RegionalIndicator.choices)
    currency = models.CharField(max_length=3, blank=True)
    method = models.CharField(max_length=30, blank=True)
    count = models.PositiveIntegerField(default=0)
    amount = models.DecimalField(default=Decimal("0"), **MONEY)
    tonnes = models.DecimalField(default=Decimal("0"), **TONNES)

    class Meta:
        verbose_name = _("regional statistic")
        verbose_name_plural = _("regional statistics")
        indexes = [models.Index(fields=["run", "month"], name="regional_statistic_run_month")]

    def __str__(self) -> str:
        return f"{self.region} {self.month:%Y-%m} {self.indicator}"


class ReviewStatistic(SummaryRow):
    """Turnaround of one review queue over the window: decisions, median and 90th percentile
    of the hours from the request to the decision."""

    queue = models.CharField(max_length=30, choices=ReviewQueue.choices)
    window_days = models.PositiveSmallIntegerField()
    decisions = models.PositiveIntegerField()
    median_hours = models.FloatField(null=True)
    p90_hours = models.FloatField(null=True)

    class Meta:
        verbose_name = _("review statistic")
        verbose_name_plural = _("review statistics")

    def __str__(self) -> str:
        return f"{self.queue}: {self.decisions}"


class ReviewerWorkload(SummaryRow):
    """Decisions one reviewer (or financier) made in one queue over the window."""

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    queue = models.CharField(max_length=30, choices=ReviewQueue.choices)
    window_days = models.PositiveSmallIntegerField()
    decisions = models.PositiveIntegerField()
    median_hours = models.FloatField(null=True)

    class Meta:
        verbose_name = _("reviewer workload")
        verbose_name_plural = _("reviewer workloads")

    def __str__(self) -> str:
        return f"{self.reviewer_id} {self.queue}: {self.decisions}"


class FunnelStatistic(SummaryRow):
    """The matching funnel of one period (Asia/Shanghai) and one industry (the technology's
    first-level category; none: every industry), for the whole platform (no broker) or for
    one broker's own work (introductions and deals they brokered, and the matches of those
    pairs). Each step is counted in the period its date falls in; each median is the hours
    between a step and the next for the items that made both, counted in the later step's
    period."""

    broker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    period = models.CharField(max_length=10, choices=FunnelPeriod.choices)
    period_start = models.DateField(null=True)
    industry = models.ForeignKey(
        "catalog.Category", null=True, on_delete=models.CASCADE, related_name="+"
    )
    matches = models.PositiveIntegerField(default=0)
    introductions = models.PositiveIntegerField(default=0)
    deals = models.PositiveIntegerField(default=0)
    signed = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    # Hours from the step named first to the next one.
    matches_to_introductions_hours = models.FloatField(null=True)
    introductions_to_deals_hours = models.FloatField(null=True)
    deals_to_signed_hours = models.FloatField(null=True)
    signed_to_completed_hours = models.FloatField(null=True)

    class Meta:
        verbose_name = _("funnel statistic")
        verbose_name_plural = _("funnel statistics")
        indexes = [models.Index(fields=["run", "broker", "period"], name="funnel_statistic_lookup")]
        constraints = [
            models.CheckConstraint(
                condition=Q(period=FunnelPeriod.ALL, period_start__isnull=True)
                | (~Q(period=FunnelPeriod.ALL) & Q(period_start__isnull=False)),
                name="funnel_statistic_period_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.period_start} {self.industry_id}: {self.matches}"

    def count(self, step: str) -> int:
        return getattr(self, FunnelStep(step).value)


class MatchingEfficiencyStatistic(SummaryRow):
    """Active needs (published or in negotiation) and how many have at least one strong match
    (matching.conf STRONG_SCORE or more, no failed hard constraint), in total (no industry) or
    by the need's first-level category."""

    industry = models.ForeignKey(
        "catalog.Category", null=True, on_delete=models.CASCADE, related_name="+"
    )
    strong_score = models.FloatField()
    active_needs = models.PositiveIntegerField()
    needs_with_strong_match = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("matching efficiency statistic")
        verbose_name_plural = _("matching efficiency statistics")
        constraints = [
            models.CheckConstraint(
                condition=Q(needs_with_strong_match__lte=F("active_needs")),
                name="matching_efficiency_not_above_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.industry_id}: {self.needs_with_strong_match}/{self.active_needs}"


class TurnDownReasonStatistic(SummaryRow):
    """How often each reason (core.reasons) was given when a party was turned down."""

    kind = models.CharField(max_length=30, choices=TurnedDownKind.choices)
    reason_code = models.CharField(max_length=30)
    count = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("turn-down reason statistic")
        verbose_name_plural = _("turn-down reason statistics")

    def __str__(self) -> str:
        return f"{self.kind} {self.reason_code}: {self.count}"
