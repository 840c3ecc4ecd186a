from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from core.regions import region_choices
from facilities.choices import PeriodKind
from facilities.models import Facility

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _datetime_field(label):
    return forms.DateTimeField(
        label=label, widget=DATETIME_INPUT, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )


class FacilityForm(forms.ModelForm):
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=Organization.objects.none())
    region = forms.ChoiceField(label=_("Region"), choices=region_choices)
    price = forms.DecimalField(
        label=_("Price"), max_digits=18, decimal_places=2, min_value=Decimal("0.01")
    )

    class Meta:
        model = Facility
        fields = ["provider", *Facility.EDITABLE_FIELDS]
        widgets = {
            "description_zh": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
            "capabilities": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["provider"]
        else:
            self.fields["provider"].queryset = providers
            if providers.count() == 1:
                self.fields["provider"].initial = providers.first().pk

    def clean(self):
        data = super().clean()
        if not (data.get("title_zh") or "").strip() and not (data.get("title_en") or "").strip():
            self.add_error("title_zh", _("Give the facility a name in Chinese or English."))
        return data

    def service_inputs(self) -> dict:
        return {name: self.cleaned_data[name] for name in Facility.EDITABLE_FIELDS}

    def _post_clean(self):
        # The service validates the model (with its provider); the form checks fields only.
        pass


class PeriodForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PeriodKind.choices)
    starts_at = _datetime_field(_("From"))
    ends_at = _datetime_field(_("Until"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class BookingForm(forms.Form):
    booker = forms.ModelChoiceField(label=_("Book for"), queryset=Organization.objects.none())
    starts_at = _datetime_field(_("From"))
    ends_at = _datetime_field(_("Until"))
    samples = forms.IntegerField(label=_("Samples"), min_value=1, max_value=100000, required=False)
    purpose = forms.CharField(
        label=_("Purpose"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you want to make, test or measure."),
    )

    def __init__(self, *args, bookers, per_sample: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["booker"].queryset = bookers
        if bookers.count() == 1:
            self.fields["booker"].initial = bookers.first().pk
        if per_sample:
            self.fields["samples"].required = True
        else:
            del self.fields["samples"]


class BookingTransitionForm(forms.Form):
    action = forms.CharField(max_length=40)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class PayForm(forms.Form):
    voucher = forms.ChoiceField(label=_("Innovation voucher"), required=False)
    voucher_amount = forms.DecimalField(
        label=_("Amount paid with the voucher"),
        required=False,
        max_digits=18,
        decimal_places=2,
        min_value=Decimal("0.01"),
    )

    def __init__(self, *args, vouchers, **kwargs):
        super().__init__(*args, **kwargs)
        self.vouchers = {str(voucher.pk): voucher for voucher in vouchers}
        self.fields["voucher"].choices = [("", _("No voucher: I pay the provider directly"))] + [
            (str(voucher.pk), f"{voucher.programme.name} · {voucher.balance} {voucher.currency}")
            for voucher in vouchers
        ]

    def clean(self):
        data = super().clean()
        data["voucher"] = self.vouchers.get(data.get("voucher") or "")
        if data["voucher"] is not None and data.get("voucher_amount") is None:
            self.add_error("voucher_amount", _("Give the amount the voucher pays."))
        return data
