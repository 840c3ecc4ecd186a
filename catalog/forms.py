from django import forms
from django.contrib.postgres.forms import SimpleArrayField
from django.forms import formset_factory
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.choices import (
    SDG_GOALS,
    TRL_DEFINITIONS,
    ReviewDecision,
    TechnologyStatus,
    TransactionMode,
)
from catalog.models import (
    Category,
    Technology,
    TechnologyPatent,
    TechnologyPerformanceFigure,
    TechnologyResourceSaving,
)
from catalog.services import DECISION_ACTIONS, TECHNOLOGY_WORKFLOW
from core.forms import ReviewDecisionForm, ServiceModelForm
from core.labels import field_label
from core.regions import region_choices


class KeywordListField(SimpleArrayField):
    """Keywords typed as one line: full-width commas separate too, empty items are dropped."""

    def to_python(self, value):
        if isinstance(value, str):
            value = ",".join(
                part.strip() for part in value.replace("，", ",").split(",") if part.strip()
            )
        return super().to_python(value)


def category_choices():
    choices = [("", "---------")]
    groups: dict[str, list] = {}
    for category in Category.objects.select_related("parent"):
        if category.parent_id:
            groups.setdefault(str(category.parent), []).append((category.code, str(category)))
    choices.extend(groups.items())
    return choices


