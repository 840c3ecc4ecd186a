"""Pages: the list with filters, the detail with its calendar, the book form keeping what was
typed on errors, provider and booker pages, the pay form, and the facilities panel on a need."""

from decimal import Decimal

import pytest
from django.test import Client

from exchange.models import Need
from facilities.choices import BookingStatus
from facilities.models import FacilityBooking
from matching.extensions import need_suggestion_panels
from tests.facilities.conftest import at, completed_booking

pytestmark = pytest.mark.django_db


def client_for(user=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def test_list_and_detail_are_public(facility):
    page = client_for().get("/facilities/?q=MVR")
    assert page.status_code == 200 and facility.title in page.content.decode()
    assert "蒸发结晶中试线" not in client_for().get("/facilities/?kind=instrument").content.decode()
    detail = client_for().get(f"/facilities/{facility.pk}/")
    assert detail.status_code == 200
    assert 'data-testid="facility-calendar"' in detail.content.decode()


def test_the_book_form_keeps_input_and_explains_an_overlap(facility, booker_user):
    client = client_for(booker_user)
    first = client.post(
        f"/facilities/{facility.pk}/book/",
        {"booker": booker_user.memberships.get().organization_id,
         "starts_at": at(2, 9).strftime("%Y-%m-%dT%H:%M"),
         "ends_at": at(2, 12).strftime("%Y-%m-%dT%H:%M"), "purpose": "工艺验证"},
    )  # fmt: skip
    assert first.status_code == 302
    clash = client.post(
        f"/facilities/{facility.pk}/book/",
        {"booker": booker_user.memberships.get().organization_id,
         "starts_at": at(2, 10).strftime("%Y-%m-%dT%H:%M"),
         "ends_at": at(2, 11).strftime("%Y-%m-%dT%H:%M"), "purpose": "第二次试验"},
    )  # fmt: skip
    body = clash.content.decode()
    assert clash.status_code == 400
    assert "overlaps another booking" in body and "第二次试验" in body
    assert FacilityBooking.objects.count() == 1


def test_provider_confirms_and_booker_pays_part_with_a_voucher_on_pages(
    facility, booker_user, provider_user, voucher, excluded_voucher
):
    booking = completed_booking(facility, booker_user=booker_user, provider_user=provider_user)
    assert (
        "pay-form"
        in client_for(booker_user).get(f"/facilities/bookings/{booking.pk}/").content.decode()
    )
    refused = client_for(booker_user).post(
        f"/facilities/bookings/{booking.pk}/pay/",
        {"voucher": excluded_voucher.pk, "voucher_amount": "100.00"},
    )
    assert refused.status_code == 400
    assert "does not let its vouchers pay" in refused.content.decode()
    paid = client_for(booker_user).post(
        f"/facilities/bookings/{booking.pk}/pay/",
        {"voucher": voucher.pk, "voucher_amount": "1000.00", "idempotency_key": "page-1"},
    )
    assert paid.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BILLED and booking.voucher_amount == Decimal("1000")


def test_provider_pages_and_transitions(facility, booker_user, provider_user, outsider_user):
    booking = completed_booking(facility, booker_user=booker_user, provider_user=provider_user)
    assert client_for(provider_user).get("/facilities/provider/bookings/").status_code == 200
    assert client_for(booker_user).get("/facilities/bookings/").status_code == 200
    assert client_for(outsider_user).get(f"/facilities/bookings/{booking.pk}/").status_code == 404
    response = client_for(outsider_user).post(
        f"/facilities/bookings/{booking.pk}/transition/", {"action": "complete"}
    )
    assert response.status_code == 404
    assert client_for(outsider_user).get(f"/facilities/{facility.pk}/edit/").status_code == 404


def test_the_workspace_shows_bookings_to_confirm(facility, booker_user, provider_user):
    client_for(booker_user)
    from facilities import services

    services.booking_request(
        facility=facility, user=booker_user, starts_at=at(2, 9), ends_at=at(2, 12)
    )
    page = client_for(provider_user).get("/me/workspace/").content.decode()
    assert "Facility bookings to confirm" in page


def test_a_need_for_a_pilot_trial_suggests_facilities(facility, booker_org):
    need = Need(organization=booker_org, title_zh="高盐废水中试验证", region="CN-JS")
    panels = need_suggestion_panels(need=need, user=None)
    assert [f.pk for f in panels[0]["facilities"]] == [facility.pk]
    other = Need(organization=booker_org, title_zh="购买一套膜组件", region="CN-JS")
    assert need_suggestion_panels(need=other, user=None) == []
