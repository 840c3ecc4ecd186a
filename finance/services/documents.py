"""Documents supporting a financing application."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.uploads import OFFICE_DOCUMENTS, upload_content_type
from core.workflow import TransitionNotAllowed
from finance import selectors
from finance.choices import ApplicationAction
from finance.models import ApplicationDocument, FinancingApplication
from finance.services.applications import DOCUMENT_STATUSES, record_application_event


@transaction.atomic
def application_document_add(
    *, application: FinancingApplication, user: User, title: str, uploaded
) -> ApplicationDocument:
    """Attach a file, checked by its content (not its name) and size."""
    if selectors.APPLICANT_ROLE not in selectors.application_actor_roles(
        application=application, user=user
    ):
        raise ValidationError(_("Only the applicant may add documents."))
    if application.status not in DOCUMENT_STATUSES:
        raise TransitionNotAllowed(_("Documents cannot be added once a decision is made."))
    errors: dict[str, str] = {}
    if not (title or "").strip():
        errors["title"] = _("Say which document this is.")
    if uploaded is None:
        errors["file"] = _("Choose a file.")
    else:
        try:
            content_type = upload_content_type(uploaded, allowed=OFFICE_DOCUMENTS)
        except ValidationError as error:
            errors["file"] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    document = ApplicationDocument(
        application=application,
        title=title.strip()[:100],
        file=uploaded,
        original_name=uploaded.name[:255],
        content_type=content_type,
        size=uploaded.size,
        uploaded_by=user,
    )
    document.save()
    record_application_event(
        application,
        actor=user,
        action=ApplicationAction.DOCUMENT_ADDED,
        source=application.status,
        target=application.status,
        note=document.title,
    )
    return document
