from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Organization
from catalog.models import Technology
from catalog.selectors import technologies_visible_to
from centres import selectors, services
from centres.choices import ReferralAction, WorkingLanguage
from centres.models import Referral, ReferralEvent
from core.api.fields import VisiblePrimaryKeyRelatedField
from exchange.models import Need
from exchange.selectors import needs_visible_to


def _verified_centres(*, user):
    return selectors.verified_centres()


class TransferCentreSerializer(serializers.ModelSerializer):
    """A verified technology transfer centre of the network (public)."""

    name = serializers.CharField(source="display_name", read_only=True)
    country = serializers.SerializerMethodField(help_text="ISO 3166-1 country the centre is in.")
    countries_covered = serializers.SerializerMethodField(
        help_text="ISO 3166-1 codes of the countries the centre covers."
    )
    languages = serializers.SerializerMethodField(help_text="ISO 639 codes of its languages.")

    class Meta:
        model = Organization
        fields = ["id", "name", "name_zh", "name_en", "region", "country", "website",
                  "countries_covered", "languages"]  # fmt: skip
        read_only_fields = fields

    def get_country(self, centre) -> str:
        from centres.countries import country_of_region

        return country_of_region(centre.region)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_countries_covered(self, centre) -> list[str]:
        return list(selectors.centre_profile(organization=centre).countries)

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=WorkingLanguage.choices))
    )
    def get_languages(self, centre) -> list[str]:
        return list(selectors.centre_profile(organization=centre).languages)


class CentreProfileUpdateSerializer(serializers.Serializer):
    countries_covered = serializers.ListField(
        child=serializers.CharField(max_length=3), max_length=250
    )
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=WorkingLanguage.choices), max_length=20
    )


class ReferralEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = ReferralEvent
        fields = ["action", "actor", "actor_side", "from_status", "to_status", "note", "created_at"]
        read_only_fields = fields

    def get_actor(self, event) -> str:
        return str(event.actor) if event.actor_id else ""


class ReferralSerializer(serializers.ModelSerializer):
    """A referral between two centres: only their members see it. The listing is named by id
    and title only, never its confidential detail."""

    from_centre_name = serializers.CharField(source="from_centre.display_name", read_only=True)
    to_centre_name = serializers.CharField(source="to_centre.display_name", read_only=True)
    listing_kind = serializers.CharField(read_only=True)
    listing_title = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "from_centre",
            "from_centre_name",
            "to_centre",
            "to_centre_name",
            "listing_kind",
            "technology",
            "need",
            "listing_title",
            "message",
            "status",
            "allowed_actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_listing_title(self, referral) -> str:
        return str(referral.listing.title)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, referral) -> list[str]:
        return [
            action
            for action, _label in services.referral_allowed_actions(
                referral=referral, user=self.context["request"].user
            )
        ]


class ReferralDetailSerializer(ReferralSerializer):
    events = ReferralEventSerializer(many=True, read_only=True)

    class Meta(ReferralSerializer.Meta):
        fields = [*ReferralSerializer.Meta.fields, "events"]
        read_only_fields = fields


class ReferralCreateSerializer(serializers.Serializer):
    """Refer one technology or one need (published, or your centre's own) to a partner centre.
    `from_centre` is needed only by someone working for several centres."""

    to_centre = VisiblePrimaryKeyRelatedField(model=Organization, scope=_verified_centres)
    technology = VisiblePrimaryKeyRelatedField(
        model=Technology, scope=technologies_visible_to, required=False, allow_null=True
    )
    need = VisiblePrimaryKeyRelatedField(
        model=Need, scope=needs_visible_to, required=False, allow_null=True
    )
    message = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    from_centre = VisiblePrimaryKeyRelatedField(
        model=Organization, scope=selectors.centres_of_user, required=False, allow_null=True
    )


class ReferralTransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=[
            (choice.value, choice.value)
            for choice in (
                ReferralAction.ACCEPT,
                ReferralAction.DECLINE,
                ReferralAction.MATCH,
                ReferralAction.CLOSE,
            )
        ]
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)
