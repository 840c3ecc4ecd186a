"""Writes of the technology catalogue. API views, pages, imports and commands call these."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from accounts.models import Organization
from accounts.permissions import (
    acts_for,
    expert_standing,
    is_member,
    is_reviewer,
    may_draft_translations,
    members_of,
    platform_reviewers,
    primary_organization,
)
from audit.choices import AuditKind
from audit.services import audit_record
from catalog import duplicates, selectors
from catalog.choices import (
    AccessRequestStatus,
    DuplicateFlagStatus,
    DuplicateSource,
    IntellectualPropertyStatus,
    ReviewDecision,
    RevisionStatus,
    TechnologyAction,
    TechnologyStatus,
    TransactionMode,
    TrlAssessmentAction,
    TrlAssessmentStatus,
    TrlConfirmerRole,
)
from catalog.completeness import CompletenessBelowMinimum, technology_completeness
from catalog.events import TECHNOLOGY_CHANGED, TECHNOLOGY_PUBLISHED
from catalog.models import (
    FRESHNESS_STATUSES,
    ROW_RELATIONS,
    TECHNOLOGY_TEXT,
    AccessRequest,
    CatalogPolicy,
    Category,
    DuplicateFlag,
    Favourite,
    Inquiry,
    SavedSearch,
    SavedSearchHit,
    Technology,
    TechnologyAttachment,
    TechnologyEvent,
    TechnologyFreshnessReminder,
    TechnologyOffer,
    TechnologyRevision,
    TechnologyTranslation,
    TrlAssessment,
    TrlAssessmentEvent,
    TrlEvidence,
)
from catalog.search import technology_search_vector
from catalog.selectors import catalog_policy, technology_matches_search
from catalog.visibility import Clearance
from core.content_translations import (
    TranslationRules,
    original_language_of,
    translation_texts_index,
)
from core.dispatch import delay_on_commit
from core.events import publish
from core.freshness import (
    confirmation_due,
    default_valid_until,
    lapsing_reminders_send,
    reminder_due,
    validate_valid_until,
)
from core.images import is_picture, picture_process, picture_without_metadata
from core.progress import Progress, workflow_progress
from core.uploads import PDF_AND_IMAGES, upload_content_type
from core.workflow import (
    StateMachine,
    Transition,
    TransitionNotAllowed,
    compare_and_set_status,
)
from notifications.messages import Bilingual, Message, labelled
from notifications.services import notify_users

# The roles a user may have towards a listing (technology_actor_roles).
MEMBER = "member"
REVIEWER = "reviewer"
MEMBERS = frozenset({MEMBER})
REVIEWERS = frozenset({REVIEWER})

TECHNOLOGY_WORKFLOW = StateMachine(
    {
        (TechnologyStatus.DRAFT, TechnologyAction.SUBMIT): Transition(
            TechnologyStatus.SUBMITTED, MEMBERS, gettext_lazy("Submit for review")
        ),
        (TechnologyStatus.RETURNED, TechnologyAction.SUBMIT): Transition(
            TechnologyStatus.SUBMITTED, MEMBERS, gettext_lazy("Resubmit")
        ),
        (TechnologyStatus.WITHDRAWN, TechnologyAction.SUBMIT): Transition(
            TechnologyStatus.SUBMITTED, MEMBERS, gettext_lazy("Resubmit")
        ),
        (TechnologyStatus.SUBMITTED, TechnologyAction.APPROVE): Transition(
            TechnologyStatus.PUBLISHED, REVIEWERS, gettext_lazy("Approve")
        ),
        (TechnologyStatus.SUBMITTED, TechnologyAction.RETURN): Transition(
            TechnologyStatus.RETURNED,
            REVIEWERS,
            gettext_lazy("Return for changes"),
            requires_note=True,
        ),
        (TechnologyStatus.SUBMITTED, TechnologyAction.REJECT): Transition(
            TechnologyStatus.REJECTED, REVIEWERS, gettext_lazy("Reject"), requires_note=True
        ),
        (TechnologyStatus.PUBLISHED, TechnologyAction.WITHDRAW): Transition(
            TechnologyStatus.WITHDRAWN, MEMBERS, gettext_lazy("Withdraw")
        ),
        (TechnologyStatus.PUBLISHED, TechnologyAction.ARCHIVE): Transition(
            TechnologyStatus.ARCHIVED, MEMBERS, gettext_lazy("Archive")
        ),
        (TechnologyStatus.WITHDRAWN, TechnologyAction.ARCHIVE): Transition(
            TechnologyStatus.ARCHIVED, MEMBERS, gettext_lazy("Archive")
        ),
        # A reviewer merges a duplicate into another listing (technology_merge); for good.
        **{
            (source, TechnologyAction.MERGE): Transition(
                TechnologyStatus.MERGED, REVIEWERS, gettext_lazy("Merge into another listing")
            )
            for source in (
                TechnologyStatus.SUBMITTED,
                TechnologyStatus.RETURNED,
                TechnologyStatus.PUBLISHED,
                TechnologyStatus.WITHDRAWN,
            )
        },
    }
)
REVISION_WORKFLOW = StateMachine(
    {
        (RevisionStatus.SUBMITTED, TechnologyAction.APPROVE): Transition(
            RevisionStatus.APPLIED, REVIEWERS
        ),
        (RevisionStatus.SUBMITTED, TechnologyAction.RETURN): Transition(
            RevisionStatus.RETURNED, REVIEWERS, requires_note=True
        ),
        (RevisionStatus.SUBMITTED, TechnologyAction.REJECT): Transition(
            RevisionStatus.REJECTED, REVIEWERS, requires_note=True
        ),
        (RevisionStatus.RETURNED, TechnologyAction.SUBMIT): Transition(
            RevisionStatus.SUBMITTED, MEMBERS, gettext_lazy("Resubmit the change")
        ),
    }
)
EDITABLE_STATUSES = (TechnologyStatus.DRAFT, TechnologyStatus.RETURNED, TechnologyStatus.WITHDRAWN)
OPEN_REVISION_STATUSES = (RevisionStatus.DRAFT, RevisionStatus.SUBMITTED, RevisionStatus.RETURNED)
# The history entry of an action on the pending change of a published listing.
CHANGE_ACTIONS = {
    TechnologyAction.SUBMIT: TechnologyAction.CHANGE_SUBMIT,
    TechnologyAction.APPROVE: TechnologyAction.CHANGE_APPROVE,
    TechnologyAction.RETURN: TechnologyAction.CHANGE_RETURN,
    TechnologyAction.REJECT: TechnologyAction.CHANGE_REJECT,
}
SAVED_SEARCH_NOTIFIER_TASK = "catalog.tasks.notify_saved_searches"
DECISION_ACTIONS = {
    ReviewDecision.APPROVE: TechnologyAction.APPROVE,
    ReviewDecision.RETURN: TechnologyAction.RETURN,
    ReviewDecision.REJECT: TechnologyAction.REJECT,
}

SCALAR_FIELDS = Technology.EDITABLE_FIELDS
ROW_FIELDS = {name: (model, model.EDITABLE_FIELDS) for name, model in ROW_RELATIONS.items()}


# --- who may do what ----------------------------------------------------------------------------


def technology_actor_roles(*, technology: Technology, user) -> set[str]:
    roles: set[str] = set()
    if not getattr(user, "is_authenticated", False):
        return roles
    if is_member(user=user, organization=technology.organization_id):
        roles.add(MEMBER)
    if is_reviewer(user=user):
        roles.add(REVIEWER)
    return roles


def technology_open_revision(*, technology: Technology) -> TechnologyRevision | None:
    return technology.revisions.filter(status__in=OPEN_REVISION_STATUSES).first()


def technology_allowed_actions(*, technology: Technology, user) -> list[str]:
    roles = technology_actor_roles(technology=technology, user=user)
    # Merging needs the other listing of a pair: it is a verb of the duplicates queue.
    actions = [
        action
        for action in TECHNOLOGY_WORKFLOW.allowed_actions(technology.status, roles)
        if action != TechnologyAction.MERGE
    ]
    if technology.status == TechnologyStatus.PUBLISHED:
        revision = technology_open_revision(technology=technology)
        if revision is not None:
            for action in REVISION_WORKFLOW.allowed_actions(revision.status, roles):
                if action not in actions:
                    actions.append(action)
    return actions


@dataclass(frozen=True)
class ActionButton:
    """A workflow action a page offers as a button: its code, its label, and whether it is the
    page's primary action (moving the listing forward) rather than a retreat."""

    action: str
    label: str
    primary: bool


