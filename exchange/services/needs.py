"""Needs: posting, editing, review and the lifecycle up to closing."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organization
from accounts.permissions import (
    acts_for,
    is_member,
    may_draft_translations,
    members_of,
    platform_reviewers,
    primary_organization,
)
from audit.choices import AuditKind
from audit.services import audit_record
from core.content_translations import (
    TranslationRules,
    original_language_of,
    translation_texts_index,
)
from core.events import publish
from core.freshness import (
    confirmation_due,
    lapsing_reminders_send,
    reminder_due,
    today,
    validate_valid_until,
)
from core.workflow import (
    StateMachine,
    Transition,
    TransitionNotAllowed,
    compare_and_set_status,
)
from exchange.choices import (
    NeedAction,
    NeedCloseReason,
    NeedStatus,
    ReviewDecision,
)
from exchange.events import NEED_CHANGED, NEED_PUBLISHED
from exchange.models import (
    NEED_FRESHNESS_STATUSES,
    NEED_TEXT,
    Need,
    NeedEvent,
    NeedFreshnessReminder,
    NeedTranslation,
)
from exchange.search import need_search_vector
from exchange.selectors import needs_visible_to
from exchange.services.common import (
    MEMBER,
    MEMBERS_ONLY,
    REVIEWER,
    REVIEWERS_ONLY,
    SYSTEM,
    SYSTEM_ONLY,
    _diff,
    validate_future_deadline,
)
from notifications.messages import Bilingual, Message
from notifications.services import notify_users

NEED_WORKFLOW = StateMachine(
    {
        (NeedStatus.DRAFT, NeedAction.SUBMIT): Transition(NeedStatus.SUBMITTED, MEMBERS_ONLY),
        (NeedStatus.RETURNED, NeedAction.SUBMIT): Transition(NeedStatus.SUBMITTED, MEMBERS_ONLY),
        (NeedStatus.SUBMITTED, NeedAction.APPROVE): Transition(
            NeedStatus.PUBLISHED, REVIEWERS_ONLY
        ),
        (NeedStatus.SUBMITTED, NeedAction.RETURN): Transition(
            NeedStatus.RETURNED, REVIEWERS_ONLY, requires_note=True
        ),
        (NeedStatus.SUBMITTED, NeedAction.REJECT): Transition(
            NeedStatus.REJECTED, REVIEWERS_ONLY, requires_note=True
        ),
        (NeedStatus.SUBMITTED, NeedAction.WITHDRAW): Transition(NeedStatus.CLOSED, MEMBERS_ONLY),
        (NeedStatus.RETURNED, NeedAction.WITHDRAW): Transition(NeedStatus.CLOSED, MEMBERS_ONLY),
        (NeedStatus.PUBLISHED, NeedAction.WITHDRAW): Transition(NeedStatus.CLOSED, MEMBERS_ONLY),
        (NeedStatus.IN_NEGOTIATION, NeedAction.WITHDRAW): Transition(
            NeedStatus.CLOSED, MEMBERS_ONLY
        ),
        (NeedStatus.PUBLISHED, NeedAction.START_NEGOTIATION): Transition(
            NeedStatus.IN_NEGOTIATION, SYSTEM_ONLY
        ),
        (NeedStatus.IN_NEGOTIATION, NeedAction.REOPEN): Transition(
            NeedStatus.PUBLISHED, frozenset({MEMBER, SYSTEM})
        ),
        (NeedStatus.IN_NEGOTIATION, NeedAction.SOLVE): Transition(
            NeedStatus.CLOSED, frozenset({MEMBER, SYSTEM})
        ),
        (NeedStatus.PUBLISHED, NeedAction.SOLVE): Transition(NeedStatus.CLOSED, MEMBERS_ONLY),
        (NeedStatus.PUBLISHED, NeedAction.EXPIRE): Transition(NeedStatus.CLOSED, SYSTEM_ONLY),
        (NeedStatus.SUBMITTED, NeedAction.EXPIRE): Transition(NeedStatus.CLOSED, SYSTEM_ONLY),
        (NeedStatus.RETURNED, NeedAction.EXPIRE): Transition(NeedStatus.CLOSED, SYSTEM_ONLY),
    }
)
CLOSE_REASON_OF_ACTION = {
    NeedAction.WITHDRAW: NeedCloseReason.WITHDRAWN,
    NeedAction.SOLVE: NeedCloseReason.SOLVED,
    NeedAction.EXPIRE: NeedCloseReason.EXPIRED,
}


def need_actor_roles(*, need: Need, user, organization_ids: list[int] | None = None) -> set[str]:
    """`member` and/or `reviewer`; pass the user's organisation ids to save a query per row."""
    roles: set[str] = set()
    if not getattr(user, "is_authenticated", False):
        return roles
    if user.is_reviewer:
        roles.add(REVIEWER)
    if organization_ids is not None:
        if need.organization_id in organization_ids:
            roles.add(MEMBER)
    elif is_member(organization=need.organization_id, user=user):
        roles.add(MEMBER)
    return roles