class TechnologyForm(ServiceModelForm):
    """The listing itself, its fields those of `Technology.EDITABLE_FIELDS` as the model defines
    them (lengths, choices, validators); the form adds only presentation (labels, widgets, help)
    and the offer summary (modes, one price, exclusivity) that the service turns into offer rows.
    Patent, figure and saving rows are formsets beside it."""

    # Codes, not primary keys, grouped under their parent category (choices set in __init__).
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), to_field_name="code"
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
    sdg_goals = forms.TypedMultipleChoiceField(
        label=_("SDG goals"),
        coerce=int,
        required=False,
        choices=[
            (number, format_lazy("{}. {}", number, label)) for number, label in SDG_GOALS.items()
        ],
        widget=forms.CheckboxSelectMultiple,
    )
    region = forms.ChoiceField(label=_("Holder region"), choices=region_choices)
    target_regions = forms.MultipleChoiceField(
        label=_("Target regions"),
        choices=region_choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    # The offer summary: one offer row per mode, all at the one price.
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
    license_exclusive = forms.BooleanField(label=_("The licence is exclusive"), required=False)
    # A listing written in a language other than Chinese or English: its original text (new
    # listings; later versions are edited on the translations page).
    original_title = forms.CharField(
        label=_("Title in the original language"), required=False, max_length=250
    )
    original_summary = forms.CharField(
        label=_("Summary in the original language"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Technology
        fields = list(Technology.EDITABLE_FIELDS)
        field_classes = {"keywords": KeywordListField}
        labels = {
            "title_zh": _("Title (Chinese)"),
            "title_en": _("Title (English)"),
            "summary_zh": _("Public summary (Chinese)"),
            "summary_en": _("Public summary (English)"),
            "description_zh": _("Full description (Chinese, confidential)"),
            "description_en": _("Full description (English, confidential)"),
            "keywords": _("Keywords"),
            "application_scope": _("Application scope"),
            "advantages": _("Advantages over existing solutions"),
            "economic_comparison": _("Economic comparison"),
            "currency": _("Currency"),
            "co2e_method": _("How the avoided emissions were estimated"),
            "nda_text": _("Non-disclosure agreement"),
        }
        help_texts = {
            "summary_zh": _("Everyone sees the summary: keep confidential details out of it."),
            "keywords": _("Separate keywords with commas."),
            "economic_comparison": _(
                "Investment, operating cost and payback compared with the usual solution."
            ),
            "nda_text": _("Leave empty to use the platform's standard NDA."),
        }
        widgets = {
            "summary_zh": forms.Textarea(attrs={"rows": 3}),
            "summary_en": forms.Textarea(attrs={"rows": 3}),
            "description_zh": forms.Textarea(attrs={"rows": 6}),
            "description_en": forms.Textarea(attrs={"rows": 6}),
            "application_scope": forms.Textarea(attrs={"rows": 2}),
            "advantages": forms.Textarea(attrs={"rows": 3}),
            "economic_comparison": forms.Textarea(attrs={"rows": 3}),
            "co2e_method": forms.Textarea(attrs={"rows": 2}),
            "nda_text": forms.Textarea(attrs={"rows": 2}),
        }

    # (anchor, title, fields): the anchors are the places catalog.completeness sends the holder.
    SECTIONS = (
        (
            "section-summary",
            _("Title and summary"),
            (
                "title_zh",
                "title_en",
                "summary_zh",
                "summary_en",
                "original_language",
                "original_title",
                "original_summary",
            ),
        ),
        ("section-classification", _("Classification"), ("category", "keywords", "trl")),
        (
            "section-case",
            _("Technical and economic case"),
            ("application_scope", "advantages", "economic_comparison"),
        ),
        (
            "section-confidential",
            _("Confidential detail"),
            ("description_zh", "description_en", "nda_text"),
        ),
        (
            "section-offer",
            _("Offer"),
            ("transaction_modes", "asking_price", "currency", "license_exclusive"),
        ),
        (
            "section-impact",
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
        original = self.fields["original_language"]
        original.required = False
        original.help_text = _(
            "The language the listing was written in; its text is authoritative. For a language "
            "other than Chinese or English, give the title and summary below."
        )
        if self.instance.pk:
            del self.fields["original_title"], self.fields["original_summary"]

    def sections(self):
        return [
            (anchor, title, [self[name] for name in names if name in self.fields])
            for anchor, title, names in self.SECTIONS
        ]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        if "original_title" in data:
            data["original_text"] = {
                "title": data.pop("original_title"),
                "summary": data.pop("original_summary"),
            }
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


class TechnologyRowForm(ServiceModelForm):
    """One patent, figure or saving row of the listing form. A row whose `ROW_KEY` is empty is
    a blank row (formset_rows skips it), so that field is optional here."""

    ROW_KEY = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.ROW_KEY].required = False
        # A choice (patent kind and status, resource) starts on its first option, not "-----",
        # so a blank row stays unchanged and a half-filled one needs only its key.
        for field in self.fields.values():
            if isinstance(field, forms.TypedChoiceField) and field.choices[0][0] == "":
                field.choices = field.choices[1:]
                field.initial = field.initial or field.choices[0][0]


class PatentForm(TechnologyRowForm):
    ROW_KEY = "number"

    class Meta:
        model = TechnologyPatent
        fields = list(TechnologyPatent.EDITABLE_FIELDS)


class FigureForm(TechnologyRowForm):
    ROW_KEY = "metric"

    class Meta:
        model = TechnologyPerformanceFigure
        fields = list(TechnologyPerformanceFigure.EDITABLE_FIELDS)


class SavingForm(TechnologyRowForm):
    ROW_KEY = "amount"

    class Meta:
        model = TechnologyResourceSaving
        fields = list(TechnologyResourceSaving.EDITABLE_FIELDS)
        labels = {"note": pgettext_lazy("remark", "Note")}


PatentFormSet = formset_factory(PatentForm, extra=2, max_num=30)
FigureFormSet = formset_factory(FigureForm, extra=3, max_num=30)
SavingFormSet = formset_factory(SavingForm, extra=2, max_num=10)


def formset_rows(formset) -> list[dict]:
    """Filled rows of a formset: blank rows (no value in the form's ROW_KEY) are skipped."""
    return [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data and form.cleaned_data.get(form.ROW_KEY) not in (None, "")
    ]


# The fields a reviewer may comment on one by one: the texts and category, TRL, IP and price.
COMMENTABLE_FIELDS = (
    *Technology.EDITABLE_FIELDS[: Technology.EDITABLE_FIELDS.index("category") + 1],
    "trl",
    "patents",
    "asking_price",
)


class ReviewForm(ReviewDecisionForm):
    workflow = TECHNOLOGY_WORKFLOW
    reviewed_status = TechnologyStatus.SUBMITTED
    decision_actions = DECISION_ACTIONS
    decision_choices = ReviewDecision.choices

    comment = forms.CharField(
        label=_("Comment or reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    field = forms.ChoiceField(
        label=_("About the field"),
        required=False,
        choices=lambda: [
            ("", _("The whole listing")),
            *((name, field_label(Technology, name)) for name in COMMENTABLE_FIELDS),
        ],
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


class DuplicateDecisionForm(forms.Form):
    """A reviewer's decision on a pair of look-alike listings: not duplicates, or merge one
    into the other (which one is kept is part of the choice)."""

    DISMISS = "dismiss"
    MERGE = "merge"

    decision = forms.ChoiceField(label=_("Your decision"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, flag, may_merge: bool = True, **kwargs):
        """`may_merge`: offer the merges (not to a reviewer for two holders' listings)."""
        super().__init__(*args, **kwargs)
        self.flag = flag
        first, second = flag.technology, flag.candidate
        merges = [
            (
                f"keep-{kept.pk}",
                _("Keep #%(kept)d “%(kept_title)s” and merge #%(merged)d into it")
                % {"kept": kept.pk, "kept_title": kept.title, "merged": merged.pk},
            )
            for kept, merged in ((second, first), (first, second))
        ]
        self.fields["decision"].choices = [
            *(merges if may_merge else []),
            (self.DISMISS, _("They are not duplicates: keep both")),
        ]

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision") or ""
        if decision.startswith("keep-"):
            cleaned["keep"] = int(decision.removeprefix("keep-"))
            cleaned["decision"] = self.MERGE
        return cleaned


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; each is checked by the service (core.uploads)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


def _trl_level_choices():
    return [
        (level, format_lazy("TRL {level} — {definition}", level=level, definition=definition))
        for level, definition in TRL_DEFINITIONS.items()
    ]


class TrlClaimForm(forms.Form):
    level = forms.TypedChoiceField(
        label=capfirst(_("readiness level")), choices=_trl_level_choices, coerce=int
    )
    application_context = forms.CharField(
        label=capfirst(_("application context")),
        max_length=300,
        help_text=_("The use the level was shown in, for example: municipal wastewater, 500 t/d."),
    )
    assessed_on = forms.DateField(
        label=capfirst(_("assessed on")), widget=forms.DateInput(attrs={"type": "date"})
    )
    files = MultipleFileField(
        label=_(
            "Evidence: test reports, pilot records (PDF, PNG, JPEG or Word, at most 10 MB each)"
        ),
        required=False,
    )


class TrlDecisionForm(forms.Form):
    note = forms.CharField(
        label=capfirst(_("note")),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the level is not confirmed."),
    )
