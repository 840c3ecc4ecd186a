"""Writes of imports: upload a file (checked and analysed, nothing half-stored), start a run with
a column mapping, and process it row by row in bounded batches.

Each row is saved in its own savepoint through catalog's or exchange's create/update service, so
one bad row is refused with its reason and never stops the run or leaves half a listing behind.
A batch's listings, its row results and the run's progress commit together: a worker that dies
mid-batch leaves nothing of that batch, and the next delivery resumes after the last committed
row (the task is idempotent). A row is recognised across files by its source id within the
source and kind: a re-import updates the object it made, or skips the row when nothing changed.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import DatabaseError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import Organization
from accounts.permissions import is_member, is_reviewer, member_organization_ids
from catalog.duplicates import technology_import_duplicates
from catalog.models import Technology
from catalog.services import technology_create, technology_update
from core import tabular
from core.dispatch import delay_on_commit
from core.workflow import StateMachine, Transition, TransitionNotAllowed, compare_and_set_status
from exchange.models import Need
from exchange.services.needs import need_create, need_update
from imports import cleaning
from imports.choices import FileKind, ImportKind, RowOutcome, RunAction, RunStatus
from imports.fields import RowReader, mapping_errors, suggest_mapping, targets
from imports.models import (
    ImportedRecord,
    ImportRowResult,
    ImportRun,
    ImportRunEvent,
    ImportSource,
)

logger = logging.getLogger(__name__)

PROCESS_RUN_TASK = "imports.tasks.process_import_run"
BATCH_SIZE = 100
PREVIEW_ROWS = 5
MAX_DISTINCT_VALUES = 40
MAX_VALUE_LENGTH = 120
MEMBER, SYSTEM = "member", "system"
# Errors a retry of the task can fix (the database went away for a moment).
RECOVERABLE_ERRORS = (DatabaseError,)

RUN_WORKFLOW = StateMachine(
    {
        (RunStatus.MAPPING, RunAction.START): Transition(RunStatus.QUEUED, frozenset({MEMBER})),
        (RunStatus.QUEUED, RunAction.BEGIN): Transition(RunStatus.RUNNING, frozenset({SYSTEM})),
        (RunStatus.RUNNING, RunAction.COMPLETE): Transition(
            RunStatus.COMPLETED, frozenset({SYSTEM})
        ),
        (RunStatus.QUEUED, RunAction.FAIL): Transition(RunStatus.FAILED, frozenset({SYSTEM})),
        (RunStatus.RUNNING, RunAction.FAIL): Transition(RunStatus.FAILED, frozenset({SYSTEM})),
    }
)

KIND_ROLES = {
    ImportKind.TECHNOLOGIES: (Role.HOLDER, Role.ADMIN),
    ImportKind.NEEDS: (Role.ENTERPRISE, Role.ADMIN),
}


# --- who may import -----------------------------------------------------------------------------


def import_kinds_allowed(*, user, organization: Organization | None) -> list[str]:
    """What `user` may import for `organization`: members of a verified organisation,
    technologies with the holder role, needs with the enterprise role; a reviewer either kind on
    behalf of any verified organisation."""
    if organization is None or not organization.verified:
        return []
    if not is_member(user=user, organization=organization):
        return list(ImportKind.values) if is_reviewer(user=user) else []
    return [kind for kind, roles in KIND_ROLES.items() if user.has_role(*roles)]


def import_organization(*, user) -> Organization | None:
    """The organisation `user` imports for: their first verified one."""
    ids = member_organization_ids(user=user)
    organizations = {o.pk: o for o in Organization.objects.filter(pk__in=ids)}
    for pk in ids:
        if pk in organizations and organizations[pk].verified:
            return organizations[pk]
    return None


def import_owner_choices(*, user):
    """The organisations a reviewer may import for (every verified one); nobody else chooses."""
    if not is_reviewer(user=user):
        return Organization.objects.none()
    return Organization.objects.verified().order_by("name_zh", "name_en", "pk")


def import_upload_kinds(*, user) -> list[str]:
    """The kinds the upload page offers `user`: their own organisation's, or, for a reviewer,
    both (they import on behalf of an organisation)."""
    if is_reviewer(user=user):
        return list(ImportKind.values)
    return import_kinds_allowed(user=user, organization=import_organization(user=user))


def import_owner_resolve(*, user, organization_id: int | None) -> Organization:
    """The organisation an import is for: the user's own unless a reviewer names a verified
    one. Anyone else naming another organisation is refused (owner_organisation: 400)."""
    own = import_organization(user=user)
    if organization_id in (None, "") or (own is not None and own.pk == organization_id):
        if own is not None:
            return own
        if is_reviewer(user=user):
            raise ValidationError(
                {"owner_organisation": [_("Choose a verified organisation to import for.")]}
            )
        raise PermissionDenied(_("Only members of a verified organisation may import."))
    if not is_reviewer(user=user):
        raise ValidationError(
            {"owner_organisation": [_("Only reviewers import on behalf of another organisation.")]}
        )
    owner = import_owner_choices(user=user).filter(pk=organization_id).first()
    if owner is None:
        raise ValidationError(
            {"owner_organisation": [_("Choose a verified organisation to import for.")]}
        )
    return owner


def _require_kind(*, user, organization, kind: str) -> None:
    if kind not in ImportKind.values:
        raise ValidationError({"kind": [_("Choose technologies or needs.")]})
    if kind not in import_kinds_allowed(user=user, organization=organization):
        raise PermissionDenied(
            _("Only members of a verified organisation with the matching role may import %(kind)s.")
            % {"kind": ImportKind(kind).label}
        )


# --- sources ------------------------------------------------------------------------------------


def _clean_mapping(kind: str, mapping) -> dict[str, str]:
    if not isinstance(mapping, dict):
        raise ValidationError({"column_mapping": [_("The mapping must map columns to fields.")]})
    known = targets(kind)
    cleaned = {str(column): str(field) for column, field in mapping.items() if field}
    unknown = sorted(set(cleaned.values()) - set(known))
    if unknown:
        raise ValidationError(
            {
                "column_mapping": [
                    _("“%(field)s” is not a field of this import.") % {"field": field}
                    for field in unknown
                ]
            }
        )
    return cleaned


def _clean_value_mappings(value_mappings) -> dict[str, dict[str, str]]:
    if value_mappings in (None, ""):
        return {}
    if not isinstance(value_mappings, dict) or not all(
        isinstance(values, dict) for values in value_mappings.values()
    ):
        raise ValidationError(
            {"value_mappings": [_("Value mappings map each field to {found value: stored value}.")]}
        )
    return {
        str(field): {str(found): str(stored) for found, stored in values.items() if stored}
        for field, values in value_mappings.items()
    }


@transaction.atomic
def import_source_save(
    *,
    user,
    organization: Organization,
    name: str,
    kind: str,
    column_mapping: dict | None = None,
    value_mappings: dict | None = None,
    source: ImportSource | None = None,
) -> ImportSource:
    """Create a source, or change one (its name and saved mappings)."""
    _require_kind(user=user, organization=organization, kind=kind)
    name = cleaning.clean_text(name)[:120]
    if not name:
        raise ValidationError({"name": [_("Give the source a name.")]})
    if source is None:
        source = ImportSource(organization=organization, kind=kind, created_by=user)
    elif source.organization_id != organization.pk or source.kind != kind:
        raise ValidationError({"kind": [_("A source keeps the kind of records it holds.")]})
    clash = ImportSource.objects.filter(organization=organization, kind=kind, name=name)
    if clash.exclude(pk=source.pk).exists():
        raise ValidationError({"name": [_("The organisation already has a source of that name.")]})
    source.name = name
    if column_mapping is not None:
        source.column_mapping = _clean_mapping(kind, column_mapping)
    if value_mappings is not None:
        source.value_mappings = _clean_value_mappings(value_mappings)
    source.save()
    return source


# --- upload -------------------------------------------------------------------------------------


def _unique_headers(cells: list[str]) -> list[str]:
    headers: list[str] = []
    for index, cell in enumerate(cells, start=1):
        name = cleaning.clean_text(cell)[:80] or _("Column %(number)d") % {"number": index}
        base, copy = name, 2
        while name in headers:
            name, copy = f"{base} ({copy})", copy + 1
        headers.append(name)
    return headers


def _analyse(upload, *, file_kind: str, encoding: str) -> dict:
    """Header, first rows, row count and each column's distinct values, read as a stream."""
    lines = tabular.table_rows(upload, kind=file_kind, encoding=encoding)
    try:
        first = next(lines, None)
        if first is None or not any(first):
            raise tabular.TabularFileError(_("The file is empty."))
        columns = _unique_headers(first)
        preview: list[list[str]] = []
        values: dict[str, dict[str, None]] = {column: {} for column in columns}
        total = 0
        for cells in lines:
            if not any(cells):
                continue
            total += 1
            if total > settings.IMPORT_MAX_ROWS:
                raise tabular.TabularFileError(
                    _("At most %(max)d rows per file.") % {"max": settings.IMPORT_MAX_ROWS}
                )
            if len(preview) < PREVIEW_ROWS:
                preview.append([cleaning.shorten(cleaning.clean_text(c), 120) for c in cells])
            for column, cell in zip(columns, cells, strict=False):
                found = values[column]
                if cell and len(found) <= MAX_DISTINCT_VALUES and len(cell) <= MAX_VALUE_LENGTH:
                    found.setdefault(cleaning.clean_text(cell), None)
    finally:
        lines.close()
    if not total:
        raise tabular.TabularFileError(_("The file has no data rows."))
    return {
        "columns": columns,
        "preview": preview,
        "total": total,
        # A column with more distinct values than the bound is free text, not a code list.
        "column_values": {
            column: list(found)
            for column, found in values.items()
            if found and len(found) <= MAX_DISTINCT_VALUES
        },
    }


