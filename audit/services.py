"""Writing the security audit log. Called by the review services and by the log-in receivers."""

import logging

from django.db import models

from audit.choices import AuditKind
from audit.models import AuditEvent

logger = logging.getLogger("audit")


def client_ip(request) -> str | None:
    """The peer address of the request (the proxy's X-Forwarded-For is not trusted here)."""
    if request is None:
        return None
    request = getattr(request, "_request", request)  # a DRF Request wraps the HttpRequest
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    kind: AuditKind | str,
    actor=None,
    email: str = "",
    request=None,
    target: models.Model | None = None,
    summary: str = "",
    data: dict | None = None,
) -> AuditEvent:
    """Append one event to the audit log (inside the caller's transaction, if any)."""
    if actor is not None and not getattr(actor, "pk", None):
        actor = None
    event = AuditEvent.objects.create(
        kind=kind,
        actor=actor,
        actor_email=(email or getattr(actor, "email", "") or "")[:254],
        ip_address=client_ip(request),
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        summary=summary[:300],
        data=data or {},
    )
    logger.debug(
        "audit %s actor=%s target=%s:%s",
        kind,
        event.actor_email or "-",
        event.target_type or "-",
        event.target_id or "-",
    )
    return event
