from decimal import Decimal

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.selectors import organizations_visible_to
from catalog.models import Category
from catalog.selectors import technologies_visible_to
from core.api.fields import VisibleRowsMixin as BaseVisibleRowsMixin
from core.api.fields import turn_down_reason_field, turn_down_reason_read_field
from exchange.selectors import deals_visible_to
from finance import selectors, services
from finance.models import (
    RISK_SHARE_FIELDS,
    ApplicationDocument,
    ApplicationEvent,
    FinancingApplication,
    FinancingProduct,
    InterestSubsidy,
    MoneyRequest,
    MoneyRequestEvent,
    SupportProgramme,
    Valuation,
    Voucher,
    VoucherRedemption,
)

# A key in a body resolves only among the rows its selector lets the user see.
VISIBLE_ROWS = {
    "product": selectors.products_visible_to,
    "valuation": selectors.valuations_visible_to,
    "technology": technologies_visible_to,
    "deal": deals_visible_to,
    "applicant": organizations_visible_to,
    "organization": organizations_visible_to,
    "institution": organizations_visible_to,
    "operator": organizations_visible_to,
}


class VisibleRowsMixin(BaseVisibleRowsMixin):
    visible_rows = VISIBLE_ROWS


class RiskShareSerializer(serializers.Serializer):
    fund = serializers.DecimalField(max_digits=5, decimal_places=2)
    bank = serializers.DecimalField(max_digits=5, decimal_places=2)
    insurer = serializers.DecimalField(max_digits=5, decimal_places=2)
    valuer = serializers.DecimalField(max_digits=5, decimal_places=2)


def _risk_compensation(product: FinancingProduct) -> dict | None:
    if not product.has_risk_compensation:
        return None
    return {
        "fund": product.risk_share_fund,
        "bank": product.risk_share_bank,
        "insurer": product.risk_share_insurer,
        "valuer": product.risk_share_valuer,
    }


class ProductSerializer(VisibleRowsMixin, serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    institution_name = serializers.CharField(source="institution.display_name", read_only=True)
    eligible_categories = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.all(), many=True, required=False
    )
    risk_compensation = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = FinancingProduct
        fields = [
            "id",
            "name",
            "status",
            "institution",
            "institution_name",
            *FinancingProduct.EDITABLE_FIELDS,
            "risk_compensation",
            "allowed_actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "created_at", "updated_at"]
        extra_kwargs = {name: {"write_only": True} for name in RISK_SHARE_FIELDS}

    @extend_schema_field(RiskShareSerializer(allow_null=True))
    def get_risk_compensation(self, product) -> dict | None:
        shares = _risk_compensation(product)
        return RiskShareSerializer(shares).data if shares else None

    def get_allowed_actions(self, product) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return services.product_allowed_actions(product=product, user=request.user)

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and request.method in ("PATCH", "PUT"):
            fields["institution"].read_only = True
        return fields


def _actions_of(workflow) -> list[str]:
    """Every action of a workflow's table (the API names them as plain strings)."""
    return sorted({str(action) for _status, action in workflow.table})


class ProductTransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=_actions_of(services.PRODUCT_WORKFLOW))


class EligibilityFailureSerializer(serializers.Serializer):
    rule = serializers.CharField()
    message = serializers.CharField()


class EligibilitySerializer(serializers.Serializer):
    eligible = serializers.BooleanField()
    failures = EligibilityFailureSerializer(many=True)


class ApplicationEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.__str__", default="", read_only=True)

    class Meta:
        model = ApplicationEvent
        fields = ["action", "from_status", "to_status", "note", "actor", "created_at"]


class ApplicationDocumentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ApplicationDocument
        fields = [
            "id",
            "title",
            "original_name",
            "content_type",
            "size",
            "uploaded_at",
            "download_url",
        ]

    def get_download_url(self, document) -> str:
        return reverse("finance:application_document", args=[document.application_id, document.pk])


class DocumentUploadSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=100)
    file = serializers.FileField()