def import_run_create(
    *, user, organization: Organization, upload, kind: str, source: ImportSource
) -> ImportRun:
    """Check and analyse an uploaded file and keep it for mapping. A file that is too large is
    refused before it is read, one in an unknown encoding refused with what to do; nothing is
    stored for a refused file."""
    _require_kind(user=user, organization=organization, kind=kind)
    if source.organization_id != organization.pk or source.kind != kind:
        raise ValidationError({"source": [_("Choose one of your sources for this kind of file.")]})
    file_kind = tabular.file_kind(getattr(upload, "name", ""))
    if file_kind is None:
        raise ValidationError({"file": [_("Upload a .csv, .xlsx or .json file.")]})
    try:
        tabular.check_size(upload)
        encoding = "" if file_kind == FileKind.XLSX else tabular.detect_text_encoding(upload)
        analysis = _analyse(upload, file_kind=file_kind, encoding=encoding or tabular.UTF8)
    except tabular.TabularFileError as error:
        message = error.message
        if error.line:
            message = _("Line %(line)d: %(message)s") % {"line": error.line, "message": message}
        raise ValidationError({"file": [message]}) from error
    upload.seek(0)
    name = PurePath(upload.name).name[:200]
    with transaction.atomic():
        run = ImportRun(
            organization=organization,
            source=source,
            kind=kind,
            file_name=name,
            file_kind=file_kind,
            encoding=encoding,
            language=translation.get_language() or "",
            created_by=user,
            on_behalf=not is_member(user=user, organization=organization),
            column_mapping=suggest_mapping(kind, analysis["columns"], source.column_mapping),
            value_mappings=source.value_mappings,
            **analysis,
        )
        run.file.save(name, File(upload, name=name), save=False)
        run.save()
        ImportRunEvent.objects.create(
            run=run, actor=user, action=RunAction.UPLOAD, to_status=RunStatus.MAPPING
        )
    return run


