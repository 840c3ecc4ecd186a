from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from notifications.messages import render


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app message to one user; emailed immediately, in a daily digest, or not at all.

    `title_message` and `body_message` hold the message (notifications.messages) rendered in the
    reader's language wherever it is shown (`shown_title`, `shown_body`); `title` and `body` are
    its text in the language active when it was sent, kept for the rows written before messages
    were stored and for searching the table."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("message"), blank=True)
    title_message = models.JSONField(_("title (message and parameters)"), null=True, blank=True)
    body_message = models.JSONField(_("message (message and parameters)"), null=True, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.shown_title

    @property
    def shown_title(self) -> str:
        """The title in the active language (the reader's)."""
        if self.title_message is None:
            return self.title
        return render(self.title_message)[:300]

    @property
    def shown_body(self) -> str:
        """The message in the active language (the reader's)."""
        if self.body_message is None:
            return self.body
        return render(self.body_message)