class ApplicationSerializer(VisibleRowsMixin, serializers.ModelSerializer):
    product_name = serializers.CharField(source="product.name", read_only=True)
    product_kind = serializers.CharField(source="product.kind", read_only=True)
    applicant_name = serializers.CharField(source="applicant.display_name", read_only=True)
    allowed_actions = serializers.SerializerMethodField()
    loan_cap = serializers.SerializerMethodField(
        help_text="IP-pledge loans: the product's loan-to-value ratio × the pledged valuation."
    )
    risk_compensation = serializers.SerializerMethodField()
    documents = ApplicationDocumentSerializer(many=True, read_only=True)
    history = ApplicationEventSerializer(source="events", many=True, read_only=True)
    reason_label = serializers.CharField(
        read_only=True, help_text="Why the application was rejected, in words."
    )
    reason_code = turn_down_reason_read_field()

    class Meta:
        model = FinancingApplication
        fields = [
            "id",
            "product",
            "product_name",
            "product_kind",
            "applicant",
            "applicant_name",
            "technology",
            "deal",
            "valuation",
            "status",
            "requested_amount",
            "currency",
            "tenor_months",
            "purpose",
            "approved_amount",
            "approved_terms",
            "decision_note",
            "reason_code",
            "reason_label",
            "loan_cap",
            "risk_compensation",
            "allowed_actions",
            "submitted_at",
            "created_at",
            "updated_at",
            "documents",
            "history",
        ]
        read_only_fields = [
            "status",
            "currency",
            "approved_amount",
            "approved_terms",
            "decision_note",
            "reason_code",
            "submitted_at",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "applicant": {"required": False},
            "technology": {"required": False},
            "deal": {"required": False},
            "valuation": {"required": False},
        }

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and request.method in ("PATCH", "PUT"):
            fields["product"].read_only = True
            fields["applicant"].read_only = True
        return fields

    def get_allowed_actions(self, application) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return services.application_allowed_actions(application=application, user=request.user)

    @extend_schema_field(serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True))
    def get_loan_cap(self, application) -> str | None:
        cap = services.application_loan_cap(application=application)
        return None if cap is None else str(cap)

    @extend_schema_field(RiskShareSerializer(allow_null=True))
    def get_risk_compensation(self, application) -> dict | None:
        shares = _risk_compensation(application.product)
        return RiskShareSerializer(shares).data if shares else None


class ApplicationTransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=_actions_of(services.APPLICATION_WORKFLOW))
    note = serializers.CharField(required=False, allow_blank=True, default="")
    approved_amount = serializers.DecimalField(
        max_digits=18, decimal_places=2, required=False, allow_null=True
    )
    approved_terms = serializers.CharField(required=False, allow_blank=True, default="")
    reason_code = turn_down_reason_field()


class ValuationSerializer(VisibleRowsMixin, serializers.ModelSerializer):
    class Meta:
        model = Valuation
        fields = [
            "id",
            "organization",
            "technology",
            "title",
            "currency",
            *Valuation.INPUT_FIELDS,
            "discount_rate",
            "trl_factor",
            "steps",
            "comparables",
            "value",
            "created_at",
        ]
        read_only_fields = [
            "discount_rate",
            "trl_factor",
            "steps",
            "comparables",
            "value",
            "created_at",
        ]
        extra_kwargs = {
            "organization": {"required": False},
            "technology": {"required": False},
            "title": {"required": False},
            # The service explains impossible inputs (a useful life of 0, a discount rate ≤ 0).
            "useful_life_years": {"min_value": None, "max_value": None},
            "trl": {"min_value": None, "max_value": None, "validators": []},
        }


class VoucherSerializer(serializers.ModelSerializer):
    programme_name = serializers.CharField(source="programme.name", read_only=True)
    holder_name = serializers.CharField(source="holder.display_name", read_only=True)
    balance = serializers.DecimalField(
        source="account.balance", max_digits=18, decimal_places=2, read_only=True
    )
    currency = serializers.CharField(source="account.currency", read_only=True)
    expired = serializers.SerializerMethodField()

    class Meta:
        model = Voucher
        fields = [
            "id",
            "programme",
            "programme_name",
            "holder",
            "holder_name",
            "face_value",
            "balance",
            "currency",
            "expires",
            "expired",
            "issued_at",
        ]

    def get_expired(self, voucher) -> bool:
        return voucher.is_expired()


def money_field(**kwargs) -> serializers.DecimalField:
    """A positive amount that fits numeric(18, 2): "NaN", "Infinity", "1e30", too many digits or
    a negative amount is a 400 naming the field."""
    kwargs.setdefault("help_text", 'A decimal amount, e.g. "2500.00".')
    return serializers.DecimalField(
        max_digits=18, decimal_places=2, min_value=Decimal("0.01"), **kwargs
    )


class RedeemSerializer(serializers.Serializer):
    amount = money_field()
    deal = serializers.IntegerField()


