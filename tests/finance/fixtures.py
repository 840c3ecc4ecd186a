"""Finance fixtures shared by tests/finance (through its conftest) and the finance attack
replays in tests/security, which import them. Each fixture function is named `<name>_fixture`
and registered as `<name>`, so that a test's parameter never shadows the imported function."""

from decimal import Decimal

import pytest

from accounts.choices import OrganizationType
from finance import services
from finance.choices import ProductKind, ProductStatus
from finance.models import FinancingProduct
from tests.factories import OrganizationFactory, UserFactory


@pytest.fixture(name="bank")
def bank_fixture(db):
    return OrganizationFactory(kind=OrganizationType.FINANCIAL, region="CN-SH")


@pytest.fixture(name="financier")
def financier_fixture(bank):
    return UserFactory(roles=["financier"], organization=bank)


@pytest.fixture(name="platform_reviewer")
def platform_reviewer_fixture(db):
    return UserFactory(roles=["reviewer"])


def approve(money_request, approver):
    return services.money_request_transition(
        money_request=money_request, user=approver, action="approve"
    )


def make_product(institution, **overrides) -> FinancingProduct:
    fields = dict(
        institution=institution,
        kind=ProductKind.GREEN_LOAN,
        status=ProductStatus.PUBLISHED,
        name_zh="绿色贷款",
        name_en="Green loan",
        currency="CNY",
        amount_min=Decimal("100000"),
        amount_max=Decimal("5000000"),
        rate_min=Decimal("3.20"),
        rate_max=Decimal("4.50"),
        tenor_months_min=6,
        tenor_months_max=36,
        required_documents=["营业执照", "财务报表"],
        eligible_organization_kinds=["enterprise"],
        requires_verified_organization=True,
    )
    fields.update(overrides)
    product = FinancingProduct(**fields)
    product.full_clean()
    product.save()
    return product
