"""Demand lists: the needs published in a period, frozen as a list by a reviewer."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from exchange.models import (
    DemandList,
)


@transaction.atomic
def demand_list_publish(
    *,
    user,
    title_zh: str,
    title_en: str = "",
    period_start: datetime.date,
    period_end: datetime.date,
    region: str = "",
    category=None,
) -> DemandList:
    """Freeze the needs published in a period (optionally one region or category) as a list."""
    from exchange.selectors import demand_list_candidates

    if not getattr(user, "is_reviewer", False):
        raise PermissionDenied(_("Only reviewers publish demand lists."))
    demand_list = DemandList(
        title_zh=title_zh,
        title_en=title_en,
        period_start=period_start,
        period_end=period_end,
        region=region,
        category=category,
        published_by=user,
    )
    demand_list.full_clean()
    candidates = demand_list_candidates(
        period_start=period_start, period_end=period_end, region=region, category=category
    )
    if not candidates.exists():
        raise ValidationError(_("No published need matches this period, region and category."))
    demand_list.save()
    demand_list.needs.set(candidates)
    return demand_list