# The actions of the holder's manage page (the reviewers' decisions have their own form).
MEMBER_BUTTON_ACTIONS = (
    TechnologyAction.SUBMIT,
    TechnologyAction.WITHDRAW,
    TechnologyAction.ARCHIVE,
)


def technology_member_action_buttons(
    *, technology: Technology, actions: list[str]
) -> list[ActionButton]:
    """Buttons for the holder's allowed actions, labelled by the transition table."""
    buttons = []
    for action in actions:
        if action not in MEMBER_BUTTON_ACTIONS:
            continue
        transition = TECHNOLOGY_WORKFLOW.table.get((technology.status, action))
        if transition is None:  # the resubmission of a returned change of a published listing
            revision = technology_open_revision(technology=technology)
            transition = REVISION_WORKFLOW.table.get((getattr(revision, "status", ""), action))
        label = getattr(transition, "label", "") or TechnologyAction(action).label
        buttons.append(ActionButton(action, str(label), primary=action == TechnologyAction.SUBMIT))
    return buttons


def technology_review_to_act_on(
    *, technology: Technology, latest_review, revision: TechnologyRevision | None
) -> bool:
    """Whether the holder has a reviewer's comments to act on: a listing returned or rejected
    (not yet published), or a change of a published listing returned."""
    if revision is not None and revision.status == RevisionStatus.RETURNED:
        return True
    return (
        latest_review is not None
        and latest_review.action != TechnologyAction.APPROVE
        and not technology.is_public
    )


def technology_can_edit(*, technology: Technology, user) -> bool:
    return MEMBER in technology_actor_roles(technology=technology, user=user) and (
        technology.status in (*EDITABLE_STATUSES, TechnologyStatus.PUBLISHED)
    )


# --- validating and applying data ---------------------------------------------------------------


def _as_decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError) as error:
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": value}) from error


def _offers_from_modes(data: dict) -> list[dict]:
    price = data.get("asking_price")
    return [
        {
            "mode": mode,
            "asking_price": price,
            "negotiable": price in (None, ""),
            "exclusive": False if mode == TransactionMode.LICENSE else None,
        }
        for mode in data.get("transaction_modes") or []
    ]


def _normalized_rows(data: dict) -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {}
    if "offers" in data and data["offers"] is not None:
        rows["offers"] = list(data["offers"])
    elif "transaction_modes" in data:
        rows["offers"] = _offers_from_modes(data)
    for name in ("patents", "performance_figures", "resource_savings"):
        if name in data and data[name] is not None:
            rows[name] = list(data[name])
    return rows


def _build_rows(technology: Technology, rows: dict[str, list[dict]], errors: dict) -> dict:
    """Unsaved row objects per kind, validated; messages name the row."""
    built: dict[str, list] = {}
    for name, items in rows.items():
        model, fields = ROW_FIELDS[name]
        objects = []
        for index, item in enumerate(items, start=1):
            values = {field: item.get(field) for field in fields if field in item}
            for field in ("title", "unit", "note", "jurisdiction"):
                if field in values and values[field] is None:
                    values[field] = "CN" if field == "jurisdiction" else ""
            try:
                for field in ("asking_price", "amount"):
                    if field in values:
                        values[field] = _as_decimal(values[field])
                if name == "offers":
                    values["negotiable"] = bool(values.get("negotiable"))
                if name == "performance_figures":
                    values["position"] = index
                    values["value"] = str(values.get("value") or "")
                row = model(technology=technology, **values)
                row.full_clean(exclude=["technology"], validate_unique=False)
            except ValidationError as error:
                for field, messages in getattr(error, "message_dict", {"": error.messages}).items():
                    for message in messages:
                        errors.setdefault(name, []).append(
                            _("Row %(row)d, %(field)s: %(message)s")
                            % {"row": index, "field": field or name, "message": message}
                        )
                continue
            objects.append(row)
        keys = [getattr(o, "mode", None) or getattr(o, "number", None) for o in objects]
        if name in ("offers", "patents") and len(set(keys)) != len(keys):
            errors.setdefault(name, []).append(_("The same entry is listed twice."))
        built[name] = objects
    return built


def _set_scalars(technology: Technology, data: dict, errors: dict) -> None:
    for field in SCALAR_FIELDS:
        if field not in data:
            continue
        value = data[field]
        if field == "original_language" and not value:
            continue  # left as it is (a new listing's is set by technology_create)
        if field == "category":
            if isinstance(value, Category):
                technology.category = value
            else:
                category = Category.objects.filter(code=str(value or "")).first()
                if category is None:
                    errors.setdefault("category", []).append(
                        _("“%(code)s” is not a category code of the taxonomy.") % {"code": value}
                    )
                else:
                    technology.category = category
            continue
        if field == "co2e_avoided_tonnes_per_year":
            try:
                value = _as_decimal(value)
            except ValidationError as error:
                errors.setdefault(field, []).extend(error.messages)
                continue
        if field in ("keywords", "target_regions", "sdg_goals") and value is None:
            value = []
        if field in ("keywords", "target_regions") and isinstance(value, str):
            value = [part.strip() for part in value.replace("，", ",").split(",") if part.strip()]
        if value is None and field not in ("trl", "co2e_avoided_tonnes_per_year"):
            value = ""
        setattr(technology, field, value)


def _summarize_offers(technology: Technology, offers: list[TechnologyOffer]) -> None:
    technology.transaction_modes = [offer.mode for offer in offers]
    prices = [offer.asking_price for offer in offers if offer.asking_price is not None]
    technology.asking_price = min(prices) if prices else None


def _validated(technology: Technology, data: dict) -> dict:
    """Set `data` on the (unsaved) technology and build its rows; raise every error at once."""
    errors: dict[str, list] = {}
    _set_scalars(technology, data, errors)
    rows = _build_rows(technology, _normalized_rows(data), errors)
    if "offers" in rows:
        _summarize_offers(technology, rows["offers"])
    if "patents" in rows:
        technology.has_granted_patent = any(
            p.status == IntellectualPropertyStatus.GRANTED for p in rows["patents"]
        )
    if "asking_price" in data and "offers" not in data:
        try:
            price = _as_decimal(data["asking_price"])
        except ValidationError as error:
            errors.setdefault("asking_price", []).extend(error.messages)
        else:
            if price is not None and price < 0:
                errors.setdefault("asking_price", []).append(_("A price cannot be negative."))
    exclude = ["organization", "created_by", "search_vector"]
    if "category" in errors:
        exclude.append("category")
    try:
        technology.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return rows