def need_allowed_actions(
    *, need: Need, user, organization_ids: list[int] | None = None
) -> list[str]:
    roles = need_actor_roles(need=need, user=user, organization_ids=organization_ids)
    return NEED_WORKFLOW.allowed_actions(need.status, roles)


def _need_reindex(need: Need) -> None:
    Need.objects.filter(pk=need.pk).update(search_vector=need_search_vector(need))


# --- translations (core.content_translations) -------------------------------------------------
# The organisation's members write their own, a broker or a reviewer proposes drafts the members
# may confirm; the need is found through its visibility rule (a hidden one is 404).


def _need_locked(need: Need, user) -> Need:
    return needs_visible_to(user=user).select_for_update(of=("self",)).get(pk=need.pk)


def need_translations_reindex(need: Need) -> None:
    """Store the translations' text and the search vector with it; `updated_at` moves so the
    matching profiles are rebuilt."""
    need.translated_text = translation_texts_index(need.translations.all())
    Need.objects.filter(pk=need.pk).update(
        translated_text=need.translated_text,
        search_vector=need_search_vector(need),
        updated_at=timezone.now(),
    )


NEED_TRANSLATIONS = TranslationRules(
    model=NeedTranslation,
    parent_field="need",
    layout=NEED_TEXT,
    locked=_need_locked,
    is_owner=lambda need, user: MEMBER in need_actor_roles(need=need, user=user),
    may_draft=lambda user: may_draft_translations(user=user),
    reindex=need_translations_reindex,
    event_model=NeedEvent,
)


def _need_full_clean(need: Need) -> None:
    errors: dict[str, list[str]] = {}
    try:
        need.full_clean(exclude=["organization", "created_by"])
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        validate_future_deadline(need.deadline)
        if need.is_open_call:
            validate_future_deadline(need.call_closes_on, "call_closes_on")
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def need_create(
    *,
    user,
    organization: Organization | None = None,
    on_behalf: bool = False,
    original_text: dict | None = None,
    **fields,
) -> Need:
    """A new draft need of `organization` (a member's, or a reviewer's import `on_behalf` of it).
    A need written in a language other than Chinese or English brings its `original_text`."""
    organization = organization or primary_organization(user=user)
    if not acts_for(user=user, organization=organization, on_behalf=on_behalf):
        raise ValidationError(_("You can post needs only for your own organisation."))
    unknown = set(fields) - set(Need.EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(unknown)})
    if not fields.get("region"):
        # A need left without a region is placed where the posting organisation is.
        fields["region"] = organization.region
    if not fields.get("original_language"):
        fields["original_language"] = original_language_of(fields)
    need = Need(organization=organization, created_by=user, **fields)
    need.valid_until = need.deadline or need.valid_until
    _need_full_clean(need)
    need.save()
    NEED_TRANSLATIONS.create_original(user=user, instance=need, texts=original_text)
    _need_reindex(need)
    NeedEvent.objects.create(need=need, actor=user, action=NeedAction.CREATE, to_status=need.status)
    return need


@transaction.atomic
def need_update(*, need: Need, user, on_behalf: bool = False, **fields) -> Need:
    if "valid_until" in fields:
        # The owner's word on how long a listed need is current: a confirmation (need_confirm).
        fields = dict(fields)
        valid_until = fields.pop("valid_until")
        if valid_until is not None:
            need = need_confirm(need=need, user=user, valid_until=valid_until)
        if not fields:
            return need
    need = Need.objects.select_for_update().select_related("organization").get(pk=need.pk)
    if MEMBER not in need_actor_roles(need=need, user=user) and not (
        on_behalf and acts_for(user=user, organization=need.organization, on_behalf=on_behalf)
    ):
        raise ValidationError(_("Only members of the organisation may change this need."))
    if not need.is_editable:
        raise TransitionNotAllowed(
            _("A need can be changed only as a draft or after it was returned for changes.")
        )
    fields = {name: value for name, value in fields.items() if name in Need.EDITABLE_FIELDS}
    if not fields.get("original_language", True):
        del fields["original_language"]
    changes = _diff(need, fields)
    for name, value in fields.items():
        setattr(need, name, value)
    _need_full_clean(need)
    need.save()
    _need_reindex(need)
    if changes:
        NeedEvent.objects.create(
            need=need,
            actor=user,
            action=NeedAction.EDIT,
            from_status=need.status,
            to_status=need.status,
            changes=changes,
        )
    return need


