import pytest
from django.urls import reverse

from finance import services
from finance.choices import CreditGrade
from finance.models import FinancingApplication, Valuation
from tests.factories import OrganizationFactory, UserFactory
from tests.finance.conftest import make_product

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("rows", [5, 50])
def test_product_list_page_filters_with_a_fixed_query_count(
    client, bank, rows, django_assert_num_queries
):
    for index in range(rows):
        make_product(bank, name_zh=f"绿色贷款{index}")
    # the products with their institutions, and their categories
    with django_assert_num_queries(2):
        response = client.get(reverse("finance:product_list"), {"kind": "green_loan"})
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="product-row"') == rows


def test_products_are_compared_side_by_side(client, bank, product, ip_product):
    response = client.get(reverse("finance:product_compare"), {"ids": [product.pk, ip_product.pk]})
    assert response.status_code == 200
    body = response.content.decode()
    assert product.name in body and ip_product.name in body
    assert "40%" in body  # the risk-compensation split of the IP-pledge product


def test_ineligible_applicant_is_told_which_rule_fails_and_nothing_is_saved(
    client, applicant, bank
):
    product = make_product(bank, minimum_credit_grade=CreditGrade.AA)
    client.force_login(applicant)
    url = reverse("finance:application_create", args=[product.pk])
    # the form already warns
    assert "AA" in client.get(url).content.decode()
    # when
    response = client.post(
        url, {"applicant": applicant.memberships.get().organization_id,
              "requested_amount": "200000", "submit_now": "1"},
    )  # fmt: skip
    # then
    assert response.status_code == 200
    assert "AA" in response.content.decode()
    assert not FinancingApplication.objects.exists()


def test_eligible_applicant_submits_and_financier_approves_in_pages(
    client, applicant, financier, product, enterprise
):
    client.force_login(applicant)
    response = client.post(
        reverse("finance:application_create", args=[product.pk]),
        {"applicant": enterprise.pk, "requested_amount": "200000", "submit_now": "1"},
    )
    application = FinancingApplication.objects.get()
    assert response.status_code == 302
    assert application.status == "submitted"
    client.force_login(financier)
    url = reverse("finance:application_transition", args=[application.pk])
    client.post(url, {"action": "start_review"})
    client.post(url, {"action": "approve", "approved_amount": "50",
                      "approved_terms": "3.9%"})  # fmt: skip
    application.refresh_from_db()
    assert application.status == "under_review"  # below the product's minimum: refused
    client.post(url, {"action": "approve", "approved_amount": "150000",
                      "approved_terms": "3.9%"})  # fmt: skip
    application.refresh_from_db()
    assert application.status == "approved"
    detail = client.get(reverse("finance:application_detail", args=[application.pk]))
    assert "150,000.00 元" in detail.content.decode()


def test_stranger_gets_404_for_an_application_page(client, applicant, product):
    application = services.application_create(
        user=applicant, product=product, requested_amount=200000, submit=True
    )
    client.force_login(UserFactory(roles=["enterprise"], organization=OrganizationFactory()))
    assert (
        client.get(reverse("finance:application_detail", args=[application.pk])).status_code == 404
    )


def test_valuation_form_shows_every_step(client, applicant):
    client.force_login(applicant)
    response = client.post(
        reverse("finance:valuation_create"),
        {"title": "技术A", "currency": "CNY", "first_year_revenue": "1000000",
         "revenue_growth_rate": "0", "useful_life_years": "3", "royalty_rate": "5",
         "tax_rate": "25", "risk_free_rate": "3", "technology_premium": "4",
         "market_premium": "2", "management_premium": "1", "trl": "9"},
        follow=True,
    )  # fmt: skip
    assert response.status_code == 200
    body = response.content.decode()
    assert "93256.95" in body and "34090.91" in body
    # a useful life of 0 is explained on the form and nothing is saved
    bad = client.post(
        reverse("finance:valuation_create"),
        {"title": "技术B", "currency": "CNY", "first_year_revenue": "1000000",
         "revenue_growth_rate": "0", "useful_life_years": "0", "royalty_rate": "5",
         "tax_rate": "25", "risk_free_rate": "3", "technology_premium": "4",
         "market_premium": "2", "management_premium": "1", "trl": "9"},
    )  # fmt: skip
    assert bad.status_code == 200
    assert Valuation.objects.count() == 1


def test_voucher_page_redeems_against_a_signed_service_deal(
    client, applicant, voucher, service_deal
):
    client.force_login(applicant)
    page = client.get(reverse("finance:voucher_list"))
    assert "10,000.00 元" in page.content.decode()
    client.post(
        reverse("finance:voucher_redeem", args=[voucher.pk]),
        {f"{voucher.pk}-deal": service_deal.pk, f"{voucher.pk}-amount": "1200",
         "idempotency_key": "page-key-1"},
    )  # fmt: skip
    voucher.account.refresh_from_db()
    assert str(voucher.account.balance) == "8800.00"


def test_dashboards_are_for_their_audience(client, financier, operator, applicant, voucher):
    client.force_login(financier)
    assert client.get(reverse("finance:pipeline")).status_code == 200
    assert client.get(reverse("finance:programmes")).status_code == 404
    client.force_login(operator)
    response = client.get(reverse("finance:programmes"))
    assert response.status_code == 200
    assert "990000.00" in response.content.decode()  # 1,000,000 funded − 10,000 issued
    client.force_login(applicant)
    assert client.get(reverse("finance:pipeline")).status_code == 404
    assert client.get(reverse("finance:workspace")).status_code == 200


def test_pipeline_api_counts_stages_and_approval_rate(
    api_client_for, applicant, financier, product
):
    for action in ("approve", "reject"):
        application = services.application_create(
            user=applicant, product=product, requested_amount=200000, submit=True
        )
        services.application_transition(
            application=application, user=financier, action="start_review"
        )
        services.application_transition(
            application=application, user=financier, action=action, note="n",
            approved_amount="200000", approved_terms="t", reason_code="timing",
        )  # fmt: skip
    data = api_client_for(financier).get("/api/v1/finance/dashboard/pipeline/").data
    assert data["total"] == 2
    assert data["approval_rate"] == "50.0"
    assert data["amount_approved"] == "200000.00"
