"""Reads of programmes, events and challenges, shared by the API and the pages."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value

from accounts.choices import Role
from accounts.permissions import has_role, is_reviewer, member_organization_ids
from catalog.choices import TechnologyStatus
from catalog.models import Technology
from exchange.choices import NeedStatus
from exchange.models import Deal, Need
from programmes.choices import ChallengeStatus, ExpertStatus, MeetingStatus
from programmes.models import (
    Challenge,
    ChallengeSubmission,
    Event,
    EventRegistration,
    ExpertProfile,
    Meeting,
    Programme,
    ProgrammeEntry,
    ProgrammeHistory,
    Scenario,
)


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def programmes_visible_to(*, user) -> QuerySet[Programme]:
    """The operator's members, reviewers and administrators, invited experts, and holders
    invited to the programme; 404 for anyone else. Each row also says whether the user is one
    of its experts or invited holders (`programme_actor_roles` reads that instead of asking
    once per programme)."""
    base = Programme.objects.select_related("operator")
    if not _authenticated(user):
        return base.none()
    organizations = member_organization_ids(user=user)
    base = base.annotate(
        viewer_id=Value(user.pk),
        viewer_is_expert=Exists(
            ExpertProfile.objects.filter(
                programmes=OuterRef("pk"), user=user, status=ExpertStatus.VERIFIED
            )
        ),
        viewer_is_invited_holder=Exists(
            ProgrammeEntry.objects.filter(
                programme=OuterRef("pk"),
                holder_invited_at__isnull=False,
                technology__organization_id__in=organizations,
            )
        ),
        is_scenario=Exists(Scenario.objects.filter(programme=OuterRef("pk"))),
    )
    if is_reviewer(user=user):
        return base
    invited_holder = ProgrammeEntry.objects.filter(
        holder_invited_at__isnull=False, technology__organization_id__in=organizations
    ).values("programme")
    return base.filter(
        Q(operator_id__in=organizations) | Q(experts__user=user) | Q(pk__in=invited_holder)
    ).distinct()


def programme_entries(*, programme: Programme, user) -> QuerySet[ProgrammeEntry]:
    """The shortlist; an invited holder sees only its own technologies."""
    entries = (
        programme.entries.select_related("technology__organization", "technology__category")
        .prefetch_related("expert_scores__expert")
        .order_by("rank", "pk")
    )
    if is_reviewer(user=user) or has_role(user=user, role=Role.ADMIN):
        return entries
    organizations = member_organization_ids(user=user)
    if programme.operator_id in organizations or programme.experts.filter(user=user).exists():
        return entries
    return entries.filter(technology__organization_id__in=organizations)


def entry_expert_median(entry: ProgrammeEntry) -> float | None:
    import statistics

    scores = [row.score for row in entry.expert_scores.all()]
    return float(statistics.median(scores)) if scores else None


# --- events -----------------------------------------------------------------------------------


def events_visible_to(*, user) -> QuerySet[Event]:
    """Open, closed and past events are public; drafts and cancelled ones only to organisers."""
    base = Event.objects.select_related("organizer_organization", "programme").annotate(
        registration_count=Count("registrations", distinct=True)
    )
    public = Q(status__in=["open", "closed"])
    if not _authenticated(user):
        return base.filter(public)
    if is_reviewer(user=user):
        return base
    return base.filter(
        public
        | Q(organizer=user)
        | Q(organizer_organization_id__in=member_organization_ids(user=user))
    )


def registration_of(*, event: Event, user) -> EventRegistration | None:
    if not _authenticated(user):
        return None
    return (
        event.registrations.filter(organization_id__in=member_organization_ids(user=user))
        .select_related("organization")
        .first()
    )


def online_link_visible(*, event: Event, user) -> bool:
    """The online link admits people to the meeting room: only the organisers, reviewers and
    members of a registered organisation get it (page, API, notifications alike). Reads the
    event's registrations, prefetched on lists."""
    if not _authenticated(user) or not event.online_url:
        return False
    if event.organizer_id == user.pk or is_reviewer(user=user):
        return True
    organizations = set(member_organization_ids(user=user))
    if event.organizer_organization_id in organizations:
        return True
    return any(
        registration.organization_id in organizations for registration in event.registrations.all()
    )