def _save_rows(technology: Technology, rows: dict) -> None:
    for name, objects in rows.items():
        model, _fields = ROW_FIELDS[name]
        model.objects.filter(technology=technology).delete()
        for row in objects:
            row.technology = technology
        model.objects.bulk_create(objects)


def _snapshot(technology: Technology) -> dict[str, Any]:
    values = {field: getattr(technology, field) for field in SCALAR_FIELDS if field != "category"}
    values["category"] = technology.category.code if technology.category_id else None
    values["transaction_modes"] = list(technology.transaction_modes)
    values["asking_price"] = technology.asking_price
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


def _changes(before: dict, after: dict) -> list[dict]:
    changes = []
    for field, new in after.items():
        old = before.get(field)
        if old != new:
            changes.append(
                {"field": field, "from": str(old or "")[:200], "to": str(new or "")[:200]}
            )
    return changes


def _save(technology: Technology, rows: dict) -> None:
    """Save the technology with its search vector and its completeness score, the latter from
    the rows about to be written (`rows`) and the saved ones of the other relations."""
    technology.search_vector = technology_search_vector(technology)
    technology.completeness_score = technology_completeness(technology, rows=rows).score
    technology.save()
    # Once a level has been assessed, the assessments decide it, whatever an edit declares.
    if technology.trl_assessments.exists():
        trl_sync(technology=technology)


def _refresh_completeness(technology: Technology) -> None:
    """Store the score again after a change outside the listing form (an attachment)."""
    score = technology_completeness(technology).score
    if score != technology.completeness_score:
        Technology.objects.filter(pk=technology.pk).update(completeness_score=score)
        technology.completeness_score = score


def _event(
    technology: Technology,
    *,
    user,
    action: str,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    field_comments: dict | None = None,
    changes: list | None = None,
    revision: TechnologyRevision | None = None,
    note_clearance: Clearance = Clearance.INTERNAL,
) -> TechnologyEvent:
    if action in DECISION_ACTIONS.values():
        audit_record(
            kind=AuditKind.LISTING_REVIEW,
            actor=user,
            target=technology,
            summary=f"{action}: {from_status} -> {to_status}",
            data={"action": action, "revision": getattr(revision, "pk", None), "note": note},
        )
    return TechnologyEvent.objects.create(
        technology=technology,
        revision=revision,
        actor=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        field_comments=field_comments or {},
        changes=changes or [],
        note_clearance=note_clearance,
    )


def _serializable(data: dict) -> dict:
    cleaned = {
        key: value
        for key, value in data.items()
        if key in (*SCALAR_FIELDS, *ROW_FIELDS, "transaction_modes", "asking_price")
    }
    if isinstance(cleaned.get("category"), Category):
        cleaned["category"] = cleaned["category"].code
    return json.loads(json.dumps(cleaned, cls=DjangoJSONEncoder))


# --- create, update -----------------------------------------------------------------------------


@transaction.atomic
def technology_create(
    *, user, organization: Organization, data: dict, on_behalf: bool = False
) -> Technology:
    """A new draft listing of `organization`; the user must be one of its members, or a reviewer
    importing on the organisation's behalf (`on_behalf`, accounts.permissions.acts_for)."""
    if not acts_for(user=user, organization=organization, on_behalf=on_behalf):
        raise PermissionDenied(_("Only members of the organisation can list its technologies."))
    technology = Technology(organization=organization, created_by=user)
    data = dict(data)
    original_text = data.pop("original_text", None)
    if not data.get("region"):
        data["region"] = organization.region
    if not data.get("original_language"):
        data["original_language"] = original_language_of(data)
    rows = _validated(technology, data)
    _save(technology, rows)
    _save_rows(technology, rows)
    TECHNOLOGY_TRANSLATIONS.create_original(user=user, instance=technology, texts=original_text)
    _event(technology, user=user, action=TechnologyAction.CREATE, to_status=technology.status)
    return technology


@transaction.atomic
def technology_update(
    *, user, technology: Technology, data: dict, on_behalf: bool = False
) -> Technology:
    """Edit a listing. A published listing keeps its public version: the change goes to review.
    `on_behalf`: a reviewer's import updating the listing it made for its organisation."""
    technology = Technology.objects.select_for_update().get(pk=technology.pk)
    if MEMBER not in technology_actor_roles(technology=technology, user=user) and not (
        on_behalf and acts_for(user=user, organization=technology.organization, on_behalf=on_behalf)
    ):
        raise PermissionDenied(_("Only members of the holder organisation can edit this listing."))
    if "valid_until" in data:
        # The holder's own word on how long the listing is current: applied at once (it is
        # not content a reviewer checks), as a confirmation.
        data = dict(data)
        valid_until = data.pop("valid_until")
        if valid_until is not None and valid_until != technology.valid_until:
            technology = _confirm(user=user, technology=technology, valid_until=valid_until)
        if not data:
            return technology
    if technology.status == TechnologyStatus.PUBLISHED:
        return technology_propose_revision(user=user, technology=technology, data=data)
    if technology.status not in EDITABLE_STATUSES:
        raise TransitionNotAllowed(
            _("A listing that is “%(status)s” cannot be edited.")
            % {"status": technology.get_status_display()}
        )
    before = _snapshot(technology)
    rows = _validated(technology, data)
    _save(technology, rows)
    _save_rows(technology, rows)
    changes = _changes(before, _snapshot(technology))
    changes += [{"field": name, "from": "", "to": str(len(rows[name]))} for name in rows]
    _event(technology, user=user, action=TechnologyAction.EDIT, changes=changes)
    return technology


def technology_propose_revision(*, user, technology: Technology, data: dict) -> Technology:
    """Store the change of a published listing for review; the public version stays as it is."""
    # Validate the merged result on a copy that is never saved.
    proposed = Technology.objects.get(pk=technology.pk)
    rows = _validated(proposed, data)
    # A published listing never drops below the minimum: the change is refused as a whole.
    _require_minimum(proposed, rows=rows, purpose=CompletenessBelowMinimum.EDIT)
    revision = technology_open_revision(technology=technology)
    payload = _serializable(data)
    if revision is None:
        revision = TechnologyRevision.objects.create(
            technology=technology, data=payload, created_by=user, status=RevisionStatus.SUBMITTED
        )
    else:
        TechnologyRevision.objects.filter(pk=revision.pk).update(
            data={**revision.data, **payload}, status=RevisionStatus.SUBMITTED, created_by=user
        )
        revision.refresh_from_db()
    changes = _changes(_snapshot(technology), _snapshot(proposed))
    _event(
        technology,
        user=user,
        action=TechnologyAction.PROPOSE_CHANGE,
        from_status=technology.status,
        to_status=technology.status,
        changes=changes,
        revision=revision,
    )
    _notify_reviewers(technology, gettext_lazy("A change to a published technology awaits review"))
    return technology


# --- workflow -----------------------------------------------------------------------------------