# --- start --------------------------------------------------------------------------------------


def _event(run: ImportRun, *, action: str, source: str, target: str, user=None, note=""):
    ImportRunEvent.objects.create(
        run=run, actor=user, action=action, from_status=source, to_status=target, note=note
    )


def _started_by(run: ImportRun, user) -> bool:
    """A reviewer's run on an organisation's behalf is theirs to start."""
    return run.on_behalf and run.created_by_id is not None and run.created_by_id == user.pk


def import_run_start(
    *,
    user,
    run: ImportRun,
    column_mapping: dict,
    value_mappings: dict | None = None,
    save_to_source: bool = True,
) -> ImportRun:
    """Fix the run's mapping and queue it for the worker. A mapping that leaves a required field
    empty (or maps a column the file does not have) is refused and nothing changes."""
    if not (is_member(user=user, organization=run.organization_id) or _started_by(run, user)):
        raise PermissionDenied
    _require_kind(user=user, organization=run.organization, kind=run.kind)
    RUN_WORKFLOW.resolve(run.status, RunAction.START, {MEMBER})
    mapping = _clean_mapping(run.kind, column_mapping)
    errors = [
        _("The file has no column “%(column)s”.") % {"column": column}
        for column in mapping
        if column not in run.columns
    ]
    errors += mapping_errors(run.kind, mapping)
    if errors:
        raise ValidationError({"column_mapping": errors})
    values = _clean_value_mappings(value_mappings)
    with transaction.atomic():
        if not compare_and_set_status(
            ImportRun,
            pk=run.pk,
            expected=RunStatus.MAPPING,
            target=RunStatus.QUEUED,
            column_mapping=mapping,
            value_mappings=values,
            heartbeat_at=timezone.now(),
        ):
            raise TransitionNotAllowed(_("This import has already been started."))
        _event(
            run,
            action=RunAction.START,
            source=RunStatus.MAPPING,
            target=RunStatus.QUEUED,
            user=user,
        )
        if save_to_source:
            ImportSource.objects.filter(pk=run.source_id).update(
                column_mapping=mapping, value_mappings=values, updated_at=timezone.now()
            )
        delay_on_commit(PROCESS_RUN_TASK, [(run.pk,)])
    run.refresh_from_db()
    return run


