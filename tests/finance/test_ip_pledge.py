"""A valuation made through the API matches the hand calculation and caps an IP-pledge loan."""

import pytest

from finance.models import Valuation

pytestmark = pytest.mark.django_db
VALUATIONS = "/api/v1/finance/valuations/"
APPLICATIONS = "/api/v1/finance/applications/"

HAND_CASE = {
    "title": "高盐废水零排放",
    "currency": "CNY",
    "first_year_revenue": "1000000.00",
    "revenue_growth_rate": "0",
    "useful_life_years": 3,
    "royalty_rate": "0.05",
    "tax_rate": "0.25",
    "risk_free_rate": "0.03",
    "technology_premium": "0.04",
    "market_premium": "0.02",
    "management_premium": "0.01",
    "trl": 9,
}


def test_valuation_is_saved_with_every_step(api_client_for, applicant):
    # when
    response = api_client_for(applicant).post(VALUATIONS, HAND_CASE, format="json")
    # then (hand calculation in test_valuation.py: 93,256.95)
    assert response.status_code == 201, response.data
    assert response.data["value"] == "93256.95"
    assert response.data["discount_rate"] == "0.1000"
    assert [year["present_value"] for year in response.data["steps"]["years"]] == [
        "34090.91",
        "30991.74",
        "28174.31",
    ]
    assert response.data["comparables"]["reason"] == "no_technology"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"useful_life_years": 0}, "useful_life_years"),
        (
            {
                "risk_free_rate": "0",
                "technology_premium": "0",
                "market_premium": "0",
                "management_premium": "0",
            },
            "discount_rate",
        ),
        ({"market_premium": "-0.2"}, "market_premium"),
    ],
)
def test_impossible_valuations_are_refused_with_a_clear_message(
    api_client_for, applicant, overrides, field
):
    response = api_client_for(applicant).post(VALUATIONS, {**HAND_CASE, **overrides}, format="json")
    assert response.status_code == 400
    assert field in response.data
    assert not Valuation.objects.exists()


def test_valuation_caps_the_ip_pledge_loan(api_client_for, applicant, financier, ip_product):
    # given a valuation of 93,256.95 and a product lending 50 % of it: cap 46,628.47
    client = api_client_for(applicant)
    valuation_id = client.post(VALUATIONS, HAND_CASE, format="json").data["id"]
    # when the applicant asks for more than the cap
    too_much = client.post(
        APPLICATIONS,
        {"product": ip_product.pk, "requested_amount": "50000.00", "valuation": valuation_id},
        format="json",
    )
    # then
    assert too_much.status_code == 400
    assert "46628.47" in too_much.data["requested_amount"][0]
    # and within the cap it goes through, showing the cap and the risk-sharing split
    created = client.post(
        APPLICATIONS,
        {"product": ip_product.pk, "requested_amount": "46000.00", "valuation": valuation_id},
        format="json",
    )
    assert created.status_code == 201, created.data
    assert created.data["loan_cap"] == "46628.47"
    assert created.data["risk_compensation"]["fund"] == "40.00"
    application_id = created.data["id"]
    assert (
        client.post(f"{APPLICATIONS}{application_id}/transition/", {"action": "submit"}).status_code
        == 200
    )
    # the financier cannot approve more than the cap either
    bank = api_client_for(financier)
    bank.post(f"{APPLICATIONS}{application_id}/transition/", {"action": "start_review"})
    over = bank.post(
        f"{APPLICATIONS}{application_id}/transition/",
        {"action": "approve", "approved_amount": "46628.48", "approved_terms": "4%"},
        format="json",
    )
    assert over.status_code == 400
    assert "46628.47" in over.data["approved_amount"][0]
    # and the financier sees the pledged valuation
    assert bank.get(f"{VALUATIONS}{valuation_id}/").status_code == 200


def test_ip_pledge_submission_without_a_valuation_is_refused(api_client_for, applicant, ip_product):
    client = api_client_for(applicant)
    draft = client.post(
        APPLICATIONS, {"product": ip_product.pk, "requested_amount": "20000.00"}, format="json"
    )
    response = client.post(f"{APPLICATIONS}{draft.data['id']}/transition/", {"action": "submit"})
    assert response.status_code == 400
    assert "valuation" in response.data


def test_someone_elses_valuation_cannot_be_pledged(api_client_for, applicant, ip_product, stranger):
    valuation_id = api_client_for(stranger).post(VALUATIONS, HAND_CASE, format="json").data["id"]
    response = api_client_for(applicant).post(
        APPLICATIONS,
        {"product": ip_product.pk, "requested_amount": "20000.00", "valuation": valuation_id},
        format="json",
    )
    assert response.status_code == 400
    assert "valuation" in response.data
