"""Writes: list a facility and its availability, book a slot, move the booking through its
workflow, and pay its charge (part of it perhaps with an innovation voucher, on the ledger).

Double booking is impossible at the database: an exclusion constraint refuses a second active
booking whose [starts_at, ends_at) overlaps another of the same facility. The checks here give
the clear message first; when two requests race past them, the loser's IntegrityError is turned
into the same message (`_save_booking`).
"""

from __future__ import annotations

import datetime
import math
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organization, User
from accounts.permissions import is_member, members_of
from core.workflow import StateMachine, Transition, TransitionNotAllowed, compare_and_set_status
from facilities import selectors
from facilities.choices import (
    ACTIVE_BOOKING_STATUSES,
    BookingAction,
    BookingActor,
    BookingStatus,
    FacilityAction,
    FacilityStatus,
    PeriodKind,
    PriceUnit,
)
from facilities.models import (
    AvailabilityPeriod,
    Facility,
    FacilityBooking,
    FacilityBookingEvent,
    FacilityEvent,
)
from finance import ledger
from finance.models import Voucher
from finance.services.common import parse_amount
from finance.services.vouchers import voucher_pay_provider
from notifications.messages import Bilingual, Message
from notifications.services import notify_users

CENT = Decimal("0.01")
OVERLAP_CONSTRAINT = "facility_bookings_do_not_overlap"
OWNER = frozenset({"owner"})
PROVIDER = frozenset({BookingActor.PROVIDER})
BOOKER = frozenset({BookingActor.BOOKER})

FACILITY_WORKFLOW = StateMachine(
    {
        (FacilityStatus.DRAFT, FacilityAction.PUBLISH): Transition(
            FacilityStatus.PUBLISHED, OWNER, gettext_lazy("Publish")
        ),
        (FacilityStatus.PUBLISHED, FacilityAction.WITHDRAW): Transition(
            FacilityStatus.WITHDRAWN, OWNER, gettext_lazy("Withdraw")
        ),
        (FacilityStatus.WITHDRAWN, FacilityAction.PUBLISH): Transition(
            FacilityStatus.PUBLISHED, OWNER, gettext_lazy("Publish again")
        ),
    }
)

BOOKING_WORKFLOW = StateMachine(
    {
        (BookingStatus.REQUESTED, BookingAction.CONFIRM): Transition(
            BookingStatus.CONFIRMED, PROVIDER, gettext_lazy("Confirm")
        ),
        (BookingStatus.REQUESTED, BookingAction.DECLINE): Transition(
            BookingStatus.DECLINED, PROVIDER, gettext_lazy("Decline"), requires_note=True
        ),
        (BookingStatus.REQUESTED, BookingAction.CANCEL): Transition(
            BookingStatus.CANCELLED, BOOKER, gettext_lazy("Cancel the booking")
        ),
        (BookingStatus.CONFIRMED, BookingAction.CANCEL): Transition(
            BookingStatus.CANCELLED, BOOKER, gettext_lazy("Cancel the booking")
        ),
        (BookingStatus.CONFIRMED, BookingAction.COMPLETE): Transition(
            BookingStatus.COMPLETED, PROVIDER, gettext_lazy("Mark completed and issue the charge")
        ),
        (BookingStatus.COMPLETED, BookingAction.PAY): Transition(
            BookingStatus.BILLED, BOOKER, gettext_lazy("Pay")
        ),
    }
)


# --- Facilities -------------------------------------------------------------------------------


def _require_provider_member(*, user: User, facility: Facility) -> None:
    if not is_member(user=user, organization=facility.provider_id):
        raise TransitionNotAllowed(_("Only the facility's provider may do this."))


def _facility_event(facility, *, user, action, source="", target="", note="") -> None:
    FacilityEvent.objects.create(
        facility=facility,
        actor=user,
        action=action,
        from_status=source,
        to_status=target,
        note=note,
    )


