from django import template
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
