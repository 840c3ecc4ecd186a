"""Template side of core.visibility: `{{ event.actor|actor_name:user }}` names a person by
display name (never an e-mail address, except to reviewers)."""

from django import template

from core.visibility import actor_label

register = template.Library()


@register.filter
def actor_name(actor, viewer=None) -> str:
    return actor_label(actor, viewer=viewer)