# --- process ------------------------------------------------------------------------------------


def _labelled(model, error: ValidationError) -> str:
    parts = []
    for field, messages in getattr(error, "message_dict", {"": error.messages}).items():
        try:
            label = capfirst(str(model._meta.get_field(field).verbose_name)) if field else ""
        except Exception:
            label = ""
        for message in messages:
            parts.append(f"{label}: {message}" if label else str(message))
    return " ".join(parts)


class _RunProcessor:
    """One run's rows through the services; counts kept per batch."""

    def __init__(self, run: ImportRun):
        self.run = run
        self.user = run.created_by
        self.reader = RowReader(
            kind=run.kind,
            columns=run.columns,
            mapping=run.column_mapping,
            value_mappings=run.value_mappings,
        )
        self.model = Technology if run.kind == ImportKind.TECHNOLOGIES else Need
        self.object_field = "technology" if run.kind == ImportKind.TECHNOLOGIES else "need"
        self.seen: dict[str, int] = dict(
            run.rows.exclude(outcome=RowOutcome.FAILED).values_list("source_id", "row_number")
        )

    def row(self, number: int, cells: list[str]) -> ImportRowResult:
        result = ImportRowResult(run=self.run, row_number=number)
        try:
            read = self.reader.read(cells)
        except Exception:  # a reader bug must cost one row, not the run
            logger.exception("import run %s: row %s could not be read", self.run.pk, number)
            result.outcome, result.reason = RowOutcome.FAILED, _("The row could not be read.")
            return result
        result.source_id = read.source_id
        if read.errors:
            result.outcome, result.reason = RowOutcome.FAILED, " ".join(read.errors)
            return result
        if read.source_id in self.seen:
            result.outcome = RowOutcome.SKIPPED
            result.reason = _("The same record as row %(row)d of this file.") % {
                "row": self.seen[read.source_id]
            }
            return result
        try:
            with transaction.atomic():
                outcome, obj = self._save(read)
        except ValidationError as error:
            result.outcome, result.reason = RowOutcome.FAILED, _labelled(self.model, error)
        except TransitionNotAllowed as error:
            result.outcome, result.reason = RowOutcome.SKIPPED, str(error)
        except PermissionDenied as error:
            result.outcome = RowOutcome.FAILED
            result.reason = str(error) or _("You may not change this record.")
        except DatabaseError:
            logger.exception("import run %s: row %s refused by the database", self.run.pk, number)
            result.outcome = RowOutcome.FAILED
            result.reason = _("The database refused the row (a value does not fit).")
        else:
            self.seen[read.source_id] = number
            result.outcome = outcome
            setattr(result, self.object_field, obj)
            if outcome == RowOutcome.SKIPPED:
                result.reason = _("Unchanged since the last import.")
        if result.outcome != RowOutcome.FAILED and read.notes:
            result.reason = " ".join(filter(None, [result.reason, *read.notes]))
        return result

    def _save(self, read) -> tuple[str, object]:
        run = self.run
        record = (
            ImportedRecord.objects.select_for_update(of=("self",))
            .select_related(self.object_field)
            .filter(external_id=read.source_id, source=run.source_id, kind=run.kind)
            .first()
        )
        obj = getattr(record, self.object_field) if record else None
        if record and obj is not None and record.content_hash == read.content_hash:
            return RowOutcome.SKIPPED, obj
        if obj is not None:
            if run.kind == ImportKind.TECHNOLOGIES:
                obj = technology_update(
                    user=self.user, technology=obj, data=read.data, on_behalf=run.on_behalf
                )
            else:
                obj = need_update(need=obj, user=self.user, on_behalf=run.on_behalf, **read.data)
            outcome = RowOutcome.UPDATED
        else:
            if run.kind == ImportKind.TECHNOLOGIES:
                obj = technology_create(
                    user=self.user,
                    organization=run.organization,
                    data=read.data,
                    on_behalf=run.on_behalf,
                )
            else:
                fields = {"region": run.organization.region, **read.defaults, **read.data}
                obj = need_create(
                    user=self.user,
                    organization=run.organization,
                    on_behalf=run.on_behalf,
                    **fields,
                )
            outcome = RowOutcome.CREATED
        if run.kind == ImportKind.TECHNOLOGIES and outcome == RowOutcome.CREATED:
            look_alikes = technology_import_duplicates(technology=obj, user=self.user)
            if look_alikes:
                read.notes.append(
                    _("Looks like listing #%(id)d “%(title)s”: check whether it is the same.")
                    % {"id": look_alikes[0].technology.pk, "title": look_alikes[0].technology.title}
                )
        values = {"content_hash": read.content_hash, "last_run": run, self.object_field: obj}
        if record is None:
            ImportedRecord.objects.create(
                external_id=read.source_id, source=run.source, kind=run.kind, **values
            )
        else:
            ImportedRecord.objects.filter(pk=record.pk).update(**values)
        return outcome, obj


