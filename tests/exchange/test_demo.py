import pytest
from django.utils import timezone

from accounts.demo import seed_accounts
from catalog.models import Category, Technology
from exchange import demo
from exchange.choices import DealStage
from exchange.models import Deal, Need

pytestmark = pytest.mark.django_db


def test_seed_is_idempotent_and_covers_every_deal_stage():
    # given the demo holder has a published technology
    users = seed_accounts()
    Technology.objects.create(
        organization=users["holder"].memberships.first().organization,
        title_zh="内循环厌氧反应器",
        summary_zh="高浓度有机废水厌氧处理",
        description_zh="详细说明",
        category=Category.objects.get(code="2.4"),
        trl=7,
        transaction_modes=["license"],
        region="CN-JS",
        status="published",
        published_at=timezone.now(),
    )
    # when seeding twice
    demo.seed()
    demo.seed()
    # then every stage exists once and the needs are not duplicated
    yuan_deals = Deal.objects.filter(currency="CNY")
    assert sorted(yuan_deals.values_list("stage", flat=True)) == sorted(DealStage.values)
    # plus a dollar deal waiting for signature (the baht one needs the demo rates: none here)
    foreign = Deal.objects.exclude(currency="CNY").values_list("stage", "currency", "fx_rate")
    assert list(foreign) == [("approved", "USD", None)]
    assert Need.objects.count() == len(demo.DEMO_NEEDS)
    assert Deal.objects.get(stage="completed").certificate.number.startswith("GTE-")
