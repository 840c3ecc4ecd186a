"""Abstract models every app shares. `core` knows no app: these carry columns and behaviour only."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def actor_foreign_key() -> models.ForeignKey:
    """Who did it: kept as no one when the account is deleted, never followed back."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class TransitionEvent(models.Model):
    """One step of a workflow: who, when, which action, from which status to which, and why.

    Every workflow's event table subclasses this and adds the foreign key to its subject (and
    any columns of its own, such as the changed fields). A subclass names its status choices
    (`status_choices`, a TextChoices class) and its action labels (`action_labels`, action ->
    translated verb) so that pages show `from_status_label` / `to_status_label` /
    `action_label`, never the codes, which stay in the API.
    """

    status_choices: type[models.TextChoices] | None = None
    action_labels: Mapping[str, str] = {}

    actor = actor_foreign_key()
    action = models.CharField(_("action"), max_length=40)
    from_status = models.CharField(_("from"), max_length=30, blank=True)
    to_status = models.CharField(_("to"), max_length=30, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.action_label} ({self.created_at:%Y-%m-%d %H:%M})"

    @classmethod
    def status_label_of(cls, status: str) -> str:
        if not status:
            return ""
        if cls.status_choices is not None:
            for value, label in cls.status_choices.choices:
                if value == status:
                    return str(label)
        return status

    @property
    def action_label(self) -> str:
        label = self.action_labels.get(self.action)
        if label:
            return str(label)
        # An action that only moves the status reads as the status it reached.
        return self.status_label_of(self.to_status) or self.action.replace("_", " ")

    @property
    def from_status_label(self) -> str:
        return self.status_label_of(self.from_status)

    @property
    def to_status_label(self) -> str:
        return self.status_label_of(self.to_status)


def last_changed_by_field() -> models.ForeignKey:
    """Who last changed a settings row an administrator edits (kept when the account goes)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


def decided_by_field() -> models.ForeignKey:
    """Who decided a reviewed request (kept when the account goes): the same column on every
    model whose rows a reviewer decides."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
