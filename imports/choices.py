from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ImportKind(models.TextChoices):
    TECHNOLOGIES = "technologies", _("Technologies")
    NEEDS = "needs", _("Technology needs")


class RunStatus(models.TextChoices):
    MAPPING = "mapping", _("Awaiting column mapping")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")


class RunAction(models.TextChoices):
    UPLOAD = "upload", _("uploaded")
    START = "start", _("started")
    BEGIN = "begin", _("processing began")
    COMPLETE = "complete", _("completed")
    FAIL = "fail", _("failed")


class RowOutcome(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", pgettext_lazy("import outcome", "Updated")
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Refused")


class FileKind(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (.xlsx)"
    JSON = "json", "JSON"
