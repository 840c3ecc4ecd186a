from django import forms
from django.utils.translation import gettext_lazy as _

from centres import selectors
from centres.choices import WorkingLanguage
from centres.countries import country_choices


class ReferralForm(forms.Form):
    """Refer the listing named in the address to a partner centre (checked by the service)."""

    to_centre = forms.ModelChoiceField(label=_("Partner centre"), queryset=None)
    message = forms.CharField(
        label=_("Message to the partner centre"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Why this listing suits their country; the listing's confidential detail is never sent."
        ),
    )

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_centre"].queryset = selectors.partner_centres(centre=centre)
        self.fields["to_centre"].label_from_instance = lambda organization: (
            f"{organization.display_name} · {organization.region_label}"
        )


class CentreProfileForm(forms.Form):
    countries = forms.MultipleChoiceField(
        label=_("Countries covered"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Working languages"),
        required=False,
        choices=WorkingLanguage.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["countries"].choices = country_choices()


class ReferralActionForm(forms.Form):
    action = forms.CharField(max_length=20)
    note = forms.CharField(required=False, max_length=4000)
