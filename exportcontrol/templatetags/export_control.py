"""The export-control panel and warning that technology pages include (catalog sits below this
app, so its templates load these tags rather than its views importing it)."""

from django import template

from exportcontrol import selectors, services
from exportcontrol.choices import ClassificationAction, ControlCatalogue
from exportcontrol.forms import DeclareForm, ReviewForm

register = template.Library()


@register.inclusion_tag("exportcontrol/includes/technology_panel.html", takes_context=True)
def export_control_panel(context, technology):
    """Classification, screening, the holder's and reviewer's forms, and the history; only for
    the holder's members and reviewers (empty for anyone else)."""
    user = context["request"].user
    if not selectors.classification_visible_to(user=user, technology=technology):
        return {"visible": False}
    classification = selectors.classification_of(technology=technology)
    actions = services.classification_allowed_actions(technology=technology, user=user)
    declared = classification.declared_entry if classification else None
    catalogue = selectors.technology_control_catalogue(technology=technology)
    return {
        "visible": True,
        "technology": technology,
        "classification": classification,
        "screening": selectors.technology_screening(technology=technology),
        "warning": selectors.listing_export_warning(technology=technology),
        "imported": catalogue == ControlCatalogue.IMPORT,
        "declare_form": DeclareForm(initial={"entry": declared}, catalogue=catalogue)
        if ClassificationAction.DECLARE in actions
        else None,
        "review_form": ReviewForm(
            initial={"entry": declared},
            correct_only=ClassificationAction.CONFIRM not in actions,
            catalogue=catalogue,
        )
        if ClassificationAction.CONFIRM in actions or ClassificationAction.CORRECT in actions
        else None,
        "may_confirm": ClassificationAction.CONFIRM in actions,
        "history": list(selectors.classification_history(classification=classification))
        if classification
        else [],
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("exportcontrol/includes/listing_warning.html", takes_context=True)
def export_control_warning(context, technology):
    """The warning for a listing offered abroad that export control may stop (holder only)."""
    user = context["request"].user
    if technology is None or not getattr(technology, "pk", None):
        return {"warning": None}
    if not selectors.classification_visible_to(user=user, technology=technology):
        return {"warning": None}
    return {
        "warning": selectors.listing_export_warning(technology=technology),
        "technology": technology,
    }
