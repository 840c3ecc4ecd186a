from decimal import Decimal

from rest_framework import serializers

from core.api.actors import ActorNameField
from facilities.models import AvailabilityPeriod, Facility, FacilityBooking, FacilityBookingEvent


class PeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = AvailabilityPeriod
        fields = ["id", "kind", "starts_at", "ends_at", "note"]


class FacilitySerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True)
    provider_name = serializers.CharField(source="provider.display_name", read_only=True)
    price = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=Decimal("0.01"))

    class Meta:
        model = Facility
        fields = [
            "id",
            "provider",
            "provider_name",
            "status",
            "title",
            *Facility.EDITABLE_FIELDS,
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "created_at", "updated_at"]
        validators = []  # the service validates the whole row (with its provider)

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["provider"].read_only = True
        return fields


class FacilityDetailSerializer(FacilitySerializer):
    periods = serializers.SerializerMethodField()

    class Meta(FacilitySerializer.Meta):
        fields = [*FacilitySerializer.Meta.fields, "periods"]

    def get_periods(self, facility) -> list[dict]:
        from facilities.selectors import upcoming_periods

        return PeriodSerializer(upcoming_periods(facility=facility), many=True).data


class FacilityTransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["publish", "withdraw"])
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class PeriodRemoveSerializer(serializers.Serializer):
    period = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class BookingEventSerializer(serializers.ModelSerializer):
    actor = ActorNameField()

    class Meta:
        model = FacilityBookingEvent
        fields = ["action", "from_status", "to_status", "note", "actor", "created_at"]


class BookingSerializer(serializers.ModelSerializer):
    left_to_pay = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text="The charge less the voucher part; null until the provider bills the booking.",
    )
    events = BookingEventSerializer(many=True, read_only=True)

    class Meta:
        model = FacilityBooking
        fields = [
            "id",
            "facility",
            "booker",
            "starts_at",
            "ends_at",
            "samples",
            "purpose",
            "status",
            "charge",
            "currency",
            "voucher",
            "voucher_amount",
            "left_to_pay",
            "created_at",
            "events",
        ]
        read_only_fields = fields


class BookingCreateSerializer(serializers.Serializer):
    facility = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    booker = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False, allow_null=True, default=None,
        help_text="The organisation that books; needed only when you belong to several.",
    )  # fmt: skip
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    samples = serializers.IntegerField(
        min_value=1, max_value=100000, required=False, allow_null=True
    )
    purpose = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class FacilityBookSerializer(BookingCreateSerializer):
    facility = None


class BookingNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class BookingPaySerializer(serializers.Serializer):
    voucher = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False, allow_null=True, default=None
    )
    voucher_amount = serializers.DecimalField(
        max_digits=18, decimal_places=2, min_value=Decimal("0.01"), required=False, allow_null=True,
        default=None,
    )  # fmt: skip
