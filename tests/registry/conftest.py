import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.choices import OrganizationType
from catalog.choices import TechnologyStatus
from catalog.models import Category, Technology
from exchange.choices import DealStage
from exchange.models import Deal, DealMilestone
from registry.services import record_create_for_deal
from tests.factories import OrganizationFactory, UserFactory


@pytest.fixture(autouse=True)
def _english_messages():
    """Services' messages are read in the English source (the site's default is Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def seller_org(db):
    return OrganizationFactory(
        kind=OrganizationType.UNIVERSITY, name_zh="江南环境工程大学", region="CN-JS"
    )


@pytest.fixture
def buyer_org(db):
    return OrganizationFactory(name_zh="浙江绿源化工有限公司", region="CN-ZJ")


@pytest.fixture
def seller(seller_org):
    return UserFactory(roles=["holder"], organization=seller_org)


@pytest.fixture
def buyer(buyer_org):
    return UserFactory(roles=["enterprise"], organization=buyer_org)


@pytest.fixture
def broker(db):
    return UserFactory(roles=["broker"], organization=OrganizationFactory(kind="intermediary"))


@pytest.fixture
def stranger(db):
    return UserFactory(roles=["holder"], organization=OrganizationFactory())


@pytest.fixture
def reviewer(db):
    return UserFactory(roles=["reviewer"])


@pytest.fixture
def technology(seller_org):
    return Technology.objects.create(
        organization=seller_org,
        status=TechnologyStatus.PUBLISHED,
        published_at=timezone.now(),
        title_zh="内循环厌氧反应器",
        title_en="Internal-circulation anaerobic reactor",
        summary_zh="化工废水厌氧处理。",
        description_zh="详细工艺。",
        category=Category.objects.get(code="2.4"),
        trl=7,
        transaction_modes=["license", "transfer", "service", "joint_development"],
        region="CN-JS",
    )


@pytest.fixture
def make_deal(technology, seller_org, buyer_org, buyer, broker):
    def make(stage=DealStage.COMPLETED, price="1200000.00", **fields) -> Deal:
        now = timezone.now()
        values = {
            "technology": technology,
            "seller": seller_org,
            "buyer": buyer_org,
            "broker": broker,
            "stage": stage,
            "opened_by": buyer,
            "deal_type": "license",
            "price": Decimal(price) if price is not None else None,
            "currency": "CNY",
            "payment_terms": "合同签订后支付 40%，验收合格后支付 60%。",
            "signed_at": now - datetime.timedelta(days=30),
            "completed_at": now if stage == DealStage.COMPLETED else None,
            **fields,
        }
        return Deal.objects.create(**values)

    return make


@pytest.fixture
def make_record(make_deal):
    def make(**fields):
        record, _created = record_create_for_deal(deal=make_deal(**fields))
        return record

    return make


@pytest.fixture
def record(make_record):
    return make_record()


@pytest.fixture
def deal_in_execution(make_deal, seller):
    deal = make_deal(stage=DealStage.IN_EXECUTION)
    DealMilestone.objects.create(
        deal=deal,
        kind="payment",
        title="尾款",
        amount=Decimal("480000"),
        due_date=timezone.localdate(),
        done_at=timezone.now(),
        done_by=seller,
    )
    return deal
