"""Time zones of people and events: IANA zone names, validated with zoneinfo, shown as a city
and its UTC offset, never as the raw name alone.

Times are stored in UTC; each request runs in its user's zone (core.middleware and the API's
token authentication activate it), so Django's `localtime`, the `date` filter and DRF's ISO
8601 output all follow the reader.
"""

from __future__ import annotations

import datetime
import zoneinfo
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

DEFAULT_TIME_ZONE = "Asia/Shanghai"

# The zones offered in forms (the API takes any IANA name): China and the partner countries of
# the Belt-and-Road transfer network first, then the main business centres. The city is what
# readers call the zone's time ("Beijing time" for Asia/Shanghai).
CITIES: dict[str, object] = {
    "Asia/Shanghai": pgettext_lazy("time zone", "Beijing"),
    "Asia/Hong_Kong": pgettext_lazy("time zone", "Hong Kong"),
    "Asia/Bangkok": pgettext_lazy("time zone", "Bangkok"),
    "Asia/Ho_Chi_Minh": pgettext_lazy("time zone", "Ho Chi Minh City"),
    "Asia/Jakarta": pgettext_lazy("time zone", "Jakarta"),
    "Asia/Kuala_Lumpur": pgettext_lazy("time zone", "Kuala Lumpur"),
    "Asia/Singapore": pgettext_lazy("time zone", "Singapore"),
    "Asia/Manila": pgettext_lazy("time zone", "Manila"),
    "Asia/Yangon": pgettext_lazy("time zone", "Yangon"),
    "Asia/Phnom_Penh": pgettext_lazy("time zone", "Phnom Penh"),
    "Asia/Vientiane": pgettext_lazy("time zone", "Vientiane"),
    "Asia/Tokyo": pgettext_lazy("time zone", "Tokyo"),
    "Asia/Seoul": pgettext_lazy("time zone", "Seoul"),
    "Asia/Kolkata": pgettext_lazy("time zone", "New Delhi"),
    "Asia/Karachi": pgettext_lazy("time zone", "Karachi"),
    "Asia/Almaty": pgettext_lazy("time zone", "Almaty"),
    "Asia/Tashkent": pgettext_lazy("time zone", "Tashkent"),
    "Asia/Dubai": pgettext_lazy("time zone", "Dubai"),
    "Asia/Riyadh": pgettext_lazy("time zone", "Riyadh"),
    "Europe/Istanbul": pgettext_lazy("time zone", "Istanbul"),
    "Europe/Moscow": pgettext_lazy("time zone", "Moscow"),
    "Europe/Berlin": pgettext_lazy("time zone", "Berlin"),
    "Europe/Paris": pgettext_lazy("time zone", "Paris"),
    "Europe/London": pgettext_lazy("time zone", "London"),
    "Africa/Cairo": pgettext_lazy("time zone", "Cairo"),
    "Africa/Nairobi": pgettext_lazy("time zone", "Nairobi"),
    "Africa/Addis_Ababa": pgettext_lazy("time zone", "Addis Ababa"),
    "Africa/Lagos": pgettext_lazy("time zone", "Lagos"),
    "America/Sao_Paulo": pgettext_lazy("time zone", "São Paulo"),
    "America/New_York": pgettext_lazy("time zone", "New York"),
    "America/Los_Angeles": pgettext_lazy("time zone", "Los Angeles"),
    "UTC": pgettext_lazy("time zone", "UTC"),
}


@lru_cache(maxsize=1)
def _available() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_time_zone(name: str) -> bool:
    return bool(name) and name in _available()


def validate_time_zone(name: str) -> None:
    if not is_time_zone(name):
        raise ValidationError(
            _("“%(name)s” is not a time zone: give an IANA name such as Asia/Bangkok."),
            code="invalid_time_zone",
            params={"name": name},
        )


def zone_of(name: str | None) -> zoneinfo.ZoneInfo:
    """The zone of that name, or the site's zone for a blank or unknown one."""
    if name and is_time_zone(name):
        return zoneinfo.ZoneInfo(name)
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def city(name: str) -> str:
    """What the zone's time is called after: "Bangkok" for Asia/Bangkok."""
    if name in CITIES:
        return str(CITIES[name])
    return name.rsplit("/", 1)[-1].replace("_", " ")


def utc_offset(name: str, moment: datetime.datetime | None = None) -> str:
    """UTC+07:00: the zone's offset at that moment (summer and winter time differ)."""
    local = (moment or timezone.now()).astimezone(zone_of(name))
    offset = local.utcoffset() or datetime.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def zone_label(name: str, moment: datetime.datetime | None = None) -> str:
    """Bangkok (UTC+07:00)."""
    return f"{city(name)} ({utc_offset(name, moment)})"


def time_zone_choices(current: str = "") -> list[tuple[str, str]]:
    """The zones a form offers, labelled with city and offset, sorted by offset; a current
    value outside the list stays selectable."""
    names = list(CITIES)
    if current and current not in CITIES and is_time_zone(current):
        names.append(current)
    now = timezone.now()
    return sorted(
        ((name, f"({utc_offset(name, now)}) {city(name)}") for name in names),
        key=lambda choice: (
            now.astimezone(zone_of(choice[0])).utcoffset() or datetime.timedelta(0),
            choice[1],
        ),
    )


def local_time(moment: datetime.datetime, name: str, *, with_date: bool = True) -> str:
    """The moment in that zone, named: "2027-01-12 10:00 Bangkok time"."""
    local = moment.astimezone(zone_of(name))
    shown = date_format(local, "Y-m-d H:i" if with_date else "H:i")
    return gettext("%(time)s %(city)s time") % {"time": shown, "city": city(name)}


def reader_zone_name() -> str:
    return timezone.get_current_timezone_name()


def in_two_zones(moment: datetime.datetime, other_zone: str, *, with_date: bool = True) -> str:
    """The moment in the reader's zone and, when it differs, in the other one:
    "2027-01-12 10:00 Bangkok time (11:00 Beijing time)"."""
    reader = reader_zone_name()
    shown = local_time(moment, reader, with_date=with_date)
    reader_local = moment.astimezone(zone_of(reader))
    other_local = moment.astimezone(zone_of(other_zone))
    if reader == other_zone or (
        reader_local.utcoffset() == other_local.utcoffset() and city(reader) == city(other_zone)
    ):
        return shown
    other_with_date = with_date and reader_local.date() != other_local.date()
    return f"{shown} ({local_time(moment, other_zone, with_date=other_with_date)})"


def activate_for(user) -> None:
    """Run the rest of the request in the user's zone (the site's for anonymous users)."""
    name = getattr(user, "time_zone", "") if getattr(user, "is_authenticated", False) else ""
    if name and is_time_zone(name):
        timezone.activate(zoneinfo.ZoneInfo(name))
    else:
        timezone.deactivate()


def platform_date(moment: datetime.datetime | None = None) -> datetime.date:
    """The exchange's business date of `moment` (now by default): in the platform's zone
    (settings.TIME_ZONE, Beijing time), whoever's zone the request runs in. Dates that bind a
    contract (the day a rate is fixed at signing, a record's signing date) must not depend on
    which party clicked: 00:30 in Beijing is still the evening before in Bangkok."""
    return timezone.localdate(moment or timezone.now(), timezone.get_default_timezone())
