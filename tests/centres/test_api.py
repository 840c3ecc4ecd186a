import pytest

from centres.models import Referral
from exchange.models import Introduction

pytestmark = pytest.mark.django_db


def test_the_public_list_shows_verified_centres_only(
    api_client, china_centre, china_member, unverified_centre_member
):
    # given
    from centres import services

    services.centre_profile_update(
        organization=china_centre, user=china_member, countries=["TH", "VN"], languages=["zh", "th"]
    )
    # when
    response = api_client.get("/api/v1/transfer-centres/")
    # then
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [china_centre.pk]
    assert rows[0]["country"] == "CN"
    assert rows[0]["countries_covered"] == ["TH", "VN"]
    assert rows[0]["languages"] == ["zh", "th"]


def test_a_member_creates_and_the_partner_accepts(
    api_client_for, china_member, thai_member, thai_centre, technology
):
    # when
    created = api_client_for(china_member).post(
        "/api/v1/referrals/",
        {"to_centre": thai_centre.pk, "technology": technology.pk, "message": "请对接"},
        format="json",
    )
    # then
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "sent" and body["listing_kind"] == "technology"
    assert "description_zh" not in body and "description" not in str(body.keys())
    assert body["allowed_actions"] == ["close"]
    accepted = api_client_for(thai_member).post(
        f"/api/v1/referrals/{body['id']}/transition/", {"action": "accept"}, format="json"
    )
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    assert [event["action"] for event in accepted.json()["events"]] == ["send", "accept"]


def test_a_non_centre_organisation_cannot_create_a_referral(
    api_client_for, enterprise_member, thai_centre, technology
):
    response = api_client_for(enterprise_member).post(
        "/api/v1/referrals/",
        {"to_centre": thai_centre.pk, "technology": technology.pk},
        format="json",
    )
    assert response.status_code == 403
    assert not Referral.objects.exists()


def test_a_self_declared_centre_cannot_create_a_referral(
    api_client_for, unverified_centre_member, thai_centre, technology
):
    response = api_client_for(unverified_centre_member).post(
        "/api/v1/referrals/",
        {"to_centre": thai_centre.pk, "technology": technology.pk},
        format="json",
    )
    assert response.status_code == 403
    assert not Referral.objects.exists()


