from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Organization
from catalog.choices import Currency
from catalog.models import Technology, TechnologyPatent
from licensing.choices import FeeKind, LicenceAction
from licensing.models import Licence, OpenLicenceOffer


class OpenLicenceOfferSerializer(serializers.ModelSerializer):
    """The posted terms of an open licence (public). The evaluation report itself is served
    only to the holder, reviewers and licensees, on the offer's page."""

    technology_title = serializers.CharField(source="technology.title", read_only=True)
    patent_number = serializers.CharField(source="patent.number", read_only=True)
    patent_kind = serializers.CharField(source="patent.kind", read_only=True)
    organization_name = serializers.CharField(source="organization.display_name", read_only=True)
    has_evaluation_report = serializers.SerializerMethodField()
    amount_due_on_acceptance = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True
    )

    class Meta:
        model = OpenLicenceOffer
        fields = [
            "id",
            "technology",
            "technology_title",
            "patent",
            "patent_number",
            "patent_kind",
            "organization",
            "organization_name",
            "version",
            "previous",
            *OpenLicenceOffer.EDITABLE_FIELDS,
            "has_evaluation_report",
            "amount_due_on_acceptance",
            "status",
            "published_at",
            "closed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_has_evaluation_report(self, offer) -> bool:
        return bool(offer.evaluation_report)


class OfferTermsSerializer(serializers.Serializer):
    """The terms a holder posts (bounds checked by the service: 400 with field errors)."""

    fee_kind = serializers.ChoiceField(choices=FeeKind.choices)
    fixed_fee = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    royalty_rate = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    currency = serializers.ChoiceField(choices=Currency.choices, default=Currency.CNY)
    term_years = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    term_end = serializers.DateField(required=False, allow_null=True)
    field_of_use = serializers.CharField(max_length=300)
    territory = serializers.CharField(max_length=200)
    evaluation_report = serializers.FileField(required=False, allow_null=True)


class OfferCreateSerializer(OfferTermsSerializer):
    technology = serializers.PrimaryKeyRelatedField(queryset=Technology.objects.all())
    patent = serializers.PrimaryKeyRelatedField(queryset=TechnologyPatent.objects.all())


class OfferUpdateSerializer(OfferTermsSerializer):
    """A partial change of the terms (PATCH)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)


class OfferWithdrawSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class AcceptSerializer(serializers.Serializer):
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(),
        required=False,
        allow_null=True,
        help_text="The enterprise taking the licence (default: yours).",
    )


class LicenceSerializer(serializers.ModelSerializer):
    technology = serializers.IntegerField(source="offer.technology_id", read_only=True)
    technology_title = serializers.CharField(source="offer.technology.title", read_only=True)
    patent_number = serializers.CharField(source="offer.patent.number", read_only=True)
    holder_name = serializers.CharField(source="offer.organization.display_name", read_only=True)
    licensee_name = serializers.CharField(source="licensee.display_name", read_only=True)
    certificate_number = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Licence
        fields = [
            "id",
            "offer",
            "technology",
            "technology_title",
            "patent_number",
            "holder_name",
            "licensee",
            "licensee_name",
            "status",
            "amount_due",
            "currency",
            "accepted_at",
            "licensed_at",
            "ends_on",
            "deal",
            "certificate_number",
            "allowed_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_certificate_number(self, licence) -> str | None:
        certificate = getattr(licence.deal, "certificate", None) if licence.deal_id else None
        return certificate.number if certificate else None

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, licence) -> list[str]:
        from licensing.services import licence_allowed_actions

        request = self.context.get("request")
        user = getattr(request, "user", None)
        return [action for action, _label in licence_allowed_actions(licence=licence, user=user)]


class LicenceTransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[LicenceAction.PAY, LicenceAction.CANCEL])
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
