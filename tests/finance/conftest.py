import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.choices import OrganizationType, VerificationStatus
from catalog.models import Category, Technology
from exchange.models import Deal
from finance import services
from finance.choices import CreditGrade, ProductKind, ProgrammeKind
from finance.models import CreditAssessment
from tests.factories import OrganizationFactory, UserFactory
from tests.finance.fixtures import (  # noqa: F401  (fixtures for every finance test)
    approve,
    bank_fixture,
    financier_fixture,
    make_product,
    platform_reviewer_fixture,
)


@pytest.fixture
def enterprise(db):
    organization = OrganizationFactory(kind=OrganizationType.ENTERPRISE, region="CN-ZJ")
    CreditAssessment.objects.create(
        organization=organization,
        grade=CreditGrade.A,
        employee_count=80,
        annual_revenue=Decimal("30000000"),
    )
    return organization


@pytest.fixture
def applicant(enterprise):
    return UserFactory(roles=["enterprise"], organization=enterprise)


@pytest.fixture
def applicant_colleague(enterprise):
    return UserFactory(roles=["enterprise"], organization=enterprise)


@pytest.fixture
def operator_org(db):
    return OrganizationFactory(kind=OrganizationType.OPERATOR, region="CN-GD")


@pytest.fixture
def operator(operator_org):
    return UserFactory(roles=["operator"], organization=operator_org)


@pytest.fixture
def operator_colleague(operator_org):
    """The second key: another operator member of the same verified organisation."""
    return UserFactory(roles=["operator"], organization=operator_org)


def fund_with_two_keys(programme, *, requester, approver, amount="1000000.00", budget=None):
    """Approve a budget (if none yet) and fund the programme, each with a second key."""
    programme.refresh_from_db()
    if programme.approved_budget is None:
        approve(
            services.programme_budget_request(
                programme=programme, user=requester, amount=budget or amount
            ),
            approver,
        )
        programme.refresh_from_db()
    approve(
        services.programme_funding_request(programme=programme, user=requester, amount=amount),
        approver,
    )
    programme.refresh_from_db()
    programme.budget_account.refresh_from_db()
    programme.funding_account.refresh_from_db()
    return programme


@pytest.fixture
def category(db):
    return Category.objects.filter(parent__isnull=False).order_by("code").first()


@pytest.fixture
def product(bank):
    return make_product(bank)


@pytest.fixture
def ip_product(bank):
    return make_product(
        bank,
        kind=ProductKind.IP_PLEDGE_LOAN,
        name_zh="知识产权质押贷",
        name_en="IP-pledge loan",
        amount_min=Decimal("10000"),
        loan_to_value=Decimal("0.500"),
        eligible_organization_kinds=[],
        risk_share_fund=Decimal("40"),
        risk_share_bank=Decimal("30"),
        risk_share_insurer=Decimal("20"),
        risk_share_valuer=Decimal("10"),
    )


def make_technology(organization, category, *, trl=6, status="published") -> Technology:
    return Technology.objects.create(
        organization=organization,
        title_zh="高盐废水零排放技术",
        summary_zh="高盐废水处理",
        category=category,
        trl=trl,
        region=organization.region,
        status=status,
    )


def make_deal(*, buyer, seller, category, stage="contract_signed", deal_type="service",
              price=Decimal("50000")) -> Deal:  # fmt: skip
    technology = make_technology(seller, category)
    return Deal.objects.create(
        technology=technology,
        seller=seller,
        buyer=buyer,
        deal_type=deal_type,
        price=price,
        currency="CNY",
        stage=stage,
    )


@pytest.fixture
def provider(db):
    return OrganizationFactory(kind=OrganizationType.INSTITUTE, region="CN-JS")


@pytest.fixture
def service_deal(enterprise, provider, category):
    return make_deal(buyer=enterprise, seller=provider, category=category)


@pytest.fixture
def voucher_programme(operator, operator_colleague, operator_org):
    programme = services.programme_create(
        user=operator,
        operator=operator_org,
        kind=ProgrammeKind.VOUCHER,
        name_zh="创新券",
        name_en="Innovation vouchers",
        maximum_employees=300,
        maximum_annual_revenue=Decimal("200000000"),
    )
    return fund_with_two_keys(programme, requester=operator, approver=operator_colleague)


@pytest.fixture
def voucher(voucher_programme, operator, enterprise):
    return services.voucher_issue(
        programme=voucher_programme,
        user=operator,
        holder=enterprise,
        face_value="10000.00",
        expires=timezone.localdate() + datetime.timedelta(days=90),
    )


@pytest.fixture
def unverified_enterprise(db):
    return OrganizationFactory(
        kind=OrganizationType.ENTERPRISE,
        region="CN-ZJ",
        verification_status=VerificationStatus.UNVERIFIED,
    )
