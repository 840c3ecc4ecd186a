from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Organization
from imports.choices import ImportKind
from imports.models import ImportSource


class UploadForm(forms.Form):
    owner_organisation = forms.ModelChoiceField(
        label=_("Import for"),
        queryset=Organization.objects.none(),
        help_text=_(
            "As a reviewer you import on behalf of a verified organisation: the records become "
            "its drafts."
        ),
    )
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

    def __init__(self, *args, sources=None, kinds=(), owners=None, own_organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = (
            sources if sources is not None else ImportSource.objects.none()
        )
        if owners is not None:
            # Only reviewers are offered other organisations (services.import_owner_choices).
            self.fields["owner_organisation"].queryset = owners
            self.fields["owner_organisation"].initial = own_organization
            self.fields["source"].label_from_instance = lambda source: (
                f"{source.organization} · {source.name} · {source.get_kind_display()}"
            )
        else:
            del self.fields["owner_organisation"]
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
        owner = data.get("owner_organisation")
        if source is not None and owner is not None and source.organization_id != owner.pk:
            self.add_error("source", _("This source belongs to another organisation."))
        return data