def _clean_fields(fields: dict) -> dict:
    unknown = set(fields) - set(Facility.EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    return {
        name: value.strip() if isinstance(value, str) else value for name, value in fields.items()
    }


@transaction.atomic
def facility_create(*, user: User, provider: Organization, **fields) -> Facility:
    """List a facility of one of the user's verified organisations, as a draft."""
    if not selectors.provider_organizations(user=user).filter(pk=provider.pk).exists():
        raise ValidationError(
            {
                "provider": _(
                    "Facilities are listed by members of a verified university, research "
                    "institute or enterprise."
                )
            }
        )
    facility = Facility(provider=provider, created_by=user, **_clean_fields(fields))
    facility.full_clean()
    facility.save()
    _facility_event(facility, user=user, action=FacilityAction.CREATE, target=facility.status)
    return facility


@transaction.atomic
def facility_update(*, facility: Facility, user: User, **fields) -> Facility:
    _require_provider_member(user=user, facility=facility)
    facility = Facility.objects.select_for_update().get(pk=facility.pk)
    changed = [
        name for name, value in _clean_fields(fields).items() if getattr(facility, name) != value
    ]
    for name in changed:
        setattr(
            facility, name, fields[name].strip() if isinstance(fields[name], str) else fields[name]
        )
    facility.full_clean()
    facility.save()
    if changed:
        _facility_event(
            facility,
            user=user,
            action=FacilityAction.EDIT,
            source=facility.status,
            target=facility.status,
            note=", ".join(str(Facility._meta.get_field(name).verbose_name) for name in changed),
        )
    return facility


@transaction.atomic
def facility_transition(*, facility: Facility, user: User, action: str, note: str = "") -> Facility:
    """Publish or withdraw a facility (its provider's members only)."""
    _require_provider_member(user=user, facility=facility)
    transition = FACILITY_WORKFLOW.resolve(facility.status, action, set(OWNER))
    if not compare_and_set_status(
        Facility, pk=facility.pk, expected=facility.status, target=transition.target
    ):
        raise TransitionNotAllowed(_("The facility was changed meanwhile: reload and try again."))
    _facility_event(
        facility, user=user, action=action, source=facility.status, target=transition.target,
        note=note,
    )  # fmt: skip
    facility.refresh_from_db()
    return facility


def _require_future_range(starts_at, ends_at, *, now=None) -> None:
    errors = {}
    if not isinstance(starts_at, datetime.datetime):
        errors["starts_at"] = _("Enter the start as a date and time.")
    if not isinstance(ends_at, datetime.datetime):
        errors["ends_at"] = _("Enter the end as a date and time.")
    if errors:
        raise ValidationError(errors)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The end must be after the start.")})
    if starts_at < (now or timezone.now()):
        raise ValidationError({"starts_at": _("The start lies in the past: choose a later time.")})


@transaction.atomic
def period_add(
    *, facility: Facility, user: User, kind: str, starts_at, ends_at, note: str = ""
) -> AvailabilityPeriod:
    """Open a period for booking, or block one; a blocked period may not cover a booked slot."""
    _require_provider_member(user=user, facility=facility)
    _require_future_range(starts_at, ends_at)
    if kind == PeriodKind.BLOCKED and _overlapping_bookings(facility, starts_at, ends_at).exists():
        raise ValidationError(
            {"starts_at": _("A booking holds part of this period: decline or finish it first.")}
        )
    period = AvailabilityPeriod(
        facility=facility, kind=kind, starts_at=starts_at, ends_at=ends_at, note=note.strip()
    )
    period.full_clean()
    period.save()
    return period


@transaction.atomic
def period_remove(*, period: AvailabilityPeriod, user: User) -> None:
    _require_provider_member(user=user, facility=period.facility)
    period.delete()


# --- Bookings ---------------------------------------------------------------------------------


def _overlapping_bookings(facility: Facility, starts_at, ends_at):
    return facility.bookings.filter(
        status__in=ACTIVE_BOOKING_STATUSES, starts_at__lt=ends_at, ends_at__gt=starts_at
    )


def _slot_taken_error() -> ValidationError:
    return ValidationError(
        {"starts_at": _("This slot overlaps another booking of the facility: choose another time.")}
    )


def _require_available(facility: Facility, starts_at, ends_at) -> None:
    periods = facility.periods.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)
    if not periods.filter(kind=PeriodKind.OPEN, starts_at__lte=starts_at, ends_at__gte=ends_at):
        raise ValidationError(
            {"starts_at": _("The facility is not open for booking at this time: see its calendar.")}
        )
    if periods.filter(kind=PeriodKind.BLOCKED).exists():
        raise ValidationError(
            {"starts_at": _("The facility is blocked for part of this time: see its calendar.")}
        )
    if _overlapping_bookings(facility, starts_at, ends_at).exists():
        raise _slot_taken_error()


def _booker_of(*, user: User, facility: Facility, booker: Organization | None) -> Organization:
    allowed = selectors.booker_organizations(user=user, facility=facility)
    if booker is None:
        candidates = list(allowed[:2])
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            raise ValidationError({"booker": _("Choose the organisation that books.")})
        raise ValidationError(
            _(
                "Facilities are booked by members of a verified enterprise, university or "
                "institute other than the provider."
            )
        )
    if not allowed.filter(pk=booker.pk).exists():
        raise ValidationError(
            {"booker": _("You can only book for your own verified organisation.")}
        )
    return booker


def _save_booking(booking: FacilityBooking) -> None:
    """Insert in a savepoint: losing the exclusion constraint to a concurrent booking is the
    same clear refusal as the check before it."""
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as error:
        if OVERLAP_CONSTRAINT in str(error):
            raise _slot_taken_error() from None
        raise


