from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class ServiceModelForm(forms.ModelForm):
    """A form whose fields are the model's (lengths, choices, required) for a service that
    validates and writes the object as a whole, rows and rules included: the form builds no
    instance of its own, and the service's ValidationError comes back through
    apply_validation_error()."""

    def _post_clean(self):
        pass


def apply_validation_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            if field == NON_FIELD_ERRORS:
                target = None
            for item in errors:
                form.add_error(target, item)
    else:
        form.add_error(None, error)


def error_text(error: Exception) -> str:
    """A refusal (validation error or workflow conflict) as one line for a flash message."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)