@transaction.atomic
def need_transition(*, need: Need, user, action: str, note: str = "", system: bool = False) -> Need:
    """Take one step of a need's lifecycle (submit, approve, return, reject, withdraw, ...)."""
    current = Need.objects.filter(pk=need.pk).values_list("status", flat=True).first()
    roles = {SYSTEM} if system else need_actor_roles(need=need, user=user)
    transition = NEED_WORKFLOW.resolve(current, action, roles)
    note = (note or "").strip()
    if transition.requires_note and not note:
        raise ValidationError({"comment": _("Please give a reason for the organisation.")})
    now = timezone.now()
    extra: dict = {"updated_at": now}
    if action == NeedAction.SUBMIT:
        need.refresh_from_db()
        _need_full_clean(need)
        extra["submitted_at"] = now
    if action in (NeedAction.APPROVE, NeedAction.RETURN, NeedAction.REJECT):
        extra["review_comment"] = note
    if action == NeedAction.APPROVE:
        # A published need is current until its deadline (core.freshness).
        deadline = Need.objects.filter(pk=need.pk).values_list("deadline", flat=True).first()
        extra.update(published_at=now, valid_until=deadline, last_confirmed_at=now)
    if transition.target == NeedStatus.CLOSED:
        extra.update(close_reason=CLOSE_REASON_OF_ACTION[action], closed_at=now)
    elif action == NeedAction.REOPEN:
        extra.update(close_reason="", closed_at=None)
    if not compare_and_set_status(
        Need, pk=need.pk, expected=current, target=transition.target, **extra
    ):
        raise TransitionNotAllowed(_("Someone else changed this need first; reload it."))
    NeedEvent.objects.create(
        need=need,
        actor=None if system else user,
        action=action,
        from_status=current,
        to_status=transition.target,
        note=note,
    )
    if action in (NeedAction.APPROVE, NeedAction.RETURN, NeedAction.REJECT) and not system:
        audit_record(
            kind=AuditKind.NEED_REVIEW,
            actor=user,
            target=need,
            summary=f"{action}: {current} -> {transition.target}",
            data={"action": action, "note": note},
        )
    need.refresh_from_db()
    _need_notify(need=need, action=action, note=note)
    if transition.target == NeedStatus.PUBLISHED:
        publish(NEED_PUBLISHED, need_id=need.pk)
    return need


def _need_notify(*, need: Need, action: str, note: str) -> None:
    url = reverse("exchange:need_detail", args=[need.pk])
    if action == NeedAction.SUBMIT:
        notify_users(
            users=platform_reviewers(),
            title=Message(
                gettext_lazy("Need waiting for review: %(title)s"),
                title=Bilingual.of(need, "title"),
            ),
            url=url,
        )
        return
    messages = {
        NeedAction.APPROVE: gettext_lazy("Your need “%(title)s” is published."),
        NeedAction.RETURN: gettext_lazy("Your need “%(title)s” was returned for changes."),
        NeedAction.REJECT: gettext_lazy("Your need “%(title)s” was rejected."),
        NeedAction.EXPIRE: gettext_lazy(
            "Your need “%(title)s” has expired: its deadline has passed."
        ),
    }
    if action in messages:
        notify_users(
            users=members_of(need.organization_id),
            title=Message(messages[action], title=Bilingual.of(need, "title")),
            body=note,
            url=url,
        )


def need_submit(*, need: Need, user) -> Need:
    return need_transition(need=need, user=user, action=NeedAction.SUBMIT)


def need_withdraw(*, need: Need, user, note: str = "") -> Need:
    return need_transition(need=need, user=user, action=NeedAction.WITHDRAW, note=note)


def need_review(*, need: Need, user, decision: str, comment: str = "") -> Need:
    if decision not in ReviewDecision.values:
        raise ValidationError({"decision": _("Choose approve, return or reject.")})
    return need_transition(need=need, user=user, action=decision, note=comment)


def need_expire(*, need_id: int) -> bool:
    """Close one need whose deadline has passed; False when it had already moved on."""
    need = Need.objects.filter(pk=need_id).first()
    if need is None or need.deadline >= timezone.localdate():
        return False
    try:
        need_transition(need=need, user=None, action=NeedAction.EXPIRE, system=True)
    except TransitionNotAllowed:
        return False
    return True


