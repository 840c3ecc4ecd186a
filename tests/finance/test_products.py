from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from finance import services
from finance.choices import ProductKind, ProductStatus
from finance.models import FinancingProduct
from tests.factories import OrganizationFactory, UserFactory
from tests.finance.conftest import make_product

pytestmark = pytest.mark.django_db
URL = "/api/v1/finance/products/"


def product_payload(bank, **overrides):
    payload = {
        "institution": bank.pk,
        "kind": "ip_pledge_loan",
        "name_zh": "知识产权质押贷",
        "currency": "CNY",
        "amount_min": "100000.00",
        "amount_max": "3000000.00",
        "rate_min": "3.50",
        "rate_max": "5.00",
        "tenor_months_min": 6,
        "tenor_months_max": 24,
        "required_documents": ["专利证书", "评估报告"],
        "trl_min": 5,
        "trl_max": 9,
        "eligible_regions": ["CN-ZJ", "CN-JS"],
        "eligible_organization_kinds": ["enterprise"],
        "minimum_credit_grade": "BBB",
        "loan_to_value": "0.500",
        "risk_share_fund": "40",
        "risk_share_bank": "30",
        "risk_share_insurer": "20",
        "risk_share_valuer": "10",
    }
    payload.update(overrides)
    return payload


def test_financier_publishes_a_product_through_the_api(api_client_for, financier, bank):
    # given
    client = api_client_for(financier)
    # when
    response = client.post(URL, product_payload(bank), format="json")
    # then
    assert response.status_code == 201, response.data
    product = FinancingProduct.objects.get()
    assert product.status == ProductStatus.DRAFT
    assert response.data["risk_compensation"] == {
        "fund": "40.00",
        "bank": "30.00",
        "insurer": "20.00",
        "valuer": "10.00",
    }
    assert response.data["allowed_actions"] == ["publish"]
    # and publishes it
    response = client.post(f"{URL}{product.pk}/transition/", {"action": "publish"}, format="json")
    assert response.status_code == 200
    assert response.data["status"] == "published"
    assert response.data["allowed_actions"] == ["withdraw"]


def test_risk_shares_must_add_up_to_100(api_client_for, financier, bank):
    # when
    response = api_client_for(financier).post(
        URL, product_payload(bank, risk_share_valuer="15"), format="json"
    )
    # then
    assert response.status_code == 400
    assert "105" in response.data["risk_share_fund"][0]
    assert not FinancingProduct.objects.exists()


def test_the_database_refuses_risk_shares_not_adding_up_to_100(bank):
    with pytest.raises(IntegrityError):
        FinancingProduct.objects.create(
            institution=bank, kind=ProductKind.RISK_COMPENSATION, name_zh="风险补偿",
            amount_min=1, amount_max=2, risk_share_fund=50, risk_share_bank=50,
            risk_share_insurer=10, risk_share_valuer=0,
        )  # fmt: skip


def test_ip_pledge_product_needs_a_loan_to_value_ratio(api_client_for, financier, bank):
    response = api_client_for(financier).post(
        URL, product_payload(bank, loan_to_value=None), format="json"
    )
    assert response.status_code == 400
    assert "loan_to_value" in response.data


def test_amount_range_must_be_ordered(api_client_for, financier, bank):
    response = api_client_for(financier).post(
        URL, product_payload(bank, amount_min="500", amount_max="100"), format="json"
    )
    assert response.status_code == 400
    assert "amount_max" in response.data


def test_only_financiers_of_the_institution_publish_its_products(api_client_for, bank):
    # given a financier of another bank and a member of the bank without the financier role
    outsider = UserFactory(roles=["financier"], organization=OrganizationFactory(kind="financial"))
    member_without_role = UserFactory(roles=["enterprise"], organization=bank)
    for user in (outsider, member_without_role):
        # when
        response = api_client_for(user).post(URL, product_payload(bank), format="json")
        # then
        assert response.status_code == 400
        assert "institution" in response.data
    assert not FinancingProduct.objects.exists()


def test_anonymous_visitors_see_published_products_only(api_client, bank):
    # given
    published = make_product(bank)
    make_product(bank, status=ProductStatus.DRAFT, name_zh="草稿")
    # when
    response = api_client.get(URL)
    # then
    assert response.status_code == 200
    assert [row["id"] for row in response.data["results"]] == [published.pk]


def test_filters_by_kind_amount_trl_and_region(api_client, bank):
    # given
    loan = make_product(bank, eligible_regions=["CN-ZJ"], trl_min=6, trl_max=9)
    make_product(bank, kind=ProductKind.GREEN_BOND, name_zh="绿色债券")
    make_product(bank, name_zh="小额", amount_min=Decimal("1000"), amount_max=Decimal("50000"))
    # when
    response = api_client.get(URL, {"kind": "green_loan", "amount": "200000", "trl": "7",
                                     "region": "CN-ZJ"})  # fmt: skip
    # then
    assert [row["id"] for row in response.data["results"]] == [loan.pk]
    assert (
        api_client.get(URL, {"trl": "3", "kind": "green_loan", "amount": "200000"}).data["count"]
        == 0
    )
    assert api_client.get(URL, {"region": "CN-BJ", "kind": "green_loan"}).data["count"] == 1


@pytest.mark.parametrize("rows", [5, 50])
def test_product_list_query_count_does_not_grow(api_client, bank, rows, django_assert_num_queries):
    # given
    for index in range(rows):
        make_product(bank, name_zh=f"产品{index}")
    # then: count, page, categories prefetch
    with django_assert_num_queries(3):
        response = api_client.get(URL, {"page_size": 100})
    assert response.data["count"] == rows


def test_product_service_refuses_a_non_financial_institution(enterprise):
    user = UserFactory(roles=["financier"], organization=enterprise)
    with pytest.raises(ValidationError):
        services.product_create(
            user=user, institution=enterprise, kind=ProductKind.GREEN_LOAN, name_zh="x",
            amount_min=1, amount_max=2,
        )  # fmt: skip