def _transition(
    *, user, technology: Technology, action: str, note: str = "", field_comments=None
) -> Technology:
    roles = technology_actor_roles(technology=technology, user=user)
    if not roles:
        raise PermissionDenied(_("You may not act on this listing."))
    transition = TECHNOLOGY_WORKFLOW.resolve(technology.status, action, roles)
    if transition.requires_note and not (note or "").strip() and not field_comments:
        raise ValidationError({"comment": _("Give a reason or comments for this decision.")})
    now = timezone.now()
    extra: dict[str, Any] = {"updated_at": now}
    if transition.target == TechnologyStatus.SUBMITTED:
        extra["submitted_at"] = now
    if transition.target == TechnologyStatus.PUBLISHED:
        extra.update(published_at=now, valid_until=default_valid_until(), last_confirmed_at=now)
    source = technology.status
    if not compare_and_set_status(
        Technology, pk=technology.pk, expected=source, target=transition.target, **extra
    ):
        raise TransitionNotAllowed(_("Someone else changed this listing first; please reload."))
    technology.refresh_from_db()
    _event(
        technology,
        user=user,
        action=action,
        from_status=source,
        to_status=transition.target,
        note=(note or "").strip(),
        field_comments=field_comments,
    )
    return technology


def _require_minimum(
    technology: Technology, *, rows=None, purpose: str = CompletenessBelowMinimum.SUBMIT
) -> None:
    """Refuse (CompletenessBelowMinimum) a listing below the administrator's minimum."""
    completeness = technology_completeness(technology, rows=rows)
    minimum = catalog_policy().minimum_completeness
    if completeness.score < minimum:
        raise CompletenessBelowMinimum(completeness, minimum, purpose=purpose)


@transaction.atomic
def technology_submit(*, user, technology: Technology) -> Technology:
    if technology.status == TechnologyStatus.PUBLISHED:
        revision = technology_open_revision(technology=technology)
        if revision is not None and revision.status == RevisionStatus.RETURNED:
            return _revision_transition(
                user=user, technology=technology, revision=revision, action=TechnologyAction.SUBMIT
            )
    # Check the whole listing, and that it has what buyers need, before it goes to a reviewer.
    current = Technology.objects.get(pk=technology.pk)
    _validated(current, {})
    roles = technology_actor_roles(technology=current, user=user)
    if TechnologyAction.SUBMIT in TECHNOLOGY_WORKFLOW.allowed_actions(current.status, roles):
        _require_minimum(current)
    technology = _transition(user=user, technology=technology, action=TechnologyAction.SUBMIT)
    # Never blocks the submission: the holder sees the look-alikes on the manage page, the
    # reviewers the recorded pairs in their duplicates queue.
    duplicates.technology_duplicates_record(technology=technology, source=DuplicateSource.SUBMIT)
    _notify_reviewers(technology, gettext_lazy("A technology awaits review"))
    return technology


@transaction.atomic
def technology_withdraw(*, user, technology: Technology, note: str = "") -> Technology:
    return _transition(
        user=user, technology=technology, action=TechnologyAction.WITHDRAW, note=note
    )


@transaction.atomic
def technology_archive(*, user, technology: Technology, note: str = "") -> Technology:
    return _transition(user=user, technology=technology, action=TechnologyAction.ARCHIVE, note=note)


@transaction.atomic
def technology_review(
    *,
    user,
    technology: Technology,
    decision: str,
    comment: str = "",
    field_comments: dict[str, str] | None = None,
) -> Technology:
    """A reviewer's decision on a submitted listing, or on the pending change of a published one."""
    if not is_reviewer(user=user):
        raise PermissionDenied(_("Only reviewers can review technologies."))
    if decision not in DECISION_ACTIONS:
        raise ValidationError({"decision": _("Choose one of: approve, return, reject.")})
    field_comments = {k: v.strip() for k, v in (field_comments or {}).items() if v and v.strip()}
    action = DECISION_ACTIONS[decision]
    if technology.status == TechnologyStatus.PUBLISHED:
        revision = technology_open_revision(technology=technology)
        if revision is not None:
            return _revision_transition(
                user=user,
                technology=technology,
                revision=revision,
                action=action,
                note=comment,
                field_comments=field_comments,
            )
    if action == TechnologyAction.APPROVE:
        # The minimum holds at publication too (the administrator may have raised it since
        # the submission, or the listing reached review another way).
        _require_minimum(
            Technology.objects.get(pk=technology.pk), purpose=CompletenessBelowMinimum.APPROVE
        )
    technology = _transition(
        user=user,
        technology=technology,
        action=action,
        note=comment,
        field_comments=field_comments,
    )
    if technology.status == TechnologyStatus.PUBLISHED:
        _on_published(technology)
    _notify_holder(technology, decision, comment)
    return technology


def _revision_transition(
    *, user, technology, revision, action: str, note: str = "", field_comments=None
) -> Technology:
    roles = technology_actor_roles(technology=technology, user=user)
    transition = REVISION_WORKFLOW.resolve(revision.status, action, roles)
    if transition.requires_note and not (note or "").strip() and not field_comments:
        raise ValidationError({"comment": _("Give a reason or comments for this decision.")})
    if not compare_and_set_status(
        TechnologyRevision,
        pk=revision.pk,
        expected=revision.status,
        target=transition.target,
        decided_at=timezone.now() if REVIEWER in transition.actors else None,
    ):
        raise TransitionNotAllowed(_("Someone else changed this listing first; please reload."))
    changes: list = []
    if transition.target == RevisionStatus.APPLIED:
        technology = Technology.objects.select_for_update().get(pk=technology.pk)
        before = _snapshot(technology)
        rows = _validated(technology, revision.data)
        # An approved change brings the listing up to date: it counts as a confirmation.
        technology.last_confirmed_at = timezone.now()
        technology.valid_until = max(technology.valid_until, default_valid_until())
        _save(technology, rows)
        _save_rows(technology, rows)
        changes = _changes(before, _snapshot(technology))
        publish(TECHNOLOGY_CHANGED, technology_id=technology.pk)
    _event(
        technology,
        user=user,
        action=CHANGE_ACTIONS[action],
        from_status=technology.status,
        to_status=technology.status,
        note=(note or "").strip(),
        field_comments=field_comments,
        changes=changes,
        revision=revision,
    )
    if REVIEWER in transition.actors:
        _notify_holder(technology, action, note, change=True)
    else:
        _notify_reviewers(
            technology, gettext_lazy("A change to a published technology awaits review")
        )
    return technology


def _on_published(technology: Technology) -> None:
    # By name (core.dispatch): catalog.tasks imports this module, not the other way round.
    delay_on_commit(SAVED_SEARCH_NOTIFIER_TASK, [(technology.pk,)])
    publish(TECHNOLOGY_PUBLISHED, technology_id=technology.pk)


def _notify_reviewers(technology: Technology, title) -> None:
    notify_users(
        users=list(platform_reviewers()),
        title=labelled(Message(title), Bilingual.of(technology, "title")),
        url=reverse("catalog:review_queue"),
    )


