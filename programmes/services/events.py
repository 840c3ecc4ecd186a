"""Roadshows and matchmaking fairs: registration, the enterprise's matches among the featured
technologies, one-to-one meetings in time slots, and what came out of the event.

draft --open--> open --close_registration--> closed;  draft/open/closed --cancel--> cancelled

No double booking: a meeting takes one slot of the grid (`slot_minutes` from the start), and
partial unique constraints allow one active meeting per slot for the technology, the enterprise
and the holder. The enterprise's registration row is locked while it books, so its own parallel
requests cannot exceed `meetings_per_participant` either.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from accounts.permissions import has_role, member_organization_ids, members_of, primary_organization
from catalog.choices import TechnologyStatus
from catalog.models import Technology
from core.timezones import city, in_two_zones, zone_of
from core.workflow import (
    StateMachine,
    Transition,
    TransitionNotAllowed,
    compare_and_set_status,
    event_record,
)
from exchange.choices import NeedStatus
from exchange.models import Need
from notifications.messages import Bilingual, Message, ZonedTime
from notifications.services import notify_users
from programmes.access import can_organize_events
from programmes.choices import EntryStatus, EventStatus, MeetingStatus, ParticipantRole
from programmes.models import (
    ACTIVE_MEETING,
    Event,
    EventHistory,
    EventRegistration,
    Meeting,
    Programme,
)
from programmes.scoring import best_matches_for_organization
from programmes.services.common import HOLDER, ORGANIZER, note_required

EV = EventStatus
ORGANIZERS = frozenset({ORGANIZER})
PARTICIPANT = "participant"
ENTERPRISE = "enterprise"
EVENT_WORKFLOW = StateMachine(
    {
        (EV.DRAFT, "open"): Transition(EV.OPEN, ORGANIZERS),
        (EV.OPEN, "close_registration"): Transition(EV.CLOSED, ORGANIZERS),
        (EV.DRAFT, "cancel"): Transition(EV.CANCELLED, ORGANIZERS, requires_note=True),
        (EV.OPEN, "cancel"): Transition(EV.CANCELLED, ORGANIZERS, requires_note=True),
        (EV.CLOSED, "cancel"): Transition(EV.CANCELLED, ORGANIZERS, requires_note=True),
        (EV.OPEN, "register"): Transition(EV.OPEN, frozenset({PARTICIPANT})),
        (EV.OPEN, "book"): Transition(EV.OPEN, frozenset({ENTERPRISE})),
        (EV.CLOSED, "book"): Transition(EV.CLOSED, frozenset({ENTERPRISE})),
    }
)
PARTIES = frozenset({ENTERPRISE, HOLDER})
MEETING_WORKFLOW = StateMachine(
    {
        (MeetingStatus.BOOKED, "cancel_meeting"): Transition(MeetingStatus.CANCELLED, PARTIES),
        (MeetingStatus.BOOKED, "held"): Transition(MeetingStatus.HELD, PARTIES | {ORGANIZER}),
        (MeetingStatus.BOOKED, "missed"): Transition(MeetingStatus.MISSED, PARTIES | {ORGANIZER}),
    }
)


def event_actor_roles(*, event: Event, user) -> set[str]:
    roles: set[str] = set()
    if not getattr(user, "is_authenticated", False):
        return roles
    organizations = member_organization_ids(user=user)
    if (
        event.organizer_id == user.pk
        or event.organizer_organization_id in organizations
        or has_role(user=user, role=Role.ADMIN)
    ):
        roles.add(ORGANIZER)
    if organizations:
        registered = {
            registration.organization_id: registration.role
            for registration in event.registrations.all()
        }
        if not set(organizations) & set(registered):
            roles.add(PARTICIPANT)
        elif any(registered.get(pk) == ParticipantRole.ENTERPRISE for pk in organizations):
            roles.add(ENTERPRISE)
    return roles


def event_allowed_actions(*, event: Event, user) -> list[str]:
    return EVENT_WORKFLOW.allowed_actions(event.status, event_actor_roles(event=event, user=user))


def _resolve(event: Event, user, action: str):
    fresh = Event.objects.prefetch_related("registrations").get(pk=event.pk)
    transition = EVENT_WORKFLOW.resolve(
        fresh.status, action, event_actor_roles(event=fresh, user=user)
    )
    return fresh.status, transition


def _history(event, **fields) -> None:
    event_record(EventHistory, event=event, **fields)


def _url(event: Event) -> str:
    return reverse("programmes:event_detail", args=[event.pk])


def _local_time(moment: datetime.datetime, event: Event | None = None) -> str:
    """In the reader's zone and, for an event organised elsewhere, in the organiser's too."""
    if event is None:
        return date_format(timezone.localtime(moment), "Y-m-d H:i")
    return in_two_zones(moment, event.organizer_time_zone)


# --- organising -------------------------------------------------------------------------------


def _featured_from_programme(programme: Programme | None) -> list[Technology]:
    if programme is None:
        return []
    return [
        entry.technology
        for entry in programme.entries.filter(status=EntryStatus.SELECTED).select_related(
            "technology"
        )
    ]


@transaction.atomic
def event_create(
    *,
    user,
    programme: Programme | None = None,
    technologies: Iterable[Technology] | None = None,
    needs: Iterable[Need] = (),
    **fields,
) -> Event:
    """An operator or broker creates an event (a draft) with featured technologies and needs,
    picked by hand or taken from a programme's selection."""
    if not can_organize_events(user):
        raise PermissionDenied(_("Only programme operators and brokers organise events."))
    unknown = set(fields) - set(Event.EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    if programme is not None:
        from programmes.services.screening import programme_actor_roles

        if "operator" not in programme_actor_roles(programme=programme, user=user):
            raise ValidationError({"programme": _("Choose one of your own programmes.")})
    technologies = list(technologies) if technologies else _featured_from_programme(programme)
    needs = list(needs)
    errors: dict[str, str] = {}
    if any(t.status != TechnologyStatus.PUBLISHED for t in technologies):
        errors["technologies"] = _("Only published technologies can be featured.")
    if any(n.status not in (NeedStatus.PUBLISHED, NeedStatus.IN_NEGOTIATION) for n in needs):
        errors["needs"] = _("Only published needs can be featured.")
    organizations = member_organization_ids(user=user)
    event = Event(
        organizer=user,
        organizer_organization_id=sorted(organizations)[0] if organizations else None,
        programme=programme,
        **fields,
    )
    try:
        event.full_clean()
    except ValidationError as error:
        errors.update({k: v for k, v in error.message_dict.items()})
    if event.starts_at and event.starts_at <= timezone.now():
        errors.setdefault("starts_at", _("The event must start in the future."))
    if errors:
        raise ValidationError(errors)
    event.save()
    event.featured_technologies.set(technologies)
    event.featured_needs.set(needs)
    _history(event, user=user, action="create", to_status=event.status)
    return event


@transaction.atomic
def event_transition(*, event: Event, user, action: str, note: str = "") -> Event:
    """Open registration, close it, or cancel the event (with a reason)."""
    if action not in ("open", "close_registration", "cancel"):
        raise TransitionNotAllowed(
            _("The action “%(action)s” is not possible here.") % {"action": action}
        )
    current, transition = _resolve(event, user, action)
    note = note_required(transition, note)
    if action == "open" and not event.featured_technologies.exists():
        raise ValidationError(_("Feature at least one technology before opening registration."))
    if not compare_and_set_status(
        Event, pk=event.pk, expected=current, target=transition.target, updated_at=timezone.now()
    ):
        raise TransitionNotAllowed(_("Someone else changed this event first; reload it."))
    event.refresh_from_db()
    _history(
        event, user=user, action=action, from_status=current, to_status=event.status, note=note
    )
    if action == "cancel":
        organizations = event.registrations.values_list("organization_id", flat=True)
        notify_users(
            users=list(members_of(*organizations)),
            title=Message(gettext_lazy("Cancelled: %(event)s"), event=event.title),
            body=note,
            url=_url(event),
        )
    return event


# --- registration -----------------------------------------------------------------------------


@transaction.atomic
def event_register(*, event: Event, user, role: str) -> EventRegistration:
    """Register the user's organisation, as holder or enterprise; refused after the closing time
    or when the event is full."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    organization = primary_organization(user=user)
    if role not in ParticipantRole.values:
        raise ValidationError({"role": _("Take part as a technology holder or an enterprise.")})
    if event.status != EV.OPEN or timezone.now() >= event.registration_closes_at:
        raise ValidationError(
            _("Registration for this event closed on %(time)s.")
            % {"time": _local_time(min(event.registration_closes_at, timezone.now()), event)}
            if event.status in (EV.OPEN, EV.CLOSED)
            else _("This event does not take registrations.")
        )
    if event.registrations.filter(organization=organization).exists():
        raise ValidationError(_("Your organisation is already registered."))
    if event.registrations.count() >= event.capacity:
        raise ValidationError(
            _("The event is full: all %(capacity)d places are taken.")
            % {"capacity": event.capacity}
        )
    registration = EventRegistration.objects.create(
        event=event, organization=organization, registered_by=user, role=role
    )
    _history(event, user=user, action="register", note=f"{organization} ({role})")
    organizers = [event.organizer] if event.organizer_id else []
    notify_users(
        users=organizers,
        title=Message(
            gettext_lazy("%(organization)s registered for %(event)s"),
            organization=Bilingual.of(organization, "name"),
            event=event.title,
        ),
        url=_url(event),
    )
    notify_users(
        users=[user],
        title=Message(gettext_lazy("You are registered for %(event)s"), event=event.title),
        body=Message(gettext_lazy("It starts at %(time)s."), time=ZonedTime(event.starts_at)),
        url=_url(event),
    )
    return registration


def event_slots(*, event: Event) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """The meeting grid: `slot_minutes` slots from the start to the end."""
    length = datetime.timedelta(minutes=event.slot_minutes)
    slots = []
    start = event.starts_at
    while start + length <= event.ends_at:
        slots.append((start, start + length))
        start += length
    return slots


def event_matches(*, event: Event, registration: EventRegistration, limit: int = 5) -> list[dict]:
    """The registered enterprise's top matches among the featured technologies (matching
    engine), from its published needs or, without any, its organisation's description."""
    technology_ids = list(event.featured_technologies.values_list("pk", flat=True))
    needs = Need.objects.filter(
        organization_id=registration.organization_id,
        status__in=[NeedStatus.PUBLISHED, NeedStatus.IN_NEGOTIATION],
    )
    return best_matches_for_organization(
        organization=registration.organization,
        needs=list(needs),
        technology_ids=technology_ids,
        limit=limit,
    )


