"""The site's form renderer: Django's templates, with one accessibility rule for every form.

A required field tells assistive technology so. Django writes `required` on most inputs, but
not on a select whose first option is a real choice (a province list, a currency) nor on a file
input that already holds a file; those get `aria-required="true"`. Checkbox and radio inputs
are left alone: ARIA does not allow the attribute on them.
"""

from django.forms import BoundField
from django.forms.renderers import DjangoTemplates
from django.forms.widgets import ChoiceWidget, Select


class SiteBoundField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if (
            self.field.required
            and not self.field.disabled
            and not widget.is_hidden
            and "required" not in attrs
            and (isinstance(widget, Select) or not isinstance(widget, ChoiceWidget))
            and getattr(widget, "input_type", None) not in ("checkbox", "radio")
        ):
            attrs["aria-required"] = "true"
        return attrs


class SiteFormRenderer(DjangoTemplates):
    bound_field_class = SiteBoundField
