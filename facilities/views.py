"""Pages of the facilities desk: browse, list and manage a facility with its calendar, book a
slot, and follow bookings as booker or provider. Every write goes through facilities.services."""

from __future__ import annotations

import datetime
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import is_member
from core.forms import apply_validation_error, error_text
from core.workflow import TransitionNotAllowed
from facilities import selectors, services
from facilities.choices import PriceUnit
from facilities.filtersets import BookingFilterSet, FacilityFilterSet
from facilities.forms import BookingForm, BookingTransitionForm, FacilityForm, PayForm, PeriodForm
from facilities.models import FacilityBooking
from finance.ledger import IdempotencyKeyReused

PAGE_SIZE = 20
CALENDAR_DAYS = 14
PERIODS_LISTED = 10  # the provider's list of periods to remove; the calendar shows the rest


def facility_list(request):
    """Published facilities, searched (`q`) and filtered; a provider may filter its own drafts
    and withdrawn ones by status."""
    queryset = selectors.facilities_visible_to(user=request.user)
    if not request.GET.get("status"):
        queryset = queryset.published()
    filterset = FacilityFilterSet(request.GET, queryset=queryset.order_by("-updated_at", "pk"))
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "facilities/facility_list.html", {"filter": filterset, "page": page})


@login_required
def my_facilities(request):
    facilities = selectors.facilities_of(user=request.user).order_by("-updated_at", "pk")
    can_list = selectors.provider_organizations(user=request.user).exists()
    return render(
        request, "facilities/my_facilities.html", {"facilities": facilities, "can_list": can_list}
    )


def _calendar(facility) -> list[dict]:
    """The next days, each with its open and blocked periods and the taken slots."""
    today = timezone.localdate()
    until = timezone.make_aware(
        datetime.datetime.combine(today + datetime.timedelta(days=CALENDAR_DAYS), datetime.time())
    )
    periods = list(selectors.upcoming_periods(facility=facility).filter(starts_at__lt=until))
    slots = list(selectors.taken_slots(facility=facility).filter(starts_at__lt=until))
    days = []
    for offset in range(CALENDAR_DAYS):
        day = today + datetime.timedelta(days=offset)
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        end = start + datetime.timedelta(days=1)
        days.append(
            {
                "day": day,
                "periods": [p for p in periods if p.starts_at < end and p.ends_at > start],
                "slots": [s for s in slots if s.starts_at < end and s.ends_at > start],
            }
        )
    return days


def facility_detail(request, pk: int):
    facility = get_object_or_404(selectors.facilities_visible_to(user=request.user), pk=pk)
    is_provider = is_member(user=request.user, organization=facility.provider_id)
    context = {
        "facility": facility,
        "is_provider": is_provider,
        "calendar": _calendar(facility),
        "periods": selectors.upcoming_periods(facility=facility)[:PERIODS_LISTED],
        "can_book": facility.is_published
        and request.user.is_authenticated
        and selectors.booker_organizations(user=request.user, facility=facility).exists(),
    }
    if is_provider:
        context["actions"] = services.FACILITY_WORKFLOW.allowed_action_labels(
            facility.status, set(services.OWNER)
        )
        context["period_form"] = PeriodForm()
        context["events"] = facility.events.select_related("actor")
    return render(request, "facilities/facility_detail.html", context)


@login_required
def facility_create(request):
    providers = selectors.provider_organizations(user=request.user)
    form = FacilityForm(request.POST if request.method == "POST" else None, providers=providers)
    if request.method == "POST" and form.is_valid():
        try:
            facility = services.facility_create(
                user=request.user, provider=form.cleaned_data["provider"], **form.service_inputs()
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, _("The facility was saved as a draft: publish it when ready.")
            )
            return redirect("facilities:facility_detail", pk=facility.pk)
    return render(
        request, "facilities/facility_form.html", {"form": form, "can_list": providers.exists()}
    )


def _own_facility(request, pk: int):
    return get_object_or_404(selectors.facilities_of(user=request.user), pk=pk)


