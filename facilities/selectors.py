"""Reads: who sees which facility and booking, what waits for a provider, and the facilities a
need that calls for testing or scale-up could use."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.choices import OrganizationType
from accounts.models import Organization
from accounts.permissions import member_organization_ids
from facilities.choices import ACTIVE_BOOKING_STATUSES, BookingStatus, FacilityStatus, PeriodKind
from facilities.models import AvailabilityPeriod, Facility, FacilityBooking

# Who may open a facility to others, and who may book one (always another organisation).
PROVIDER_KINDS = (
    OrganizationType.UNIVERSITY,
    OrganizationType.INSTITUTE,
    OrganizationType.ENTERPRISE,
)
BOOKER_KINDS = PROVIDER_KINDS
SUGGESTIONS_SHOWN = 3
# Words in a need that ask for testing, piloting or scale-up (Chinese and English).
TESTING_WORDS = (
    "中试", "试验", "测试", "检测", "验证", "放大", "示范", "小试", "评价",
    "pilot", "test", "scale-up", "scale up", "validation", "trial", "demonstration",
)  # fmt: skip


def provider_organizations(*, user) -> QuerySet[Organization]:
    """The verified organisations the user may list facilities for."""
    return Organization.objects.verified().filter(
        pk__in=member_organization_ids(user=user), kind__in=PROVIDER_KINDS
    )


def booker_organizations(*, user, facility: Facility) -> QuerySet[Organization]:
    """The verified organisations the user may book `facility` for: never its provider."""
    return (
        Organization.objects.verified()
        .filter(pk__in=member_organization_ids(user=user), kind__in=BOOKER_KINDS)
        .exclude(pk=facility.provider_id)
    )


def facilities_visible_to(*, user) -> QuerySet[Facility]:
    """Published facilities for everyone; drafts and withdrawn ones to the provider's members."""
    own = member_organization_ids(user=user)
    return Facility.objects.select_related("provider").filter(
        Q(status=FacilityStatus.PUBLISHED) | Q(provider_id__in=own)
    )


def facilities_of(*, user) -> QuerySet[Facility]:
    return Facility.objects.select_related("provider").filter(
        provider_id__in=member_organization_ids(user=user)
    )


def bookings_visible_to(*, user) -> QuerySet[FacilityBooking]:
    """A booking is seen by the booker's and the provider's members only."""
    own = member_organization_ids(user=user)
    return FacilityBooking.objects.select_related(
        "facility", "facility__provider", "booker", "voucher"
    ).filter(Q(booker_id__in=own) | Q(facility__provider_id__in=own))


def bookings_made_by(*, user) -> QuerySet[FacilityBooking]:
    return bookings_visible_to(user=user).filter(booker_id__in=member_organization_ids(user=user))


def bookings_received_by(*, user) -> QuerySet[FacilityBooking]:
    return bookings_visible_to(user=user).filter(
        facility__provider_id__in=member_organization_ids(user=user)
    )


def bookings_to_confirm(*, user) -> QuerySet[FacilityBooking]:
    return bookings_received_by(user=user).filter(status=BookingStatus.REQUESTED)


def upcoming_periods(*, facility: Facility) -> QuerySet[AvailabilityPeriod]:
    return facility.periods.filter(ends_at__gt=timezone.now()).order_by("starts_at")


def taken_slots(*, facility: Facility) -> QuerySet[FacilityBooking]:
    """The facility's future slots that are taken (shown to everyone without who booked them)."""
    return facility.bookings.filter(
        status__in=ACTIVE_BOOKING_STATUSES, ends_at__gt=timezone.now()
    ).order_by("starts_at")


def open_periods(*, facility: Facility) -> QuerySet[AvailabilityPeriod]:
    return upcoming_periods(facility=facility).filter(kind=PeriodKind.OPEN)


def need_calls_for_testing(need) -> bool:
    text = " ".join(
        str(getattr(need, field, "") or "")
        for field in ("title_zh", "title_en", "description_zh", "description_en", "context")
    ).lower()
    return any(word in text for word in TESTING_WORDS)


def need_facility_suggestions(*, need, user) -> dict | None:
    """The facilities panel under a need's matches (registered with matching.extensions):
    published facilities, those in the need's region first, when the need asks for testing,
    piloting or scale-up."""
    if not need_calls_for_testing(need):
        return None
    region = getattr(need, "region", "") or ""
    facilities = list(
        Facility.objects.published()
        .select_related("provider")
        .exclude(provider_id=need.organization_id)
        .annotate(
            elsewhere=Case(
                When(region=region, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("elsewhere", "-updated_at", "pk")[:SUGGESTIONS_SHOWN]
    )
    if not facilities:
        return None
    return {"template": "facilities/includes/need_suggestions.html", "facilities": facilities}


def facility_workspace_todos(*, user) -> list[dict]:
    """A provider's booking requests to confirm or decline."""
    from accounts.workspace import queue_todo

    if not getattr(user, "is_authenticated", False):
        return []
    if not facilities_of(user=user).exists():
        return []
    return [
        queue_todo(
            key="facility_bookings_to_confirm",
            label=gettext_lazy("Facility bookings to confirm"),
            queryset=bookings_to_confirm(user=user),
            url=reverse("facilities:provider_bookings") + "?status=requested",
            since_field="created_at",
        )
    ]
