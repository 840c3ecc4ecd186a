from django import forms
from django.forms import formset_factory
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.choices import (
    SDG_GOALS,
    TRL_DEFINITIONS,
    Currency,
    IntellectualPropertyKind,
    IntellectualPropertyStatus,
    ResourceKind,
    ReviewDecision,
    TransactionMode,
)
from catalog.models import Category, Technology
from core.regions import region_choices


def category_choices():
    choices = [("", "---------")]
    groups: dict[str, list] = {}
    for category in Category.objects.select_related("parent"):
        if category.parent_id:
            groups.setdefault(str(category.parent), []).append((category.code, str(category)))
    choices.extend(groups.items())
    return choices


class TechnologyForm(forms.Form):
    """The listing itself; rows (IP, figures, savings) are formsets beside it."""

    title_zh = forms.CharField(label=_("Title (Chinese)"), max_length=200, required=False)
    title_en = forms.CharField(label=_("Title (English)"), max_length=250, required=False)
    summary_zh = forms.CharField(
        label=_("Public summary (Chinese)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text=_("Everyone sees the summary: keep confidential details out of it."),
    )
    summary_en = forms.CharField(
        label=_("Public summary (English)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=3000,
    )
    description_zh = forms.CharField(
        label=_("Full description (Chinese, confidential)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )
    description_en = forms.CharField(
        label=_("Full description (English, confidential)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )
    category = forms.ChoiceField(label=_("Category"), choices=())
    keywords = forms.CharField(
        label=_("Keywords"), required=False, help_text=_("Separate keywords with commas.")
    )
    # Choice labels use format_lazy: an f-string would freeze them in the language active when
    # the module is imported.
    trl = forms.TypedChoiceField(
        label=_("Technology readiness level"),
        coerce=int,
        choices=[
            (level, format_lazy("TRL {} – {}", level, text))
            for level, text in TRL_DEFINITIONS.items()
        ],
    )
    application_scope = forms.CharField(
        label=_("Application scope"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    advantages = forms.CharField(
        label=_("Advantages over existing solutions"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    economic_comparison = forms.CharField(
        label=_("Economic comparison"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Investment, operating cost and payback compared with the usual solution."),
    )
    transaction_modes = forms.MultipleChoiceField(
        label=_("Transaction modes offered"),
        choices=TransactionMode.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    asking_price = forms.DecimalField(
        label=_("Asking price"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("Leave empty when the price is negotiable."),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)
    license_exclusive = forms.BooleanField(label=_("The licence is exclusive"), required=False)
    co2e_avoided_tonnes_per_year = forms.DecimalField(
        label=_("t CO2e avoided per year (typical deployment)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=1,
    )
    co2e_method = forms.CharField(
        label=_("How the avoided emissions were estimated"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    sdg_goals = forms.TypedMultipleChoiceField(
        label=_("SDG goals"),
        coerce=int,
        required=False,
        choices=[
            (number, format_lazy("{}. {}", number, label)) for number, label in SDG_GOALS.items()
        ],
        widget=forms.CheckboxSelectMultiple,
    )
    region = forms.ChoiceField(label=_("Holder region"), choices=())
    target_regions = forms.MultipleChoiceField(
        label=_("Target regions"),
        choices=(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    nda_text = forms.CharField(
        label=_("Non-disclosure agreement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Leave empty to use the platform's standard NDA."),
    )

    SECTIONS = (
        (_("Title and summary"), ("title_zh", "title_en", "summary_zh", "summary_en")),
        (_("Classification"), ("category", "keywords", "trl")),
        (
            _("Technical and economic case"),
            ("application_scope", "advantages", "economic_comparison"),
        ),
        (_("Confidential detail"), ("description_zh", "description_en", "nda_text")),
        (
            _("Offer"),
            ("transaction_modes", "asking_price", "currency", "license_exclusive"),
        ),
        (
            _("Green impact and regions"),
            (
                "co2e_avoided_tonnes_per_year",
                "co2e_method",
                "sdg_goals",
                "region",
                "target_regions",
            ),
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        self.fields["region"].choices = region_choices()
        self.fields["target_regions"].choices = region_choices()

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        exclusive = data.pop("license_exclusive")
        price = data.pop("asking_price")
        data["offers"] = [
            {
                "mode": mode,
                "asking_price": price,
                "negotiable": price is None,
                "exclusive": exclusive if mode == TransactionMode.LICENSE else None,
            }
            for mode in data.pop("transaction_modes")
        ]
        return data


class PatentForm(forms.Form):
    number = forms.CharField(label=_("Number"), max_length=40, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=IntellectualPropertyKind.choices)
    status = forms.ChoiceField(label=_("Status"), choices=IntellectualPropertyStatus.choices)
    jurisdiction = forms.CharField(label=_("Jurisdiction"), max_length=10, initial="CN")
    title = forms.CharField(label=_("Title"), max_length=300, required=False)


class FigureForm(forms.Form):
    metric = forms.CharField(label=_("Metric"), max_length=120, required=False)
    value = forms.CharField(label=_("Value"), max_length=60, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=40, required=False)


class SavingForm(forms.Form):
    resource = forms.ChoiceField(label=_("Resource"), choices=ResourceKind.choices)
    amount = forms.DecimalField(label=_("Amount"), required=False, min_value=0)
    unit = forms.CharField(label=_("Unit"), max_length=40, required=False)
    note = forms.CharField(label=pgettext_lazy("remark", "Note"), max_length=200, required=False)


PatentFormSet = formset_factory(PatentForm, extra=2, max_num=30)
FigureFormSet = formset_factory(FigureForm, extra=3, max_num=30)
SavingFormSet = formset_factory(SavingForm, extra=2, max_num=10)


def formset_rows(formset, required_field: str) -> list[dict]:
    """Filled rows of a formset: blank rows (no `required_field`) are skipped."""
    return [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data and form.cleaned_data.get(required_field) not in (None, "")
    ]


# The fields a reviewer may comment on one by one: the texts and category, TRL, IP and price.
COMMENTABLE_FIELDS = (
    *Technology.EDITABLE_FIELDS[: Technology.EDITABLE_FIELDS.index("category") + 1],
    "trl",
    "patents",
    "asking_price",
)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=ReviewDecision.choices)
    comment = forms.CharField(
        label=_("Comment or reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    field = forms.ChoiceField(
        label=_("About the field"),
        required=False,
        choices=[("", _("The whole listing"))] + [(name, name) for name in COMMENTABLE_FIELDS],
    )


class InquiryForm(forms.Form):
    message = forms.CharField(
        label=_("Your message to the holder"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class AccessRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Why do you need the detail?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    accept_nda = forms.BooleanField(label=_("I accept the non-disclosure agreement above"))


class SavedSearchForm(forms.Form):
    name = forms.CharField(label=_("Name of the search"), max_length=120, required=False)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File (PDF or image, at most 10 MB)"))
    confidential = forms.BooleanField(label=_("Confidential"), required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or Excel file (.csv, .xlsx)"))