# --- meetings ---------------------------------------------------------------------------------


def _slot_refusal(event: Event, starts_at: datetime.datetime) -> str:
    """Why a start time is no slot, in the reader's zone and the organiser's: the event's
    hours are the organiser's."""
    if starts_at.tzinfo is None:
        return _("Give the time with its UTC offset, or set your time zone in your profile.")
    length = datetime.timedelta(minutes=event.slot_minutes)
    if starts_at < event.starts_at or starts_at + length > event.ends_at:
        zone = event.organizer_time_zone
        return _(
            "%(time)s is outside the event's hours: meetings run from %(start)s to %(end)s "
            "%(zone)s time."
        ) % {
            "time": _local_time(starts_at, event),
            "start": date_format(event.starts_at.astimezone(zone_of(zone)), "Y-m-d H:i"),
            "end": date_format(event.ends_at.astimezone(zone_of(zone)), "Y-m-d H:i"),
            "zone": city(zone),
        }
    return _(
        "%(time)s is not the start of a slot: %(minutes)d-minute meetings start from %(start)s."
    ) % {
        "time": _local_time(starts_at, event),
        "minutes": event.slot_minutes,
        "start": _local_time(event.starts_at, event),
    }


def _conflict_message(event: Event, *, enterprise_id, technology, starts_at) -> str:
    active = event.meetings.filter(ACTIVE_MEETING, starts_at=starts_at)
    when = _local_time(starts_at, event)
    if active.filter(enterprise_id=enterprise_id).exists():
        return _("You already have a meeting at %(time)s.") % {"time": when}
    if active.filter(technology=technology).exists():
        return _("“%(technology)s” is already booked at %(time)s.") % {
            "technology": technology.title,
            "time": when,
        }
    return _("The holder of “%(technology)s” already meets someone at %(time)s.") % {
        "technology": technology.title,
        "time": when,
    }


