"""Template side of core.money: every page that shows money uses these (see core.money for
the rule).

    {% load formatting %}
    {{ deal.price|money:deal.currency }}          85 万元 · CNY 850,000
    {{ deal.price|money_exact:deal.currency }}    850,000.00 元 · CNY 850,000.00
    {% money_range need.budget_min need.budget_max need.currency %}
"""

from django import template

from core.money import format_money, format_money_range

register = template.Library()


@register.filter
def money(amount, currency="CNY") -> str:
    """An amount as people read it (万/亿 on Chinese pages for yuan)."""
    return format_money(amount, currency)


@register.filter
def money_exact(amount, currency="CNY") -> str:
    """The exact figure, with cents, grouped (contract lines, requested/approved amounts)."""
    return format_money(amount, currency, exact=True)


@register.simple_tag
def money_range(low, high, currency="CNY") -> str:
    return format_money_range(low, high, currency)
