import uuid

from django import template

register = template.Library()


@register.simple_tag
def new_idempotency_key() -> str:
    """A fresh key for one money-moving form: submitting it twice moves the money once."""
    return uuid.uuid4().hex


@register.filter
def percent(value) -> str:
    """0.0435 -> "4.35"."""
    if value is None or value == "":
        return ""
    from decimal import Decimal

    return f"{(Decimal(str(value)) * 100).normalize():f}"
