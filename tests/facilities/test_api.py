"""The facilities API: public list with filters, provider-only writes, booking with 400 for
bad slots, 409 for workflow refusals, 404 for bookings of others, and paying with a voucher."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from facilities.choices import BookingStatus
from facilities.models import Facility, FacilityBooking
from tests.facilities.conftest import at, completed_booking, make_facility

pytestmark = pytest.mark.django_db


def client_for(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


def test_anyone_lists_published_facilities_with_filters(facility, provider_user, provider_org):
    make_facility(
        provider_user, provider_org, publish=False, title_zh="草稿设备", kind="instrument"
    )
    response = client_for().get("/api/v1/facilities/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [facility.pk]
    assert client_for().get("/api/v1/facilities/?kind=instrument").json()["results"] == []
    assert client_for().get("/api/v1/facilities/?q=MVR").json()["count"] == 1
    assert client_for().get("/api/v1/facilities/?q=nothing-like-it").json()["count"] == 0
    assert client_for().get("/api/v1/facilities/?kind=rocket").status_code == 400


def test_a_draft_is_404_to_others_and_visible_to_its_provider(
    provider_user, provider_org, outsider_user
):
    draft = make_facility(provider_user, provider_org, publish=False)
    assert client_for(outsider_user).get(f"/api/v1/facilities/{draft.pk}/").status_code == 404
    response = client_for(provider_user).get(f"/api/v1/facilities/{draft.pk}/")
    assert response.status_code == 200 and response.json()["periods"]


def test_the_provider_creates_and_updates_others_cannot(provider_user, provider_org, outsider_user):
    body = {
        "provider": provider_org.pk, "kind": "test_bench", "title_en": "Membrane test bench",
        "capabilities": "Flux tests", "capacity": "4 modules", "region": "CN-JS",
        "price": "1200.00", "price_unit": "day",
    }  # fmt: skip
    response = client_for(provider_user).post("/api/v1/facilities/", body, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["status"] == "draft"
    refused = client_for(outsider_user).post("/api/v1/facilities/", body, format="json")
    assert refused.status_code == 400 and "provider" in refused.json()
    bad = client_for(provider_user).post(
        "/api/v1/facilities/", body | {"region": "XX-YY", "price": "-1"}, format="json"
    )
    assert bad.status_code == 400 and {"region", "price"} <= set(bad.json())
    # the outsider cannot see the draft: 404, nothing changed
    patch = client_for(outsider_user).patch(f"/api/v1/facilities/{pk}/", {"capacity": "x"})
    assert patch.status_code == 404
    ok = client_for(provider_user).patch(
        f"/api/v1/facilities/{pk}/", {"capacity": "6 modules"}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["capacity"] == "6 modules"
    published = client_for(provider_user).post(
        f"/api/v1/facilities/{pk}/transition/", {"action": "publish"}, format="json"
    )
    assert published.json()["status"] == "published"
    again = client_for(provider_user).post(
        f"/api/v1/facilities/{pk}/transition/", {"action": "publish"}, format="json"
    )
    assert again.status_code == 409
    assert Facility.objects.filter(pk=pk, capacity="6 modules").exists()


def test_booking_through_the_api_refuses_past_and_overlapping_slots(facility, booker_user):
    client = client_for(booker_user)
    url = f"/api/v1/facilities/{facility.pk}/book/"
    past = client.post(url, {"starts_at": at(-1, 9), "ends_at": at(-1, 10)}, format="json")
    assert past.status_code == 400 and "starts_at" in past.json()
    ok = client.post(url, {"starts_at": at(2, 9), "ends_at": at(2, 12)}, format="json")
    assert ok.status_code == 201 and ok.json()["status"] == "requested"
    clash = client.post(
        "/api/v1/facility-bookings/",
        {"facility": facility.pk, "starts_at": at(2, 10), "ends_at": at(2, 11)},
        format="json",
    )
    assert clash.status_code == 400
    assert "overlaps" in clash.json()["starts_at"][0]
    assert client_for().post(url, {}, format="json").status_code == 403
    assert FacilityBooking.objects.count() == 1


def test_workflow_verbs_are_409_for_the_wrong_actor_and_404_for_strangers(
    facility, booker_user, provider_user, outsider_user
):
    booking = (
        client_for(booker_user)
        .post(
            f"/api/v1/facilities/{facility.pk}/book/",
            {"starts_at": at(2, 9), "ends_at": at(2, 12)},
            format="json",
        )
        .json()
    )
    base = f"/api/v1/facility-bookings/{booking['id']}"
    assert client_for(booker_user).post(f"{base}/confirm/").status_code == 409
    assert client_for(outsider_user).post(f"{base}/confirm/").status_code == 404
    assert client_for(outsider_user).get(f"{base}/").status_code == 404
    assert client_for(provider_user).post(f"{base}/decline/", {}).status_code == 400
    assert client_for(provider_user).post(f"{base}/confirm/").json()["status"] == "confirmed"
    completed = client_for(provider_user).post(f"{base}/complete/").json()
    assert completed["status"] == "completed" and completed["charge"] == "2400.00"
    assert FacilityBooking.objects.get(pk=booking["id"]).status == BookingStatus.COMPLETED


def test_pay_with_a_voucher_through_the_api(
    facility, booker_user, provider_user, voucher, excluded_voucher
):
    booking = completed_booking(facility, booker_user=booker_user, provider_user=provider_user)
    url = f"/api/v1/facility-bookings/{booking.pk}/pay/"
    refused = client_for(booker_user).post(
        url, {"voucher": excluded_voucher.pk, "voucher_amount": "500.00"}, format="json"
    )
    assert refused.status_code == 400 and "voucher" in refused.json()
    assert client_for(provider_user).post(url, {}, format="json").status_code == 409
    paid = client_for(booker_user).post(
        url, {"voucher": voucher.pk, "voucher_amount": "2000.00"}, format="json",
        HTTP_IDEMPOTENCY_KEY="api-pay-1",
    )  # fmt: skip
    assert paid.status_code == 200, paid.json()
    assert paid.json()["status"] == "billed"
    assert paid.json()["left_to_pay"] == "400.00"
    voucher.account.refresh_from_db()
    assert voucher.account.balance == Decimal("18000.00")


def test_bookings_list_shows_only_own_rows(facility, booker_user, outsider_user):
    client_for(booker_user).post(
        f"/api/v1/facilities/{facility.pk}/book/",
        {"starts_at": at(2, 9), "ends_at": at(2, 12)},
        format="json",
    )
    assert client_for(booker_user).get("/api/v1/facility-bookings/").json()["count"] == 1
    assert client_for(outsider_user).get("/api/v1/facility-bookings/").json()["count"] == 0
    assert client_for().get("/api/v1/facility-bookings/").status_code == 403
