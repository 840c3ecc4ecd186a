from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.choices import OrganizationType
from accounts.models import Organization
from catalog.models import Category
from core.reasons import reason_code_form_field
from core.regions import region_choices
from finance.choices import Currency, ProgrammeKind
from finance.models import FinancingProduct

PERCENT_INPUT = {"max_digits": 7, "decimal_places": 2}


class ProductForm(forms.ModelForm):
    required_documents = forms.CharField(
        label=_("Required documents"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One document per line."),
    )
    eligible_regions = forms.MultipleChoiceField(
        label=_("Eligible regions"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("None selected: every region."),
    )
    eligible_organization_kinds = forms.MultipleChoiceField(
        label=_("Eligible organisation types"),
        choices=OrganizationType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None selected: every type."),
    )
    eligible_categories = forms.ModelMultipleChoiceField(
        label=_("Eligible categories"),
        queryset=Category.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("None selected: every category."),
    )

    class Meta:
        model = FinancingProduct
        fields = ["institution", *FinancingProduct.EDITABLE_FIELDS]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "terms": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, institutions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["eligible_regions"].choices = region_choices()
        if self.instance.pk:
            del self.fields["institution"]
            self.initial["required_documents"] = "\n".join(self.instance.required_documents)
        else:
            self.fields["institution"].queryset = institutions or Organization.objects.none()

    def clean_required_documents(self) -> list[str]:
        text = self.cleaned_data.get("required_documents") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class ApplicationEditForm(forms.Form):
    """The fields an applicant may change on a draft or when more information is requested —
    the same ones the API's PATCH accepts."""

    requested_amount = forms.DecimalField(
        label=_("Amount requested"), max_digits=18, decimal_places=2, min_value=Decimal("0.01")
    )
    tenor_months = forms.IntegerField(label=_("Tenor (months)"), required=False, min_value=1)
    purpose = forms.CharField(
        label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    technology = forms.ModelChoiceField(
        label=_("Technology"), queryset=Organization.objects.none(), required=False
    )
    valuation = forms.ModelChoiceField(
        label=_("Valuation pledged as collateral"),
        queryset=Organization.objects.none(),
        required=False,
    )

    def __init__(self, *args, technologies, valuations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["technology"].queryset = technologies
        self.fields["valuation"].queryset = valuations


class ApplicationForm(ApplicationEditForm):
    """A new application: the applying organisation, then the fields it may change later."""

    applicant = forms.ModelChoiceField(
        label=_("Applying organisation"), queryset=Organization.objects.none()
    )
    field_order = ["applicant"]

    def __init__(self, *args, organizations, technologies, valuations, **kwargs):
        super().__init__(*args, technologies=technologies, valuations=valuations, **kwargs)
        self.fields["purpose"].widget.attrs["rows"] = 3
        self.fields["applicant"].queryset = organizations
        if organizations.count() == 1:
            self.fields["applicant"].initial = organizations.first()


class TransitionForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    # a context keeps allauth's "Note" (注意, "watch out") from winning over 备注
    note = forms.CharField(
        label=pgettext_lazy("remark", "Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason_code = reason_code_form_field(required=False)  # the service requires it to reject
    approved_amount = forms.DecimalField(
        label=_("Approved amount"), max_digits=18, decimal_places=2, required=False
    )
    approved_terms = forms.CharField(
        label=_("Approved terms"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Document"), max_length=100)
    file = forms.FileField(
        label=_("File"), help_text=_("PDF, PNG, JPEG, DOCX or XLSX; 10 MB at most.")
    )


class ValuationForm(forms.Form):
    title = forms.CharField(label=_("Technology valued"), max_length=200, required=False)
    technology = forms.ModelChoiceField(
        label=_("Technology"), queryset=Organization.objects.none(), required=False
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)
    first_year_revenue = forms.DecimalField(
        label=_("First-year revenue from the technology"), max_digits=18, decimal_places=2
    )
    revenue_growth_rate = forms.DecimalField(label=_("Annual revenue growth (%)"), **PERCENT_INPUT)
    useful_life_years = forms.IntegerField(label=_("Useful life (years)"))
    royalty_rate = forms.DecimalField(label=_("Royalty rate (%)"), **PERCENT_INPUT)
    tax_rate = forms.DecimalField(label=_("Tax rate (%)"), **PERCENT_INPUT, initial=25)
    risk_free_rate = forms.DecimalField(label=_("Risk-free rate (%)"), **PERCENT_INPUT)
    technology_premium = forms.DecimalField(label=_("Technology risk premium (%)"), **PERCENT_INPUT)
    market_premium = forms.DecimalField(label=_("Market risk premium (%)"), **PERCENT_INPUT)
    management_premium = forms.DecimalField(label=_("Management risk premium (%)"), **PERCENT_INPUT)
    trl = forms.IntegerField(label=_("Technology readiness level (TRL)"))

    PERCENT_FIELDS = (
        "revenue_growth_rate",
        "royalty_rate",
        "tax_rate",
        "risk_free_rate",
        "technology_premium",
        "market_premium",
        "management_premium",
    )

    def __init__(self, *args, technologies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["technology"].queryset = technologies

    def service_inputs(self) -> dict:
        data = dict(self.cleaned_data)
        for name in self.PERCENT_FIELDS:
            data[name] = data[name] / Decimal(100)
        return data


class RedeemForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=18, decimal_places=2, min_value=Decimal("0.01")
    )
    deal = forms.TypedChoiceField(label=_("Deal"), coerce=int)

    def __init__(self, *args, deals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deal"].choices = [(deal.pk, str(deal)) for deal in deals]


def _note_field(help_text=None):
    return forms.CharField(
        label=_("Reason for the approver"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=help_text,
    )


def _amount_field(label, help_text=None) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=18, decimal_places=2, min_value=Decimal("0.01"), help_text=help_text
    )


class FundForm(forms.Form):
    amount = _amount_field(
        _("Amount received"),
        _("Recorded when a second person approves; never beyond the approved budget."),
    )
    note = _note_field()


class BudgetForm(forms.Form):
    amount = _amount_field(
        _("Budget"), _("The programme's whole budget; a second person approves it.")
    )
    note = _note_field()


class MoneyRequestDecisionForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=pgettext_lazy("remark", "Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when refusing."),
    )


class IssueVoucherForm(forms.Form):
    holder = forms.ModelChoiceField(
        label=_("Enterprise"),
        # Verified ones only: vouchers go to nobody else, and the list names no private row.
        queryset=Organization.objects.verified().filter(kind=OrganizationType.ENTERPRISE),
    )
    face_value = forms.DecimalField(
        label=_("Face value"), max_digits=18, decimal_places=2, min_value=Decimal("0.01")
    )
    expires = forms.DateField(label=_("Expires"), widget=forms.DateInput(attrs={"type": "date"}))
    note = _note_field(_("Vouchers above the second-key threshold wait for a second approval."))


class SubsidyForm(forms.Form):
    application = forms.ModelChoiceField(label=_("Loan"), queryset=Organization.objects.none())
    annual_rate = forms.DecimalField(
        label=_("Annual interest rate (%)"),
        min_value=Decimal("0.01"),
        max_value=Decimal("99.99"),
        **PERCENT_INPUT,
    )
    period_start = forms.DateField(
        label=_("Period start"), widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=_("Period end"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The day after the period: past, and within the loan's term."),
    )
    note = _note_field()

    def __init__(self, *args, loans, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = loans


class ProgrammeForm(forms.Form):
    """A new voucher or interest-subsidy programme; the service opens its ledger accounts."""

    operator = forms.ModelChoiceField(
        label=_("Operator"), queryset=Organization.objects.none(), empty_label=None
    )
    kind = forms.ChoiceField(label=_("Type"), choices=ProgrammeKind.choices)
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices, initial="CNY")
    budget = forms.DecimalField(
        label=_("Budget"),
        max_digits=18,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text=_("Nothing can be funded until a second person approves this budget."),
    )
    maximum_employees = forms.IntegerField(
        label=_("Largest eligible enterprise (employees)"), required=False, min_value=1
    )
    maximum_annual_revenue = forms.DecimalField(
        label=_("Largest eligible enterprise (annual revenue, CNY)"),
        required=False,
        max_digits=18,
        decimal_places=2,
        min_value=Decimal("0.01"),
    )
    subsidy_ratio = forms.DecimalField(
        label=_("Share of interest subsidised (%)"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        help_text=_("Interest-subsidy programmes only."),
        **PERCENT_INPUT,
    )
    allows_facility_services = forms.BooleanField(
        label=_("Vouchers may pay for shared facility services"),
        required=False,
        help_text=_("Pilot lines, test benches, instruments and lab services booked here."),
    )

    def __init__(self, *args, operators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operator"].queryset = operators

    def clean(self):
        data = super().clean()
        if not (data.get("name_zh") or "").strip() and not (data.get("name_en") or "").strip():
            self.add_error("name_zh", _("Give the programme a name in Chinese or English."))
        if data.get("kind") == ProgrammeKind.INTEREST_SUBSIDY and data.get("subsidy_ratio") is None:
            self.add_error("subsidy_ratio", _("Give the share of interest the programme pays."))
        return data

    def service_inputs(self) -> dict:
        data = dict(self.cleaned_data)
        data["name_zh"] = data["name_zh"].strip()
        data["name_en"] = data["name_en"].strip()
        if data["kind"] == ProgrammeKind.INTEREST_SUBSIDY:
            data["subsidy_ratio"] = data["subsidy_ratio"] / 100
        else:
            data["subsidy_ratio"] = None
        return data
