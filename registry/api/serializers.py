from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from registry.choices import ContractType
from registry.models import ContractRecord, ContractRecordEvent
from registry.selectors import record_checklist, record_parties, record_tax_flags
from registry.services import RECORD_WORKFLOW, REVIEWER, SELLER, record_actor_roles

MONEY = {"max_digits": 14, "decimal_places": 2}


class RecordPartySerializer(serializers.Serializer):
    role = serializers.CharField()
    role_label = serializers.CharField()
    organization = serializers.IntegerField(source="organization_id", allow_null=True)
    name = serializers.CharField()
    credit_code = serializers.CharField(allow_blank=True)
    credit_code_problem = serializers.CharField(
        allow_blank=True, help_text="Why the code cannot be registered; empty when it can."
    )
    region_code = serializers.CharField(
        allow_blank=True, help_text="GB/T 2260 administrative division code (Chinese parties)."
    )
    country = serializers.CharField(allow_blank=True, help_text="ISO 3166-1 alpha-2.")


class ChecklistItemSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    problem = serializers.CharField(allow_blank=True)


class TaxFlagsSerializer(serializers.Serializer):
    """Computed from the record; never tax or legal advice (see `disclaimer`)."""

    vat_treatment = serializers.ChoiceField(choices=["exempt", "exempt_if_related"])
    vat_text = serializers.CharField()
    eit_applies = serializers.BooleanField()
    eit_text = serializers.CharField()
    year = serializers.IntegerField()
    record_income_cny = serializers.DecimalField(allow_null=True, **MONEY)
    not_computed_reason = serializers.CharField(allow_blank=True)
    shows_seller_year = serializers.BooleanField()
    yearly_transfer_income_cny = serializers.DecimalField(allow_null=True, **MONEY)
    yearly_records = serializers.IntegerField()
    exempt_part_cny = serializers.DecimalField(allow_null=True, **MONEY)
    halved_part_cny = serializers.DecimalField(allow_null=True, **MONEY)
    taxable_after_relief_cny = serializers.DecimalField(allow_null=True, **MONEY)
    year_not_computed_reason = serializers.CharField(allow_blank=True)
    disclaimer = serializers.SerializerMethodField()

    def get_disclaimer(self, flags) -> str:
        from registry.selectors import TAX_DISCLAIMER

        return str(TAX_DISCLAIMER)


class ContractRecordEventSerializer(serializers.ModelSerializer):
    action_label = serializers.CharField(read_only=True)

    class Meta:
        model = ContractRecordEvent
        fields = ["action", "action_label", "actor_role", "from_status", "to_status", "note"]
        read_only_fields = fields


class ContractRecordSerializer(serializers.ModelSerializer):
    """A deal's technology contract record. `tax` shows the seller's yearly figures to the
    seller's members and reviewers, on a single record only."""

    technology_title = serializers.CharField(source="deal.technology.__str__", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    contract_type_label = serializers.CharField(source="get_contract_type_display", read_only=True)
    seller = serializers.SerializerMethodField()
    buyer = serializers.SerializerMethodField()
    missing = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()
    tax = serializers.SerializerMethodField()

    class Meta:
        model = ContractRecord
        fields = [
            "id",
            "deal",
            "technology_title",
            "status",
            "status_label",
            "contract_type",
            "contract_type_label",
            "amount",
            "currency",
            "technology_income",
            "signed_on",
            "completed_on",
            "registered_on",
            "registration_number",
            "note",
            "seller",
            "buyer",
            "missing",
            "allowed_actions",
            "tax",
            "submitted_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _parties(self, record):
        cache = self.context.setdefault("_parties", {})
        if record.pk not in cache:
            cache[record.pk] = record_parties(record=record)
        return cache[record.pk]

    @extend_schema_field(RecordPartySerializer)
    def get_seller(self, record) -> dict:
        return RecordPartySerializer(self._parties(record)[0]).data

    @extend_schema_field(RecordPartySerializer)
    def get_buyer(self, record) -> dict:
        return RecordPartySerializer(self._parties(record)[1]).data

    @extend_schema_field(ChecklistItemSerializer(many=True))
    def get_missing(self, record) -> list:
        items = [item for item in record_checklist(record=record) if not item.passed]
        return ChecklistItemSerializer(items, many=True).data

    def _roles(self, record) -> set[str]:
        return record_actor_roles(record=record, user=self.context["request"].user)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, record) -> list[str]:
        return RECORD_WORKFLOW.allowed_actions(record.status, self._roles(record))

    @extend_schema_field(TaxFlagsSerializer)
    def get_tax(self, record) -> dict:
        single = self.context.get("single_record", False)
        roles = self._roles(record) if single else set()
        flags = record_tax_flags(record=record, show_seller_year=bool(roles & {SELLER, REVIEWER}))
        return TaxFlagsSerializer(flags).data


class ContractRecordUpdateSerializer(serializers.Serializer):
    """What the seller completes while the record is a draft or returned."""

    contract_type = serializers.ChoiceField(choices=ContractType.choices, required=False)
    technology_income = serializers.DecimalField(min_value=Decimal("0"), required=False, **MONEY)
    signed_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class RecordNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class RecordReturnSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, help_text="Why it goes back (required).")


class RecordRegisterSerializer(serializers.Serializer):
    registration_number = serializers.CharField(
        max_length=40, help_text="The number the technology-contract registry issued."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
