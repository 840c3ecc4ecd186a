"""`{% breadcrumbs url label url label ... current %}`: the trail above a page's heading.

Each earlier crumb is a (url, label) pair (a blank url gives a crumb without a link); the last
argument names the current page, marked aria-current="page". URLs come from `{% url ... as name %}`.
"""

from django import template

register = template.Library()


@register.inclusion_tag("includes/breadcrumbs.html")
def breadcrumbs(*parts) -> dict:
    if not parts or len(parts) % 2 == 0:
        raise template.TemplateSyntaxError(
            "breadcrumbs takes (url, label) pairs followed by the current page's label"
        )
    *pairs, current = parts
    trail = [{"url": pairs[i], "label": pairs[i + 1]} for i in range(0, len(pairs), 2)]
    return {"trail": trail, "current": current}
