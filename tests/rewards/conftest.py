import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.choices import MembershipRole, OrganizationType
from accounts.models import Membership
from catalog.choices import TechnologyStatus
from catalog.models import Category, Technology, TechnologyInventor
from exchange.choices import DealStage
from exchange.models import Deal
from finance.models import RewardPolicy
from tests.factories import OrganizationFactory, UserFactory


@pytest.fixture
def university(db):
    return OrganizationFactory(kind=OrganizationType.UNIVERSITY, name_en="Jiangnan University")


@pytest.fixture
def unit_admin(university):
    """The university's administrator (owner membership)."""
    return UserFactory(roles=["holder"], organization=university)


@pytest.fixture
def inventor_user(university):
    user = UserFactory(roles=["holder"], full_name="李发明")
    Membership.objects.create(user=user, organization=university, role=MembershipRole.MEMBER)
    return user


@pytest.fixture
def second_inventor_user(university):
    user = UserFactory(roles=["holder"], full_name="王合作")
    Membership.objects.create(user=user, organization=university, role=MembershipRole.MEMBER)
    return user


@pytest.fixture
def buyer_org(db):
    return OrganizationFactory(kind=OrganizationType.ENTERPRISE)


@pytest.fixture
def buyer(buyer_org):
    return UserFactory(roles=["enterprise"], organization=buyer_org)


@pytest.fixture
def stranger(db):
    return UserFactory(roles=["holder"], organization=OrganizationFactory(kind="institute"))


@pytest.fixture
def technology(university):
    return Technology.objects.create(
        organization=university,
        status=TechnologyStatus.PUBLISHED,
        published_at=timezone.now(),
        title_zh="厌氧反应器",
        title_en="Anaerobic reactor",
        summary_zh="化工废水厌氧处理。",
        description_zh="详细工艺。",
        category=Category.objects.get(code="2.4"),
        trl=7,
        transaction_modes=["license", "transfer"],
        region="CN-JS",
    )


@pytest.fixture
def inventors(technology, inventor_user, second_inventor_user):
    return [
        TechnologyInventor.objects.create(
            technology=technology,
            position=0,
            name="李发明",
            department="环境学院",
            share=Decimal("60"),
            user=inventor_user,
        ),
        TechnologyInventor.objects.create(
            technology=technology,
            position=1,
            name="王合作",
            department="化工学院",
            share=Decimal("40"),
            user=second_inventor_user,
        ),
    ]


@pytest.fixture
def policy(university, unit_admin):
    return RewardPolicy.objects.create(
        organization=university,
        effective_from=timezone.localdate() - datetime.timedelta(days=30),
        inventors_share=Decimal("70"),
        department_share=Decimal("10"),
        unit_share=Decimal("20"),
        fixed_deduction=Decimal("1000.00"),
        percentage_deduction=Decimal("5"),
        created_by=unit_admin,
    )


@pytest.fixture
def make_deal(technology, university, buyer_org, buyer):
    def make(stage=DealStage.IN_EXECUTION, price="100000.00", **fields) -> Deal:
        return Deal.objects.create(
            technology=technology,
            seller=university,
            buyer=buyer_org,
            stage=stage,
            opened_by=buyer,
            deal_type="license",
            price=Decimal(price) if price is not None else None,
            currency="CNY",
            completed_at=timezone.now() if stage == DealStage.COMPLETED else None,
            **fields,
        )

    return make
