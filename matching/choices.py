"""Codes of the matching app (public contract: API and stored rows)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RunStatus(models.TextChoices):
    """queued -> running -> completed | failed; a retried run goes back to running."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")


class RunSubject(models.TextChoices):
    NEED = "need", _("Need")
    TECHNOLOGY = "technology", _("Technology")


class RunTrigger(models.TextChoices):
    PUBLISHED = "published", _("Published or changed")
    STALE = "stale", _("Nightly re-match")
    MANUAL = "manual", _("Re-matched by hand")
    EVALUATION = "evaluation", pgettext_lazy("matching run", "Evaluation")
