import datetime

import pytest
from django.utils import timezone

from exchange.choices import NeedStatus
from exchange.models import Need
from exchange.services import _need_reindex
from tests.factories import OrganizationFactory, UserFactory


def future(days: int = 60) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


NEED_FIELDS = {
    "title_zh": "高浓度有机废水厌氧处理技术需求",
    "title_en": "Anaerobic treatment of high-strength organic wastewater",
    "description_zh": (
        "我司精细化工园区每天产生 800 吨高浓度有机废水，COD 约 20000 mg/L，寻求厌氧处理技术。"
    ),
    "description_en": "Our plant produces 800 t/day of organic wastewater (COD 20,000 mg/L).",
    "trl_min": 6,
    "budget_min": "500000.00",
    "budget_max": "2000000.00",
    "currency": "CNY",
    "transaction_modes": ["transfer", "license"],
    "region": "CN-ZJ",
}


@pytest.fixture
def enterprise_org(db):
    return OrganizationFactory(name_zh="浙江绿源化工有限公司", region="CN-ZJ")


@pytest.fixture
def enterprise(enterprise_org):
    return UserFactory(roles=["enterprise"], organization=enterprise_org)


@pytest.fixture
def colleague(enterprise_org):
    return UserFactory(roles=["enterprise"], organization=enterprise_org)


@pytest.fixture
def make_need(enterprise_org, enterprise):
    def make(status: str = NeedStatus.DRAFT, **fields) -> Need:
        values = {**NEED_FIELDS, "deadline": future(), **fields}
        need = Need.objects.create(
            organization=fields.pop("organization", enterprise_org),
            created_by=enterprise,
            status=status,
            published_at=timezone.now() if status == NeedStatus.PUBLISHED else None,
            **{k: v for k, v in values.items() if k != "organization"},
        )
        _need_reindex(need)
        return need

    return make


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
def broker(db):
    return UserFactory(roles=["broker"], organization=OrganizationFactory(kind="intermediary"))


@pytest.fixture
def make_technology(holder_org):
    from catalog.choices import TechnologyStatus
    from catalog.models import Category, Technology

    def make(status=TechnologyStatus.PUBLISHED, organization=None, **fields) -> Technology:
        values = {
            "title_zh": "内循环厌氧反应器处理高浓度有机废水",
            "title_en": "Internal-circulation anaerobic reactor",
            "summary_zh": "化工废水厌氧处理。",
            "description_zh": "详细工艺。",
            "category": Category.objects.get(code="2.4"),
            "trl": 7,
            "transaction_modes": ["license", "transfer", "service"],
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
def make_deal(technology, enterprise, enterprise_org, holder_org):
    from exchange.models import Deal

    def make(stage="inquiry", **fields) -> Deal:
        values = {"deal_type": "license", "price": "800000.00", "currency": "CNY", **fields}
        return Deal.objects.create(
            technology=technology,
            seller=holder_org,
            buyer=enterprise_org,
            stage=stage,
            opened_by=enterprise,
            **values,
        )

    return make


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def contract_upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("contract.pdf", PDF_BYTES, content_type="application/pdf")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
