"""Reads of export control: the catalogue entries, a technology's classification and what the
screening says about it. Exchange reads these to gate export deals (it sits above this app)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from accounts.permissions import is_member
from core.regions import is_chinese_region
from exportcontrol.choices import (
    ClassificationStatus,
    ControlCatalogue,
    ControlLevel,
    ScreeningOutcome,
)
from exportcontrol.models import ClassificationEvent, ControlEntry, TechnologyClassification


def control_entries(
    *, catalogue: str = "", level: str = "", q: str = "", active_only: bool = True
) -> QuerySet[ControlEntry]:
    entries = ControlEntry.objects.all()
    if active_only:
        entries = entries.filter(is_active=True)
    if catalogue:
        entries = entries.filter(catalogue=catalogue)
    if level:
        entries = entries.filter(level=level)
    q = (q or "").strip()
    if q:
        entries = entries.filter(
            Q(code__icontains=q)
            | Q(name_zh__icontains=q)
            | Q(name_en__icontains=q)
            | Q(control_points__icontains=q)
        )
    return entries.order_by("catalogue", "code")


def export_entries_for_declaration() -> QuerySet[ControlEntry]:
    """What a holder may declare: the export catalogue's entries in force."""
    return control_entries(catalogue=ControlCatalogue.EXPORT)


def classification_of(*, technology) -> TechnologyClassification | None:
    """The technology's classification (with both entries), or None when never classified."""
    # A list that joined it (select_related("technology__export_classification__...")) has it.
    fields_cache = technology._state.fields_cache
    if "export_classification" in fields_cache:
        return fields_cache["export_classification"]
    cached = getattr(technology, "_export_classification_cache", None)
    if cached is not None:
        return cached or None
    classification = (
        TechnologyClassification.objects.select_related("entry", "declared_entry")
        .filter(technology_id=technology.pk)
        .first()
    )
    technology._export_classification_cache = classification or False
    return classification


def classification_forget(*, technology) -> None:
    """Drop what `classification_of` remembered (after a step changed it)."""
    technology.__dict__.pop("_export_classification_cache", None)
    technology._state.fields_cache.pop("export_classification", None)


def classification_history(*, classification: TechnologyClassification) -> QuerySet:
    return ClassificationEvent.objects.filter(classification=classification).select_related("actor")


def classification_visible_to(*, user, technology) -> bool:
    """The holder's members and platform reviewers see a classification; nobody else."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_reviewer) or is_member(user=user, organization=technology.organization_id)


def classification_reviewable_by(*, user, technology) -> bool:
    """A platform reviewer who is not a member of the holder (nobody confirms their own)."""
    return (
        getattr(user, "is_authenticated", False)
        and bool(user.is_reviewer)
        and not is_member(user=user, organization=technology.organization_id)
    )


OUTCOME_BADGE_CLASSES = {
    ScreeningOutcome.PROHIBITED: "text-bg-danger",
    ScreeningOutcome.FREE: "text-bg-success",
}


@dataclass(frozen=True)
class TechnologyScreening:
    """What the export-control catalogue says about a technology."""

    outcome: str
    entry: ControlEntry | None
    classification: TechnologyClassification | None

    @property
    def outcome_label(self) -> str:
        return str(ScreeningOutcome(self.outcome).label)

    @property
    def blocks_export(self) -> bool:
        return self.outcome == ScreeningOutcome.PROHIBITED

    @property
    def is_restricted(self) -> bool:
        return self.outcome == ScreeningOutcome.RESTRICTED

    @property
    def is_pending_review(self) -> bool:
        return self.outcome == ScreeningOutcome.PENDING_REVIEW

    @property
    def badge_class(self) -> str:
        return OUTCOME_BADGE_CLASSES.get(self.outcome, "text-bg-warning")

    @property
    def alert_class(self) -> str:
        return "alert-danger" if self.blocks_export else "alert-warning"

    @property
    def declared_entry(self) -> ControlEntry | None:
        return self.classification.declared_entry if self.classification else None


def technology_screening(*, technology) -> TechnologyScreening:
    """Unclassified, awaiting a reviewer, prohibited, restricted or free (not listed). Only a
    reviewer's confirmation counts: a holder's declaration alone does not clear an export."""
    classification = classification_of(technology=technology)
    if classification is None or classification.status == ClassificationStatus.UNCLASSIFIED:
        return TechnologyScreening(ScreeningOutcome.UNCLASSIFIED, None, classification)
    if classification.status == ClassificationStatus.DECLARED:
        return TechnologyScreening(
            ScreeningOutcome.PENDING_REVIEW, classification.declared_entry, classification
        )
    entry = classification.entry
    if entry is None:
        return TechnologyScreening(ScreeningOutcome.FREE, None, classification)
    if entry.level == ControlLevel.PROHIBITED:
        return TechnologyScreening(ScreeningOutcome.PROHIBITED, entry, classification)
    return TechnologyScreening(ScreeningOutcome.RESTRICTED, entry, classification)


def regions_abroad(regions: list[str]) -> list[str]:
    return [code for code in regions or [] if code and not is_chinese_region(code)]


def listing_export_warning(*, technology) -> TechnologyScreening | None:
    """The screening of a listing offered abroad (target regions outside China), when it needs
    the holder's attention: unclassified, awaiting a reviewer, prohibited or restricted."""
    if not regions_abroad(technology.target_regions):
        return None
    screening = technology_screening(technology=technology)
    if screening.outcome == ScreeningOutcome.FREE:
        return None
    return screening
