from django import forms
from django.utils.translation import gettext_lazy as _

from matching import conf


class ProblemSearchForm(forms.Form):
    text = forms.CharField(
        label=_("Describe your problem"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "In Chinese or English: the process, quantities, constraints and what you expect."
        ),
        # The service gives the precise message; the field only stops absurd posts.
        max_length=conf.SEARCH_TEXT_MAX_LENGTH * 3,
    )
    limit = forms.IntegerField(
        label=_("Results"), min_value=1, max_value=50, initial=10, required=False
    )
