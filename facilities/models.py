"""Shared facilities (pilot lines, test benches, instruments, lab services) and their bookings.

No double booking: an exclusion constraint on (facility, [starts_at, ends_at)) holds for every
booking that still takes its slot. The facility half uses `int8range(facility_id, facility_id,
'[]')` with the overlap operator, as finance's subsidy periods do, so the constraint needs only
the GiST range operators every PostgreSQL ships (no btree_gist extension); two equal one-point
ranges overlap exactly when the ids are equal.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.db import models
from django.db.models import F, Func, Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.i18n import bilingual
from core.models import TransitionEvent
from core.regions import region_label, validate_region
from facilities.choices import (
    ACTIVE_BOOKING_STATUSES,
    BookingAction,
    BookingStatus,
    FacilityAction,
    FacilityKind,
    FacilityStatus,
    PeriodKind,
    PriceUnit,
)
from finance.choices import Currency

MONEY = {"max_digits": 18, "decimal_places": 2}


def _time_range(start: str, end: str) -> Func:
    return Func(F(start), F(end), Value("[)"), function="tstzrange")


def _one_point(field: str) -> Func:
    return Func(F(field), F(field), Value("[]"), function="int8range")


class FacilityQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=FacilityStatus.PUBLISHED)


class Facility(models.Model):
    """A facility an organisation opens to others: what it can do, where, at which price, and
    when it can be booked (its availability periods)."""

    EDITABLE_FIELDS = (
        "kind",
        "title_zh",
        "title_en",
        "description_zh",
        "description_en",
        "capabilities",
        "capacity",
        "region",
        "address",
        "price",
        "price_unit",
        "currency",
    )

    provider = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="facilities",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("type"), max_length=20, choices=FacilityKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=FacilityStatus.choices, default=FacilityStatus.DRAFT
    )
    title_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    title_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    capabilities = models.TextField(
        _("capabilities"), help_text=_("What it can make, test or measure; one per line.")
    )
    capacity = models.CharField(
        _("capacity"), max_length=200, help_text=_("For example: 5 t/day, 50 samples/week.")
    )
    region = models.CharField(_("region"), max_length=10, validators=[validate_region])
    address = models.CharField(_("address"), max_length=300, blank=True)
    price = models.DecimalField(_("price"), **MONEY)
    price_unit = models.CharField(_("price unit"), max_length=10, choices=PriceUnit.choices)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FacilityQuerySet.as_manager()

    title = bilingual("title")
    description = bilingual("description")

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        ordering = ["-updated_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(title_zh="") | ~Q(title_en=""), name="facility_has_a_name"
            ),
            models.CheckConstraint(condition=Q(price__gt=0), name="facility_price_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def region_name(self) -> str:
        return region_label(self.region)

    @property
    def is_published(self) -> bool:
        return self.status == FacilityStatus.PUBLISHED

    def capability_lines(self) -> list[str]:
        return [line.strip() for line in self.capabilities.splitlines() if line.strip()]


class FacilityEvent(TransitionEvent):
    """One step in a facility's history (created, edited, published, withdrawn)."""

    status_choices = FacilityStatus
    action_labels = dict(FacilityAction.choices)

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("facility event")
        verbose_name_plural = _("facility events")


class AvailabilityPeriod(models.Model):
    """A period in which the facility can be booked (open) or cannot (blocked: maintenance,
    the provider's own use). A booking must lie inside one open period and touch no blocked one."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="periods")
    kind = models.CharField(_("kind"), max_length=10, choices=PeriodKind.choices)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("availability period")
        verbose_name_plural = _("availability periods")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="availability_period_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"


class FacilityBooking(models.Model):
    """A slot of a facility booked by another organisation: requested → confirmed or declined
    by the provider → completed (the charge is fixed) → billed (paid, part of it perhaps with
    an innovation voucher through the ledger)."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="bookings")
    booker = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("booked by"),
        on_delete=models.PROTECT,
        related_name="facility_bookings",
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    samples = models.PositiveIntegerField(
        _("samples"), null=True, blank=True, help_text=_("For facilities priced per sample.")
    )
    purpose = models.TextField(_("purpose"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=BookingStatus.choices,
        default=BookingStatus.REQUESTED,
    )
    # Fixed when the provider completes the booking: the facility's price × hours, days or samples.
    charge = models.DecimalField(_("charge"), null=True, blank=True, **MONEY)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    voucher = models.ForeignKey(
        "finance.Voucher",
        verbose_name=_("innovation voucher"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="facility_bookings",
    )
    voucher_amount = models.DecimalField(_("paid with the voucher"), default=Decimal("0"), **MONEY)
    voucher_transaction = models.OneToOneField(
        "finance.LedgerTransaction",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="facility_booking",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("facility booking")
        verbose_name_plural = _("facility bookings")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="facility_booking_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(voucher_amount__gte=0)
                & (Q(charge__isnull=True, voucher_amount=0) | Q(voucher_amount__lte=F("charge"))),
                name="facility_booking_voucher_within_charge",
            ),
            ExclusionConstraint(
                name="facility_bookings_do_not_overlap",
                index_type="gist",
                expressions=[
                    (_one_point("facility_id"), RangeOperators.OVERLAPS),
                    (_time_range("starts_at", "ends_at"), RangeOperators.OVERLAPS),
                ],
                condition=Q(status__in=[str(status) for status in ACTIVE_BOOKING_STATUSES]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_billed(self) -> bool:
        return self.status == BookingStatus.BILLED

    @property
    def left_to_pay(self) -> Decimal | None:
        if self.charge is None:
            return None
        return self.charge - self.voucher_amount


class FacilityBookingEvent(TransitionEvent):
    """One step of a booking's workflow (who, when, from, to, note)."""

    status_choices = BookingStatus
    action_labels = dict(BookingAction.choices)

    booking = models.ForeignKey(FacilityBooking, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("booking event")
        verbose_name_plural = _("booking events")
