import datetime

import pytest
from django.utils import timezone

from accounts.choices import OrganizationType, VerificationStatus
from catalog.choices import TechnologyStatus
from catalog.models import Category, Technology
from centres import services
from exchange.models import Need
from tests.factories import OrganizationFactory, UserFactory


def make_centre(region: str, **fields):
    credit = {} if region.startswith("CN") else {"credit_code": ""}
    return OrganizationFactory(
        kind=OrganizationType.TRANSFER_CENTRE, region=region, **credit, **fields
    )


@pytest.fixture
def china_centre(db):
    return make_centre("CN-GX")


@pytest.fixture
def thai_centre(db):
    return make_centre("TH")


@pytest.fixture
def third_centre(db):
    return make_centre("VN")


@pytest.fixture
def china_member(china_centre):
    return UserFactory(organization=china_centre)


@pytest.fixture
def thai_member(thai_centre):
    return UserFactory(organization=thai_centre)


@pytest.fixture
def third_member(third_centre):
    return UserFactory(organization=third_centre)


@pytest.fixture
def unverified_centre_member(db):
    """A self-declared centre: the kind chosen, not yet verified by a reviewer."""
    return UserFactory(
        organization=make_centre("TH", verification_status=VerificationStatus.PENDING)
    )


@pytest.fixture
def enterprise_member(db):
    return UserFactory(roles=["enterprise"], organization=OrganizationFactory())


@pytest.fixture
def holder_org(db):
    return OrganizationFactory(kind=OrganizationType.UNIVERSITY, region="CN-JS")


def make_technology(organization, *, status=TechnologyStatus.PUBLISHED, title="Anaerobic reactor"):
    return Technology.objects.create(
        organization=organization,
        title_zh="内循环厌氧反应器",
        title_en=title,
        summary_zh="化工废水厌氧处理。",
        description_zh="保密的详细工艺参数。",
        category=Category.objects.get(code="2.4"),
        trl=7,
        transaction_modes=["license"],
        region=organization.region,
        status=status,
        published_at=timezone.now() if status == TechnologyStatus.PUBLISHED else None,
    )


def make_need(organization, *, status="published"):
    return Need.objects.create(
        organization=organization,
        title_zh="印染废水脱色",
        description_zh="需要一种低成本的脱色技术。",
        region=organization.region,
        deadline=timezone.localdate() + datetime.timedelta(days=90),
        status=status,
        published_at=timezone.now() if status == "published" else None,
    )


@pytest.fixture
def technology(holder_org):
    return make_technology(holder_org)


@pytest.fixture
def referral(china_member, thai_centre, technology):
    return services.referral_create(
        user=china_member, to_centre=thai_centre, technology=technology, message="请对接"
    )
