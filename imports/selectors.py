"""Reads of imports: the runs and sources a user may see (their organisations'), a run's rows."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.choices import VerificationStatus
from accounts.permissions import is_reviewer, member_organizations_subquery
from imports.choices import RowOutcome
from imports.models import ImportRowResult, ImportRun, ImportSource


def import_runs_visible_to(user) -> QuerySet[ImportRun]:
    """Runs of the user's organisations and the runs they started (a reviewer's imports on an
    organisation's behalf); any other run is not found (404)."""
    if not getattr(user, "is_authenticated", False):
        return ImportRun.objects.none()
    return ImportRun.objects.filter(
        Q(organization_id__in=member_organizations_subquery(user=user)) | Q(created_by=user)
    ).select_related("source", "organization", "created_by")


def import_sources_visible_to(user) -> QuerySet[ImportSource]:
    """Sources of the user's organisations; a reviewer also those of every verified organisation
    (they import on its behalf)."""
    if not getattr(user, "is_authenticated", False):
        return ImportSource.objects.none()
    scope = Q(organization_id__in=member_organizations_subquery(user=user))
    if is_reviewer(user=user):
        scope |= Q(organization__verification_status=VerificationStatus.VERIFIED)
    return ImportSource.objects.filter(scope).select_related("organization")


def import_run_rows(*, run: ImportRun, outcome: str | None = None) -> QuerySet[ImportRowResult]:
    rows = run.rows.select_related("technology", "need").order_by("row_number")
    if outcome in RowOutcome.values:
        rows = rows.filter(outcome=outcome)
    return rows


def import_run_report(*, run: ImportRun) -> tuple[list[str], list[list]]:
    """The per-row report (header and rows) of the refused and skipped rows, for a download."""
    from django.utils.translation import gettext as _

    header = [_("Row"), _("Source id"), _("Outcome"), _("Reason")]
    rows = [
        [row.row_number, row.source_id, row.get_outcome_display(), row.reason]
        for row in run.rows.exclude(outcome__in=[RowOutcome.CREATED, RowOutcome.UPDATED])
        .order_by("row_number")
        .iterator()
    ]
    return header, rows