def needs_expire_overdue(*, batch_size: int = 200, max_batches: int = 50) -> int:
    """Expire needs past their deadline in bounded batches; returns how many were closed."""
    expirable = [status for (status, action) in NEED_WORKFLOW.table if action == NeedAction.EXPIRE]
    expired = 0
    last_pk = 0
    for _batch in range(max_batches):
        ids = list(
            Need.objects.filter(
                status__in=expirable, deadline__lt=timezone.localdate(), pk__gt=last_pk
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            break
        last_pk = ids[-1]
        expired += sum(need_expire(need_id=need_id) for need_id in ids)
    return expired


# --- freshness (core.freshness) -----------------------------------------------------------------


def need_can_confirm(*, need: Need, user) -> bool:
    return need.status in NEED_FRESHNESS_STATUSES and MEMBER in need_actor_roles(
        need=need, user=user
    )


def need_confirmation_due(*, need: Need) -> bool:
    return confirmation_due(
        status=need.status, valid_until=need.valid_until, statuses=NEED_FRESHNESS_STATUSES
    )


def need_default_valid_until(need: Need) -> datetime.date:
    """A confirmation keeps the need current until its deadline (it closes then anyway)."""
    return max(need.deadline, today())


@transaction.atomic
def need_confirm(*, need: Need, user, valid_until: datetime.date | None = None) -> Need:
    """Members of the organisation confirm that a listed need is current until `valid_until`
    (default: its deadline; never after it); an outdated need comes back in the list, the
    search and the matching."""
    need = Need.objects.select_for_update().get(pk=need.pk)
    if MEMBER not in need_actor_roles(need=need, user=user):
        raise PermissionDenied(_("Only members of the organisation may confirm this need."))
    if need.status not in NEED_FRESHNESS_STATUSES:
        raise TransitionNotAllowed(
            _("Only a published need can be confirmed as current."),
            allowed=need_allowed_actions(need=need, user=user),
        )
    valid_until = valid_until or need_default_valid_until(need)
    validate_valid_until(
        valid_until,
        latest=need.deadline,
        latest_message=_("A need cannot stay current after its deadline (%(date)s).")
        % {"date": date_format(need.deadline, "DATE_FORMAT")},
    )
    was_outdated = need.is_outdated
    previous = need.valid_until
    Need.objects.filter(pk=need.pk).update(
        valid_until=valid_until, last_confirmed_at=timezone.now()
    )
    need.refresh_from_db()
    NeedEvent.objects.create(
        need=need,
        actor=user,
        action=NeedAction.CONFIRM,
        from_status=need.status,
        to_status=need.status,
        changes={"valid_until": [str(previous), str(valid_until)]},
    )
    if was_outdated:
        publish(NEED_CHANGED, need_id=need.pk)
    return need


def _send_need_freshness_reminder(need: Need, days_before: int) -> None:
    """Tell the organisation's members that the need lapses soon (the one notification call)."""
    notify_users(
        users=members_of(need.organization_id),
        title=Message(
            gettext_lazy(
                "Confirm that your need “%(title)s” is still current: it lapses on %(date)s"
            ),
            title=Bilingual.of(need, "title"),
            date=need.valid_until,
        ),
        body=Message(
            gettext_lazy(
                "After that date the need is marked outdated and leaves the need list and the "
                "matching until you confirm it. One click on the link confirms it."
            )
        ),
        url=reverse("exchange:need_confirm", args=[need.pk]),
    )


def need_freshness_remind(*, need_id: int, on: datetime.date | None = None) -> bool:
    """Remind the organisation of one need whose lapse is near, once per date and reminder."""
    with transaction.atomic():
        need = (
            Need.objects.select_for_update()
            .filter(pk=need_id, status__in=NEED_FRESHNESS_STATUSES)
            .first()
        )
        if need is None:
            return False
        days_before = reminder_due(need.valid_until, on=on)
        if days_before is None:
            return False
        _reminder, created = NeedFreshnessReminder.objects.get_or_create(
            need=need, valid_until=need.valid_until, days_before=days_before
        )
        if created:
            _send_need_freshness_reminder(need, days_before)
        return created


def need_freshness_reminders_send(
    *, on: datetime.date | None = None, batch_size: int = 200, max_batches: int = 50
) -> int:
    """Remind the organisations of the needs lapsing within the reminder window, in bounded
    batches; returns how many reminders were sent. Running it twice sends nothing more."""
    return lapsing_reminders_send(
        candidates=Need.objects.filter(status__in=NEED_FRESHNESS_STATUSES),
        remind=lambda pk, day: need_freshness_remind(need_id=pk, on=day),
        on=on,
        batch_size=batch_size,
        max_batches=max_batches,
    )
