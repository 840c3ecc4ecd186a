"""Cross-border deals: the one rule that says whether a deal is a technology export or import.

A deal is cross-border when its seller and buyer organisations are registered in different
countries (the first two letters of their region code: CN-JS -> CN, TH -> TH). Seen from China's
side it is an export (seller in China), an import (buyer in China) or foreign (neither party in
China). The rule is a database expression, so deal lists and statistics group and filter by it
without a query per row; a single deal that did not come through an annotated queryset asks
the same expression once (`deal_direction`).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.db.models.functions import Substr
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

CHINA = "CN"


class TradeDirection(models.TextChoices):
    """A cross-border deal's direction from China's side (an API contract: keep the codes)."""

    EXPORT = "export", _("Technology export")
    IMPORT = "import", _("Technology import")
    FOREIGN = "foreign", _("Cross-border, outside China")


DIRECTION_BADGE_CLASSES = {
    TradeDirection.EXPORT: "text-bg-warning",
    TradeDirection.IMPORT: "text-bg-info",
    TradeDirection.FOREIGN: "text-bg-secondary",
}


def trade_direction_expression(
    seller_region: str = "seller__region", buyer_region: str = "buyer__region"
) -> Case:
    """The direction of a deal as an SQL expression over its parties' region columns; NULL for a
    domestic deal (both parties in one country, or a region missing)."""
    seller_country = Substr(F(seller_region), 1, 2)
    buyer_country = Substr(F(buyer_region), 1, 2)
    return Case(
        When(Q(**{seller_region: ""}) | Q(**{buyer_region: ""}), then=Value(None)),
        When(Exact(seller_country, buyer_country), then=Value(None)),
        When(Exact(seller_country, Value(CHINA)), then=Value(TradeDirection.EXPORT.value)),
        When(Exact(buyer_country, Value(CHINA)), then=Value(TradeDirection.IMPORT.value)),
        default=Value(TradeDirection.FOREIGN.value),
        output_field=models.CharField(max_length=10, null=True),
    )


def with_trade_direction(queryset: QuerySet) -> QuerySet:
    """Deals annotated with `direction` (export / import / foreign, None when domestic)."""
    return queryset.annotate(direction=trade_direction_expression())


def deal_direction(deal) -> str | None:
    """A deal's direction: its annotation, or one query through the same expression."""
    if not hasattr(deal, "direction"):
        deal.direction = (
            with_trade_direction(type(deal).objects.filter(pk=deal.pk))
            .values_list("direction", flat=True)
            .first()
        )
    return deal.direction


def direction_label(direction: str | None) -> str:
    return str(TradeDirection(direction).label) if direction else ""
