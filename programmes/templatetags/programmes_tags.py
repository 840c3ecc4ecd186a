from django import template
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.timezones import in_two_zones, zone_label
from programmes.selectors.experts import latest_completed_evaluation

register = template.Library()

ACTION_LABELS = {
    "verify": _("Verify"),
    "reject": _("Refuse"),
    "resubmit": _("Ask again"),
    "suspend": _("Suspend"),
    "reinstate": _("Reinstate"),
    "cancel": _("Cancel"),
    "screen": _("Rank the technologies"),
    "close": pgettext_lazy("call for entries", "Close"),
    "open": _("Open registration"),
    "close_registration": _("Close registration"),
    "publish": _("Publish"),
    "announce": _("Announce the winners"),
}


@register.filter
def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


@register.inclusion_tag("programmes/includes/evaluation_badge_body.html")
def evaluation_badge(technology):
    """The "evaluated" badge of a technology: its latest completed evaluation (one query)."""
    evaluation = latest_completed_evaluation(technology_id=technology.pk) if technology else None
    return {"evaluation": evaluation}


@register.filter
def get_item(mapping, key):
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def in_zones(moment, zone: str) -> str:
    """The date and time in the reader's zone and, when it differs, in the organiser's:
    "2027-01-12 10:00 Bangkok time (11:00 Beijing time)"."""
    if not moment:
        return ""
    return in_two_zones(moment, zone)


@register.filter
def in_zones_time(moment, zone: str) -> str:
    """The same without the date (a meeting within a day's programme)."""
    if not moment:
        return ""
    return in_two_zones(moment, zone, with_date=False)


@register.filter
def time_zone_label(zone: str, moment=None) -> str:
    """Bangkok (UTC+07:00)."""
    return zone_label(zone, moment)


@register.simple_tag
def reader_time_zone() -> str:
    return timezone.get_current_timezone_name()