class RedemptionSerializer(serializers.ModelSerializer):
    transaction = serializers.IntegerField(source="transaction_id", read_only=True)
    balance = serializers.DecimalField(
        source="voucher.account.balance", max_digits=18, decimal_places=2, read_only=True
    )

    class Meta:
        model = VoucherRedemption
        fields = ["id", "voucher", "provider", "amount", "transaction", "balance", "created_at"]


class ProgrammeSerializer(VisibleRowsMixin, serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    funded = serializers.DecimalField(
        source="funding_account.balance", max_digits=18, decimal_places=2, read_only=True
    )
    available = serializers.DecimalField(
        source="budget_account.balance", max_digits=18, decimal_places=2, read_only=True
    )
    budget = money_field(
        write_only=True,
        required=False,
        help_text="The budget asked for; it becomes `approved_budget` when a second person "
        "approves it (see money-requests). Without it, ask later with `budget/`.",
    )
    approved_budget = serializers.DecimalField(
        max_digits=18, decimal_places=2, read_only=True, allow_null=True
    )

    class Meta:
        model = SupportProgramme
        fields = [
            "id",
            "name",
            "name_zh",
            "name_en",
            "kind",
            "operator",
            "currency",
            "maximum_employees",
            "maximum_annual_revenue",
            "subsidy_ratio",
            "allows_facility_services",
            "is_open",
            "budget",
            "approved_budget",
            "funded",
            "available",
            "created_at",
        ]
        read_only_fields = ["is_open", "created_at"]
        extra_kwargs = {
            "maximum_annual_revenue": {"min_value": Decimal("0.01")},
        }


class FundSerializer(serializers.Serializer):
    amount = money_field()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class BudgetSerializer(serializers.Serializer):
    amount = money_field(help_text="The programme's whole budget, as it should be approved.")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class IssueVoucherSerializer(serializers.Serializer):
    holder = serializers.IntegerField()
    face_value = money_field()
    expires = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class PaySubsidySerializer(serializers.Serializer):
    application = serializers.IntegerField()
    annual_rate = serializers.DecimalField(
        max_digits=5,
        decimal_places=4,
        min_value=Decimal("0.0001"),
        max_value=Decimal("0.9999"),
        help_text="Annual interest rate as a fraction: 0.0435",
    )
    period_start = serializers.DateField()
    period_end = serializers.DateField(help_text="The day after the period (exclusive).")
    principal = money_field(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class MoneyRequestEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.__str__", default="", read_only=True)

    class Meta:
        model = MoneyRequestEvent
        fields = ["action", "from_status", "to_status", "note", "actor", "created_at"]


class MoneyRequestSerializer(serializers.ModelSerializer):
    programme_name = serializers.CharField(source="programme.name", read_only=True)
    requested_by = serializers.CharField(source="requested_by.__str__", read_only=True)
    decided_by = serializers.CharField(source="decided_by.__str__", default="", read_only=True)
    allowed_actions = serializers.SerializerMethodField()
    history = MoneyRequestEventSerializer(source="events", many=True, read_only=True)
    voucher = serializers.IntegerField(source="voucher_id", read_only=True, allow_null=True)
    subsidy = serializers.IntegerField(source="subsidy_id", read_only=True, allow_null=True)
    ledger_transaction = serializers.IntegerField(
        source="ledger_transaction_id", read_only=True, allow_null=True
    )

    class Meta:
        model = MoneyRequest
        fields = [
            "id",
            "programme",
            "programme_name",
            "kind",
            "status",
            "amount",
            "currency",
            "note",
            "holder",
            "expires",
            "application",
            "principal",
            "annual_rate",
            "period_start",
            "period_end",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_note",
            "voucher",
            "subsidy",
            "ledger_transaction",
            "allowed_actions",
            "history",
        ]
        read_only_fields = fields

    def get_allowed_actions(self, money_request) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return services.money_request_allowed_actions(
            money_request=money_request, user=request.user
        )


class MoneyRequestTransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=_actions_of(services.MONEY_REQUEST_WORKFLOW))
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class InterestSubsidySerializer(serializers.ModelSerializer):
    transaction = serializers.IntegerField(source="transaction_id", read_only=True)

    class Meta:
        model = InterestSubsidy
        fields = [
            "id",
            "programme",
            "application",
            "principal",
            "annual_rate",
            "subsidy_ratio",
            "period_start",
            "period_end",
            "days",
            "amount",
            "transaction",
            "created_at",
        ]
