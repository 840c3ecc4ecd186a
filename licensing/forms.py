from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ServiceModelForm
from licensing import selectors
from licensing.models import OpenLicenceOffer

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OfferForm(ServiceModelForm):
    """The terms of an open licence; the bounds are checked by licensing.services."""

    patent = forms.ModelChoiceField(label=_("Patent"), queryset=None)

    class Meta:
        model = OpenLicenceOffer
        fields = ["patent", *OpenLicenceOffer.EDITABLE_FIELDS, "evaluation_report"]
        widgets = {"term_end": DATE_INPUT}

    def __init__(self, *args, technology, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["patent"].queryset = selectors.offerable_patents(technology=technology)
        self.fields["patent"].label_from_instance = lambda patent: (
            f"{patent.number} · {patent.get_kind_display()}"
            + (f" · {patent.title}" if patent.title else "")
        )
        if editing:
            del self.fields["patent"]
        self.fields["evaluation_report"].widget = forms.ClearableFileInput(attrs={"accept": ".pdf"})
        self.fields["evaluation_report"].widget.clear_checkbox_label = ""
        for name in ("fixed_fee", "royalty_rate"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "step": "0.01"})
