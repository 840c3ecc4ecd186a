"""Reads of export control: the catalogue entries, a technology's classification and what the
screening says about it. Exchange reads these to gate export deals (it sits above this app)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from accounts.permissions import is_member
from core.regions import is_chinese_region
from exportcontrol.choices import (
    IMPORT_OUTCOME_LABELS,
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


def entries_for_declaration(*, catalogue: str = ControlCatalogue.EXPORT) -> QuerySet[ControlEntry]:
    """What a holder may declare: the entries in force of the catalogue that applies."""
    return control_entries(catalogue=catalogue)


def technology_control_catalogue(*, technology) -> str:
    """The catalogue a technology is classified against: China's export catalogue when its
    holder is in China (a cross-border deal can only take it out), the import catalogue when its
    holder is abroad (a cross-border deal with China can only bring it in)."""
    region = technology.organization.region if technology.organization_id else ""
    if region and not is_chinese_region(region):
        return ControlCatalogue.IMPORT
    return ControlCatalogue.EXPORT


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
    """What the export or import catalogue says about a technology."""

    outcome: str
    entry: ControlEntry | None
    classification: TechnologyClassification | None
    catalogue: str = ControlCatalogue.EXPORT

    @property
    def outcome_label(self) -> str:
        if self.catalogue == ControlCatalogue.IMPORT and self.outcome in IMPORT_OUTCOME_LABELS:
            return str(IMPORT_OUTCOME_LABELS[self.outcome])
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


def technology_screening(*, technology, catalogue: str | None = None) -> TechnologyScreening:
    """Unclassified, awaiting a reviewer, prohibited, restricted or free (not listed) against
    `catalogue` (by default the one its holder's country gives). Only a reviewer's confirmation
    counts: a holder's declaration alone does not clear an export or import, and a
    classification against the other catalogue does not count at all."""
    catalogue = catalogue or technology_control_catalogue(technology=technology)
    classification = classification_of(technology=technology)
    if (
        classification is None
        or classification.status == ClassificationStatus.UNCLASSIFIED
        or classification.catalogue != catalogue
    ):
        outcome, entry = ScreeningOutcome.UNCLASSIFIED, None
    elif classification.status == ClassificationStatus.DECLARED:
        outcome, entry = ScreeningOutcome.PENDING_REVIEW, classification.declared_entry
    elif classification.entry is None:
        outcome, entry = ScreeningOutcome.FREE, None
    elif classification.entry.level == ControlLevel.PROHIBITED:
        outcome, entry = ScreeningOutcome.PROHIBITED, classification.entry
    else:
        outcome, entry = ScreeningOutcome.RESTRICTED, classification.entry
    return TechnologyScreening(outcome, entry, classification, catalogue)


def regions_abroad(regions: list[str]) -> list[str]:
    return [code for code in regions or [] if code and not is_chinese_region(code)]


def listing_export_warning(*, technology) -> TechnologyScreening | None:
    """The screening of a listing offered abroad (target regions outside China), when it needs
    the holder's attention: unclassified, awaiting a reviewer, prohibited or restricted."""
    if not regions_abroad(technology.target_regions):
        return None
    if technology_control_catalogue(technology=technology) != ControlCatalogue.EXPORT:
        return None
    screening = technology_screening(technology=technology)
    if screening.outcome == ScreeningOutcome.FREE:
        return None
    return screening
