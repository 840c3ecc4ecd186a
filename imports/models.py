from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TransitionEvent
from imports.choices import FileKind, ImportKind, RowOutcome, RunAction, RunStatus


class ImportSource(models.Model):
    """A platform or export that an organisation imports from again and again, with the column
    mapping and value mappings saved for its next file. Rows are recognised across files by
    their source id within one source and kind, so a re-import updates instead of duplicating."""

    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="import_sources",
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("what it holds"), max_length=20, choices=ImportKind.choices)
    # source column -> field name
    column_mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    # field name -> {value found in the file: value stored}
    value_mappings = models.JSONField(_("value mappings"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("import source")
        verbose_name_plural = _("import sources")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "name"], name="import_source_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ImportRun(models.Model):
    """One uploaded file and its import: a database row that a Celery worker processes in
    bounded batches, saving its progress and counts as it goes."""

    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="import_runs",
    )
    source = models.ForeignKey(
        ImportSource, verbose_name=_("source"), on_delete=models.PROTECT, related_name="runs"
    )
    kind = models.CharField(_("what it holds"), max_length=20, choices=ImportKind.choices)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    file_name = models.CharField(_("file name"), max_length=255)
    file_kind = models.CharField(_("file type"), max_length=10, choices=FileKind.choices)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    columns = models.JSONField(default=list, blank=True)
    preview = models.JSONField(default=list, blank=True)
    # column -> the distinct values found in it (bounded), for the value-mapping table
    column_values = models.JSONField(default=dict, blank=True)
    column_mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    value_mappings = models.JSONField(_("value mappings"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=RunStatus.choices, default=RunStatus.MAPPING
    )
    message = models.TextField(_("why it failed"), blank=True)
    # The uploader's language: the reasons of the row results are written in it.
    language = models.CharField(max_length=10, blank=True)
    total = models.PositiveIntegerField(_("rows"), default=0)
    processed = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    failed_count = models.PositiveIntegerField(_("refused"), default=0)
    # A reviewer's import for an organisation they are not a member of: the listings are the
    # organisation's drafts, the run is the reviewer's to start and watch.
    on_behalf = models.BooleanField(
        _("imported by a reviewer on the organisation's behalf"), default=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # When the run last showed life: queued, began, or committed a batch. A queued or running
    # run silent for too long is dispatched again (services.import_runs_redispatch_stuck).
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(processed__lte=models.F("total")),
                name="import_run_processed_within_total",
            )
        ]

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.COMPLETED, RunStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.status == RunStatus.COMPLETED:
            return 100
        return int(100 * self.processed / self.total) if self.total else 0


class ImportRunEvent(TransitionEvent):
    """One step of an import run (uploaded, started, processing, completed, failed)."""

    status_choices = RunStatus
    action_labels = dict(RunAction.choices)

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("import run event")
        verbose_name_plural = _("import run events")


class ImportRowResult(models.Model):
    """What became of one row of an import run, and why when it was refused or skipped."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField(_("row"))
    source_id = models.CharField(_("source id"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=RowOutcome.choices)
    reason = models.TextField(_("reason"), blank=True)
    technology = models.ForeignKey(
        "catalog.Technology", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    need = models.ForeignKey(
        "exchange.Need", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("import row result")
        verbose_name_plural = _("import row results")
        ordering = ["run", "row_number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "row_number"], name="import_row_once_per_run")
        ]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.row_number} {self.outcome}"


class ImportedRecord(models.Model):
    """The listing or need a source's row became: its stable source id and the hash of the
    content last imported (an unchanged row is skipped, a changed one updates the object)."""

    source = models.ForeignKey(ImportSource, on_delete=models.CASCADE, related_name="records")
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    external_id = models.CharField(max_length=200)
    content_hash = models.CharField(max_length=64)
    technology = models.ForeignKey(
        "catalog.Technology", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    need = models.ForeignKey(
        "exchange.Need", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    last_run = models.ForeignKey(ImportRun, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("imported record")
        verbose_name_plural = _("imported records")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "external_id"], name="imported_record_unique_source_id"
            )
        ]

    def __str__(self) -> str:
        return self.external_id
