import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.choices import OrganizationType, VerificationStatus
from catalog.choices import IntellectualPropertyKind, IntellectualPropertyStatus, TechnologyStatus
from catalog.models import Category, Technology, TechnologyPatent
from catalog.validators import patent_check_character
from licensing import services
from licensing.choices import FeeKind
from tests.factories import OrganizationFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def patent_number(serial: int, *, utility: bool = False) -> str:
    digits = f"2019{2 if utility else 1}{serial:07d}"
    return f"ZL{digits}.{patent_check_character(digits)}"


def report_upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("evaluation-report.pdf", PDF, content_type="application/pdf")


def terms(**overrides) -> dict:
    return {
        "fee_kind": FeeKind.LUMP_SUM,
        "fixed_fee": Decimal("50000"),
        "royalty_rate": None,
        "currency": "CNY",
        "term_years": 5,
        "term_end": None,
        "field_of_use": "工业废水处理",
        "territory": "中国大陆",
        **overrides,
    }


@pytest.fixture
def holder_org(db):
    return OrganizationFactory(kind=OrganizationType.UNIVERSITY)


@pytest.fixture
def holder(holder_org):
    return UserFactory(roles=["holder"], organization=holder_org)


@pytest.fixture
def enterprise_org(db):
    return OrganizationFactory(kind=OrganizationType.ENTERPRISE)


@pytest.fixture
def enterprise(enterprise_org):
    return UserFactory(roles=["enterprise"], organization=enterprise_org)


@pytest.fixture
def colleague(enterprise_org):
    return UserFactory(roles=["enterprise"], organization=enterprise_org)


@pytest.fixture
def other_enterprise(db):
    return UserFactory(roles=["enterprise"], organization=OrganizationFactory())


@pytest.fixture
def unverified_enterprise(db):
    return UserFactory(
        roles=["enterprise"],
        organization=OrganizationFactory(verification_status=VerificationStatus.UNVERIFIED),
    )


@pytest.fixture
def technology(holder_org):
    return Technology.objects.create(
        organization=holder_org,
        title_zh="内循环厌氧反应器处理高浓度有机废水",
        title_en="Internal-circulation anaerobic reactor",
        summary_zh="化工废水厌氧处理。",
        description_zh="详细工艺。",
        category=Category.objects.get(code="2.4"),
        trl=7,
        transaction_modes=["license", "transfer"],
        region="CN-JS",
        status=TechnologyStatus.PUBLISHED,
        published_at=timezone.now(),
    )


@pytest.fixture
def patent(technology):
    return TechnologyPatent.objects.create(
        technology=technology,
        number=patent_number(1),
        kind=IntellectualPropertyKind.INVENTION_PATENT,
        status=IntellectualPropertyStatus.GRANTED,
    )


@pytest.fixture
def utility_patent(technology):
    return TechnologyPatent.objects.create(
        technology=technology,
        number=patent_number(2, utility=True),
        kind=IntellectualPropertyKind.UTILITY_MODEL,
        status=IntellectualPropertyStatus.GRANTED,
    )


@pytest.fixture
def offer(holder, technology, patent):
    return services.offer_create(user=holder, technology=technology, patent=patent, **terms())


@pytest.fixture
def tomorrow():
    return timezone.localdate() + datetime.timedelta(days=1)
