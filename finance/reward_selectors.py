"""Reads of the reward splits: who sees which policy, split and line.

The seller's administrator sees every split of the organisation and every line of it; an inventor
with a linked account sees the splits naming them, and of each only their own lines. Anyone else
sees nothing (404).
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from accounts.models import Organization
from accounts.permissions import administered_organizations
from finance.models import (
    REWARD_POLICY_ORGANIZATION_KINDS,
    RewardPolicy,
    RewardSplit,
    RewardSplitLine,
)


def reward_policy_organizations(*, user) -> QuerySet[Organization]:
    """The universities and institutes whose reward policy `user` sets."""
    return administered_organizations(user=user, kinds=REWARD_POLICY_ORGANIZATION_KINDS)


def reward_policies_visible_to(*, user) -> QuerySet[RewardPolicy]:
    return (
        RewardPolicy.objects.filter(organization__in=reward_policy_organizations(user=user))
        .select_related("organization", "created_by")
        .order_by("organization_id", "-effective_from", "-pk")
    )


def reward_splits_visible_to(*, user) -> QuerySet[RewardSplit]:
    """The splits `user` may see, each with `visible_lines`: all of them for the seller's
    administrator, the user's own for an inventor."""
    if not getattr(user, "is_authenticated", False):
        return RewardSplit.objects.none()
    administered = list(reward_policy_organizations(user=user).values_list("pk", flat=True))
    visible_lines = RewardSplitLine.objects.filter(
        Q(split__organization_id__in=administered) | Q(user=user)
    ).select_related("user")
    return (
        RewardSplit.objects.filter(Q(organization_id__in=administered) | Q(lines__user=user))
        .distinct()
        .select_related("organization", "technology", "deal", "policy")
        .prefetch_related(
            Prefetch(
                "lines", queryset=visible_lines.order_by("position", "pk"), to_attr="visible_lines"
            )
        )
        .order_by("-completed_on", "-pk")
    )


def reward_split_administered(*, split: RewardSplit, user) -> bool:
    return reward_policy_organizations(user=user).filter(pk=split.organization_id).exists()


def reward_split_rows(*, splits) -> list[list]:
    """One export row per visible line of each split (the finance office's table)."""
    rows = []
    for split in splits:
        for line in split.visible_lines:
            rows.append(
                [
                    split.deal_id,
                    str(split.technology),
                    split.completed_on,
                    split.organization.display_name,
                    split.currency,
                    split.gross_income,
                    split.deductions,
                    split.net_income,
                    line.get_recipient_display(),
                    line.name,
                    line.department,
                    line.share,
                    line.amount,
                ]
            )
    return rows


def reward_workspace_todos(*, user) -> list[dict]:
    """The reward policy to set (administrator) and the splits to look at (administrator or
    inventor) on the workspace."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy

    from accounts.workspace import queue_todo

    if not getattr(user, "is_authenticated", False):
        return []
    items = []
    organizations = reward_policy_organizations(user=user)
    if organizations.exists():
        items.append(
            queue_todo(
                key="reward_policy_missing",
                label=gettext_lazy("Universities and institutes without a reward policy"),
                queryset=organizations.filter(reward_policies__isnull=True),
                url=reverse("finance:reward_policy"),
            )
        )
    splits = RewardSplit.objects.filter(
        Q(organization__in=organizations) | Q(lines__user=user)
    ).distinct()
    if organizations.exists() or splits.exists():
        items.append(
            queue_todo(
                key="reward_splits",
                label=gettext_lazy("Rewards to inventors from completed deals"),
                queryset=RewardSplit.objects.filter(pk__in=splits.values("pk")),
                url=reverse("finance:reward_splits"),
                since_field="created_at",
            )
        )
    return items
