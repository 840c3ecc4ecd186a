"""The deal room: messages and documents between the parties."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.uploads import OFFICE_DOCUMENTS, upload_content_type
from core.workflow import TransitionNotAllowed
from exchange.choices import DealAction
from exchange.models import (
    Deal,
    DealDocument,
    DealMessage,
)
from exchange.services.deal_workflow import (
    deal_actor_roles,
)
from exchange.services.deals import (
    _deal_event,
    _deal_notify,
    deal_label,
)
from exchange.services.export_screening import licence_document_upload_allowed
from exchange.timeline_notes import NOTE_KEY, note_spec, note_text
from notifications.messages import Message


@transaction.atomic
def deal_message_post(
    *, deal: Deal, user, body: str = "", upload=None, kind: str = "other"
) -> DealMessage:
    """Post a message, optionally with a document, to the deal room (participants only)."""
    if not deal_actor_roles(deal=deal, user=user):
        raise TransitionNotAllowed(_("Only the parties, the broker and reviewers may write here."))
    if upload is not None:
        licence_document_upload_allowed(deal=deal, user=user, kind=kind)
    body = (body or "").strip()
    if not body and upload is None:
        raise ValidationError({"body": _("Write a message or attach a document.")})
    message = DealMessage(deal=deal, author=user, body=body)
    message.full_clean()
    message.save()
    if upload is not None:
        try:
            content_type = upload_content_type(upload, allowed=OFFICE_DOCUMENTS)
        except ValidationError as error:
            raise ValidationError({"file": error.messages}) from error
        document = DealDocument(
            deal=deal,
            message=message,
            kind=kind,
            name=upload.name[:200],
            content_type=content_type,
            size=upload.size,
            uploaded_by=user,
        )
        document.full_clean(exclude=["file"])
        document.file.save(upload.name, upload, save=False)
        document.save()
        spec = note_spec("document_attached", document={"kind": kind}, name=document.name)
        _deal_event(
            deal,
            user=user,
            action=DealAction.DOCUMENT,
            from_status=deal.stage,
            to_status=deal.stage,
            note=note_text(spec),
            changes={NOTE_KEY: spec},
        )
    _deal_notify(
        deal=deal,
        actor=user,
        title=Message(gettext_lazy("New message in %(deal)s"), deal=deal_label(deal)),
        body=body[:300],
    )
    return message
