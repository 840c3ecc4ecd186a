from django.db import models
from django.utils.translation import gettext_lazy as _


class FacilityKind(models.TextChoices):
    PILOT_LINE = "pilot_line", _("Pilot line")
    TEST_BENCH = "test_bench", _("Test bench")
    INSTRUMENT = "instrument", _("Instrument")
    LAB_SERVICE = "lab_service", _("Lab service")


class PriceUnit(models.TextChoices):
    HOUR = "hour", _("per hour")
    DAY = "day", _("per day")
    SAMPLE = "sample", _("per sample")


class FacilityStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class FacilityAction(models.TextChoices):
    CREATE = "create", _("Created")
    EDIT = "edit", _("Edited")
    PUBLISH = "publish", _("Published")
    WITHDRAW = "withdraw", _("Withdrawn")


class PeriodKind(models.TextChoices):
    OPEN = "open", _("Open for booking")
    BLOCKED = "blocked", _("Blocked (maintenance, own use)")


class BookingStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed: charge issued")
    BILLED = "billed", _("Billed and paid")


# A slot is taken while a booking is in one of these statuses (the exclusion constraint's rule).
ACTIVE_BOOKING_STATUSES = (
    BookingStatus.REQUESTED,
    BookingStatus.CONFIRMED,
    BookingStatus.COMPLETED,
    BookingStatus.BILLED,
)


class BookingAction(models.TextChoices):
    REQUEST = "request", _("Requested")
    CONFIRM = "confirm", _("Confirmed")
    DECLINE = "decline", _("Declined")
    CANCEL = "cancel", _("Cancelled")
    COMPLETE = "complete", _("Completed")
    PAY = "pay", _("Paid")


class BookingActor(models.TextChoices):
    PROVIDER = "provider", _("Provider")
    BOOKER = "booker", _("Booker")
