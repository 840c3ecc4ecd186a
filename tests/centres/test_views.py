import pytest
from django.test import Client

from centres.models import Referral

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_network_page_lists_verified_centres_by_country(
    client, china_centre, thai_centre, unverified_centre_member
):
    # when
    response = client.get("/network/")
    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert china_centre.display_name in page and thai_centre.display_name in page
    unverified = unverified_centre_member.memberships.get().organization
    assert unverified.display_name not in page
    assert page.count('data-testid="network-country"') == 2


def test_a_member_refers_a_technology_through_the_form(china_member, thai_centre, technology):
    client = client_for(china_member)
    form = client.get(f"/network/referrals/new/?technology={technology.pk}")
    assert form.status_code == 200
    response = client.post(
        "/network/referrals/new/",
        {"technology": technology.pk, "to_centre": thai_centre.pk, "message": "请对接"},
    )
    referral = Referral.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/network/referrals/{referral.pk}/"
    )
    detail = client.get(response["Location"]).content.decode()
    assert technology.title_zh in detail
    assert "保密的详细工艺参数" not in detail  # the description stays behind the listing's rules


def test_the_form_keeps_what_was_typed_on_a_bad_partner(china_member, china_centre, technology):
    response = client_for(china_member).post(
        "/network/referrals/new/",
        {"technology": technology.pk, "to_centre": china_centre.pk, "message": "kept text"},
    )
    assert response.status_code == 200
    assert "kept text" in response.content.decode()
    assert not Referral.objects.exists()


def test_the_listing_search_finds_referable_listings(china_member, technology):
    response = client_for(china_member).get("/network/referrals/new/?q=厌氧")
    assert response.status_code == 200
    assert f"?technology={technology.pk}" in response.content.decode()


def test_a_non_centre_organisation_gets_no_referral_form(enterprise_member, technology):
    client = client_for(enterprise_member)
    assert client.get(f"/network/referrals/new/?technology={technology.pk}").status_code == 403
    assert client.get("/network/dashboard/").status_code == 403


def test_the_partner_accepts_on_the_page_and_the_sender_cannot(referral, china_member, thai_member):
    url = f"/network/referrals/{referral.pk}/transition/"
    client_for(china_member).post(url, {"action": "accept"})
    referral.refresh_from_db()
    assert referral.status == "sent"
    page = client_for(thai_member).get(f"/network/referrals/{referral.pk}/").content.decode()
    assert 'data-testid="referral-accept"' in page
    client_for(thai_member).post(url, {"action": "accept"})
    referral.refresh_from_db()
    assert referral.status == "accepted"


def test_a_third_centre_gets_404_on_a_referral_between_two_others(referral, third_member):
    client = client_for(third_member)
    assert client.get(f"/network/referrals/{referral.pk}/").status_code == 404
    assert (
        client.post(
            f"/network/referrals/{referral.pk}/transition/", {"action": "accept"}
        ).status_code
        == 404
    )
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_the_dashboard_shows_referrals_by_status_and_the_workspace_leads_to_it(
    referral, thai_member
):
    client = client_for(thai_member)
    dashboard = client.get("/network/dashboard/").content.decode()
    assert 'data-testid="count-incoming-sent"' in dashboard
    assert 'data-testid="cross-border-pipeline"' in dashboard
    workspace = client.get("/me/workspace/").content.decode()
    assert 'data-testid="workspace-centre"' in workspace
    assert 'data-todo="referrals_to_answer"' in workspace


def test_a_centre_member_sets_the_profile_on_its_page(china_member, china_centre):
    client = client_for(china_member)
    response = client.post(
        f"/network/centres/{china_centre.pk}/profile/",
        {"countries": ["TH", "VN"], "languages": ["th"]},
    )
    assert response.status_code == 302
    assert china_centre.transfer_centre.countries == ["TH", "VN"]
