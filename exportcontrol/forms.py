from django import forms
from django.utils.translation import gettext_lazy as _

from exportcontrol.choices import ClassificationAction, ControlCatalogue
from exportcontrol.selectors import entries_for_declaration


class EntryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, entry) -> str:
        return f"{entry.code} {entry.name} ({entry.get_level_display()})"


def _entry_field(**kwargs) -> EntryChoiceField:
    return EntryChoiceField(
        queryset=entries_for_declaration(),
        required=False,
        empty_label=_("Not listed in the catalogue (free export)"),
        **kwargs,
    )


def _use_catalogue(form: forms.Form, catalogue: str) -> None:
    """Offer the entries of `catalogue` (the import catalogue for a holder abroad)."""
    field = form.fields["entry"]
    field.queryset = entries_for_declaration(catalogue=catalogue)
    if catalogue == ControlCatalogue.IMPORT:
        field.empty_label = _("Not listed in the catalogue (free import)")
        if form.names_the_catalogue:
            field.label = _("Import-control catalogue entry")
            field.help_text = _(
                "The entry of China's catalogue of technologies prohibited or restricted from "
                "import that covers this technology, or “not listed”. A platform reviewer "
                "confirms it."
            )


class DeclareForm(forms.Form):
    """The holder's declaration: the export-catalogue entry, or not listed."""

    entry = _entry_field(
        label=_("Export-control catalogue entry"),
        help_text=_(
            "The entry of China's catalogue of technologies prohibited or restricted from export "
            "that covers this technology, or “not listed”. A platform reviewer confirms it."
        ),
    )
    note = forms.CharField(
        label=_("Note for the reviewer"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    names_the_catalogue = True

    def __init__(self, *args, catalogue: str = ControlCatalogue.EXPORT, **kwargs):
        kwargs.setdefault("auto_id", "declare_%s")
        super().__init__(*args, **kwargs)
        _use_catalogue(self, catalogue)


class ReviewForm(forms.Form):
    """A reviewer confirms the holder's declaration or corrects it (with a reason)."""

    action = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (ClassificationAction.CONFIRM.value, _("Confirm the holder's declaration")),
            (ClassificationAction.CORRECT.value, _("Correct it to the entry below")),
        ],
        widget=forms.RadioSelect,
        initial=ClassificationAction.CONFIRM.value,
    )
    entry = _entry_field(label=_("Correct entry"))
    note = forms.CharField(
        label=_("Reason (required to correct)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    names_the_catalogue = False

    def __init__(
        self,
        *args,
        correct_only: bool = False,
        catalogue: str = ControlCatalogue.EXPORT,
        **kwargs,
    ):
        kwargs.setdefault("auto_id", "review_%s")
        super().__init__(*args, **kwargs)
        _use_catalogue(self, catalogue)
        if correct_only:
            # A confirmed classification can only be corrected.
            action = self.fields["action"]
            action.choices = [c for c in action.choices if c[0] == ClassificationAction.CORRECT]
            action.initial = ClassificationAction.CORRECT.value