@transaction.atomic
def meeting_book(
    *, event: Event, user, technology: Technology, starts_at: datetime.datetime
) -> Meeting:
    """A registered enterprise books a one-to-one meeting with a featured technology's holder
    in one slot; overlapping or beyond the enterprise's allowance is refused."""
    _resolve(event, user, "book")
    event = Event.objects.get(pk=event.pk)
    registration = (
        EventRegistration.objects.select_for_update()
        .filter(
            event=event,
            organization_id__in=member_organization_ids(user=user),
            role=ParticipantRole.ENTERPRISE,
        )
        .select_related("organization")
        .first()
    )
    if registration is None:
        raise TransitionNotAllowed(_("Register your organisation as an enterprise first."))
    if timezone.now() >= event.starts_at:
        raise ValidationError(_("Meetings are booked before the event starts."))
    if not event.featured_technologies.filter(pk=technology.pk).exists():
        raise ValidationError({"technology": _("Choose one of the featured technologies.")})
    slots = dict(event_slots(event=event))
    if starts_at not in slots:
        raise ValidationError({"starts_at": _slot_refusal(event, starts_at)})
    if technology.organization_id == registration.organization_id:
        raise ValidationError({"technology": _("This is your own organisation's technology.")})
    booked = registration.meetings.filter(ACTIVE_MEETING).count()
    if booked >= event.meetings_per_participant:
        raise ValidationError(
            _("You have booked the %(count)d meetings each enterprise may have at this event.")
            % {"count": event.meetings_per_participant}
        )
    meeting = Meeting(
        event=event,
        registration=registration,
        enterprise=registration.organization,
        technology=technology,
        holder_id=technology.organization_id,
        starts_at=starts_at,
        ends_at=slots[starts_at],
        booked_by=user,
    )
    meeting.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            meeting.save()
    except IntegrityError as error:
        raise ValidationError(
            {
                "starts_at": _conflict_message(
                    event,
                    enterprise_id=registration.organization_id,
                    technology=technology,
                    starts_at=starts_at,
                )
            }
        ) from error
    _history(event, user=user, action="book", note=str(meeting))
    notify_users(
        users=list(members_of(technology.organization_id)),
        title=Message(
            gettext_lazy("Meeting booked at %(event)s: %(time)s with %(organization)s"),
            event=event.title,
            time=ZonedTime(starts_at),
            organization=Bilingual.of(registration.organization, "name"),
        ),
        body=Bilingual.of(technology, "title"),
        url=_url(event),
    )
    notify_users(
        users=list(members_of(registration.organization_id)),
        title=Message(
            gettext_lazy("Meeting confirmed at %(event)s: %(time)s about %(technology)s"),
            event=event.title,
            time=ZonedTime(starts_at),
            technology=Bilingual.of(technology, "title"),
        ),
        url=_url(event),
    )
    return meeting