def _data_rows(run: ImportRun):
    """(row number, cells) of every non-blank data row; the header is row 1."""
    with run.file.open("rb") as handle:
        lines = tabular.table_rows(
            handle, kind=run.file_kind, encoding=run.encoding or tabular.UTF8
        )
        try:
            next(lines, None)
            for number, cells in enumerate(lines, start=2):
                if any(cells):
                    yield number, cells
        finally:
            lines.close()


def import_run_process(*, run_id: int) -> ImportRun | None:
    """Process a queued (or interrupted) run to its end; a finished run is left as it is."""
    run = ImportRun.objects.select_related("organization", "source", "created_by").get(pk=run_id)
    if run.status == RunStatus.QUEUED:
        if compare_and_set_status(
            ImportRun,
            pk=run.pk,
            expected=RunStatus.QUEUED,
            target=RunStatus.RUNNING,
            started_at=timezone.now(),
            heartbeat_at=timezone.now(),
        ):
            _event(run, action=RunAction.BEGIN, source=RunStatus.QUEUED, target=RunStatus.RUNNING)
        run.refresh_from_db()
    if run.status != RunStatus.RUNNING:
        return run
    with translation.override(run.language or None):
        return _process_rows(run)


def _process_rows(run: ImportRun) -> ImportRun:
    try:
        processor = _RunProcessor(run)
        rows = _data_rows(run)
        done = run.rows.aggregate(last=Max("row_number"))["last"] or 1
        batch: list[tuple[int, list[str]]] = []
        for number, cells in rows:
            if number <= done:
                continue
            batch.append((number, cells))
            if len(batch) >= BATCH_SIZE:
                _process_batch(processor, batch)
                batch = []
        if batch:
            _process_batch(processor, batch)
    except tabular.TabularFileError as error:
        return import_run_fail(run_id=run.pk, message=error.message)
    if compare_and_set_status(
        ImportRun,
        pk=run.pk,
        expected=RunStatus.RUNNING,
        target=RunStatus.COMPLETED,
        finished_at=timezone.now(),
    ):
        _event(run, action=RunAction.COMPLETE, source=RunStatus.RUNNING, target=RunStatus.COMPLETED)
    run.refresh_from_db()
    return run