def _booking_event(booking, *, user, action, source="", target="", note="") -> None:
    FacilityBookingEvent.objects.create(
        booking=booking, actor=user, action=action, from_status=source, to_status=target,
        note=note,
    )  # fmt: skip


@transaction.atomic
def booking_request(
    *,
    facility: Facility,
    user: User,
    starts_at,
    ends_at,
    samples: int | None = None,
    purpose: str = "",
    booker: Organization | None = None,
) -> FacilityBooking:
    """Book a slot of a published facility for one of the user's other organisations."""
    facility = Facility.objects.select_related("provider").get(pk=facility.pk)
    if not facility.is_published:
        raise ValidationError(_("This facility is not open for booking."))
    booker = _booker_of(user=user, facility=facility, booker=booker)
    _require_future_range(starts_at, ends_at)
    if facility.price_unit == PriceUnit.SAMPLE and not samples:
        raise ValidationError({"samples": _("Give the number of samples to test.")})
    _require_available(facility, starts_at, ends_at)
    booking = FacilityBooking(
        facility=facility,
        booker=booker,
        booked_by=user,
        starts_at=starts_at,
        ends_at=ends_at,
        samples=samples or None,
        purpose=(purpose or "").strip(),
        currency=facility.currency,
    )
    booking.full_clean(exclude=["voucher", "voucher_transaction"], validate_constraints=False)
    _save_booking(booking)
    _booking_event(booking, user=user, action=BookingAction.REQUEST, target=booking.status)
    notify_users(
        users=list(members_of(facility.provider_id)),
        title=Message(
            gettext_lazy("New booking request for %(facility)s on %(date)s"),
            facility=Bilingual.of(facility, "title"),
            date=timezone.localtime(starts_at).date(),
        ),
        url=reverse("facilities:booking_detail", args=[booking.pk]),
    )
    return booking


def booking_charge(booking: FacilityBooking) -> Decimal:
    """The facility's price × the hours or days (begun ones count whole) or the samples."""
    facility = booking.facility
    seconds = (booking.ends_at - booking.starts_at).total_seconds()
    if facility.price_unit == PriceUnit.HOUR:
        units = Decimal(math.ceil(seconds / 3600))
    elif facility.price_unit == PriceUnit.DAY:
        units = Decimal(math.ceil(seconds / 86400))
    else:
        units = Decimal(booking.samples or 0)
    return (facility.price * units).quantize(CENT, rounding=ROUND_HALF_UP)


def booking_actor_roles(*, booking: FacilityBooking, user: User) -> set[str]:
    roles = set()
    if is_member(user=user, organization=booking.facility.provider_id):
        roles.add(BookingActor.PROVIDER)
    if is_member(user=user, organization=booking.booker_id):
        roles.add(BookingActor.BOOKER)
    return roles


def booking_allowed_actions(*, booking: FacilityBooking, user: User) -> list[tuple[str, str]]:
    """`(action, label)` the user may take now; paying has its own form."""
    return [
        (action, label)
        for action, label in BOOKING_WORKFLOW.allowed_action_labels(
            booking.status, booking_actor_roles(booking=booking, user=user)
        )
        if action != BookingAction.PAY
    ]


def _notify_booker(booking: FacilityBooking, text) -> None:
    notify_users(
        users=list(members_of(booking.booker_id)),
        title=Message(text, facility=Bilingual.of(booking.facility, "title")),
        url=reverse("facilities:booking_detail", args=[booking.pk]),
    )


BOOKER_MESSAGES = {
    BookingAction.CONFIRM: gettext_lazy("Your booking of %(facility)s was confirmed"),
    BookingAction.DECLINE: gettext_lazy("Your booking of %(facility)s was declined"),
    BookingAction.COMPLETE: gettext_lazy(
        "Your booking of %(facility)s is completed: the charge is due"
    ),
}


@transaction.atomic
def booking_transition(
    *, booking: FacilityBooking, user: User, action: str, note: str = ""
) -> FacilityBooking:
    """Confirm, decline, cancel or complete a booking (pay is `booking_pay`)."""
    if action == BookingAction.PAY:
        raise TransitionNotAllowed(_("Pay the charge with the payment form."))
    roles = booking_actor_roles(booking=booking, user=user)
    transition = BOOKING_WORKFLOW.resolve(booking.status, action, roles)
    note = (note or "").strip()
    if transition.requires_note and not note:
        raise ValidationError({"note": _("Give the booker a reason.")})
    extra = {}
    if action == BookingAction.COMPLETE:
        extra["charge"] = booking_charge(booking)
    if not compare_and_set_status(
        FacilityBooking, pk=booking.pk, expected=booking.status, target=transition.target,
        updated_at=timezone.now(), **extra,
    ):  # fmt: skip
        raise TransitionNotAllowed(_("The booking was changed meanwhile: reload and try again."))
    _booking_event(
        booking, user=user, action=action, source=booking.status, target=transition.target,
        note=note,
    )  # fmt: skip
    booking.refresh_from_db()
    if action in BOOKER_MESSAGES:
        _notify_booker(booking, BOOKER_MESSAGES[action])
    return booking


