"""Shared form components: the error summary at the top of a form and the required-field legend.

`{% error_summary form formset ... %}` lists every error of the form (and of the formsets' rows)
as a link to its field, GOV.UK style; each field keeps its own message beside it (crispy).
`{% required_legend form %}` explains the asterisk crispy puts on required labels, once per form.
"""

from django import template
from django.forms import BaseForm, BaseFormSet
from django.utils.translation import gettext as _

register = template.Library()


def field_anchor(bound_field) -> str:
    """The id a summary link jumps to: the input itself, or the first input of a group (Django
    gives radio, checkbox and multi-part widgets no label target; their inputs end in _0)."""
    if bound_field.id_for_label:
        return bound_field.id_for_label
    return f"{bound_field.auto_id}_0" if bound_field.auto_id else ""


def _form_entries(form: BaseForm, row_label: str = "") -> list[dict]:
    entries = []
    for error in form.non_field_errors():
        entries.append({"anchor": "", "label": row_label, "message": error})
    for bound_field in form:
        for error in bound_field.errors:
            label = str(bound_field.label or "")
            if row_label:
                label = f"{row_label} · {label}" if label else row_label
            anchor = "" if bound_field.is_hidden else field_anchor(bound_field)
            entries.append({"anchor": anchor, "label": label, "message": error})
    return entries


def error_entries(*forms) -> list[dict]:
    """One entry per error, in the order the fields appear: `anchor` (a field id or blank),
    `label` and `message`."""
    entries: list[dict] = []
    for form in forms:
        if isinstance(form, BaseFormSet):
            if not form.is_bound:
                continue
            for error in form.non_form_errors():
                entries.append({"anchor": "", "label": "", "message": error})
            for number, row in enumerate(form.forms, start=1):
                if row.is_bound and row.errors:
                    entries.extend(_form_entries(row, _("Row %(number)s") % {"number": number}))
        elif isinstance(form, BaseForm) and form.is_bound:
            entries.extend(_form_entries(form))
    return entries


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*forms) -> dict:
    return {"entries": error_entries(*forms)}


def has_required_field(*forms) -> bool:
    for form in forms:
        rows = form.forms if isinstance(form, BaseFormSet) else [form]
        for row in rows:
            if isinstance(row, BaseForm) and any(
                bound_field.field.required and not bound_field.is_hidden for bound_field in row
            ):
                return True
    return False


@register.inclusion_tag("includes/required_legend.html")
def required_legend(*forms) -> dict:
    return {"shown": has_required_field(*forms)}
