"""The open-licence API: public terms, the holder's create/edit/licensees, accept and pay, field
errors (400), wrong state (409) and others' private rows (404)."""

from decimal import Decimal

import pytest

from licensing import services
from licensing.choices import LicenceStatus, OfferStatus
from licensing.models import Licence, OpenLicenceOffer
from tests.licensing.conftest import report_upload

pytestmark = pytest.mark.django_db

OFFERS = "/api/v1/open-licences/"


def _body(technology, patent, **overrides):
    return {
        "technology": technology.pk,
        "patent": patent.pk,
        "fee_kind": "lump_sum",
        "fixed_fee": "50000.00",
        "term_years": 5,
        "field_of_use": "工业废水处理",
        "territory": "中国大陆",
        **overrides,
    }


def test_anyone_reads_the_posted_terms(api_client, offer):
    # when
    response = api_client.get(OFFERS)
    # then
    assert response.status_code == 200
    row = response.json()["results"][0]
    assert row["id"] == offer.pk
    assert row["fee_kind"] == "lump_sum" and row["fixed_fee"] == "50000.00"
    assert row["amount_due_on_acceptance"] == "50000.00"
    assert row["has_evaluation_report"] is False
    assert "evaluation_report" not in row
    assert api_client.get(f"{OFFERS}{offer.pk}/").json()["territory"] == "中国大陆"