def _notify_holder(technology: Technology, decision: str, comment: str, change=False) -> None:
    titles = {
        ReviewDecision.APPROVE: gettext_lazy("Your technology was approved and published"),
        ReviewDecision.RETURN: gettext_lazy("Your technology was returned for changes"),
        ReviewDecision.REJECT: gettext_lazy("Your technology was rejected"),
    }
    if change:
        titles = {
            ReviewDecision.APPROVE: gettext_lazy("Your change was approved and is now public"),
            ReviewDecision.RETURN: gettext_lazy("Your change was returned for changes"),
            ReviewDecision.REJECT: gettext_lazy("Your change was rejected"),
        }
    members = members_of(technology.organization_id)
    notify_users(
        users=list(members),
        title=labelled(Message(titles[decision]), Bilingual.of(technology, "title")),
        body=comment or "",
        url=reverse("catalog:technology_manage", args=[technology.pk]),
    )


# --- freshness (core.freshness) -----------------------------------------------------------------


def technology_can_confirm(*, technology: Technology, user) -> bool:
    return technology.status in FRESHNESS_STATUSES and MEMBER in technology_actor_roles(
        technology=technology, user=user
    )


def technology_confirmation_due(*, technology: Technology) -> bool:
    """Published and lapsing within the reminder window (or outdated): worth confirming now."""
    return confirmation_due(
        status=technology.status, valid_until=technology.valid_until, statuses=FRESHNESS_STATUSES
    )


def _confirm(*, user, technology: Technology, valid_until) -> Technology:
    """Confirm the (locked) listing as current until `valid_until`; the caller holds the lock."""
    if MEMBER not in technology_actor_roles(technology=technology, user=user):
        raise PermissionDenied(_("Only members of the holder organisation can confirm it."))
    if technology.status not in FRESHNESS_STATUSES:
        raise TransitionNotAllowed(
            _("Only a published listing can be confirmed as current."),
            allowed=technology_allowed_actions(technology=technology, user=user),
        )
    validate_valid_until(valid_until)
    was_outdated = technology.is_outdated
    now = timezone.now()
    previous = technology.valid_until
    Technology.objects.filter(pk=technology.pk).update(
        valid_until=valid_until, last_confirmed_at=now
    )
    technology.refresh_from_db()
    _event(
        technology,
        user=user,
        action=TechnologyAction.CONFIRM,
        from_status=technology.status,
        to_status=technology.status,
        changes=[{"field": "valid_until", "from": str(previous), "to": str(valid_until)}],
    )
    if was_outdated:
        # Back in the search and the matching: match it again now.
        publish(TECHNOLOGY_CHANGED, technology_id=technology.pk)
    return technology


@transaction.atomic
def technology_confirm(*, user, technology: Technology, valid_until=None) -> Technology:
    """The holder confirms that a published listing is still current: it stays (or, outdated,
    comes back) in the search and the matching until `valid_until` (default: 12 months)."""
    technology = Technology.objects.select_for_update().get(pk=technology.pk)
    return _confirm(
        user=user, technology=technology, valid_until=valid_until or default_valid_until()
    )


def _send_freshness_reminder(technology: Technology, days_before: int) -> None:
    """Tell the holder's members that the listing lapses soon (the one notification call)."""
    notify_users(
        users=list(members_of(technology.organization_id)),
        title=Message(
            gettext_lazy("Confirm that “%(title)s” is still current: it lapses on %(date)s"),
            title=Bilingual.of(technology, "title"),
            date=technology.valid_until,
        ),
        body=Message(
            gettext_lazy(
                "After that date the listing is marked outdated and leaves the search and the "
                "matching until you confirm it. One click on the link confirms it for 12 months."
            )
        ),
        url=reverse("catalog:technology_confirm", args=[technology.pk]),
    )


def technology_freshness_remind(*, technology_id: int, on=None) -> bool:
    """Remind the holder of one listing whose lapse is near, at most once per date and
    reminder (the unique reminder row decides); False when none was due or it was sent."""
    with transaction.atomic():
        technology = (
            Technology.objects.select_for_update()
            .filter(pk=technology_id, status__in=FRESHNESS_STATUSES)
            .first()
        )
        if technology is None:
            return False
        days_before = reminder_due(technology.valid_until, on=on)
        if days_before is None:
            return False
        _reminder, created = TechnologyFreshnessReminder.objects.get_or_create(
            technology=technology, valid_until=technology.valid_until, days_before=days_before
        )
        if created:
            _send_freshness_reminder(technology, days_before)
        return created


def technology_freshness_reminders_send(
    *, on=None, batch_size: int = 200, max_batches: int = 50
) -> int:
    """Remind the holders of the listings lapsing within the reminder window, in bounded
    batches; returns how many reminders were sent. Running it twice sends nothing more."""
    return lapsing_reminders_send(
        candidates=Technology.objects.filter(status__in=FRESHNESS_STATUSES),
        remind=lambda pk, day: technology_freshness_remind(technology_id=pk, on=day),
        on=on,
        batch_size=batch_size,
        max_batches=max_batches,
    )


# --- attachments, inquiries, access -------------------------------------------------------------


@transaction.atomic
def attachment_add(
    *, user, technology: Technology, upload: UploadedFile, confidential: bool = False
) -> TechnologyAttachment:
    """Attach a document or picture. A picture (PNG, JPEG, WebP) must decode with Pillow; it is
    stored re-encoded without metadata, with a WebP thumbnail beside it (core.images)."""
    if MEMBER not in technology_actor_roles(technology=technology, user=user):
        raise PermissionDenied(_("Only members of the holder organisation can add documents."))
    try:
        content_type = upload_content_type(upload, allowed=PDF_AND_IMAGES)
        picture = (
            picture_process(upload, content_type=content_type) if is_picture(content_type) else None
        )
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    attachment = TechnologyAttachment(
        technology=technology,
        name=upload.name[:200],
        content_type=content_type,
        size=upload.size,
        confidential=confidential,
        uploaded_by=user,
    )
    if picture is None:
        attachment.file.save(upload.name, upload, save=False)
    else:
        stem = upload.name.rsplit(".", 1)[0][:150] or "picture"
        attachment.file.save(upload.name, ContentFile(picture.content), save=False)
        attachment.thumbnail.save(f"{stem}.webp", ContentFile(picture.thumbnail), save=False)
        attachment.size = len(picture.content)
        attachment.width, attachment.height = picture.width, picture.height
    attachment.save()
    _refresh_completeness(technology)
    # A confidential attachment's file name is confidential detail too (catalog.visibility).
    _event(
        technology,
        user=user,
        action=TechnologyAction.ATTACH,
        note=attachment.name,
        note_clearance=Clearance.CONFIDENTIAL if confidential else Clearance.PUBLIC,
    )
    return attachment


# --- settings -----------------------------------------------------------------------------------


@transaction.atomic
def catalog_policy_update(*, user, minimum_completeness: int) -> CatalogPolicy:
    """The administrator sets the completeness a listing needs before it can be submitted."""
    if not (
        getattr(user, "is_active", False)
        and getattr(user, "is_staff", False)
        and user.has_perm("catalog.change_catalogpolicy")
    ):
        raise PermissionDenied(_("Only an administrator changes the catalogue settings."))
    policy = catalog_policy(for_update=True)
    policy.minimum_completeness = minimum_completeness
    policy.updated_by = user
    policy.full_clean()
    policy.save()
    return policy


# --- favourites ---------------------------------------------------------------------------------


def _favourable(*, user, technology: Technology) -> None:
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to keep favourites."))
    if technology.status != TechnologyStatus.PUBLISHED:
        raise TransitionNotAllowed(_("Only published technologies can be kept as favourites."))


