"""The workspace of a centre's members: their centre's dashboard at a glance, and the referrals
waiting for their answer."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.workspace import queue_todo
from centres import selectors


def centre_workspace_section(*, user) -> dict | None:
    centre = selectors.centres_of_user(user=user).first()
    if centre is None:
        return None
    return {
        "template": "centres/includes/workspace.html",
        "role_label": _("Technology transfer centre"),
        "centre": centre,
        "counts": selectors.centre_referral_counts(centre=centre),
        "recent": list(
            selectors.centre_recent_referrals(centre=centre)[: selectors.WORKSPACE_ROWS]
        ),
        "pipeline_count": selectors.centre_cross_border_pipeline(centre=centre).count(),
    }


def centre_workspace_todos(*, user) -> list[dict]:
    if not selectors.centres_of_user(user=user).exists():
        return []
    return [
        queue_todo(
            key="referrals_to_answer",
            label=_("Referrals waiting for your centre's answer"),
            queryset=selectors.referrals_awaiting_answer(user=user),
            url=reverse("centres:referral_list") + "?status=sent",
            since_field="created_at",
        )
    ]
