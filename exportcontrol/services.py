"""Writes of export control: catalogue entries (administrators and the CSV loader, each change
a history row) and the classification of a technology (holder declares, reviewer confirms or
corrects; each step an event row)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import is_member
from core.workflow import StateMachine, Transition, TransitionNotAllowed
from exportcontrol.choices import (
    ClassificationAction,
    ClassificationStatus,
    ControlCatalogue,
    EntryChangeAction,
    EntryChangeSource,
)
from exportcontrol.models import (
    ClassificationEvent,
    ControlEntry,
    ControlEntryChange,
    TechnologyClassification,
)
from exportcontrol.selectors import (
    classification_forget,
    classification_reviewable_by,
    technology_control_catalogue,
)

HOLDER, REVIEWER = "holder", "reviewer"
ENTRY_FIELDS = (
    "catalogue",
    "code",
    "name_zh",
    "name_en",
    "control_points",
    "revision",
    "is_active",
)

CLASSIFICATION_WORKFLOW = StateMachine(
    {
        (ClassificationStatus.UNCLASSIFIED, ClassificationAction.DECLARE): Transition(
            ClassificationStatus.DECLARED, frozenset({HOLDER}), gettext_lazy("Declare")
        ),
        (ClassificationStatus.DECLARED, ClassificationAction.DECLARE): Transition(
            ClassificationStatus.DECLARED, frozenset({HOLDER}), gettext_lazy("Declare again")
        ),
        (ClassificationStatus.CONFIRMED, ClassificationAction.DECLARE): Transition(
            ClassificationStatus.DECLARED, frozenset({HOLDER}), gettext_lazy("Declare again")
        ),
        (ClassificationStatus.DECLARED, ClassificationAction.CONFIRM): Transition(
            ClassificationStatus.CONFIRMED, frozenset({REVIEWER}), gettext_lazy("Confirm")
        ),
        (ClassificationStatus.DECLARED, ClassificationAction.CORRECT): Transition(
            ClassificationStatus.CONFIRMED,
            frozenset({REVIEWER}),
            gettext_lazy("Correct"),
            requires_note=True,
        ),
        (ClassificationStatus.CONFIRMED, ClassificationAction.CORRECT): Transition(
            ClassificationStatus.CONFIRMED,
            frozenset({REVIEWER}),
            gettext_lazy("Correct"),
            requires_note=True,
        ),
    }
)


# --- catalogue entries ---------------------------------------------------------------------------


def _entry_values(entry: ControlEntry) -> dict:
    return {name: getattr(entry, name) for name in (*ENTRY_FIELDS, "level")}


@transaction.atomic
def control_entry_save(
    *, entry: ControlEntry, user=None, source: str = EntryChangeSource.ADMIN
) -> ControlEntry:
    """Create or change an entry (validated) and write its history row; unchanged, nothing."""
    before = {}
    if entry.pk:
        stored = ControlEntry.objects.select_for_update().filter(pk=entry.pk).first()
        before = _entry_values(stored) if stored else {}
    entry.normalise()
    entry.full_clean()
    after = _entry_values(entry)
    changes = {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }
    if before and not changes:
        return entry
    entry.save()
    ControlEntryChange.objects.create(
        entry=entry,
        entry_code=entry.code,
        action=EntryChangeAction.CHANGED if before else EntryChangeAction.CREATED,
        source=source,
        changes=changes,
        actor=user if getattr(user, "pk", None) else None,
    )
    return entry


@transaction.atomic
def control_entry_delete(*, entry: ControlEntry, user=None) -> None:
    """Delete an entry no classification uses; the history row stays."""
    if entry.classifications.exists():
        raise ValidationError(
            _("Technologies are classified under %(code)s: mark it as no longer in force instead.")
            % {"code": entry.code}
        )
    ControlEntryChange.objects.create(
        entry=None,
        entry_code=entry.code,
        action=EntryChangeAction.DELETED,
        source=EntryChangeSource.ADMIN,
        changes={name: [value, None] for name, value in _entry_values(entry).items()},
        actor=user if getattr(user, "pk", None) else None,
    )
    entry.delete()


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


REQUIRED_COLUMNS = ("catalogue", "code", "name_zh", "revision")


def control_entries_load(*, text: str, user=None) -> LoadReport:
    """Load catalogue rows from CSV text (the shipped subset or the full official list).

    Idempotent: a row is matched by catalogue and code. Each row is saved on its own, so a bad
    row is reported with its line number and skipped while the good ones load.
    """
    report = LoadReport()
    lines = [
        (number, line)
        for number, line in enumerate(io.StringIO(text.lstrip("\ufeff")), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        report.errors.append((0, _("The file has no header row.")))
        return report
    reader = csv.DictReader(line for _number, line in lines)
    missing = [name for name in REQUIRED_COLUMNS if name not in (reader.fieldnames or [])]
    if missing:
        report.errors.append(
            (lines[0][0], _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
        )
        return report
    for (number, _line), row in zip(lines[1:], reader, strict=False):
        values = {name: (row.get(name) or "").strip() for name in ENTRY_FIELDS if name in row}
        values["code"] = values.get("code", "").upper()
        if values.get("catalogue") not in ControlCatalogue.values:
            report.errors.append(
                (number, _("Unknown catalogue “%(value)s”: use export or import.")
                 % {"value": values.get("catalogue", "")})
            )  # fmt: skip
            continue
        active = values.pop("is_active", "")
        entry = ControlEntry.objects.filter(
            catalogue=values["catalogue"], code=values["code"]
        ).first() or ControlEntry(catalogue=values["catalogue"])
        existed = entry.pk is not None
        for name, value in values.items():
            setattr(entry, name, value)
        entry.is_active = active.lower() not in ("0", "false", "no") if active else True
        before_count = ControlEntryChange.objects.filter(entry=entry).count() if existed else 0
        try:
            control_entry_save(entry=entry, user=user, source=EntryChangeSource.LOADER)
        except ValidationError as error:
            messages = (
                [f"{name}: {'; '.join(items)}" for name, items in error.message_dict.items()]
                if hasattr(error, "error_dict")
                else error.messages
            )
            report.errors.append((number, " ".join(messages)))
            continue
        if not existed:
            report.created += 1
        elif ControlEntryChange.objects.filter(entry=entry).count() > before_count:
            report.updated += 1
        else:
            report.unchanged += 1
    return report


# --- classification -------------------------------------------------------------------------------


def classification_actor_roles(*, technology, user) -> set[str]:
    roles: set[str] = set()
    if is_member(user=user, organization=technology.organization_id):
        roles.add(HOLDER)
    if classification_reviewable_by(user=user, technology=technology):
        roles.add(REVIEWER)
    return roles


def classification_allowed_actions(*, technology, user) -> list[str]:
    classification = TechnologyClassification.objects.filter(technology=technology).first()
    status = classification.status if classification else ClassificationStatus.UNCLASSIFIED
    roles = classification_actor_roles(technology=technology, user=user)
    return CLASSIFICATION_WORKFLOW.allowed_actions(status, roles)


def _validate_entry(entry: ControlEntry | None, catalogue: str) -> None:
    if entry is not None and (entry.catalogue != catalogue or not entry.is_active):
        raise ValidationError(
            {
                "entry": _("Choose an entry of the import catalogue that is in force.")
                if catalogue == ControlCatalogue.IMPORT
                else _("Choose an entry of the export catalogue that is in force.")
            }
        )


@transaction.atomic
def classification_act(
    *, technology, user, action: str, entry: ControlEntry | None = None, note: str = ""
) -> TechnologyClassification:
    """Declare (holder: an entry, or None for not listed), confirm or correct (a reviewer who
    is not a member of the holder). Refused steps change nothing."""
    if technology.pk is None:
        raise ValidationError({"technology": _("Unknown technology.")})
    classification, _created = TechnologyClassification.objects.select_for_update().get_or_create(
        technology=technology
    )
    roles = classification_actor_roles(technology=technology, user=user)
    transition = CLASSIFICATION_WORKFLOW.resolve(classification.status, action, roles)
    note = (note or "").strip()
    if transition.requires_note and not note:
        raise ValidationError({"note": _("Please say why you correct the classification.")})
    now = timezone.now()
    from_status = classification.status
    if action == ClassificationAction.DECLARE:
        classification.catalogue = technology_control_catalogue(technology=technology)
        _validate_entry(entry, classification.catalogue)
        classification.declared_entry = entry
        classification.declared_by = user
        classification.declared_at = now
        classification.entry = None
        classification.reviewed_by = None
        classification.reviewed_at = None
        chosen = entry
    elif action == ClassificationAction.CONFIRM:
        chosen = classification.declared_entry
        if chosen is not None and not chosen.is_active:
            raise ValidationError(
                {"entry": _("The declared entry is no longer in force: correct it instead.")}
            )
        classification.entry = chosen
        classification.reviewed_by = user
        classification.reviewed_at = now
    else:
        _validate_entry(entry, classification.catalogue)
        chosen = entry
        classification.entry = entry
        classification.reviewed_by = user
        classification.reviewed_at = now
    classification.status = transition.target
    classification.save()
    ClassificationEvent.objects.create(
        classification=classification,
        actor=user,
        action=action,
        from_status=from_status,
        to_status=transition.target,
        note=note,
        entry_code=chosen.code if chosen else "",
    )
    classification_forget(technology=technology)
    return classification


def classification_declare(*, technology, user, entry: ControlEntry | None, note: str = ""):
    return classification_act(
        technology=technology,
        user=user,
        action=ClassificationAction.DECLARE,
        entry=entry,
        note=note,
    )


def classification_review(
    *, technology, user, action: str, entry: ControlEntry | None = None, note: str = ""
):
    if action not in (ClassificationAction.CONFIRM, ClassificationAction.CORRECT):
        raise TransitionNotAllowed(_("A reviewer confirms or corrects a classification."))
    return classification_act(
        technology=technology, user=user, action=action, entry=entry, note=note
    )
