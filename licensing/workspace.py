"""The workspace section of open licensing: the holder's offers and the enterprise's licences."""

from __future__ import annotations

from accounts.choices import Role
from accounts.permissions import member_organization_ids
from licensing import selectors
from licensing.choices import LicenceStatus


def licensing_workspace_section(*, user) -> dict | None:
    if not getattr(user, "is_authenticated", False) or not member_organization_ids(user=user):
        return None
    offers = list(selectors.offers_of_holder(user=user)[: selectors.WORKSPACE_ROWS])
    licences = list(selectors.licences_of_licensee(user=user)[: selectors.WORKSPACE_ROWS])
    if not offers and not licences and not user.has_role(Role.HOLDER, Role.ENTERPRISE):
        return None
    return {
        "template": "licensing/includes/workspace.html",
        "offers": offers,
        "licences": licences,
        "awaiting_payment": sum(
            1 for licence in licences if licence.status == LicenceStatus.ACCEPTED
        ),
        "is_holder": user.has_role(Role.HOLDER),
    }
