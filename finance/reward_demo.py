"""Demo rewards (idempotent): the demo university's reward policy, two inventors and a granted
right of use on the technology of its completed demo deal, and that deal's split."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import Organization, User
from finance.models import RewardPolicy
from finance.services import rewards


def seed_rewards(*, university: Organization, holder: User) -> str:
    from catalog.choices import ServiceInventionRightKind, TechnologyStatus
    from catalog.models import Technology, TechnologyInventor, TechnologyServiceInventionRight
    from exchange.choices import DealStage
    from exchange.models import Deal

    policy = RewardPolicy.objects.filter(organization=university).first()
    if policy is None:
        policy = RewardPolicy(
            organization=university,
            effective_from=timezone.localdate() - datetime.timedelta(days=90),
            inventors_share=Decimal("70"),
            department_share=Decimal("10"),
            unit_share=Decimal("20"),
            fixed_deduction=Decimal("20000.00"),
            percentage_deduction=Decimal("5"),
            note="依据《江南环境工程大学科技成果转化管理办法》（2026 年修订）。",
            created_by=holder,
        )
        policy.full_clean()
        policy.save()
    deal = Deal.objects.filter(seller=university, stage=DealStage.COMPLETED).order_by("pk").first()
    technology = (
        deal.technology
        if deal
        else Technology.objects.filter(organization=university, status=TechnologyStatus.PUBLISHED)
        .order_by("pk")
        .first()
    )
    if technology is None:
        return "reward policy only (no technology of the demo university)"
    if not technology.inventors.exists():
        TechnologyInventor.objects.bulk_create(
            [
                TechnologyInventor(
                    technology=technology,
                    position=0,
                    name=holder.full_name or "李成果",
                    department="环境科学与工程学院",
                    share=Decimal("60"),
                    user=holder,
                ),
                TechnologyInventor(
                    technology=technology,
                    position=1,
                    name="周清源",
                    department="化学化工学院",
                    share=Decimal("40"),
                ),
            ]
        )
    TechnologyServiceInventionRight.objects.get_or_create(
        technology=technology,
        defaults={
            "kind": ServiceInventionRightKind.LONG_TERM_USE,
            "document": "职务科技成果赋权协议 JNEE-FQ-2026-003",
            "granted_on": datetime.date(2026, 3, 1),
            "term_years": 15,
        },
    )
    split = rewards.reward_split_for_deal(deal_id=deal.pk) if deal else None
    return (
        f"reward policy, 2 inventors, split #{split.pk}" if split else "reward policy, 2 inventors"
    )
