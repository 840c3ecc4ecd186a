import pytest

from exchange import services
from exchange.models import Deal, Proposal
from tests.exchange.conftest import PDF_BYTES
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_post_deal_opens_an_inquiry_as_buyer(api_client_for, enterprise, technology):
    client = api_client_for(enterprise)
    response = client.post(
        "/api/v1/deals/",
        {
            "technology": technology.pk,
            "need": None,
            "deal_type": "license",
            "price": "750000",
            "currency": "CNY",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["stage"] == "inquiry"
    assert body["buyer"] == enterprise.memberships.get().organization_id
    assert body["allowed_actions"] == ["cancel"]


def test_get_returns_stage_and_allowed_actions_for_the_requesting_user(
    api_client_for, make_deal, holder, enterprise
):
    deal = make_deal()
    seller_view = api_client_for(holder).get(f"/api/v1/deals/{deal.pk}/").json()
    assert (seller_view["stage"], seller_view["allowed_actions"]) == (
        "inquiry",
        ["start_negotiation", "cancel"],
    )


@pytest.mark.parametrize(("who", "expected"), [("stranger", 404), ("anonymous", 403)])
def test_strangers_do_not_see_deals(who, expected, api_client, api_client_for, stranger, make_deal):
    deal = make_deal()
    client = api_client_for(stranger) if who == "stranger" else api_client
    assert client.get(f"/api/v1/deals/{deal.pk}/").status_code == expected
    response = client.post(f"/api/v1/deals/{deal.pk}/transition/", {"action": "cancel"})
    assert response.status_code == expected
    deal.refresh_from_db()
    assert deal.stage == "inquiry"


def test_transition_out_of_turn_is_409_and_changes_nothing(api_client_for, enterprise, make_deal):
    deal = make_deal(stage="submitted_for_review")
    response = api_client_for(enterprise).post(
        f"/api/v1/deals/{deal.pk}/transition/", {"action": "approve", "note": ""}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"
    deal.refresh_from_db()
    assert deal.stage == "submitted_for_review"
    assert not deal.events.exists()


def test_missing_data_refusal_names_it(api_client_for, holder, make_deal):
    deal = make_deal(stage="agreement_drafted", payment_terms="一次付清")
    response = api_client_for(holder).post(
        f"/api/v1/deals/{deal.pk}/transition/",
        {"action": "submit_for_review"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "contract" in response.json()["contract"][0]


def test_document_upload_and_permission_checked_download(
    api_client_for, client, holder, enterprise, stranger, make_deal
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    deal = make_deal()
    upload = SimpleUploadedFile("nda.pdf", PDF_BYTES, content_type="application/pdf")
    response = api_client_for(holder).post(
        f"/api/v1/deals/{deal.pk}/messages/",
        {"body": "NDA", "kind": "nda", "file": upload},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    url = response.json()["documents"][0]["download_url"]
    client.force_login(enterprise)
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page


def test_message_to_a_deal_you_are_not_in_is_404(api_client_for, stranger, make_deal):
    deal = make_deal()
    response = api_client_for(stranger).post(f"/api/v1/deals/{deal.pk}/messages/", {"body": "x"})
    assert response.status_code == 404
    assert not deal.messages.exists()


@pytest.mark.parametrize("rows", [5, 50])
def test_deal_list_query_count_is_constant(
    rows, api_client_for, reviewer, make_deal, django_assert_num_queries
):
    for _ in range(rows):
        make_deal()
    client = api_client_for(reviewer)
    # count, page (with joins), milestones and export-licence checks prefetched, the user's
    # organisations
    with django_assert_num_queries(5):
        response = client.get("/api/v1/deals/", {"page_size": 50})
    assert response.json()["count"] == rows


def test_proposal_accept_opens_a_deal(api_client_for, holder, enterprise, technology, make_need):
    need = make_need(status="published")
    created = api_client_for(holder).post(
        "/api/v1/proposals/",
        {
            "need": need.pk,
            "technology": technology.pk,
            "approach": "IC 厌氧 + 好氧",
            "deal_type": "license",
            "price": "900000",
            "currency": "CNY",
            "timeline": "6 个月",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    proposal_id = created.json()["id"]
    enterprise_client = api_client_for(enterprise)
    decline = enterprise_client.post(
        f"/api/v1/proposals/{proposal_id}/transition/", {"action": "decline"}, format="json"
    )
    assert decline.status_code == 400  # a reason is required
    accepted = enterprise_client.post(
        f"/api/v1/proposals/{proposal_id}/transition/", {"action": "accept"}, format="json"
    )
    assert accepted.json()["status"] == "accepted"
    deal = Deal.objects.get(proposal_id=proposal_id)
    assert (deal.stage, deal.buyer_id, deal.need_id) == (
        "negotiation",
        need.organization_id,
        need.pk,
    )
    need.refresh_from_db()
    assert need.status == "in_negotiation"


def test_open_call_picks_one_proposal(holder, enterprise, make_technology, make_need):
    import datetime

    from django.utils import timezone

    need = make_need(
        status="published",
        is_open_call=True,
        call_closes_on=timezone.localdate() + datetime.timedelta(days=5),
    )
    first = services.proposal_create(
        user=holder,
        need=need,
        technology=make_technology(),
        approach="A",
        deal_type="license",
        timeline="3 个月",
    )
    second = services.proposal_create(
        user=holder,
        need=need,
        technology=make_technology(title_zh="另一项技术"),
        approach="B",
        deal_type="license",
        timeline="4 个月",
    )
    services.proposal_transition(proposal=second, user=enterprise, action="accept")
    first.refresh_from_db()
    assert first.status == "declined" and first.decline_reason
    assert Proposal.objects.get(pk=second.pk).status == "accepted"


def test_broker_introduction_needs_both_sides(
    api_client_for, broker, holder, enterprise, technology, enterprise_org
):
    created = api_client_for(broker).post(
        "/api/v1/introductions/",
        {
            "technology": technology.pk,
            "enterprise": enterprise_org.pk,
            "deal_type": "license",
            "commission_rate": "5.00",
            "note": "工艺匹配",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    intro_id = created.json()["id"]
    first = api_client_for(holder).post(
        f"/api/v1/introductions/{intro_id}/transition/",
        {"action": "accept_as_seller"},
        format="json",
    )
    assert first.json()["status"] == "seller_accepted"
    assert not Deal.objects.exists()
    second = api_client_for(enterprise).post(
        f"/api/v1/introductions/{intro_id}/transition/",
        {"action": "accept_as_buyer"},
        format="json",
    )
    assert second.json()["status"] == "accepted"
    deal = Deal.objects.get(introduction_id=intro_id)
    assert (deal.broker, str(deal.commission_rate)) == (broker, "5.00")


def test_non_broker_cannot_introduce(api_client_for, holder, technology, enterprise_org):
    response = api_client_for(UserFactory(roles=["holder"])).post(
        "/api/v1/introductions/",
        {"technology": technology.pk, "enterprise": enterprise_org.pk, "deal_type": "license"},
        format="json",
    )
    assert response.status_code == 403


def test_certificate_verification_genuine_and_forged(api_client, make_deal):
    from exchange.services import certificate_issue

    deal = make_deal(stage="completed")
    certificate = certificate_issue(deal=deal)
    genuine = api_client.get("/api/v1/certificates/verify/", {"number": certificate.number})
    assert genuine.json()["status"] == "genuine"
    assert genuine.json()["facts"]["amount_band"].startswith("CNY")
    altered = certificate.number[:-1] + ("A" if certificate.number[-1] != "A" else "B")
    assert (
        api_client.get("/api/v1/certificates/verify/", {"number": altered}).json()["status"]
        == "forged"
    )
    other_deal = certificate.number.replace(f"{deal.pk:06d}", f"{deal.pk + 1:06d}")
    assert (
        api_client.get("/api/v1/certificates/verify/", {"number": other_deal}).json()["status"]
        == "forged"
    )
