import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Category, Technology
from catalog.search import technology_search_vector
from exchange.models import Need
from exchange.search import need_search_vector
from matching.statistics import corpus_statistics_invalidate
from tests.factories import OrganizationFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_statistics():
    corpus_statistics_invalidate()
    yield
    corpus_statistics_invalidate()


def make_technology(organization, *, title_zh="", title_en="", summary="", description="",
                    code="2.4", trl=8, modes=("license",), price=None, status="published",
                    keywords=()):  # fmt: skip
    chinese = bool(title_zh)
    technology = Technology(
        organization=organization,
        title_zh=title_zh,
        title_en=title_en,
        summary_zh=summary if chinese else "",
        summary_en="" if chinese else summary,
        description_zh=description if chinese else "",
        description_en="" if chinese else description,
        category=Category.objects.get(code=code),
        keywords=list(keywords),
        trl=trl,
        transaction_modes=list(modes),
        asking_price=None if price is None else Decimal(price),
        region=organization.region,
        status=status,
        published_at=timezone.now() if status == "published" else None,
    )
    technology.search_vector = technology_search_vector(technology)
    technology.save()
    return technology


def make_need(organization, *, title_zh="", title_en="", description="", trl_min=None,
              budget=None, modes=(), status="published", code=None):  # fmt: skip
    chinese = bool(title_zh)
    need = Need.objects.create(
        organization=organization,
        title_zh=title_zh,
        title_en=title_en,
        description_zh=description if chinese else "",
        description_en="" if chinese else description,
        category=Category.objects.get(code=code) if code else None,
        trl_min=trl_min,
        budget_max=None if budget is None else Decimal(budget),
        transaction_modes=list(modes),
        region="CN-ZJ",
        deadline=timezone.localdate() + datetime.timedelta(days=90),
        status=status,
        published_at=timezone.now() if status == "published" else None,
    )
    Need.objects.filter(pk=need.pk).update(search_vector=need_search_vector(need))
    need.refresh_from_db()
    return need


@pytest.fixture
def holder_org(db):
    return OrganizationFactory(region="CN-JS", kind="university")


@pytest.fixture
def enterprise_org(db):
    return OrganizationFactory(region="CN-ZJ")


@pytest.fixture
def holder(holder_org):
    return UserFactory(roles=["holder"], organization=holder_org)


@pytest.fixture
def enterprise(enterprise_org):
    return UserFactory(roles=["enterprise"], organization=enterprise_org)


@pytest.fixture
def broker(db):
    return UserFactory(roles=["broker"])


@pytest.fixture
def other(db):
    return UserFactory(roles=["enterprise"], organization=OrganizationFactory())


@pytest.fixture
def leachate_technology(holder_org):
    return make_technology(
        holder_org,
        title_zh="垃圾填埋场渗滤液碟管式反渗透处理技术",
        summary="采用碟管式反渗透处理高浓度垃圾渗滤液，出水达标排放。",
        description="适用于COD 5000-20000 mg/L、氨氮2000 mg/L的渗滤液，处理规模100-500吨/天，"
        "模块化集装箱设备，已在多个填埋场应用。",
        keywords=["渗滤液", "反渗透", "填埋场"],
        modes=("service", "license"),
        price="2000000",
    )


@pytest.fixture
def solar_technology(holder_org):
    return make_technology(
        holder_org,
        title_en="Rooftop photovoltaic system with battery storage",
        summary="Distributed PV with lithium battery storage for factories.",
        description="Rooftop solar panels and battery energy storage reduce the electricity "
        "bill of industrial parks; peak shaving and self-consumption.",
        code="3.2",
        keywords=["photovoltaic", "battery storage"],
        modes=("transfer",),
        price="500000",
    )


@pytest.fixture
def leachate_need(enterprise_org):
    return make_need(
        enterprise_org,
        title_en="Landfill leachate treatment capacity is not enough",
        description="Our landfill produces 450 tonnes per day of leachate with COD 10000 mg/L "
        "and ammonia 2000 mg/L; we need extra treatment capacity by reverse osmosis or "
        "similar within three months.",
        trl_min=7,
        budget="5000000",
        modes=("service",),
    )
