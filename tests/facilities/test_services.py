"""Facility services: listing and calendar, bookings refused in the past, outside the open
periods or over another booking, the workflow, and payment with vouchers on the ledger."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.workflow import TransitionNotAllowed
from facilities import services
from facilities.choices import BookingStatus, FacilityStatus, PeriodKind, PriceUnit
from facilities.models import FacilityBooking, FacilityBookingEvent, FacilityEvent
from finance.choices import AccountKind, TransactionKind
from finance.ledger import ledger_is_balanced
from finance.models import LedgerAccount, LedgerTransaction
from tests.facilities.conftest import at, completed_booking, make_facility
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_facility_is_listed_as_a_draft_and_published_with_event_rows(provider_user, provider_org):
    # given / when
    facility = make_facility(provider_user, provider_org, publish=False)
    # then
    assert facility.status == FacilityStatus.DRAFT
    facility = services.facility_transition(facility=facility, user=provider_user, action="publish")
    assert facility.status == FacilityStatus.PUBLISHED
    actions = list(FacilityEvent.objects.filter(facility=facility).values_list("action", flat=True))
    assert actions == ["create", "publish"]


def test_an_unverified_organisation_cannot_list_a_facility(db):
    organization = OrganizationFactory(verification_status="unverified")
    user = UserFactory(organization=organization)
    with pytest.raises(ValidationError) as error:
        make_facility(user, organization)
    assert "provider" in error.value.message_dict


def test_another_organisation_cannot_publish_or_edit(facility, outsider_user):
    with pytest.raises(TransitionNotAllowed):
        services.facility_transition(facility=facility, user=outsider_user, action="withdraw")
    with pytest.raises(TransitionNotAllowed):
        services.facility_update(facility=facility, user=outsider_user, capacity="1 t/d")
    facility.refresh_from_db()
    assert facility.status == FacilityStatus.PUBLISHED and facility.capacity == "5 t/d"


def test_a_booking_in_the_past_is_refused(facility, booker_user):
    with pytest.raises(ValidationError) as error:
        services.booking_request(
            facility=facility, user=booker_user, starts_at=at(-1, 9), ends_at=at(-1, 12)
        )
    assert "past" in error.value.message_dict["starts_at"][0]
    assert not FacilityBooking.objects.exists()


def test_a_booking_outside_the_open_periods_or_in_a_blocked_one_is_refused(
    facility, booker_user, provider_user
):
    with pytest.raises(ValidationError) as error:
        services.booking_request(
            facility=facility, user=booker_user, starts_at=at(40, 9), ends_at=at(40, 12)
        )
    assert "not open" in error.value.message_dict["starts_at"][0]
    services.period_add(
        facility=facility, user=provider_user, kind=PeriodKind.BLOCKED, starts_at=at(5, 0),
        ends_at=at(6, 0),
    )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        services.booking_request(
            facility=facility, user=booker_user, starts_at=at(5, 9), ends_at=at(5, 12)
        )
    assert "blocked" in error.value.message_dict["starts_at"][0]
    assert not FacilityBooking.objects.exists()


def test_an_overlapping_booking_is_refused_and_a_declined_one_frees_the_slot(
    facility, booker_user, provider_user
):
    # given
    first = services.booking_request(
        facility=facility, user=booker_user, starts_at=at(2, 9), ends_at=at(2, 12)
    )
    # when / then
    with pytest.raises(ValidationError) as error:
        services.booking_request(
            facility=facility, user=booker_user, starts_at=at(2, 11), ends_at=at(2, 13)
        )
    assert "overlaps" in error.value.message_dict["starts_at"][0]
    # back to back is fine: ranges are half-open
    services.booking_request(
        facility=facility, user=booker_user, starts_at=at(2, 12), ends_at=at(2, 13)
    )
    services.booking_transition(booking=first, user=provider_user, action="decline", note="检修")
    again = services.booking_request(
        facility=facility, user=booker_user, starts_at=at(2, 10), ends_at=at(2, 11)
    )
    assert again.status == BookingStatus.REQUESTED


def test_the_database_refuses_an_overlap_the_checks_missed(facility, booker_user, booker_org):
    # given: a booking exists; a second row is saved behind the service's back
    services.booking_request(
        facility=facility, user=booker_user, starts_at=at(2, 9), ends_at=at(2, 12)
    )
    clash = FacilityBooking(
        facility=facility, booker=booker_org, starts_at=at(2, 10), ends_at=at(2, 11),
        currency="CNY",
    )  # fmt: skip
    # when / then: the service's save turns the constraint into the same clear message
    with pytest.raises(ValidationError) as error:
        services._save_booking(clash)
    assert "overlaps" in error.value.message_dict["starts_at"][0]
    assert FacilityBooking.objects.count() == 1


def test_the_provider_cannot_book_its_own_facility(facility, provider_user):
    with pytest.raises(ValidationError):
        services.booking_request(
            facility=facility, user=provider_user, starts_at=at(2, 9), ends_at=at(2, 12)
        )
    assert not FacilityBooking.objects.exists()


def test_per_sample_facilities_need_a_sample_count(provider_user, provider_org, booker_user):
    facility = make_facility(
        provider_user, provider_org, price_unit=PriceUnit.SAMPLE, price=Decimal("350")
    )
    with pytest.raises(ValidationError) as error:
        services.booking_request(
            facility=facility, user=booker_user, starts_at=at(2, 9), ends_at=at(2, 12)
        )
    assert "samples" in error.value.message_dict
    booking = services.booking_request(
        facility=facility, user=booker_user, starts_at=at(2, 9), ends_at=at(2, 12), samples=4
    )
    assert services.booking_charge(booking) == Decimal("1400.00")


def test_the_workflow_writes_an_event_per_step_and_refuses_the_wrong_actor(
    facility, booker_user, provider_user
):
    booking = services.booking_request(
        facility=facility,
        user=booker_user,
        starts_at=at(2, 9),
        ends_at=at(
            2,
            11,
        ),
    )
    with pytest.raises(TransitionNotAllowed):
        services.booking_transition(booking=booking, user=booker_user, action="confirm")
    with pytest.raises(ValidationError):
        services.booking_transition(booking=booking, user=provider_user, action="decline")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.REQUESTED
    services.booking_transition(booking=booking, user=provider_user, action="confirm")
    booking = services.booking_transition(booking=booking, user=provider_user, action="complete")
    assert booking.status == BookingStatus.COMPLETED
    assert booking.charge == Decimal("1600.00")  # 2 hours × 800
    actions = FacilityBookingEvent.objects.filter(booking=booking).values_list("action", flat=True)
    assert list(actions) == ["request", "confirm", "complete"]


def test_part_of_the_charge_is_paid_with_a_voucher_on_the_ledger(
    facility, booker_user, provider_user, voucher, provider_org
):
    # given: a completed booking of 3 hours (2,400 CNY)
    booking = completed_booking(facility, booker_user=booker_user, provider_user=provider_user)
    # when
    booking = services.booking_pay(
        booking=booking, user=booker_user, voucher=voucher, voucher_amount="1000.00"
    )
    # then
    assert booking.status == BookingStatus.BILLED
    assert booking.voucher_amount == Decimal("1000.00")
    assert booking.left_to_pay == Decimal("1400.00")
    voucher.account.refresh_from_db()
    assert voucher.account.balance == Decimal("19000.00")
    receivable = LedgerAccount.objects.get(
        kind=AccountKind.PROVIDER_RECEIVABLE, organization=provider_org
    )
    assert receivable.balance == Decimal("1000.00")
    assert booking.voucher_transaction.kind == TransactionKind.VOUCHER_REDEMPTION
    assert ledger_is_balanced()


def test_a_voucher_of_a_programme_that_excludes_facilities_is_refused(
    facility, booker_user, provider_user, excluded_voucher
):
    booking = completed_booking(facility, booker_user=booker_user, provider_user=provider_user)
    transactions = LedgerTransaction.objects.count()
    with pytest.raises(ValidationError) as error:
        services.booking_pay(
            booking=booking, user=booker_user, voucher=excluded_voucher, voucher_amount="500.00"
        )
    assert "does not let its vouchers pay for facility services" in error.value.messages[0]
    booking.refresh_from_db()
    excluded_voucher.account.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED
    assert excluded_voucher.account.balance == Decimal("20000.00")
    assert LedgerTransaction.objects.count() == transactions


def test_a_voucher_cannot_pay_more_than_the_charge_or_its_balance(
    facility, booker_user, provider_user, voucher
):
    booking = completed_booking(facility, booker_user=booker_user, provider_user=provider_user)
    with pytest.raises(ValidationError) as error:
        services.booking_pay(
            booking=booking, user=booker_user, voucher=voucher, voucher_amount="2400.01"
        )
    assert "voucher_amount" in error.value.message_dict
    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED and ledger_is_balanced()


def test_only_the_booker_pays_and_only_once(facility, booker_user, provider_user, voucher):
    booking = completed_booking(facility, booker_user=booker_user, provider_user=provider_user)
    with pytest.raises(TransitionNotAllowed):
        services.booking_pay(booking=booking, user=provider_user)
    services.booking_pay(booking=booking, user=booker_user, voucher=voucher, voucher_amount="100")
    with pytest.raises(TransitionNotAllowed):
        services.booking_pay(booking=booking, user=booker_user, voucher=voucher, voucher_amount="1")
    voucher.account.refresh_from_db()
    assert voucher.account.balance == Decimal("19900.00")


def test_a_retry_with_the_same_key_pays_once(facility, booker_user, provider_user, voucher):
    booking = completed_booking(facility, booker_user=booker_user, provider_user=provider_user)
    for _attempt in range(2):
        services.booking_pay(
            booking=booking, user=booker_user, voucher=voucher, voucher_amount="300.00",
            idempotency_key="pay-1",
        )  # fmt: skip
    voucher.account.refresh_from_db()
    assert voucher.account.balance == Decimal("19700.00")


def test_a_blocked_period_cannot_cover_a_booking(facility, booker_user, provider_user):
    services.booking_request(
        facility=facility, user=booker_user, starts_at=at(3, 9), ends_at=at(3, 12)
    )
    with pytest.raises(ValidationError):
        services.period_add(
            facility=facility, user=provider_user, kind=PeriodKind.BLOCKED, starts_at=at(3, 0),
            ends_at=at(4, 0),
        )  # fmt: skip
    assert facility.periods.filter(kind=PeriodKind.BLOCKED).count() == 0