def test_holder_creates_an_offer(api_client_for, holder, technology, patent):
    response = api_client_for(holder).post(OFFERS, _body(technology, patent), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == OfferStatus.OPEN


def test_holder_creates_a_utility_model_offer_with_its_report(
    api_client_for, holder, technology, utility_patent
):
    client = api_client_for(holder)
    refused = client.post(OFFERS, _body(technology, utility_patent), format="json")
    assert refused.status_code == 400
    assert "evaluation_report" in refused.json()
    body = {**_body(technology, utility_patent), "evaluation_report": report_upload()}
    response = client.post(OFFERS, body, format="multipart")
    assert response.status_code == 201, response.json()
    assert response.json()["has_evaluation_report"] is True


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"fee_kind": "net_sales_royalty", "royalty_rate": "25"}, "royalty_rate"),
        ({"fee_kind": "profit_royalty", "royalty_rate": "41"}, "royalty_rate"),
        ({"fixed_fee": "9000000"}, "fixed_fee"),
        ({"fee_kind": "per_unit"}, "fee_kind"),
        ({"term_years": None}, "term_years"),
    ],
)
def test_bad_terms_are_400_with_field_errors(
    api_client_for, holder, technology, patent, overrides, field
):
    response = api_client_for(holder).post(
        OFFERS, _body(technology, patent, **overrides), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not OpenLicenceOffer.objects.exists()


def test_another_organisation_cannot_offer_the_holders_patent(
    api_client_for, enterprise, technology, patent
):
    response = api_client_for(enterprise).post(OFFERS, _body(technology, patent), format="json")
    assert response.status_code == 400
    assert "technology" in response.json()
    assert not OpenLicenceOffer.objects.exists()


def test_accept_and_pay_through_the_api(api_client_for, offer, enterprise):
    client = api_client_for(enterprise)
    # when
    accepted = client.post(f"{OFFERS}{offer.pk}/accept/", {}, format="json")
    # then
    assert accepted.status_code == 201, accepted.json()
    licence = accepted.json()
    assert licence["status"] == LicenceStatus.ACCEPTED
    assert licence["allowed_actions"] == ["pay", "cancel"]
    assert licence["certificate_number"] is None
    # when
    paid = client.post(f"/api/v1/licences/{licence['id']}/transition/", {"action": "pay"})
    # then
    assert paid.status_code == 200
    assert paid.json()["status"] == LicenceStatus.LICENSED
    assert paid.json()["certificate_number"].startswith("GTE-")
    assert paid.json()["deal"]
    again = client.post(f"/api/v1/licences/{licence['id']}/transition/", {"action": "pay"})
    assert again.status_code == 409


def test_double_accept_is_409_and_makes_no_second_licence(api_client_for, offer, enterprise):
    client = api_client_for(enterprise)
    assert client.post(f"{OFFERS}{offer.pk}/accept/").status_code == 201
    response = client.post(f"{OFFERS}{offer.pk}/accept/")
    assert response.status_code == 409
    assert Licence.objects.count() == 1


def test_accepting_a_withdrawn_offer_is_409(
    api_client_for, offer, holder, enterprise, other_enterprise
):
    # given an enterprise that cancelled its licence (it still sees the offer) and a withdrawal
    licence = services.licence_accept(offer=offer, user=enterprise)
    services.licence_transition(licence=licence, user=enterprise, action="cancel")
    services.offer_withdraw(offer=offer, user=holder)
    # when / then: the conflict for it, 404 for an enterprise that never saw it
    assert api_client_for(enterprise).post(f"{OFFERS}{offer.pk}/accept/").status_code == 409
    assert api_client_for(other_enterprise).post(f"{OFFERS}{offer.pk}/accept/").status_code == 404
    assert Licence.objects.count() == 1


def test_editing_frozen_terms_is_409_and_revise_publishes_a_new_version(
    api_client_for, offer, holder, enterprise
):
    services.licence_accept(offer=offer, user=enterprise)
    client = api_client_for(holder)
    refused = client.patch(f"{OFFERS}{offer.pk}/", {"fixed_fee": "60000"}, format="json")
    assert refused.status_code == 409
    offer.refresh_from_db()
    assert offer.fixed_fee == Decimal("50000")
    revised = client.post(f"{OFFERS}{offer.pk}/revise/", {"fixed_fee": "60000"}, format="json")
    assert revised.status_code == 201
    assert revised.json()["version"] == 2 and revised.json()["previous"] == offer.pk


def test_holder_lists_licensees_others_may_not(api_client_for, offer, holder, enterprise):
    services.licence_accept(offer=offer, user=enterprise)
    response = api_client_for(holder).get(f"{OFFERS}{offer.pk}/licensees/")
    assert response.status_code == 200
    assert [row["licensee"] for row in response.json()["results"]] == [
        enterprise.memberships.first().organization_id
    ]
    assert api_client_for(enterprise).get(f"{OFFERS}{offer.pk}/licensees/").status_code == 403


def test_licences_of_others_are_404(api_client_for, offer, enterprise, other_enterprise, holder):
    licence = services.licence_accept(offer=offer, user=enterprise)
    assert (
        api_client_for(other_enterprise).get(f"/api/v1/licences/{licence.pk}/").status_code == 404
    )
    refused = api_client_for(other_enterprise).post(
        f"/api/v1/licences/{licence.pk}/transition/", {"action": "pay"}
    )
    assert refused.status_code == 404
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.ACCEPTED
    assert api_client_for(holder).get(f"/api/v1/licences/{licence.pk}/").status_code == 200
    assert api_client_for(enterprise).get("/api/v1/licences/").json()["count"] == 1
    assert api_client_for(other_enterprise).get("/api/v1/licences/").json()["count"] == 0


def test_anonymous_cannot_accept(api_client, offer):
    assert api_client.post(f"{OFFERS}{offer.pk}/accept/").status_code == 403
    assert not Licence.objects.exists()


def test_technology_api_filters_open_licences(api_client, offer, technology, holder_org):
    from catalog.models import Technology

    other = Technology.objects.create(
        organization=holder_org,
        title_zh="另一项技术",
        summary_zh="摘要。",
        description_zh="描述。",
        category=technology.category,
        trl=5,
        region="CN-JS",
        status="published",
        published_at=technology.published_at,
    )
    offered = api_client.get("/api/v1/technologies/", {"open_licence": "true"}).json()
    assert [row["id"] for row in offered["results"]] == [technology.pk]
    others = api_client.get("/api/v1/technologies/", {"open_licence": "false"}).json()
    assert [row["id"] for row in others["results"]] == [other.pk]