def vouchers_for_booking(*, booking: FacilityBooking):
    """The booker's unexpired vouchers in the booking's currency with money left."""
    return (
        Voucher.objects.select_related("programme", "account")
        .filter(
            holder_id=booking.booker_id,
            account__currency=booking.currency,
            account__balance__gt=0,
            expires__gte=timezone.localdate(),
        )
        .order_by("expires", "pk")
    )


def _voucher_payment(*, booking, voucher, user, amount, idempotency_key, fingerprint):
    voucher = Voucher.objects.select_related("programme", "account").get(pk=voucher.pk)
    if voucher.holder_id != booking.booker_id:
        raise ValidationError({"voucher": _("Choose a voucher of the organisation that booked.")})
    if not voucher.programme.allows_facility_services:
        raise ValidationError(
            {
                "voucher": _(
                    "The programme “%(programme)s” does not let its vouchers pay for facility "
                    "services: pay this charge another way or choose another voucher."
                )
                % {"programme": voucher.programme.name}
            }
        )
    if voucher.is_expired():
        raise ValidationError(
            {"voucher": _("This voucher expired on %(date)s.") % {"date": voucher.expires}}
        )
    if voucher.currency != booking.currency:
        raise ValidationError({"voucher": _("The voucher is not in the charge's currency.")})
    if amount > booking.charge:
        raise ValidationError(
            {
                "voucher_amount": _(
                    "A voucher cannot pay more than the charge of %(charge)s %(currency)s."
                )
                % {"charge": booking.charge, "currency": booking.currency}
            }
        )
    return voucher_pay_provider(
        voucher=voucher,
        provider=booking.facility.provider,
        amount=amount,
        user=user,
        description=f"Voucher #{voucher.pk} paid facility booking #{booking.pk}",
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
    )


@transaction.atomic
def booking_pay(
    *,
    booking: FacilityBooking,
    user: User,
    voucher: Voucher | None = None,
    voucher_amount=None,
    idempotency_key: str | None = None,
) -> FacilityBooking:
    """Settle a completed booking's charge: with `voucher`, `voucher_amount` of it comes out of
    an innovation voucher whose programme allows facility services (a voucher redemption on the
    ledger, paid to the provider); the rest the booker pays the provider directly."""
    booking = (
        FacilityBooking.objects.select_for_update(of=("self",))
        .select_related("facility", "facility__provider")
        .get(pk=booking.pk)
    )
    if voucher is not None:
        fingerprint = f"facility_pay:{booking.pk}:{voucher.pk}:{voucher_amount}"
        replay = ledger.find_replay(
            user=user, idempotency_key=idempotency_key, fingerprint=fingerprint
        )
        if replay is not None:
            return FacilityBooking.objects.get(voucher_transaction=replay)
    BOOKING_WORKFLOW.resolve(
        booking.status, BookingAction.PAY, booking_actor_roles(booking=booking, user=user)
    )
    amount = Decimal("0")
    ledger_transaction = None
    if voucher is not None:
        amount = parse_amount(voucher_amount, "voucher_amount")
        ledger_transaction = _voucher_payment(
            booking=booking, voucher=voucher, user=user, amount=amount,
            idempotency_key=idempotency_key, fingerprint=fingerprint,
        )  # fmt: skip
    elif voucher_amount not in (None, "", 0, Decimal("0")):
        raise ValidationError({"voucher": _("Choose the voucher that pays this part.")})
    booking.status = BookingStatus.BILLED
    booking.voucher = voucher
    booking.voucher_amount = amount
    booking.voucher_transaction = ledger_transaction
    booking.save(
        update_fields=["status", "voucher", "voucher_amount", "voucher_transaction", "updated_at"]
    )
    _booking_event(
        booking, user=user, action=BookingAction.PAY, source=BookingStatus.COMPLETED,
        target=BookingStatus.BILLED,
        note=_("%(amount)s %(currency)s paid with an innovation voucher")
        % {"amount": amount, "currency": booking.currency} if amount else "",
    )  # fmt: skip
    notify_users(
        users=list(members_of(booking.facility.provider_id)),
        title=Message(
            gettext_lazy(
                "The booking of %(facility)s was paid (%(amount)s %(currency)s by voucher)"
            ),
            facility=Bilingual.of(booking.facility, "title"),
            amount=str(amount),
            currency=booking.currency,
        ),
        url=reverse("facilities:booking_detail", args=[booking.pk]),
    )
    return booking