def meetings_visible_to(*, event: Event, user) -> QuerySet[Meeting]:
    """Organisers and reviewers see every meeting; a participant sees its own."""
    meetings = event.meetings.select_related("technology", "enterprise", "holder").order_by(
        "starts_at", "pk"
    )
    if not _authenticated(user):
        return meetings.none()
    if is_reviewer(user=user) or event.organizer_id == user.pk:
        return meetings
    organizations = member_organization_ids(user=user)
    if event.organizer_organization_id in organizations:
        return meetings
    return meetings.filter(Q(enterprise_id__in=organizations) | Q(holder_id__in=organizations))


def event_deals(*, event: Event):
    """Deals opened since the event started between an enterprise and a holder that met
    there about the same technology: what came out of it."""
    pairs = list(
        event.meetings.filter(status=MeetingStatus.HELD).values_list(
            "technology_id", "enterprise_id"
        )
    )
    if not pairs:
        return Deal.objects.none()
    condition = Q()
    for technology_id, enterprise_id in pairs:
        condition |= Q(technology_id=technology_id, buyer_id=enterprise_id)
    return (
        Deal.objects.filter(condition, created_at__gte=event.starts_at)
        .select_related("technology", "buyer", "seller")
        .order_by("created_at", "pk")
    )


# --- challenges -------------------------------------------------------------------------------


def challenges_visible_to(*, user) -> QuerySet[Challenge]:
    """Published challenges are public; drafts only to the operator and reviewers. Each row
    also says whether the user judges it (`challenge_actor_roles` reads that instead of asking
    once per challenge)."""
    base = Challenge.objects.select_related("operator", "sector").annotate(
        submission_count=Count("submissions", distinct=True)
    )
    public = ~Q(status=ChallengeStatus.DRAFT)
    if not _authenticated(user):
        return base.filter(public)
    base = base.annotate(
        viewer_id=Value(user.pk),
        viewer_is_judge=Exists(
            ExpertProfile.objects.filter(
                challenges=OuterRef("pk"), user=user, status=ExpertStatus.VERIFIED
            )
        ),
    )
    if is_reviewer(user=user):
        return base
    return base.filter(public | Q(operator_id__in=member_organization_ids(user=user)))


def challenge_submissions(*, challenge: Challenge, user) -> QuerySet[ChallengeSubmission]:
    """Operators, judges and reviewers see every submission; holders their own; after the
    announcement everyone sees the winners."""
    submissions = challenge.submissions.select_related(
        "proposal__technology", "proposal__organization", "proposal__need"
    ).prefetch_related(Prefetch("scores"))
    if _authenticated(user) and (
        is_reviewer(user=user)
        or challenge.operator_id in member_organization_ids(user=user)
        or challenge.judges.filter(user=user).exists()
    ):
        return submissions
    visible = Q(is_winner=True) if challenge.status == ChallengeStatus.ANNOUNCED else Q(pk__in=[])
    if _authenticated(user):
        visible |= Q(proposal__organization_id__in=member_organization_ids(user=user))
    return submissions.filter(visible)


def programme_history(*, programme: Programme) -> QuerySet[ProgrammeHistory]:
    return programme.history.select_related("actor")


# --- choices offered on the pages -------------------------------------------------------------


def featurable_technologies() -> QuerySet[Technology]:
    """Published technologies an event may feature, newest first."""
    return Technology.objects.filter(status=TechnologyStatus.PUBLISHED).order_by(
        "-published_at", "-pk"
    )


