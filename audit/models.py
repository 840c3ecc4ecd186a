from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.choices import AuditKind


class AuditEvent(models.Model):
    """One security-relevant event: who did what to which object, when and from where.

    Rows are append-only (the admin shows them read-only). The actor's email is copied so a row
    keeps its meaning after the account is deleted, and failed sign-ins have no user at all.
    """

    occurred_at = models.DateTimeField(_("occurred at"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=40, choices=AuditKind.choices, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_email = models.CharField(_("actor email"), max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    target_type = models.CharField(_("object type"), max_length=100, blank=True)
    target_id = models.CharField(_("object id"), max_length=64, blank=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.kind} {self.actor_email}"
