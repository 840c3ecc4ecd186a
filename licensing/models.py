"""Open licensing (专利开放许可): a holder posts one set of terms for a patent and any verified
enterprise takes a licence on them.

Why a workflow of its own rather than exchange's deal workflow: a Deal is negotiated and
reviewed (inquiry → negotiation → agreement → review → contract → execution), while an open
licence has nothing to negotiate — the terms are posted and the same for everyone, and under the
Patent Law (art. 51) a licence is obtained by notifying the holder and paying the posted fee. So
a `Licence` runs the short workflow accept → pay → licensed on its own StateMachine
(licensing.services.LICENCE_WORKFLOW) with a `LicenceEvent` per step. When it takes effect the
licensing service writes the matching exchange Deal (type licence, already completed, with its
paid payment milestone) and issues the deal's certificate with exchange's certificate machinery,
so deal lists, statistics, ratings and the public verification page treat it like any other
transaction — and no deal transition can reopen it (completed is final).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.choices import Currency
from core.models import TransitionEvent, last_changed_by_field
from licensing.choices import (
    FIXED_FEE_KINDS,
    FeeKind,
    LicenceAction,
    LicenceStatus,
    OfferAction,
    OfferStatus,
)

MONEY = {"max_digits": 14, "decimal_places": 2}
# The statutory ceilings of a royalty rate (percent), by what it is a share of.
NET_SALES_ROYALTY_CEILING = Decimal("20")
PROFIT_ROYALTY_CEILING = Decimal("40")
MAXIMUM_TERM_YEARS = 20  # a patent lasts at most 20 years

OFFER_BADGE_CLASSES = {
    OfferStatus.OPEN: "text-bg-success",
    OfferStatus.WITHDRAWN: "text-bg-secondary",
    OfferStatus.SUPERSEDED: "text-bg-secondary",
}
LICENCE_BADGE_CLASSES = {
    LicenceStatus.ACCEPTED: "text-bg-warning",
    LicenceStatus.LICENSED: "text-bg-success",
    LicenceStatus.CANCELLED: "text-bg-secondary",
}


class LicensingPolicy(models.Model):
    """The open-licensing settings an administrator sets (one row, pk 1): the cap on a posted
    fixed fee (lump sum or entry fee)."""

    SINGLETON_PK = 1

    fixed_fee_cap = models.DecimalField(
        _("highest fixed fee"),
        default=Decimal("5000000"),
        validators=[MinValueValidator(0)],
        help_text=_("A posted lump sum or entry fee may not exceed this amount."),
        **MONEY,
    )
    updated_by = last_changed_by_field()
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("open-licensing settings")
        verbose_name_plural = _("open-licensing settings")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="licensing_policy_single_row"),
            models.CheckConstraint(
                condition=Q(fixed_fee_cap__gte=0), name="licensing_policy_cap_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Open-licensing settings"))


def evaluation_report_path(instance, filename: str) -> str:
    return f"licensing/{instance.technology_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class OpenLicenceOffer(models.Model):
    """A patent offered under an open licence at posted terms, the same for every licensee.

    The terms are frozen once a licensee accepted: a change is a new version (`previous` points
    at the one it replaces, which becomes `superseded`); a withdrawal stops new licences and
    keeps the existing ones. Bounds are checked by licensing.services.offer_validate.
    """

    # What the holder writes (service, form and API alike); the rest is set by the service.
    EDITABLE_FIELDS = (
        "fee_kind",
        "fixed_fee",
        "royalty_rate",
        "currency",
        "term_years",
        "term_end",
        "field_of_use",
        "territory",
    )

    technology = models.ForeignKey(
        "catalog.Technology",
        verbose_name=_("technology"),
        on_delete=models.PROTECT,
        related_name="open_licence_offers",
    )
    patent = models.ForeignKey(
        "catalog.TechnologyPatent",
        verbose_name=_("patent"),
        on_delete=models.PROTECT,
        related_name="open_licence_offers",
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("patent holder"),
        on_delete=models.PROTECT,
        related_name="open_licence_offers",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_version",
    )
    fee_kind = models.CharField(_("kind of fee"), max_length=30, choices=FeeKind.choices)
    fixed_fee = models.DecimalField(
        _("fixed fee"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("The lump sum, or the entry fee paid on taking the licence."),
        **MONEY,
    )
    royalty_rate = models.DecimalField(
        _("royalty rate (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("At most 20 % of net sales, or 40 % of profit."),
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        choices=Currency.choices,
        default=Currency.CNY,
    )
    term_years = models.PositiveSmallIntegerField(
        _("term (years)"),
        null=True,
        blank=True,
        help_text=_("Either a number of years from taking the licence, or an end date."),
    )
    term_end = models.DateField(_("licence ends on"), null=True, blank=True)
    field_of_use = models.CharField(
        _("field of use"),
        max_length=300,
        help_text=_(
            "What the licensee may use the patent for, e.g. treating industrial wastewater."
        ),
    )
    territory = models.CharField(
        _("territory"),
        max_length=200,
        help_text=_("Where the licence applies, e.g. mainland China."),
    )
    evaluation_report = models.FileField(
        _("patent evaluation report (专利权评价报告)"),
        upload_to=evaluation_report_path,
        max_length=300,
        blank=True,
        help_text=_("Required for utility-model and design patents (PDF)."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=OfferStatus.choices, default=OfferStatus.OPEN
    )
    published_at = models.DateTimeField(_("offered on"), default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("open licence offer")
        verbose_name_plural = _("open licence offers")
        constraints = [
            models.UniqueConstraint(
                fields=["patent"],
                condition=Q(status="open"),
                name="one_open_licence_offer_per_patent",
            ),
            models.CheckConstraint(
                condition=Q(fixed_fee__isnull=True) | Q(fixed_fee__gte=0),
                name="open_licence_fixed_fee_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(royalty_rate__isnull=True)
                | Q(royalty_rate__gt=0, royalty_rate__lte=PROFIT_ROYALTY_CEILING),
                name="open_licence_royalty_within_statutory_ceiling",
            ),
            models.CheckConstraint(
                condition=Q(term_years__isnull=False) | Q(term_end__isnull=False),
                name="open_licence_has_a_term",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patent} · {self.get_fee_kind_display()}"

    @property
    def badge_class(self) -> str:
        return OFFER_BADGE_CLASSES.get(self.status, "text-bg-secondary")

    @property
    def is_open(self) -> bool:
        return self.status == OfferStatus.OPEN

    @property
    def amount_due_on_acceptance(self) -> Decimal:
        """What a licensee pays to take the licence: the lump sum or the entry fee (royalties
        are reported and paid later, on sales or profit)."""
        if self.fee_kind in FIXED_FEE_KINDS and self.fixed_fee is not None:
            return self.fixed_fee
        return Decimal("0")


class OpenLicenceOfferEvent(TransitionEvent):
    """One step of an offer: offered, edited, replaced by a new version, withdrawn."""

    status_choices = OfferStatus
    action_labels = dict(OfferAction.choices)

    offer = models.ForeignKey(OpenLicenceOffer, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("open licence offer event")
        verbose_name_plural = _("open licence offer events")

    def __str__(self) -> str:
        return f"{self.offer_id}: {self.action}"


class Licence(models.Model):
    """A licensee's licence under an open licence offer: accepted, then in force once the posted
    fee is paid. One per licensee and offer (a cancelled one may be taken again)."""

    offer = models.ForeignKey(
        OpenLicenceOffer,
        verbose_name=_("open licence offer"),
        on_delete=models.PROTECT,
        related_name="licences",
    )
    licensee = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("licensee"),
        on_delete=models.PROTECT,
        related_name="open_licences_held",
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=LicenceStatus.choices, default=LicenceStatus.ACCEPTED
    )
    amount_due = models.DecimalField(
        _("fee due on taking the licence"), validators=[MinValueValidator(0)], **MONEY
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    deal = models.OneToOneField(
        "exchange.Deal",
        verbose_name=_("deal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="open_licence",
    )
    accepted_at = models.DateTimeField(_("accepted on"), default=timezone.now)
    licensed_at = models.DateTimeField(_("in force since"), null=True, blank=True)
    ends_on = models.DateField(_("licence ends on"), null=True, blank=True)

    class Meta:
        ordering = ["-accepted_at", "-pk"]
        verbose_name = _("open licence")
        verbose_name_plural = _("open licences")
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "licensee"],
                condition=~Q(status="cancelled"),
                name="one_licence_per_licensee_and_offer",
            ),
            models.CheckConstraint(
                condition=Q(amount_due__gte=0), name="licence_amount_due_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer} → {self.licensee}"

    @property
    def badge_class(self) -> str:
        return LICENCE_BADGE_CLASSES.get(self.status, "text-bg-secondary")

    @property
    def is_licensed(self) -> bool:
        return self.status == LicenceStatus.LICENSED


class LicenceEvent(TransitionEvent):
    """One step of a licence: accepted, paid (in force), cancelled."""

    status_choices = LicenceStatus
    action_labels = dict(LicenceAction.choices)

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="events")
    actor_role = models.CharField(max_length=20, blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("licence event")
        verbose_name_plural = _("licence events")

    def __str__(self) -> str:
        return f"{self.licence_id}: {self.action}"
