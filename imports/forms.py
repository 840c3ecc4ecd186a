from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from imports.choices import ImportKind
from imports.models import ImportSource


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportKind.choices)
    source = forms.ModelChoiceField(
        label=_("Source"),
        queryset=ImportSource.objects.none(),
        required=False,
        empty_label=_("A new source"),
        help_text=_("Rows are recognised again in the next file of the same source."),
    )
    new_source_name = forms.CharField(
        label=_("Name of the new source"), max_length=120, required=False
    )
    file = forms.FileField(
        label=pgettext_lazy("upload", "File"),
        help_text=_("CSV (UTF-8 or GBK), Excel (.xlsx) or JSON export."),
    )

    def __init__(self, *args, sources=None, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = (
            sources if sources is not None else ImportSource.objects.none()
        )
        self.fields["source"].label_from_instance = lambda source: (
            f"{source.name} · {source.get_kind_display()}"
        )
        self.fields["kind"].choices = [
            (kind, label) for kind, label in ImportKind.choices if kind in kinds
        ]

    def clean(self):
        data = super().clean()
        source, name = data.get("source"), (data.get("new_source_name") or "").strip()
        if source is None and not name:
            self.add_error("new_source_name", _("Choose a source or name a new one."))
        if source is not None and data.get("kind") and source.kind != data["kind"]:
            self.add_error("source", _("This source holds another kind of records."))
        return data
