"""The programme operator's money requests on the workspace: those waiting for a second key."""

from __future__ import annotations

from finance.choices import MoneyRequestStatus
from finance.selectors import money_requests_visible_to, operator_organization_ids

WORKSPACE_ROWS = 5


def money_requests_workspace_section(*, user) -> dict | None:
    if not getattr(user, "is_authenticated", False) or not operator_organization_ids(user):
        return None
    pending = money_requests_visible_to(user=user).filter(status=MoneyRequestStatus.PENDING)
    return {
        "template": "finance/includes/workspace_money_requests.html",
        "money_requests": list(pending.order_by("-pk")[:WORKSPACE_ROWS]),
        "money_requests_count": pending.count(),
    }
