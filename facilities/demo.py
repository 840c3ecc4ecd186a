"""Demo: the holder's university lists a wastewater pilot line (published, open on weekdays for
the next months, one maintenance week blocked), the voucher programme allows facility services,
and the demo enterprise has asked for a slot the holder still has to confirm."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.demo import demo_credit_code, seed_accounts
from accounts.models import Organization
from facilities import services
from facilities.choices import BookingStatus, FacilityKind, FacilityStatus, PeriodKind, PriceUnit
from facilities.models import Facility
from finance.choices import ProgrammeKind
from finance.models import SupportProgramme

PILOT_LINE_TITLE = "高盐废水蒸发结晶中试线"
OPEN_WEEKS = 12


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _open_weekdays(facility: Facility, user) -> None:
    today = timezone.localdate()
    for offset in range(1, OPEN_WEEKS * 7 + 1):
        day = today + datetime.timedelta(days=offset)
        if day.weekday() < 5:
            services.period_add(
                facility=facility, user=user, kind=PeriodKind.OPEN,
                starts_at=_at(day, 8), ends_at=_at(day, 18),
            )  # fmt: skip
    maintenance = today + datetime.timedelta(days=(7 - today.weekday()) + 21)
    services.period_add(
        facility=facility, user=user, kind=PeriodKind.BLOCKED, starts_at=_at(maintenance, 0),
        ends_at=_at(maintenance + datetime.timedelta(days=5), 0), note="年度检修",
    )  # fmt: skip


def _next_weekday(after_days: int) -> datetime.date:
    day = timezone.localdate() + datetime.timedelta(days=after_days)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def seed() -> str:
    users = seed_accounts()
    holder_user, enterprise_user = users["holder"], users["enterprise"]
    holder = Organization.objects.get(credit_code=demo_credit_code("320000001"))
    SupportProgramme.objects.filter(kind=ProgrammeKind.VOUCHER).update(
        allows_facility_services=True
    )
    facility = Facility.objects.filter(provider=holder, title_zh=PILOT_LINE_TITLE).first()
    if facility is None:
        facility = services.facility_create(
            user=holder_user, provider=holder, kind=FacilityKind.PILOT_LINE,
            title_zh=PILOT_LINE_TITLE, title_en="High-salinity wastewater evaporation pilot line",
            description_zh="MVR 蒸发 + 分盐结晶中试装置，可做工艺验证与放大试验。",
            description_en="MVR evaporation and salt-separating crystallisation pilot plant for "
            "process validation and scale-up trials.",
            capabilities="MVR 蒸发浓缩\n分盐结晶（氯化钠/硫酸钠）\n在线水质监测与报告",
            capacity="5 t/d", region="CN-JS", address="南京市江宁区高校科技园 3 号楼",
            price=Decimal("800.00"), price_unit=PriceUnit.HOUR, currency="CNY",
        )  # fmt: skip
        _open_weekdays(facility, holder_user)
    if facility.status == FacilityStatus.DRAFT:
        services.facility_transition(facility=facility, user=holder_user, action="publish")
    if not facility.bookings.filter(status=BookingStatus.REQUESTED).exists():
        day = _next_weekday(3)
        if facility.bookings.filter(starts_at=_at(day, 9)).exists():
            day = _next_weekday(4)
        services.booking_request(
            facility=facility, user=enterprise_user, starts_at=_at(day, 9),
            ends_at=_at(day, 12), purpose="含盐废水（TDS 8%）蒸发结晶工艺验证",
        )  # fmt: skip
    return f"{Facility.objects.count()} facilities, {facility.bookings.count()} bookings"
