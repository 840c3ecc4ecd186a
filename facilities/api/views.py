"""The facilities API: `/facilities/` (list, retrieve, create and update by the provider,
publish/withdraw, calendar periods, `book`) and `/facility-bookings/` (list, retrieve, create,
and the workflow verbs confirm, decline, cancel, complete, pay). Every write calls
facilities.services; refusals of the workflow are 409, bad input 400, what you may not see 404."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.models import Organization
from core.api.schema import ERROR_BODY, ERROR_RESPONSES
from core.api.views import BaseViewSet
from facilities import selectors, services
from facilities.api.serializers import (
    BookingCreateSerializer,
    BookingNoteSerializer,
    BookingPaySerializer,
    BookingSerializer,
    FacilityBookSerializer,
    FacilityDetailSerializer,
    FacilitySerializer,
    FacilityTransitionSerializer,
    PeriodRemoveSerializer,
    PeriodSerializer,
)
from facilities.filtersets import BookingFilterSet, FacilityFilterSet
from facilities.models import Facility
from finance.ledger import IdempotencyKeyReused
from finance.models import Voucher

REPLAY_REFUSED = OpenApiResponse(
    ERROR_BODY, description="The Idempotency-Key was already used for a different request."
)


def _organization(pk, field: str) -> Organization | None:
    if pk is None:
        return None
    organization = Organization.objects.filter(pk=pk).first()
    if organization is None:
        raise DjangoValidationError({field: _("Unknown organisation.")})
    return organization


def _book(request, facility: Facility, data: dict) -> Response:
    booking = services.booking_request(
        facility=facility,
        user=request.user,
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        samples=data.get("samples"),
        purpose=data.get("purpose", ""),
        booker=_organization(data.get("booker"), "booker"),
    )
    booking = selectors.bookings_visible_to(user=request.user).get(pk=booking.pk)
    return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)


class FacilityViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, BaseViewSet, viewsets.ReadOnlyModelViewSet
):
    """Shared facilities: published ones are public; a provider's members see and manage its
    drafts and withdrawn ones."""

    filterset_class = FacilityFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        queryset = selectors.facilities_visible_to(user=self.request.user)
        if self.action == "list" and not self.request.query_params.get("status"):
            queryset = queryset.published()
        return queryset.order_by("-updated_at", "pk")

    def get_serializer_class(self):
        return FacilityDetailSerializer if self.action == "retrieve" else FacilitySerializer

    def _own(self) -> Facility:
        facility = self.get_object()
        if not selectors.facilities_of(user=self.request.user).filter(pk=facility.pk).exists():
            self.permission_denied(
                self.request, message=_("Only the facility's provider may do this.")
            )
        return facility

    @extend_schema(responses={201: FacilitySerializer, **ERROR_RESPONSES})
    def create(self, request, *args, **kwargs):
        serializer = FacilitySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        provider = data.pop("provider")
        facility = services.facility_create(user=request.user, provider=provider, **data)
        return Response(FacilitySerializer(facility).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: FacilitySerializer, **ERROR_RESPONSES})
    def partial_update(self, request, *args, **kwargs):
        facility = self._own()
        serializer = FacilitySerializer(facility, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        facility = services.facility_update(
            facility=facility, user=request.user, **serializer.validated_data
        )
        return Response(FacilitySerializer(facility).data)

    @extend_schema(responses={200: FacilitySerializer, **ERROR_RESPONSES})
    def update(self, request, *args, **kwargs):
        kwargs["partial"] = False
        facility = self._own()
        serializer = FacilitySerializer(facility, data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("provider", None)
        facility = services.facility_update(facility=facility, user=request.user, **data)
        return Response(FacilitySerializer(facility).data)

    @extend_schema(
        request=FacilityTransitionSerializer, responses={200: FacilitySerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Publish or withdraw the facility."""
        facility = self._own()
        serializer = FacilityTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        facility = services.facility_transition(
            facility=facility, user=request.user, **serializer.validated_data
        )
        return Response(FacilitySerializer(facility).data)

    @extend_schema(request=PeriodSerializer, responses={201: PeriodSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def periods(self, request, pk=None):
        """Add an open or blocked period to the facility's calendar."""
        facility = self._own()
        serializer = PeriodSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        period = services.period_add(
            facility=facility, user=request.user, **serializer.validated_data
        )
        return Response(PeriodSerializer(period).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=PeriodRemoveSerializer,
        responses={204: OpenApiResponse(description="Removed."), **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"], url_path="remove-period")
    def remove_period(self, request, pk=None):
        """Remove a period from the facility's calendar."""
        facility = self._own()
        serializer = PeriodRemoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        period = facility.periods.filter(pk=serializer.validated_data["period"]).first()
        if period is None:
            raise DjangoValidationError({"period": _("This facility has no such period.")})
        services.period_remove(period=period, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=FacilityBookSerializer, responses={201: BookingSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def book(self, request, pk=None):
        """Book a slot: refused when it lies in the past, outside the open periods, or overlaps
        another booking (400 with the field's message)."""
        facility = self.get_object()
        serializer = FacilityBookSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return _book(request, facility, serializer.validated_data)


class BookingViewSet(mixins.CreateModelMixin, BaseViewSet, viewsets.ReadOnlyModelViewSet):
    """Bookings the user's organisations made or received; the workflow verbs call
    facilities.services (409 when the action is not possible now)."""

    serializer_class = BookingSerializer
    filterset_class = BookingFilterSet
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return (
            selectors.bookings_visible_to(user=self.request.user)
            .prefetch_related("events__actor")
            .order_by("-starts_at", "pk")
        )

    @extend_schema(
        request=BookingCreateSerializer, responses={201: BookingSerializer, **ERROR_RESPONSES}
    )
    def create(self, request, *args, **kwargs):
        serializer = BookingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        facility = (
            selectors.facilities_visible_to(user=request.user)
            .filter(pk=serializer.validated_data["facility"])
            .first()
        )
        if facility is None:
            raise DjangoValidationError({"facility": _("Choose a published facility.")})
        return _book(request, facility, serializer.validated_data)

    def _transition(self, request, action_name: str) -> Response:
        booking = self.get_object()
        serializer = BookingNoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booking = services.booking_transition(
            booking=booking, user=request.user, action=action_name, **serializer.validated_data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=booking.pk)).data)

    @extend_schema(
        request=BookingNoteSerializer, responses={200: BookingSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """The provider confirms a requested booking."""
        return self._transition(request, "confirm")

    @extend_schema(
        request=BookingNoteSerializer, responses={200: BookingSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """The provider declines a requested booking (a note is required)."""
        return self._transition(request, "decline")

    @extend_schema(
        request=BookingNoteSerializer, responses={200: BookingSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """The booker cancels a requested or confirmed booking."""
        return self._transition(request, "cancel")

    @extend_schema(
        request=BookingNoteSerializer, responses={200: BookingSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """The provider marks a confirmed booking completed; its charge is fixed."""
        return self._transition(request, "complete")

    @extend_schema(
        request=BookingPaySerializer,
        responses={200: BookingSerializer, 422: REPLAY_REFUSED, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        """The booker settles the charge, part of it perhaps with an innovation voucher whose
        programme allows facility services (Idempotency-Key header: a retry pays once)."""
        booking = self.get_object()
        serializer = BookingPaySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        voucher_id = serializer.validated_data["voucher"]
        voucher = None
        if voucher_id is not None:
            voucher = Voucher.objects.filter(pk=voucher_id, holder_id=booking.booker_id).first()
            if voucher is None:
                raise DjangoValidationError({"voucher": _("Choose one of your vouchers.")})
        key = (request.headers.get("Idempotency-Key") or "").strip()[:100] or None
        try:
            booking = services.booking_pay(
                booking=booking,
                user=request.user,
                voucher=voucher,
                voucher_amount=serializer.validated_data["voucher_amount"],
                idempotency_key=key,
            )
        except IdempotencyKeyReused as error:
            return Response(
                {"detail": str(error), "code": "idempotency_key_reused"},
                status=status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        return Response(self.get_serializer(self.get_queryset().get(pk=booking.pk)).data)
