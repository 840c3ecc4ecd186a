"""Bulk synthetic needs for benchmarks (never for production data)."""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.choices import OrganizationType, VerificationStatus
from accounts.models import Organization
from catalog.models import Category
from core.regions import CHINA_PROVINCES
from exchange.choices import NeedStatus, TransactionMode
from exchange.models import Need
from exchange.search import need_search_vector

PROBLEMS = [
    ("高浓度有机废水", "high-strength organic wastewater"),
    ("VOCs 废气", "VOC emissions"),
    ("锅炉余热", "boiler waste heat"),
    ("含盐废水", "saline wastewater"),
    ("废旧锂电池", "spent lithium batteries"),
    ("光伏组件回收", "photovoltaic module recycling"),
    ("污泥干化", "sludge drying"),
    ("工业固废", "industrial solid waste"),
    ("氨氮废水", "ammonia wastewater"),
    ("烟气脱硝", "flue-gas denitrification"),
]
GOALS = [("处理技术", "treatment"), ("资源化利用", "recovery"), ("节能改造", "retrofit")]


def _organization(index: int) -> Organization:
    organization, _created = Organization.objects.get_or_create(
        name_en=f"Synthetic Enterprise {index}",
        defaults={
            "name_zh": f"合成需求企业{index}",
            "kind": OrganizationType.ENTERPRISE,
            "region": "DE",
            "verification_status": VerificationStatus.VERIFIED,
        },
    )
    return organization


@transaction.atomic
def generate_needs(count: int, *, seed: int = 2026, batch_size: int = 2000) -> int:
    """Create `count` published needs spread over 20 organisations, regions and categories."""
    generator = random.Random(seed)
    organizations = [_organization(index) for index in range(20)]
    categories = list(Category.objects.filter(parent__isnull=False))
    regions = list(CHINA_PROVINCES)
    modes = list(TransactionMode.values)
    today = timezone.localdate()
    now = timezone.now()
    created = 0
    while created < count:
        batch = []
        for _ in range(min(batch_size, count - created)):
            problem_zh, problem_en = generator.choice(PROBLEMS)
            goal_zh, goal_en = generator.choice(GOALS)
            budget_min = Decimal(generator.randrange(1, 50) * 100000)
            need = Need(
                organization=generator.choice(organizations),
                title_zh=f"{problem_zh}{goal_zh}需求",
                title_en=f"{problem_en.capitalize()} {goal_en}",
                description_zh=(
                    f"我司{generator.randrange(50, 2000)}吨/日{problem_zh}，寻求{goal_zh}。"
                ),
                description_en=f"We need {problem_en} {goal_en} at industrial scale.",
                category=generator.choice(categories) if categories else None,
                trl_min=generator.randrange(4, 9),
                budget_min=budget_min,
                budget_max=budget_min * 3,
                transaction_modes=generator.sample(modes, 2),
                region=generator.choice(regions),
                deadline=today + datetime.timedelta(days=generator.randrange(30, 365)),
                status=NeedStatus.PUBLISHED,
                # Spread over the past year as real listings are: with one shared timestamp the
                # list's newest-first order has to sort every row (a tie on the indexed column).
                published_at=now - datetime.timedelta(minutes=generator.randrange(0, 525_600)),
            )
            need.search_vector = need_search_vector(need)
            batch.append(need)
        Need.objects.bulk_create(batch)
        created += len(batch)
    return created
