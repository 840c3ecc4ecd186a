"""Freshness of published listings and needs: how long an entry counts as current.

Every technology and need carries `valid_until` (a day of the site's calendar) and
`last_confirmed_at`. A live entry (published; a need also while in negotiation) whose
`valid_until` has passed is *outdated*: a computed state, never a stored status, so it cannot
drift from the date. Outdated entries leave the default searches and the matching, keep their
detail page, and come back the moment their owner confirms them (which moves `valid_until`).
"""

from __future__ import annotations

import calendar
import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# A technology is current for this long after it is published or confirmed.
DEFAULT_VALIDITY_MONTHS = 12
# The latest date an owner may choose, counted from today.
MAX_VALIDITY_MONTHS = 36
# Owners are reminded this many days before the entry lapses (one reminder of each per date).
REMINDER_DAYS_BEFORE = (30, 7)


class Freshness(models.TextChoices):
    """The `freshness` filter of the lists and searches (default: current entries only)."""

    CURRENT = "current", gettext_lazy("Current only")
    OUTDATED = "outdated", gettext_lazy("Outdated only")
    ALL = "all", gettext_lazy("Current and outdated")


def today() -> datetime.date:
    return timezone.localdate()


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` moved by whole months; the 31st becomes the month's last day when it has none."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def default_valid_until() -> datetime.date:
    """Twelve months from today (the model default and the default of a confirmation)."""
    return add_months(today(), DEFAULT_VALIDITY_MONTHS)


def latest_valid_until() -> datetime.date:
    return add_months(today(), MAX_VALIDITY_MONTHS)


class DefaultValidUntil(models.Func):
    """The database default of `valid_until`, for rows written without the ORM (bulk COPY)."""

    template = "((CURRENT_DATE + INTERVAL '12 months')::date)"
    output_field = models.DateField()

    def __init__(self):
        super().__init__()


def validate_valid_until(
    value: datetime.date, *, latest: datetime.date | None = None, latest_message: str = ""
) -> None:
    """Not in the past, at most MAX_VALIDITY_MONTHS ahead and, when given, not after `latest`
    (a need's deadline); a ValidationError on `valid_until` otherwise."""
    if not isinstance(value, datetime.date):
        raise ValidationError({"valid_until": [_("Enter a valid date.")]})
    if value < today():
        raise ValidationError({"valid_until": [_("The date cannot be in the past.")]})
    limit = latest_valid_until()
    if value > limit:
        raise ValidationError(
            {
                "valid_until": [
                    _("Choose a date on or before %(date)s (at most three years ahead).")
                    % {"date": formats.date_format(limit, "DATE_FORMAT")}
                ]
            }
        )
    if latest is not None and value > latest:
        raise ValidationError({"valid_until": [latest_message]})


def outdated_q(*, statuses, on: datetime.date | None = None) -> Q:
    """The live entries (`statuses`) whose `valid_until` lies before `on` (today)."""
    return Q(status__in=list(statuses), valid_until__lt=on or today())


def is_outdated(*, status: str, valid_until: datetime.date | None, statuses) -> bool:
    return status in statuses and valid_until is not None and valid_until < today()


def reminder_due(valid_until: datetime.date, *, on: datetime.date | None = None) -> int | None:
    """Which reminder (days before) is due for an entry lapsing on `valid_until`: the closest
    of REMINDER_DAYS_BEFORE that the remaining days have reached; None when it is not yet time
    or the date has passed."""
    days_left = (valid_until - (on or today())).days
    if days_left < 0:
        return None
    reached = [days for days in REMINDER_DAYS_BEFORE if days_left <= days]
    return min(reached) if reached else None


def confirmation_due_q(*, statuses, on: datetime.date | None = None) -> Q:
    """Live entries lapsing within the first reminder's window, or already outdated: what the
    owner's to-dos ask to confirm."""
    day = on or today()
    return Q(
        status__in=list(statuses),
        valid_until__lte=day + datetime.timedelta(days=max(REMINDER_DAYS_BEFORE)),
    )


def confirmation_due(*, status: str, valid_until: datetime.date | None, statuses) -> bool:
    if status not in statuses or valid_until is None:
        return False
    return valid_until <= today() + datetime.timedelta(days=max(REMINDER_DAYS_BEFORE))


def freshness_filter(queryset, value: str, *, statuses, on: datetime.date | None = None):
    """Apply a Freshness choice (empty: current only) to a queryset of entries."""
    condition = outdated_q(statuses=statuses, on=on)
    if value == Freshness.ALL:
        return queryset
    if value == Freshness.OUTDATED:
        return queryset.filter(condition)
    return queryset.exclude(condition)


def lapsing_reminders_send(
    *,
    candidates,
    remind,
    on: datetime.date | None = None,
    batch_size: int = 200,
    max_batches: int = 50,
) -> int:
    """Call `remind(pk, day)` for each of `candidates` (a queryset with a `valid_until`) lapsing
    within the reminder window, in bounded batches by primary key; returns how many reminders
    `remind` sent. It decides once per date and reminder, so running this twice sends nothing
    more."""
    day = on or today()
    horizon = day + datetime.timedelta(days=max(REMINDER_DAYS_BEFORE))
    lapsing = candidates.filter(valid_until__gte=day, valid_until__lte=horizon).order_by("pk")
    sent = 0
    last_pk = 0
    for _batch in range(max_batches):
        ids = list(lapsing.filter(pk__gt=last_pk).values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        last_pk = ids[-1]
        sent += sum(bool(remind(pk, day)) for pk in ids)
    return sent
