"""Two organisations book the same slot at the same moment: exactly one wins, the other gets
the clear overlap message (the exclusion constraint decides, in separate transactions)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from facilities import services
from facilities.choices import BookingStatus
from facilities.models import FacilityBooking
from tests.facilities.conftest import at, make_facility
from tests.factories import OrganizationFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_of_one_slot_never_both_succeed(provider_user, provider_org):
    # given: a facility and four bookers from different organisations
    facility = make_facility(provider_user, provider_org)
    bookers = [UserFactory(organization=OrganizationFactory()) for _ in range(4)]
    barrier = threading.Barrier(len(bookers))
    outcomes: list[str] = []
    lock = threading.Lock()

    def book(user, offset):
        try:
            barrier.wait()
            services.booking_request(
                facility=facility, user=user, starts_at=at(2, 9 + offset), ends_at=at(2, 12)
            )
            result = "booked"
        except ValidationError as error:
            result = error.message_dict["starts_at"][0]
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    # when: they all ask for overlapping slots at once
    threads = [
        threading.Thread(target=book, args=(user, index % 2)) for index, user in enumerate(bookers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then
    assert outcomes.count("booked") == 1
    assert len(outcomes) == len(bookers)  # the others got the overlap refusal, not a 500
    assert FacilityBooking.objects.filter(status=BookingStatus.REQUESTED).count() == 1