@login_required
def facility_edit(request, pk: int):
    facility = _own_facility(request, pk)
    form = FacilityForm(
        request.POST if request.method == "POST" else None, instance=facility, providers=None
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.facility_update(facility=facility, user=request.user, **form.service_inputs())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The facility was updated."))
            return redirect("facilities:facility_detail", pk=facility.pk)
    return render(
        request,
        "facilities/facility_form.html",
        {"form": form, "facility": facility, "can_list": True},
    )


@login_required
@require_POST
def facility_transition(request, pk: int):
    facility = _own_facility(request, pk)
    try:
        services.facility_transition(
            facility=facility, user=request.user, action=request.POST.get("action", "")
        )
    except (TransitionNotAllowed, ValidationError) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The facility's status has been updated."))
    return redirect("facilities:facility_detail", pk=facility.pk)


@login_required
@require_POST
def period_add(request, pk: int):
    facility = _own_facility(request, pk)
    form = PeriodForm(request.POST)
    if form.is_valid():
        try:
            services.period_add(facility=facility, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The calendar was updated."))
            return redirect("facilities:facility_detail", pk=facility.pk)
    context = {
        "facility": facility,
        "is_provider": True,
        "calendar": _calendar(facility),
        "periods": selectors.upcoming_periods(facility=facility)[:PERIODS_LISTED],
        "actions": services.FACILITY_WORKFLOW.allowed_action_labels(
            facility.status, set(services.OWNER)
        ),
        "period_form": form,
        "events": facility.events.select_related("actor"),
    }
    return render(request, "facilities/facility_detail.html", context, status=400)


@login_required
@require_POST
def period_remove(request, pk: int, period_pk: int):
    facility = _own_facility(request, pk)
    period = get_object_or_404(facility.periods, pk=period_pk)
    services.period_remove(period=period, user=request.user)
    messages.success(request, _("The period was removed from the calendar."))
    return redirect("facilities:facility_detail", pk=facility.pk)


@login_required
def booking_create(request, pk: int):
    facility = get_object_or_404(
        selectors.facilities_visible_to(user=request.user).published(), pk=pk
    )
    bookers = selectors.booker_organizations(user=request.user, facility=facility)
    form = BookingForm(
        request.POST if request.method == "POST" else None,
        bookers=bookers,
        per_sample=facility.price_unit == PriceUnit.SAMPLE,
    )
    if request.method == "POST" and form.is_valid():
        try:
            booking = services.booking_request(
                facility=facility, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Your booking was sent to the provider for confirmation."))
            return redirect("facilities:booking_detail", pk=booking.pk)
    return render(
        request,
        "facilities/booking_form.html",
        {
            "facility": facility,
            "form": form,
            "can_book": bookers.exists(),
            "calendar": _calendar(facility),
        },
        status=400 if form.errors else 200,
    )


def _booking_list(request, queryset, *, title: str, as_provider: bool):
    filterset = BookingFilterSet(
        request.GET or None, queryset=queryset.order_by("-starts_at", "pk")
    )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "facilities/booking_list.html",
        {"filter": filterset, "page": page, "title": title, "as_provider": as_provider},
    )


@login_required
def my_bookings(request):
    return _booking_list(
        request, selectors.bookings_made_by(user=request.user), title=_("My facility bookings"),
        as_provider=False,
    )  # fmt: skip


@login_required
def provider_bookings(request):
    return _booking_list(
        request, selectors.bookings_received_by(user=request.user),
        title=_("Bookings of my facilities"), as_provider=True,
    )  # fmt: skip


def _booking_context(request, booking, pay_form=None) -> dict:
    roles = services.booking_actor_roles(booking=booking, user=request.user)
    actions = services.booking_allowed_actions(booking=booking, user=request.user)
    context = {
        "booking": booking,
        "actions": actions,
        "needs_note": any(action == "decline" for action, _label in actions),
        "events": booking.events.select_related("actor"),
        "is_booker": "booker" in roles,
    }
    if booking.status == "completed" and "booker" in roles:
        vouchers = list(services.vouchers_for_booking(booking=booking))
        context["pay_form"] = pay_form or PayForm(vouchers=vouchers)
        context["vouchers"] = vouchers
        context["idempotency_key"] = uuid.uuid4().hex
    return context


@login_required
def booking_detail(request, pk: int):
    booking = get_object_or_404(selectors.bookings_visible_to(user=request.user), pk=pk)
    return render(request, "facilities/booking_detail.html", _booking_context(request, booking))


@login_required
@require_POST
def booking_transition(request, pk: int):
    booking = get_object_or_404(selectors.bookings_visible_to(user=request.user), pk=pk)
    form = BookingTransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an action."))
        return redirect("facilities:booking_detail", pk=booking.pk)
    try:
        services.booking_transition(booking=booking, user=request.user, **form.cleaned_data)
    except (TransitionNotAllowed, ValidationError) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The booking's status has been updated."))
    return redirect("facilities:booking_detail", pk=booking.pk)


@login_required
@require_POST
def booking_pay(request, pk: int):
    booking = get_object_or_404(
        selectors.bookings_visible_to(user=request.user).prefetch_related(Prefetch("events")), pk=pk
    )
    vouchers = list(services.vouchers_for_booking(booking=booking))
    form = PayForm(request.POST, vouchers=vouchers)
    if form.is_valid():
        try:
            services.booking_pay(
                booking=booking,
                user=request.user,
                voucher=form.cleaned_data["voucher"],
                voucher_amount=form.cleaned_data.get("voucher_amount"),
                # The form carries a key made when it was rendered: a double submit pays once.
                idempotency_key=(request.POST.get("idempotency_key") or "")[:100] or None,
            )
        except TransitionNotAllowed as error:
            messages.error(request, str(error))
            return redirect("facilities:booking_detail", pk=booking.pk)
        except (ValidationError, IdempotencyKeyReused) as error:
            if isinstance(error, ValidationError):
                apply_validation_error(form, error)
            else:
                form.add_error(None, str(error))
        else:
            messages.success(request, _("The charge was paid."))
            return redirect("facilities:booking_detail", pk=booking.pk)
    booking = FacilityBooking.objects.get(pk=booking.pk)
    return render(
        request,
        "facilities/booking_detail.html",
        _booking_context(request, booking, pay_form=form),
        status=400,
    )
