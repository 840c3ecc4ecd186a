import datetime

import pytest
from django.utils import timezone

from catalog.choices import TechnologyStatus
from catalog.models import Category, Technology
from exchange.choices import NeedStatus
from exchange.models import Need
from programmes.choices import ExpertStatus
from programmes.models import ExpertProfile
from programmes.services.experts import expert_reindex
from tests.factories import OrganizationFactory, UserFactory


@pytest.fixture(autouse=True)
def _english_messages():
    """Service messages are asserted in English (the msgids); pages keep their language."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _deliver_emails_inline(monkeypatch):
    """On-commit callbacks that queue an email task run the task in-process instead."""
    from notifications.tasks import deliver_notification_email

    monkeypatch.setattr(
        deliver_notification_email,
        "delay",
        lambda notification_id: deliver_notification_email.run(notification_id),
    )


@pytest.fixture
def holder_org(db):
    return OrganizationFactory(name_zh="江南环境工程大学", kind="university", region="CN-JS")


@pytest.fixture
def holder(holder_org):
    return UserFactory(roles=["holder"], organization=holder_org)


@pytest.fixture
def holder_colleague(holder_org):
    return UserFactory(roles=["holder"], organization=holder_org)


@pytest.fixture
def enterprise_org(db):
    return OrganizationFactory(name_zh="浙江绿源化工有限公司", region="CN-ZJ")


@pytest.fixture
def enterprise(enterprise_org):
    return UserFactory(roles=["enterprise"], organization=enterprise_org)


@pytest.fixture
def operator_org(db):
    return OrganizationFactory(name_zh="苏州工业园区管委会", kind="government", region="CN-JS")


@pytest.fixture
def operator(operator_org):
    return UserFactory(roles=["operator"], organization=operator_org)


@pytest.fixture
def make_technology(holder_org):
    def make(status=TechnologyStatus.PUBLISHED, organization=None, **fields) -> Technology:
        values = {
            "title_zh": "内循环厌氧反应器处理高浓度有机废水",
            "title_en": "Internal-circulation anaerobic reactor",
            "summary_zh": "化工废水厌氧处理，COD 去除率 85% 以上。",
            "description_zh": "详细工艺。",
            "category": Category.objects.get(code="2.4"),
            "trl": 7,
            "transaction_modes": ["license", "transfer", "consulting"],
            "region": "CN-JS",
            **fields,
        }
        return Technology.objects.create(
            organization=organization or holder_org,
            status=status,
            published_at=timezone.now() if status == TechnologyStatus.PUBLISHED else None,
            **values,
        )

    return make


@pytest.fixture
def technology(make_technology):
    return make_technology()


@pytest.fixture
def make_expert(db):
    def make(
        *,
        name="王专家",
        organization=None,
        fields=("2.4",),
        status=ExpertStatus.VERIFIED,
        conflicts=(),
        offers_consulting=False,
        user=None,
        bio="长期从事工业技术评价研究。",
    ) -> ExpertProfile:
        organization = organization or OrganizationFactory(kind="institute")
        user = user or UserFactory(roles=[], organization=organization)
        expert = ExpertProfile.objects.create(
            user=user,
            name=name,
            organization=organization,
            title="教授",
            languages=["zh", "en"],
            bio=bio,
            status=status,
            offers_consulting=offers_consulting,
        )
        expert.fields.set(Category.objects.filter(code__in=fields))
        expert.declared_conflicts.set(conflicts)
        expert_reindex(expert)
        return expert

    return make


@pytest.fixture
def make_need(enterprise_org, enterprise):
    def make(status=NeedStatus.PUBLISHED, organization=None, **fields) -> Need:
        values = {
            "title_zh": "高浓度有机废水厌氧处理技术需求",
            "description_zh": "园区每天产生 800 吨高浓度有机废水，寻求厌氧处理技术。",
            "category": Category.objects.get(code="2.4"),
            "trl_min": 6,
            "transaction_modes": ["license", "transfer"],
            "region": "CN-ZJ",
            "deadline": timezone.localdate() + datetime.timedelta(days=60),
            **fields,
        }
        return Need.objects.create(
            organization=organization or enterprise_org,
            created_by=enterprise,
            status=status,
            published_at=timezone.now() if status == NeedStatus.PUBLISHED else None,
            **values,
        )

    return make


SCORES = {
    "technical_novelty": 8,
    "maturity": 7,
    "assessed_trl": 7,
    "market_prospects": 9,
    "economic_feasibility": 6,
    "green_benefit": 9,
    "comments": "工艺成熟，能耗低。",
}