def _meeting_roles(meeting: Meeting, user) -> set[str]:
    organizations = set(member_organization_ids(user=user))
    roles = set()
    if meeting.enterprise_id in organizations:
        roles.add(ENTERPRISE)
    if meeting.holder_id in organizations:
        roles.add(HOLDER)
    if ORGANIZER in event_actor_roles(event=meeting.event, user=user):
        roles.add(ORGANIZER)
    return roles


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, user) -> Meeting:
    """Either side cancels a booked meeting before it starts; the slot is free again."""
    roles = _meeting_roles(meeting, user)
    if not roles & PARTIES:
        raise TransitionNotAllowed(_("Only the two parties may cancel the meeting."))
    if timezone.now() >= meeting.starts_at:
        raise TransitionNotAllowed(_("The meeting has started; record what happened instead."))
    _meeting_move(
        meeting,
        user=user,
        action="cancel_meeting",
        roles=roles,
        refusal=_("This meeting is no longer booked."),
    )
    other = (
        meeting.holder_id
        if meeting.enterprise_id in member_organization_ids(user=user)
        else (meeting.enterprise_id)
    )
    notify_users(
        users=list(members_of(other)),
        title=Message(
            gettext_lazy("Meeting cancelled: %(meeting)s"),
            meeting=Message(
                gettext_lazy("%(time)s %(enterprise)s × %(technology)s"),
                time=ZonedTime(meeting.starts_at),
                enterprise=Bilingual.of(meeting.enterprise, "name"),
                technology=Bilingual.of(meeting.technology, "title"),
            ),
        ),
        url=_url(meeting.event),
    )
    return meeting


@transaction.atomic
def meeting_record(*, meeting: Meeting, user, held: bool, note: str = "") -> Meeting:
    """After its start, the organiser or a party records whether the meeting took place."""
    roles = _meeting_roles(meeting, user)
    if not roles:
        raise TransitionNotAllowed(_("Only the organiser and the two parties record meetings."))
    if timezone.now() < meeting.starts_at:
        raise TransitionNotAllowed(_("The meeting has not started yet."))
    _meeting_move(
        meeting,
        user=user,
        action="held" if held else "missed",
        roles=roles,
        refusal=_("This meeting has already been recorded or cancelled."),
        note=(note or "").strip(),
    )
    return meeting


def _meeting_move(
    meeting: Meeting, *, user, action: str, roles: set[str], refusal: str, **extra
) -> None:
    """One step of a meeting through MEETING_WORKFLOW (compare-and-set), and its event row:
    `cancel_meeting`, `meeting_held` or `meeting_missed` in the event's history."""
    current = Meeting.objects.filter(pk=meeting.pk).values_list("status", flat=True).first()
    try:
        transition = MEETING_WORKFLOW.resolve(current, action, roles)
    except TransitionNotAllowed as error:
        raise TransitionNotAllowed(refusal, allowed=error.allowed) from error
    if not compare_and_set_status(
        Meeting, pk=meeting.pk, expected=current, target=transition.target, **extra
    ):
        raise TransitionNotAllowed(refusal)
    meeting.refresh_from_db()
    event_action = action if action == "cancel_meeting" else f"meeting_{transition.target}"
    _history(meeting.event, user=user, action=event_action, note=str(meeting))
