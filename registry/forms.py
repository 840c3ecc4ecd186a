from django import forms
from django.utils.translation import gettext_lazy as _

from registry.models import ContractRecord


class ContractRecordForm(forms.ModelForm):
    """What the seller completes before submitting (the same fields as the API's PATCH)."""

    class Meta:
        model = ContractRecord
        fields = list(ContractRecord.EDITABLE_FIELDS)
        widgets = {
            "signed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["technology_income"].required = True


class RecordTransitionForm(forms.Form):
    action = forms.CharField(max_length=40)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)
    registration_number = forms.CharField(
        label=_("Registration number"), required=False, max_length=40
    )