def test_an_unverified_partner_is_an_unknown_id(
    api_client_for, china_member, unverified_centre_member, technology
):
    unverified = unverified_centre_member.memberships.get().organization
    response = api_client_for(china_member).post(
        "/api/v1/referrals/",
        {"to_centre": unverified.pk, "technology": technology.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "to_centre" in response.json()


def test_a_centre_reads_no_referral_between_two_others(api_client_for, referral, third_member):
    client = api_client_for(third_member)
    assert client.get(f"/api/v1/referrals/{referral.pk}/").status_code == 404
    assert client.get("/api/v1/referrals/").json()["results"] == []
    response = client.post(
        f"/api/v1/referrals/{referral.pk}/transition/", {"action": "accept"}, format="json"
    )
    assert response.status_code == 404
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_a_centre_cannot_accept_its_own_outgoing_referral(api_client_for, referral, china_member):
    response = api_client_for(china_member).post(
        f"/api/v1/referrals/{referral.pk}/transition/", {"action": "accept"}, format="json"
    )
    assert response.status_code == 409
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_decline_without_a_note_is_400(api_client_for, referral, thai_member):
    response = api_client_for(thai_member).post(
        f"/api/v1/referrals/{referral.pk}/transition/", {"action": "decline"}, format="json"
    )
    assert response.status_code == 400
    assert "note" in response.json()


def test_profile_set_through_the_api_by_members_only(
    api_client_for, china_member, thai_member, china_centre
):
    url = f"/api/v1/transfer-centres/{china_centre.pk}/profile/"
    refused = api_client_for(thai_member).post(
        url, {"countries_covered": ["TH"], "languages": ["th"]}, format="json"
    )
    assert refused.status_code == 403
    bad = api_client_for(china_member).post(
        url, {"countries_covered": ["ZZ"], "languages": ["th"]}, format="json"
    )
    assert bad.status_code == 400 and "countries" in bad.json()
    ok = api_client_for(china_member).post(
        url, {"countries_covered": ["th"], "languages": ["th"]}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["countries_covered"] == ["TH"]


# --- co-brokering -----------------------------------------------------------------------------


@pytest.fixture
def centre_broker(china_centre):
    from accounts.choices import Role
    from accounts.demo import demo_role_grant
    from tests.factories import UserFactory

    broker = UserFactory(organization=china_centre)
    demo_role_grant(user=broker, role=Role.BROKER, organization=china_centre)
    return broker


@pytest.fixture
def thai_enterprise(db):
    from tests.factories import OrganizationFactory

    return OrganizationFactory(region="TH", credit_code="")


def _introduce(client, technology, enterprise, **split):
    return client.post(
        "/api/v1/introductions/",
        {"technology": technology.pk, "enterprise": enterprise.pk, "deal_type": "license",
         "note": "fits", "commission_rate": "5", **split},
        format="json",
    )  # fmt: skip


def test_a_co_brokered_introduction_records_both_centres_and_the_split(
    api_client_for, centre_broker, china_centre, thai_centre, technology, thai_enterprise
):
    response = _introduce(
        api_client_for(centre_broker), technology, thai_enterprise,
        lead_centre=china_centre.pk, partner_centre=thai_centre.pk,
        lead_centre_share="60", partner_centre_share="40",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["lead_centre"], body["partner_centre"]) == (china_centre.pk, thai_centre.pk)
    assert (body["lead_centre_share"], body["partner_centre_share"]) == ("60.00", "40.00")


def test_shares_must_sum_to_100(
    api_client_for, centre_broker, china_centre, thai_centre, technology, thai_enterprise
):
    response = _introduce(
        api_client_for(centre_broker), technology, thai_enterprise,
        lead_centre=china_centre.pk, partner_centre=thai_centre.pk,
        lead_centre_share="60", partner_centre_share="30",
    )  # fmt: skip
    assert response.status_code == 400
    assert "partner_centre_share" in response.json()
    assert not Introduction.objects.exists()


def test_the_lead_centre_must_be_the_brokers_own(
    api_client_for,
    centre_broker,
    china_centre,
    thai_centre,
    third_centre,
    technology,
    thai_enterprise,
):
    response = _introduce(
        api_client_for(centre_broker), technology, thai_enterprise,
        lead_centre=thai_centre.pk, partner_centre=third_centre.pk,
        lead_centre_share="50", partner_centre_share="50",
    )  # fmt: skip
    assert response.status_code == 400
    assert "lead_centre" in response.json()


def test_the_cross_border_pipeline_counts_co_brokered_deals_across_countries(
    api_client_for,
    centre_broker,
    china_centre,
    thai_centre,
    technology,
    thai_enterprise,
    holder_org,
):
    from centres import selectors
    from exchange.services import introduction_transition
    from tests.factories import UserFactory

    _introduce(
        api_client_for(centre_broker), technology, thai_enterprise,
        lead_centre=china_centre.pk, partner_centre=thai_centre.pk,
        lead_centre_share="70", partner_centre_share="30",
    )  # fmt: skip
    introduction = Introduction.objects.get()
    introduction_transition(
        introduction=introduction,
        user=UserFactory(organization=holder_org),
        action="accept_as_seller",
    )
    introduction_transition(
        introduction=introduction,
        user=UserFactory(organization=thai_enterprise),
        action="accept_as_buyer",
    )
    # then: seller in CN-JS, buyer in TH — the partner centre sees it in its pipeline too
    assert list(selectors.centre_cross_border_pipeline(centre=thai_centre)) == [introduction.deal]
    assert selectors.centre_cross_border_pipeline(centre=china_centre).count() == 1
