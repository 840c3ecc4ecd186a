from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.workflow import StateMachine


class ServiceModelForm(forms.ModelForm):
    """A form whose fields are the model's (lengths, choices, required) for a service that
    validates and writes the object as a whole, rows and rules included: the form builds no
    instance of its own, and the service's ValidationError comes back through
    apply_validation_error()."""

    def _post_clean(self):
        pass


class ReviewDecisionForm(forms.Form):
    """A reviewer's decision on something waiting for review. The decision starts empty and must
    be chosen (one click never publishes), and a decision whose transition in the workflow
    `requires_note` needs a comment, as the service will. Subclasses name the `workflow`, the
    `reviewed_status` the decision applies to and the `decision_actions` (decision -> action)."""

    workflow: StateMachine
    reviewed_status: str
    decision_actions: dict[str, str] = {}
    decision_choices: list[tuple[str, str]] = []
    comment_field = "comment"

    decision = forms.ChoiceField(label=pgettext_lazy("review", "Decision"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [("", _("— choose a decision —")), *self.decision_choices]

    def decisions_requiring_comment(self) -> set[str]:
        transitions = self.workflow.actions_from(self.reviewed_status)
        return {
            decision
            for decision, action in self.decision_actions.items()
            if action in transitions and transitions[action].requires_note
        }

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if (
            decision in self.decisions_requiring_comment()
            and not (cleaned.get(self.comment_field) or "").strip()
        ):
            self.add_error(
                self.comment_field, _("Say why: a comment is required for this decision.")
            )
        return cleaned


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


class ValidUntilForm(forms.Form):
    """The owner's confirmation that a listing or need is current, until a chosen date (the
    bounds are checked by core.freshness.validate_valid_until, in the service)."""

    valid_until = forms.DateField(
        label=_("Current until"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("At most three years ahead."),
    )