def _process_batch(processor: _RunProcessor, batch: list[tuple[int, list[str]]]) -> None:
    with transaction.atomic():
        locked = ImportRun.objects.select_for_update().get(pk=processor.run.pk)
        if locked.status != RunStatus.RUNNING:
            return
        # Another delivery of the task may have done these rows meanwhile.
        done = locked.rows.aggregate(last=Max("row_number"))["last"] or 1
        results = [processor.row(number, cells) for number, cells in batch if number > done]
        ImportRowResult.objects.bulk_create(results)
        counts = {outcome: 0 for outcome in RowOutcome.values}
        for result in results:
            counts[result.outcome] += 1
        ImportRun.objects.filter(pk=locked.pk).update(
            processed=F("processed") + len(results),
            created_count=F("created_count") + counts[RowOutcome.CREATED],
            updated_count=F("updated_count") + counts[RowOutcome.UPDATED],
            skipped_count=F("skipped_count") + counts[RowOutcome.SKIPPED],
            failed_count=F("failed_count") + counts[RowOutcome.FAILED],
            heartbeat_at=timezone.now(),
        )


def import_run_fail(*, run_id: int, message: str) -> ImportRun:
    """Mark a queued or running run failed with a reason (the rows done so far stay)."""
    run = ImportRun.objects.get(pk=run_id)
    for expected in (RunStatus.RUNNING, RunStatus.QUEUED):
        if compare_and_set_status(
            ImportRun,
            pk=run.pk,
            expected=expected,
            target=RunStatus.FAILED,
            message=message[:2000],
            finished_at=timezone.now(),
        ):
            _event(
                run, action=RunAction.FAIL, source=expected, target=RunStatus.FAILED, note=message
            )
            break
    run.refresh_from_db()
    return run


# --- stuck runs ---------------------------------------------------------------------------------


def import_runs_redispatch_stuck(
    *, older_than: timedelta | None = None, limit: int = 100, now=None
) -> list[int]:
    """Dispatch again, in a bounded batch, the runs queued or running with no progress for
    `older_than` (IMPORT_STUCK_AFTER_MINUTES): their message was lost, or their worker died.
    Each run is claimed by a compare-and-set on its heartbeat, which the claim moves to now: a
    second sweep, or a worker's batch committed meanwhile, leaves it alone; a delivery that
    finds the run finished or its rows done does nothing (the task is idempotent)."""
    now = now or timezone.now()
    older_than = older_than or timedelta(minutes=settings.IMPORT_STUCK_AFTER_MINUTES)
    cutoff = now - older_than
    active = (RunStatus.QUEUED, RunStatus.RUNNING)
    silent = ImportRun.objects.filter(status__in=active).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    )
    claimed = []
    for pk, heartbeat in silent.order_by("heartbeat_at", "pk").values_list("pk", "heartbeat_at")[
        :limit
    ]:
        same = ImportRun.objects.filter(pk=pk, status__in=active)
        if heartbeat is None:
            same = same.filter(heartbeat_at__isnull=True)
        else:
            same = same.filter(heartbeat_at=heartbeat)
        if same.update(heartbeat_at=now):
            claimed.append(pk)
    if claimed:
        logger.warning("import runs without progress dispatched again: %s", claimed)
        with transaction.atomic():
            delay_on_commit(PROCESS_RUN_TASK, [(pk,) for pk in claimed])
    return claimed