def favourite_add(*, user, technology: Technology) -> tuple[Favourite, bool]:
    """Star a published listing (idempotent: a second star, even a simultaneous one, keeps the
    one row; the unique constraint decides). Returns the row and whether it is new."""
    _favourable(user=user, technology=technology)
    favourite, created = Favourite.objects.get_or_create(user=user, technology=technology)
    return favourite, created


def favourite_remove(*, user, technology: Technology) -> bool:
    """Unstar a listing (idempotent); whether a row was removed. Works on a listing that has
    since left the catalogue too."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to keep favourites."))
    deleted, _rows = Favourite.objects.filter(user=user, technology=technology).delete()
    return bool(deleted)


@transaction.atomic
def inquiry_create(*, user, technology: Technology, message: str) -> Inquiry:
    """A signed-in user expresses interest in a published technology."""
    if technology.status != TechnologyStatus.PUBLISHED:
        raise TransitionNotAllowed(_("Only published technologies accept inquiries."))
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": _("Tell the holder what you are interested in.")})
    organization = Organization.objects.of_user(user).order_by("pk").first()
    inquiry = Inquiry(technology=technology, user=user, organization=organization, message=message)
    inquiry.full_clean()
    inquiry.save()
    members = members_of(technology.organization_id)
    notify_users(
        users=list(members),
        title=Message(
            gettext_lazy("New inquiry about %(title)s"), title=Bilingual.of(technology, "title")
        ),
        body=message,
        url=reverse("catalog:technology_manage", args=[technology.pk]),
    )
    return inquiry


DEFAULT_NDA = gettext_lazy(
    "I will keep the confidential information of this listing secret, use it only to evaluate a "
    "cooperation with the holder, and not pass it on to third parties without the holder's "
    "written consent."
)


@transaction.atomic
def access_request_create(
    *, user, technology: Technology, accept_nda: bool, message: str = ""
) -> AccessRequest:
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to ask for the confidential detail."))
    if technology.status != TechnologyStatus.PUBLISHED:
        raise TransitionNotAllowed(_("Only published technologies accept access requests."))
    if not accept_nda:
        raise ValidationError({"accept_nda": _("You must accept the non-disclosure agreement.")})
    try:
        with transaction.atomic():
            access = AccessRequest.objects.create(
                technology=technology,
                user=user,
                message=(message or "").strip()[:2000],
                nda_accepted_at=timezone.now(),
                nda_text=technology.nda_text or str(DEFAULT_NDA),
            )
    except IntegrityError as error:
        raise ValidationError(_("You have already asked for access to this technology.")) from error
    members = members_of(technology.organization_id)
    notify_users(
        users=list(members),
        title=Message(
            gettext_lazy("Access to the confidential detail of %(title)s requested"),
            title=Bilingual.of(technology, "title"),
        ),
        body=access.message,
        url=reverse("catalog:technology_manage", args=[technology.pk]),
    )
    return access


@transaction.atomic
def access_request_decide(*, user, access_request: AccessRequest, approve: bool) -> AccessRequest:
    technology = access_request.technology
    if MEMBER not in technology_actor_roles(technology=technology, user=user):
        raise PermissionDenied(_("Only the holder decides on access to its confidential detail."))
    target = AccessRequestStatus.APPROVED if approve else AccessRequestStatus.DECLINED
    updated = AccessRequest.objects.filter(
        pk=access_request.pk, status=AccessRequestStatus.REQUESTED
    ).update(status=target, decided_by=user, decided_at=timezone.now())
    if not updated:
        raise TransitionNotAllowed(_("This request has already been decided."))
    access_request.refresh_from_db()
    _event(
        technology,
        user=user,
        action=TechnologyAction.ACCESS_APPROVED if approve else TechnologyAction.ACCESS_DECLINED,
        note=str(access_request.user),
    )
    notify_users(
        users=[access_request.user],
        title=Message(
            gettext_lazy("You may now see the confidential detail of %(title)s")
            if approve
            else gettext_lazy("Your access request for %(title)s was declined"),
            title=Bilingual.of(technology, "title"),
        ),
        url=reverse("catalog:technology_detail", args=[technology.pk]),
    )
    return access_request


# --- saved searches -----------------------------------------------------------------------------


@transaction.atomic
def saved_search_create(*, user, name: str, query: str, filters: dict) -> SavedSearch:
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to save a search."))
    name = (name or "").strip() or (query or "").strip() or _("My search")
    allowed = {
        key: value for key, value in (filters or {}).items() if key in SAVED_FILTER_KEYS and value
    }
    if not (query or "").strip() and not allowed:
        raise ValidationError(_("Enter search words or choose a filter before saving the search."))
    saved = SavedSearch(
        user=user, name=name[:120], query=(query or "").strip()[:200], filters=allowed
    )
    saved.full_clean()
    saved.save()
    return saved


SAVED_FILTER_KEYS = (
    "category",
    "trl_band",
    "trl_min",
    "transaction_mode",
    "region",
    "holder_type",
    "has_granted_patent",
    "price_min",
    "price_max",
)


def saved_searches_notify(*, technology_id: int) -> int:
    """Tell the owners of saved searches matching a newly published technology (once each)."""
    technology = Technology.objects.filter(
        pk=technology_id, status=TechnologyStatus.PUBLISHED
    ).first()
    if technology is None:
        return 0
    told = 0
    searches = SavedSearch.objects.exclude(hits__technology_id=technology_id).select_related("user")
    for saved in searches.iterator(chunk_size=500):
        if is_member(user=saved.user, organization=technology.organization_id):
            continue
        if not technology_matches_search(
            technology_id=technology_id, query=saved.query, filters=saved.filters
        ):
            continue
        _hit, created = SavedSearchHit.objects.get_or_create(
            saved_search=saved, technology_id=technology_id
        )
        if not created:
            continue
        notify_users(
            users=[saved.user],
            title=Message(
                gettext_lazy("New technology for your saved search “%(name)s”: %(title)s"),
                name=saved.name,
                title=Bilingual.of(technology, "title"),
            ),
            body=Bilingual.of(technology, "summary"),
            url=reverse("catalog:technology_detail", args=[technology.pk]),
        )
        told += 1
    return told


def saved_search_delete(*, user, saved_search: SavedSearch) -> None:
    if saved_search.user_id != user.pk:
        raise PermissionDenied
    saved_search.delete()


# The usual order of a listing's review, for the stepper; the others are detours or ends.
TECHNOLOGY_PATH = (TechnologyStatus.DRAFT, TechnologyStatus.SUBMITTED, TechnologyStatus.PUBLISHED)
TECHNOLOGY_ACTOR_LABELS = {MEMBER: gettext_lazy("Holder"), REVIEWER: gettext_lazy("Reviewer")}


def technology_progress(*, technology: Technology, user) -> Progress:
    """The listing's review stepper: draft, review, published; returned or withdrawn listings
    show what brings them back, rejected and archived ones end there."""
    return workflow_progress(
        TECHNOLOGY_WORKFLOW,
        path=TECHNOLOGY_PATH,
        status=technology.status,
        status_labels=dict(TechnologyStatus.choices),
        actor_labels=TECHNOLOGY_ACTOR_LABELS,
        detours={
            TechnologyStatus.RETURNED: TechnologyStatus.SUBMITTED,
            TechnologyStatus.REJECTED: TechnologyStatus.SUBMITTED,
            TechnologyStatus.WITHDRAWN: TechnologyStatus.PUBLISHED,
            TechnologyStatus.ARCHIVED: TechnologyStatus.PUBLISHED,
            TechnologyStatus.MERGED: TechnologyStatus.PUBLISHED,
        },
        stops=(TechnologyStatus.REJECTED, TechnologyStatus.ARCHIVED, TechnologyStatus.MERGED),
        reader_roles=technology_actor_roles(technology=technology, user=user),
    )


# --- merging duplicates -------------------------------------------------------------------------


@transaction.atomic
def technology_merge(*, user, flag: DuplicateFlag, keep: Technology, note: str = "") -> Technology:
    """A reviewer merges one listing of a recorded pair into the other (`keep`, the survivor).

    The duplicate moves to `merged` (a transition of TECHNOLOGY_WORKFLOW, with its history row)
    pointing at the survivor, whose history records the merge too; the duplicate keeps its own
    history, deals, proposals and introductions (they name that listing and stay as they were).
    Stars move to the survivor, and so do inquiries and saved-search notices when both listings
    belong to one holder; access requests stay (the NDA covered the other listing). Pairs of two
    holders are merged by administrators only. The pair is locked first: of two reviewers
    merging or dismissing it at once, the second is told the pair was already decided (409).
    """
    if not is_reviewer(user=user):
        raise PermissionDenied(_("Only reviewers can merge duplicate listings."))
    flag = DuplicateFlag.objects.select_for_update().filter(pk=flag.pk).first()
    if flag is None or flag.status != DuplicateFlagStatus.OPEN:
        raise TransitionNotAllowed(_("Someone has already decided on this pair; please reload."))
    if keep.pk not in (flag.technology_id, flag.candidate_id):
        raise ValidationError({"keep": _("Choose one of the two listings of the pair to keep.")})
    duplicate_id = flag.other(keep.pk)
    locked = {
        technology.pk: technology
        for technology in Technology.objects.select_for_update()
        .filter(pk__in=[keep.pk, duplicate_id])
        .order_by("pk")
    }
    survivor, duplicate = locked[keep.pk], locked[duplicate_id]
    if survivor.organization_id != duplicate.organization_id and not user.has_role(Role.ADMIN):
        raise PermissionDenied(
            _("Listings of two different holders can only be merged by an administrator.")
        )
    if survivor.status not in duplicates.FLAGGED_STATUSES:
        raise TransitionNotAllowed(
            _("The listing to keep is “%(status)s”: it cannot take the other one in.")
            % {"status": survivor.get_status_display()}
        )
    if duplicate.is_public and not survivor.is_public:
        raise TransitionNotAllowed(
            _(
                "The published listing cannot be merged into one that is not published: "
                "keep the published one."
            )
        )
    transition = TECHNOLOGY_WORKFLOW.resolve(
        duplicate.status,
        TechnologyAction.MERGE,
        technology_actor_roles(technology=duplicate, user=user),
    )
    now = timezone.now()
    source = duplicate.status
    if not compare_and_set_status(
        Technology,
        pk=duplicate.pk,
        expected=source,
        target=transition.target,
        merged_into=survivor,
        updated_at=now,
    ):
        raise TransitionNotAllowed(_("Someone else changed this listing first; please reload."))
    duplicate.refresh_from_db()
    moved = _merge_references(duplicate=duplicate, survivor=survivor)
    note = (note or "").strip()[:2000]
    # Each holder learns the title of the other listing only when it is its own or public.
    same_holder = duplicate.organization_id == survivor.organization_id
    survivor_name = (
        f"#{survivor.pk} “{survivor.title}”" if same_holder or survivor.is_public else ""
    )
    merged_note = (
        _("Merged into listing %(listing)s.") % {"listing": survivor_name}
        if survivor_name
        else _("Merged into a listing of another holder.")
    )
    _event(
        duplicate,
        user=user,
        action=TechnologyAction.MERGE,
        from_status=source,
        to_status=duplicate.status,
        note=merged_note + (f" {note}" if note else ""),
    )
    if same_holder or duplicate.published_at:
        absorbed = _("Listing #%(id)d “%(title)s” was merged into this one.") % {
            "id": duplicate.pk,
            "title": duplicate.title,
        }
    else:
        absorbed = _("A listing of another holder was merged into this one.")
    _event(
        survivor,
        user=user,
        action=TechnologyAction.ABSORB,
        from_status=survivor.status,
        to_status=survivor.status,
        note=absorbed,
    )
    DuplicateFlag.objects.filter(pk=flag.pk).update(
        status=DuplicateFlagStatus.MERGED,
        survivor=survivor,
        decided_by=user,
        decided_at=now,
        note=note,
        updated_at=now,
    )
    audit_record(
        kind=AuditKind.LISTING_REVIEW,
        actor=user,
        target=duplicate,
        summary=f"merge: {duplicate.pk} -> {survivor.pk}",
        data={"action": "merge", "survivor": survivor.pk, "flag": flag.pk, "moved": moved},
    )
    notify_users(
        users=list(members_of(duplicate.organization_id)),
        title=Message(
            gettext_lazy("Your listing “%(title)s” was merged into another listing"),
            title=Bilingual.of(duplicate, "title"),
        ),
        url=reverse("catalog:technology_manage", args=[duplicate.pk]),
    )
    if duplicate.published_at is not None:
        publish(TECHNOLOGY_CHANGED, technology_id=survivor.pk)
    return survivor


def _merge_references(*, duplicate: Technology, survivor: Technology) -> dict[str, int]:
    """Move what is safe to move from the merged listing to the one kept; counts by kind."""
    moved = {"favourites": 0, "inquiries": 0, "saved_search_hits": 0}
    starred = Favourite.objects.filter(technology=survivor).values("user_id")
    moved["favourites"] = (
        Favourite.objects.filter(technology=duplicate)
        .exclude(user_id__in=starred)
        .update(technology=survivor)
    )
    Favourite.objects.filter(technology=duplicate).delete()  # already starred on the survivor
    if duplicate.organization_id == survivor.organization_id:
        moved["inquiries"] = Inquiry.objects.filter(technology=duplicate).update(
            technology=survivor
        )
        told = SavedSearchHit.objects.filter(technology=survivor).values("saved_search_id")
        moved["saved_search_hits"] = (
            SavedSearchHit.objects.filter(technology=duplicate)
            .exclude(saved_search_id__in=told)
            .update(technology=survivor)
        )
    # A change still pending on the merged listing has nothing left to apply to.
    TechnologyRevision.objects.filter(
        technology=duplicate, status__in=OPEN_REVISION_STATUSES
    ).update(status=RevisionStatus.REJECTED, decided_at=timezone.now())
    return moved


# --- readiness assessments ----------------------------------------------------------------------

DECIDERS = frozenset({selectors.TRL_REVIEWER, selectors.TRL_EXPERT})
TRL_ASSESSMENT_WORKFLOW = StateMachine(
    {
        (TrlAssessmentStatus.CLAIMED, TrlAssessmentAction.CONFIRM): Transition(
            TrlAssessmentStatus.CONFIRMED, DECIDERS, gettext_lazy("Confirm the level")
        ),
        (TrlAssessmentStatus.CLAIMED, TrlAssessmentAction.REJECT): Transition(
            TrlAssessmentStatus.REJECTED,
            DECIDERS,
            gettext_lazy("Do not confirm"),
            requires_note=True,
        ),
    }
)
TRL_EVIDENCE_KINDS = ("pdf", "png", "jpeg", "docx")
TRL_EVIDENCE_MAX_FILES = 10


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _as_level(value) -> int:
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = 0
    if not 1 <= level <= 9:
        raise ValidationError({"level": _("Choose a level from 1 to 9.")})
    return level


def trl_sync(*, technology: Technology) -> Technology:
    """Keep `Technology.trl` (read by search, facets and matching) at the current assessed level."""
    readiness = selectors.technology_readiness(technology=technology)
    if readiness.level != technology.trl:
        Technology.objects.filter(pk=technology.pk).update(trl=readiness.level)
        technology.trl = readiness.level
        if technology.status == TechnologyStatus.PUBLISHED:
            publish(TECHNOLOGY_CHANGED, technology_id=technology.pk)
    return technology


def _trl_event(assessment, *, user, action: str, from_status: str, note: str = "") -> None:
    TrlAssessmentEvent.objects.create(
        assessment=assessment,
        actor=user,
        action=action,
        from_status=from_status,
        to_status=assessment.status,
        note=note,
    )


@transaction.atomic
def trl_claim(
    *,
    user,
    technology: Technology,
    level,
    application_context: str,
    assessed_on,
    files: list[UploadedFile] | tuple = (),
) -> TrlAssessment:
    """A member of the holder claims a readiness level shown at a date in one application
    context, with its evidence files (PDF, PNG, JPEG, Word; each hashed with SHA-256)."""
    if MEMBER not in technology_actor_roles(technology=technology, user=user):
        raise PermissionDenied(_("Only members of the holder organisation can claim a level."))
    errors: dict[str, list] = {}
    try:
        level = _as_level(level)
    except ValidationError as error:
        errors.update(error.message_dict)
        level = 1
    assessment = TrlAssessment(
        technology=technology,
        level=level,
        application_context=application_context or "",
        assessed_on=assessed_on,
        application_scope_then=(technology.application_scope or "").strip(),
        level_before=technology.trl,
        claimed_by=user,
    )
    try:
        assessment.full_clean(exclude=["technology", "claimed_by", "decided_by"])
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    files = list(files)
    if len(files) > TRL_EVIDENCE_MAX_FILES:
        errors.setdefault("files", []).append(
            _("Attach at most %(count)s files.") % {"count": TRL_EVIDENCE_MAX_FILES}
        )
    checked = []
    for upload in files[:TRL_EVIDENCE_MAX_FILES]:
        try:
            content_type = upload_content_type(upload, allowed=TRL_EVIDENCE_KINDS)
            if is_picture(content_type):
                # A site photo's GPS position and camera never reach the store: the picture
                # kept, and hashed, is the one without its metadata.
                content = picture_without_metadata(upload, content_type=content_type)
                upload = ContentFile(content, name=upload.name)
            checked.append((upload, content_type))
        except ValidationError as error:
            errors.setdefault("files", []).extend(error.messages)
    if errors:
        raise ValidationError(errors)
    assessment.save()
    for upload, content_type in checked:
        evidence = TrlEvidence(
            assessment=assessment,
            name=upload.name[:200],
            content_type=content_type,
            size=upload.size,
            sha256=_sha256(upload),
            uploaded_by=user,
        )
        evidence.file.save(upload.name, upload, save=False)
        evidence.save()
    _trl_event(assessment, user=user, action=TrlAssessmentAction.CLAIM, from_status="")
    trl_sync(technology=technology)
    return assessment


@transaction.atomic
def _trl_decide(*, user, assessment: TrlAssessment, action: str, note: str) -> TrlAssessment:
    technology = assessment.technology
    roles = selectors.trl_assessment_actor_roles(technology=technology, user=user)
    if selectors.TRL_MEMBER in roles:
        raise PermissionDenied(
            _("A level claimed by your own organisation is confirmed by someone outside it.")
        )
    if (
        not roles & DECIDERS
        or not selectors.technologies_visible_to(user=user).filter(pk=technology.pk).exists()
    ):
        raise PermissionDenied(_("Only reviewers and verified experts can decide a claimed level."))
    transition = TRL_ASSESSMENT_WORKFLOW.resolve(assessment.status, action, roles)
    note = (note or "").strip()
    if transition.requires_note and not note:
        raise ValidationError({"note": _("Say why the level is not confirmed.")})
    role = TrlConfirmerRole.REVIEWER if selectors.TRL_REVIEWER in roles else TrlConfirmerRole.EXPERT
    organization_id, organization_name = None, ""
    if role == TrlConfirmerRole.EXPERT:
        standing = expert_standing(user=user)
        organization_id = standing.organization_id
        organization_name = "" if organization_id else standing.organization_name
    else:
        try:
            organization_id = primary_organization(user=user).pk
        except ValidationError:  # an administrator acting for no organisation
            organization_id = None
    from_status = assessment.status
    decided_at = timezone.now()
    won = compare_and_set_status(
        TrlAssessment,
        pk=assessment.pk,
        expected=from_status,
        target=transition.target,
        decided_by=user,
        decider_role=role,
        decider_organization_id=organization_id,
        decider_organization_name=organization_name[:300],
        decided_at=decided_at,
        note=note,
    )
    if not won:
        raise TransitionNotAllowed(_("Someone else has just decided this claim."))
    assessment.refresh_from_db()
    _trl_event(assessment, user=user, action=action, from_status=from_status, note=note)
    trl_sync(technology=technology)
    return assessment


def trl_confirm(*, user, assessment: TrlAssessment, note: str = "") -> TrlAssessment:
    """A reviewer or a verified expert outside the holder confirms a claimed level."""
    return _trl_decide(
        user=user, assessment=assessment, action=TrlAssessmentAction.CONFIRM, note=note
    )


def trl_reject(*, user, assessment: TrlAssessment, note: str) -> TrlAssessment:
    """A reviewer or a verified expert outside the holder refuses a claimed level, saying why."""
    return _trl_decide(
        user=user, assessment=assessment, action=TrlAssessmentAction.REJECT, note=note
    )


# --- translations (core.content_translations) -------------------------------------------------
# The holder's members write their own, a broker or a reviewer proposes drafts the holder may
# confirm. Every write locks the listing (found through its visibility rule, so a hidden one is
# 404), refreshes its translated text in the search vector and the match input, and records an
# event in its history.


def _locked(technology: Technology, user) -> Technology:
    return (
        selectors.technologies_visible_to(user=user)
        .select_for_update(of=("self",))
        .get(pk=technology.pk)
    )


def technology_translations_reindex(technology: Technology) -> None:
    """Store the translations' text and the search vector with it; `updated_at` moves so the
    matching profiles are rebuilt."""
    technology.translated_text = translation_texts_index(technology.translations.all())
    technology.search_vector = technology_search_vector(technology)
    Technology.objects.filter(pk=technology.pk).update(
        translated_text=technology.translated_text,
        search_vector=technology.search_vector,
        updated_at=timezone.now(),
    )


TECHNOLOGY_TRANSLATIONS = TranslationRules(
    model=TechnologyTranslation,
    parent_field="technology",
    layout=TECHNOLOGY_TEXT,
    locked=_locked,
    is_owner=lambda technology, user: (
        MEMBER in technology_actor_roles(technology=technology, user=user)
    ),
    may_draft=lambda user: may_draft_translations(user=user),
    reindex=technology_translations_reindex,
    event_model=TechnologyEvent,
)
