from django import forms
from django.utils.translation import gettext_lazy as _

from exportcontrol.choices import ClassificationAction
from exportcontrol.selectors import export_entries_for_declaration


class EntryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, entry) -> str:
        return f"{entry.code} {entry.name} ({entry.get_level_display()})"


def _entry_field(**kwargs) -> EntryChoiceField:
    return EntryChoiceField(
        queryset=export_entries_for_declaration(),
        required=False,
        empty_label=_("Not listed in the catalogue (free export)"),
        **kwargs,
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

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "declare_%s")
        super().__init__(*args, **kwargs)


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

    def __init__(self, *args, correct_only: bool = False, **kwargs):
        kwargs.setdefault("auto_id", "review_%s")
        super().__init__(*args, **kwargs)
        if correct_only:
            # A confirmed classification can only be corrected.
            action = self.fields["action"]
            action.choices = [c for c in action.choices if c[0] == ClassificationAction.CORRECT]
            action.initial = ClassificationAction.CORRECT.value
