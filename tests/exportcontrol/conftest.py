import pytest
from django.utils import timezone

from tests.factories import OrganizationFactory, UserFactory


@pytest.fixture
def holder_org(db):
    return OrganizationFactory(name_zh="江南环境工程大学", kind="university", region="CN-JS")


@pytest.fixture
def holder(holder_org):
    return UserFactory(roles=["holder"], organization=holder_org)


@pytest.fixture
def make_technology(holder_org):
    from catalog.choices import TechnologyStatus
    from catalog.models import Category, Technology

    def make(status=TechnologyStatus.PUBLISHED, **fields) -> Technology:
        values = {
            "title_zh": "工业能耗数据分析与优化系统",
            "title_en": "Industrial energy data analytics and optimisation",
            "summary_zh": "能耗数据分析。",
            "description_zh": "详细。",
            "category": Category.objects.get(code="2.4"),
            "trl": 7,
            "transaction_modes": ["license", "transfer"],
            "region": "CN-JS",
            **fields,
        }
        return Technology.objects.create(
            organization=holder_org,
            status=status,
            published_at=timezone.now() if status == TechnologyStatus.PUBLISHED else None,
            **values,
        )

    return make


@pytest.fixture
def technology(make_technology):
    return make_technology()
