"""The inventors panel of a technology page: the service invention right for everyone, the
inventors and their shares for the holder's members and reviewers only."""

from django import template

from catalog import inventors

register = template.Library()


@register.inclusion_tag("catalog/includes/inventors_panel.html", takes_context=True)
def inventors_panel(context, technology):
    user = context["request"].user
    visible = inventors.inventors_visible(technology=technology, user=user)
    right = getattr(technology, "service_invention_right", None)
    return {
        "technology": technology,
        "right": right,
        "inventors": list(technology.inventors.select_related("user")) if visible else [],
        "inventors_visible": visible,
        "may_edit": inventors.inventors_may_edit(technology=technology, user=user),
    }