def technologies_of_user(*, user, published_only: bool = False) -> QuerySet[Technology]:
    """The technologies of the user's organisations (a holder's entries in a challenge)."""
    technologies = Technology.objects.filter(organization_id__in=member_organization_ids(user=user))
    if published_only:
        technologies = technologies.filter(status=TechnologyStatus.PUBLISHED)
    return technologies


def challengeable_needs() -> QuerySet[Need]:
    """Published needs a challenge may gather, newest first."""
    return Need.objects.filter(status=NeedStatus.PUBLISHED).order_by("-published_at", "-pk")


def event_featured_technologies(*, event: Event) -> list[Technology]:
    return list(
        event.featured_technologies.select_related("organization", "category").order_by("pk")
    )


def event_registrations(*, event: Event) -> QuerySet[EventRegistration]:
    return event.registrations.select_related("organization")


def event_held_meeting_count(*, event: Event) -> int:
    return event.meetings.filter(status=MeetingStatus.HELD).count()


def challenge_needs(*, challenge: Challenge) -> QuerySet[Need]:
    return challenge.needs.select_related("category").all()


def experts_to_invite(*, already_invited: QuerySet[ExpertProfile]) -> QuerySet[ExpertProfile]:
    """Verified experts not invited yet (a programme's scorers, a challenge's judges)."""
    return ExpertProfile.objects.filter(status=ExpertStatus.VERIFIED).exclude(
        pk__in=already_invited.values("pk")
    )


def challenges_with_winners(*, challenges: QuerySet[Challenge]) -> QuerySet[Challenge]:
    """The challenges with their needs and winning submissions (`winning_submissions`)."""
    winners = ChallengeSubmission.objects.filter(is_winner=True).select_related(
        "proposal__technology", "proposal__organization"
    )
    return challenges.prefetch_related(
        "needs", Prefetch("submissions", queryset=winners, to_attr="winning_submissions")
    )


# --- application scenarios --------------------------------------------------------------------


def scenarios_visible_to(*, user) -> QuerySet:
    """Published, closed and awarded scenarios for everyone; drafts for their operator."""
    from programmes.choices import ScenarioStatus
    from programmes.models import Scenario

    visible = ~Q(status=ScenarioStatus.DRAFT)
    if getattr(user, "is_authenticated", False):
        visible |= Q(programme__operator_id__in=member_organization_ids(user=user))
    return Scenario.objects.filter(visible).select_related(
        "programme__operator", "industry", "pilot_agreement__technology"
    )


def scenario_applications(*, scenario, user) -> QuerySet[ProgrammeEntry]:
    """All applications for the operator; a holder sees only its own organisation's."""
    entries = scenario.programme.entries.select_related(
        "technology__organization", "technology__category"
    ).order_by("created_at", "pk")
    if scenario.programme.operator_id in member_organization_ids(user=user):
        return entries
    return entries.filter(technology__organization_id__in=member_organization_ids(user=user))


def scenario_lists_public() -> QuerySet:
    from programmes.models import ScenarioList

    return (
        ScenarioList.objects.select_related("operator")
        .annotate(scenario_count=Count("scenarios"))
        .order_by("-published_at", "-pk")
    )


def scenario_list_scenarios(*, scenario_list) -> QuerySet:
    from programmes.choices import ScenarioStatus

    return (
        scenario_list.scenarios.exclude(status=ScenarioStatus.DRAFT)
        .select_related("programme__operator", "industry")
        .order_by("closes_at", "pk")
    )


def pilot_agreements_visible_to(*, user) -> QuerySet:
    """Pilot agreements of the user's organisations, as holder or as operator."""
    from programmes.models import PilotAgreement

    organization_ids = member_organization_ids(user=user)
    return PilotAgreement.objects.filter(
        Q(holder_id__in=organization_ids) | Q(scenario__programme__operator_id__in=organization_ids)
    ).select_related("scenario", "technology", "holder")
