"""Facilities journey: an enterprise finds and books a pilot line, the provider confirms and
completes the booking, and the enterprise pays part of the charge with an innovation voucher."""

import re
from decimal import Decimal

import pytest

from facilities.choices import BookingStatus
from facilities.models import FacilityBooking
from tests.browser.conftest import sign_in
from tests.facilities.conftest import at, issue_voucher, make_facility, make_programme
from tests.factories import PASSWORD, OrganizationFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_enterprise_books_a_pilot_line_and_pays_part_with_a_voucher(page, live_server):
    # given: an institute's published pilot line and an enterprise holding a voucher
    institute = OrganizationFactory(kind="institute", region="CN-JS")
    provider = UserFactory(email="pilot@example.com", roles=["holder"], organization=institute)
    enterprise = OrganizationFactory(kind="enterprise", region="CN-ZJ")
    booker = UserFactory(email="buyer@example.com", roles=["enterprise"], organization=enterprise)
    facility = make_facility(provider, institute)
    programme, operator = make_programme(allows_facility_services=True, name="设施创新券")
    voucher = issue_voucher(programme, operator, enterprise)

    # the enterprise finds the pilot line and books three hours
    sign_in(page, live_server.url, booker.email, PASSWORD)
    page.goto(f"{live_server.url}/facilities/?q=MVR")
    page.locator("[data-testid=facility-row] a").first.click()
    page.wait_for_url(re.compile(rf".*/facilities/{facility.pk}/$"))
    page.locator("[data-testid=book]").click()
    page.fill("input[name=starts_at]", at(2, 9).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=ends_at]", at(2, 12).strftime("%Y-%m-%dT%H:%M"))
    page.fill("textarea[name=purpose]", "含盐废水蒸发结晶工艺验证")
    page.locator("[data-testid=booking-form] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/facilities/bookings/\d+/$"))
    booking_url = page.url
    booking = FacilityBooking.objects.get()
    assert booking.status == BookingStatus.REQUESTED

    # the provider confirms, then completes it: the charge is fixed
    page.context.clear_cookies()
    sign_in(page, live_server.url, provider.email, PASSWORD)
    page.goto(f"{live_server.url}/facilities/provider/bookings/")
    page.locator("[data-testid=booking-row] a").first.click()
    page.locator("[data-testid=booking-confirm]").click()
    page.wait_for_load_state("load")
    page.locator("[data-testid=booking-complete]").click()
    page.wait_for_load_state("load")
    assert "2,400.00" in page.locator("[data-testid=booking-charge]").inner_text()

    # the enterprise pays 1,000 with the voucher, the rest directly
    page.context.clear_cookies()
    sign_in(page, live_server.url, booker.email, PASSWORD)
    page.goto(booking_url)
    page.select_option("select[name=voucher]", str(voucher.pk))
    page.fill("input[name=voucher_amount]", "1000")
    page.locator("[data-testid=pay]").click()
    page.wait_for_load_state("load")
    assert "1,000.00" in page.locator("[data-testid=voucher-paid]").inner_text()
    assert "1,400.00" in page.locator("[data-testid=left-to-pay]").inner_text()
    booking.refresh_from_db()
    voucher.account.refresh_from_db()
    assert booking.status == BookingStatus.BILLED
    assert voucher.account.balance == Decimal("19000.00")
    actions = page.locator("[data-testid=timeline] [data-action]").evaluate_all(
        "nodes => nodes.map(node => node.dataset.action)"
    )
    assert actions == ["request", "confirm", "complete", "pay"]
