from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.choices import OrganizationType
from accounts.models import Organization
from accounts.permissions import member_organization_ids, member_organizations_subquery
from catalog.models import Category
from core.forms import ReviewDecisionForm
from core.regions import region_choices
from exchange.choices import (
    DocumentKind,
    LicenceCheckDecision,
    NeedStatus,
    RatingSubject,
    ReviewDecision,
    TransactionMode,
)
from exchange.models import Deal, DealMilestone, Introduction, Need, Proposal
from exchange.services.needs import NEED_WORKFLOW

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NeedForm(forms.ModelForm):
    organization = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organization.objects.none(), required=True
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.all(),
        required=False,
        help_text=_("Optional: leave it empty if you are not sure."),
    )
    region = forms.ChoiceField(label=_("Region"), choices=region_choices)
    transaction_modes = forms.MultipleChoiceField(
        label=_("Wanted transaction modes"),
        choices=TransactionMode.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    # A need written in a language other than Chinese or English: its original text (new needs;
    # later versions are edited on the translations page).
    original_title = forms.CharField(
        label=_("Title in the original language"), required=False, max_length=200
    )
    original_description = forms.CharField(
        label=_("Description in the original language"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    class Meta:
        model = Need
        fields = ["organization", *Need.EDITABLE_FIELDS]
        widgets = {
            "description_zh": forms.Textarea(attrs={"rows": 5}),
            "description_en": forms.Textarea(attrs={"rows": 5}),
            "context": forms.Textarea(attrs={"rows": 3}),
            "deadline": DATE_INPUT,
            "call_closes_on": DATE_INPUT,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        organization_ids = member_organization_ids(user=user)
        self.fields["organization"].queryset = Organization.objects.filter(pk__in=organization_ids)
        self.fields["original_language"].required = False
        self.fields["original_language"].help_text = _(
            "The language the need was written in; its text is authoritative. For a language "
            "other than Chinese or English, give the title and description in it below."
        )
        if self.instance.pk:
            del self.fields["organization"]
            del self.fields["original_title"], self.fields["original_description"]
        elif organization_ids:
            # The organisation the user acts for first (accounts.permissions.primary_organization);
            # a new need is placed in that organisation's region unless the user picks another.
            organization = self.fields["organization"].queryset.get(pk=organization_ids[0])
            self.fields["organization"].initial = organization.pk
            self.fields["region"].initial = organization.region
        self.fields["category"].label_from_instance = lambda category: (
            f"{category.code} {category.name}"
        )

    def service_fields(self) -> dict:
        """The cleaned data as the services take it (the original text apart)."""
        fields = dict(self.cleaned_data)
        if "original_title" in fields:
            fields["original_text"] = {
                "title": fields.pop("original_title"),
                "description": fields.pop("original_description"),
            }
        return fields

    def clean_deadline(self):
        from exchange.services import validate_future_deadline

        deadline = self.cleaned_data.get("deadline")
        try:
            validate_future_deadline(deadline)
        except forms.ValidationError as error:
            raise forms.ValidationError(error.message_dict["deadline"]) from error
        return deadline


class ReviewForm(ReviewDecisionForm):
    workflow = NEED_WORKFLOW
    reviewed_status = NeedStatus.SUBMITTED
    # The need workflow's review actions are named as the decisions are.
    decision_actions = {decision: decision for decision in ReviewDecision.values}
    decision_choices = ReviewDecision.choices

    comment = forms.CharField(
        label=_("Comment (required to return or reject)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DemandListForm(forms.Form):
    title_zh = forms.CharField(label=_("Title (Chinese)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    period_start = forms.DateField(label=_("Period from"), widget=DATE_INPUT)
    period_end = forms.DateField(label=_("Period to"), widget=DATE_INPUT)
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=lambda: [("", "—"), *region_choices()]
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False
    )


class DealTermsForm(forms.ModelForm):
    class Meta:
        model = Deal
        fields = list(Deal.EDITABLE_FIELDS)
        widgets = {"payment_terms": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, with_commission: bool = False, **kwargs):
        # The deal room shows several forms: distinct ids keep each error link on its own field.
        kwargs.setdefault("auto_id", "terms_%s")
        super().__init__(*args, **kwargs)
        if not with_commission:
            del self.fields["commission_rate"]
            del self.fields["commission_amount"]


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = DealMilestone
        fields = ["kind", "title", "amount", "due_date"]
        widgets = {"due_date": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "milestone_%s")
        super().__init__(*args, **kwargs)


class DealMessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    file = forms.FileField(label=_("Document (PDF or image, up to 10 MB)"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind of document"), choices=DocumentKind.choices, initial=DocumentKind.OTHER
    )

    def __init__(self, *args, hidden_kinds: frozenset[str] = frozenset(), **kwargs):
        kwargs.setdefault("auto_id", "message_%s")
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        field.choices = [choice for choice in field.choices if choice[0] not in hidden_kinds]


class RatingForm(forms.Form):
    subject = forms.ChoiceField(label=_("Whom you rate"), choices=RatingSubject.choices)
    score = forms.TypedChoiceField(
        label=_("Score"), coerce=int, choices=[(n, f"{n} ★") for n in range(5, 0, -1)]
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "rating_%s")
        super().__init__(*args, **kwargs)


class ProposalForm(forms.ModelForm):
    class Meta:
        model = Proposal
        fields = ["technology", "deal_type", "approach", "price", "currency", "timeline"]
        widgets = {"approach": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        # The need page also carries the review form: distinct ids for the error links.
        kwargs.setdefault("auto_id", "proposal_%s")
        super().__init__(*args, **kwargs)
        from catalog.choices import TechnologyStatus
        from catalog.models import Technology

        self.fields["technology"].queryset = Technology.objects.filter(
            organization_id__in=member_organizations_subquery(user=user),
            status=TechnologyStatus.PUBLISHED,
        )
        self.fields["technology"].label_from_instance = lambda technology: technology.title


class IntroductionForm(forms.ModelForm):
    class Meta:
        model = Introduction
        fields = list(Introduction.PROPOSED_FIELDS)
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from catalog.choices import TechnologyStatus
        from catalog.models import Technology

        self.fields["technology"].queryset = Technology.objects.filter(
            status=TechnologyStatus.PUBLISHED
        )
        self.fields["technology"].label_from_instance = lambda technology: technology.title
        self.fields["need"].queryset = Need.objects.filter(status=NeedStatus.PUBLISHED)
        self.fields["need"].label_from_instance = lambda need: need.title
        self.fields["enterprise"].required = False
        # The list names verified organisations only; a private one is as unknown as no one.
        self.fields["enterprise"].queryset = Organization.objects.verified()
        # A broker says why the two fit and on what commission, before both sides are asked.
        self.fields["note"].required = True
        # Co-brokering between two verified transfer centres (checked by the service).
        centres = Organization.objects.verified().filter(kind=OrganizationType.TRANSFER_CENTRE)
        self.fields["lead_centre"].queryset = centres
        self.fields["partner_centre"].queryset = centres

    def _post_clean(self):
        # The service checks the introduction as a whole (the co-brokering split included).
        pass

    def clean(self):
        cleaned = super().clean()
        rate, amount = cleaned.get("commission_rate"), cleaned.get("commission_amount")
        if rate is None and amount is None and not self.has_error("commission_rate"):
            self.add_error(
                "commission_rate", _("Give the commission: a rate or an amount (0 for none).")
            )
        return cleaned


class LicenceCheckForm(forms.Form):
    """A reviewer's check of one licence document (the licence-intent letter or the licence)."""

    decision = forms.ChoiceField(
        label=_("Decision"), choices=LicenceCheckDecision.choices, widget=forms.RadioSelect
    )
    number = forms.CharField(label=_("Document number"), max_length=60, required=False)
    issued_on = forms.DateField(label=_("Issued on"), required=False, widget=DATE_INPUT)
    expires_on = forms.DateField(label=_("Valid until"), required=False, widget=DATE_INPUT)
    note = forms.CharField(
        label=_("Note (required to refuse)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )

    def __init__(self, *args, document_id: int, **kwargs):
        kwargs.setdefault("auto_id", f"licence{document_id}_%s")
        super().__init__(*args, **kwargs)
        self.document_id = document_id


class ContractRegistrationForm(forms.Form):
    number = forms.CharField(
        label=_("Technology import/export contract registration number"), max_length=40
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "registration_%s")
        super().__init__(*args, **kwargs)
