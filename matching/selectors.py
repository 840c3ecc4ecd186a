"""Reads of the matching app, shared by the API and the pages."""

from __future__ import annotations

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet

from accounts.permissions import is_member, member_organization_ids
from catalog.choices import TechnologyStatus
from catalog.models import Technology
from catalog.selectors import technologies_visible_to
from core.freshness import today
from exchange.choices import IntroductionStatus, NeedStatus
from exchange.models import Deal, Introduction, Need
from exchange.selectors import needs_visible_to
from matching.choices import RunSubject
from matching.models import Match, MatchFeedback, MatchingRun

STAFF_ROLES = ("broker", "reviewer", "admin")
SCORE_BANDS = ((0, 20), (20, 40), (40, 60), (60, 80), (80, 101))


def _is_staff(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.has_role(*STAFF_ROLES)


def need_matches_visible(*, need: Need, user) -> bool:
    """A need's matches: its organisation, brokers and reviewers."""
    return _is_staff(user) or is_member(user=user, organization=need.organization_id)


def technology_matches_visible(*, technology: Technology, user) -> bool:
    """A technology's matches: its holder organisation, brokers and reviewers."""
    return _is_staff(user) or is_member(user=user, organization=technology.organization_id)


def need_for_matches(*, need_id: int, user) -> Need | None:
    """The need when the user may see it at all (drafts stay private) and its matches."""
    need = needs_visible_to(user=user).filter(pk=need_id).first()
    if need is None or not need_matches_visible(need=need, user=user):
        return None
    return need


def technology_for_matches(*, technology_id: int, user) -> Technology | None:
    """The technology when the user may see it at all (drafts stay private) and its matches."""
    technology = technologies_visible_to(user=user).filter(pk=technology_id).first()
    if technology is None or not technology_matches_visible(technology=technology, user=user):
        return None
    return technology


def technology_for_similar(*, technology_id: int, user) -> Technology | None:
    """A published technology the user may see (its similar technologies are public)."""
    return (
        technologies_visible_to(user=user)
        .filter(pk=technology_id, status=TechnologyStatus.PUBLISHED)
        .first()
    )


def matches_of_need(*, need: Need) -> QuerySet[Match]:
    """Ranked matches of a need with published technologies."""
    return (
        Match.objects.filter(need=need, technology__status=TechnologyStatus.PUBLISHED)
        .exclude(technology__valid_until__lt=today())
        .select_related("need", "technology", "technology__organization")
        .order_by("-score", "technology_id")
    )


def matches_of_technology(*, technology: Technology) -> QuerySet[Match]:
    """Ranked matches of a technology with published needs."""
    return (
        Match.objects.filter(technology=technology, need__status=NeedStatus.PUBLISHED)
        .exclude(need__valid_until__lt=today())
        .select_related("need", "need__organization", "technology")
        .order_by("-score", "need_id")
    )


def matches_visible_to(*, user) -> QuerySet[Match]:
    """Matches a user may see and rate: of their organisations' needs or technologies, or all
    for brokers and reviewers."""
    queryset = Match.objects.select_related("need", "technology")
    if _is_staff(user):
        return queryset
    organization_ids = member_organization_ids(user=user)
    return queryset.filter(
        Q(need__organization_id__in=organization_ids)
        | Q(technology__organization_id__in=organization_ids)
    )


def match_parties_of_user(*, match: Match, user) -> str:
    """'enterprise' or 'holder' when the user belongs to one side of the match, else ''."""
    organization_ids = member_organization_ids(user=user)
    if match.need.organization_id in organization_ids:
        return "enterprise"
    if match.technology.organization_id in organization_ids:
        return "holder"
    return ""


def latest_run(*, subject: str, subject_id: int) -> MatchingRun | None:
    return (
        MatchingRun.objects.filter(subject=subject, subject_id=subject_id)
        .order_by("-queued_at", "-pk")
        .first()
    )


def latest_need_run(*, need: Need) -> MatchingRun | None:
    return latest_run(subject=RunSubject.NEED, subject_id=need.pk)


def latest_technology_run(*, technology: Technology) -> MatchingRun | None:
    return latest_run(subject=RunSubject.TECHNOLOGY, subject_id=technology.pk)


def lead_board() -> QuerySet[Match]:
    """Strong matches of published needs and technologies that no deal or live introduction
    covers yet, best first: the brokers' leads."""
    deals = Deal.objects.filter(
        need_id=OuterRef("need_id"), technology_id=OuterRef("technology_id")
    )
    introductions = Introduction.objects.filter(
        need_id=OuterRef("need_id"), technology_id=OuterRef("technology_id")
    ).exclude(status=IntroductionStatus.DECLINED)
    return (
        Match.objects.strong()
        .filter(
            need__status=NeedStatus.PUBLISHED,
            technology__status=TechnologyStatus.PUBLISHED,
        )
        .exclude(need__valid_until__lt=today())
        .exclude(technology__valid_until__lt=today())
        .filter(~Exists(deals), ~Exists(introductions))
        .select_related("need", "need__organization", "technology", "technology__organization")
        .order_by("-score", "pk")
    )


def feedback_report() -> list[dict]:
    """Usefulness rate per score band (score when the verdict was given)."""
    rows = []
    for low, high in SCORE_BANDS:
        band = MatchFeedback.objects.filter(score__gte=low, score__lt=high).aggregate(
            total=Count("pk"),
            useful=Count("pk", filter=Q(useful=True)),
            average_score=Avg("score"),
        )
        total = band["total"]
        rows.append(
            {
                "band": f"{low}-{min(high, 100)}",
                "low": low,
                "high": min(high, 100),
                "total": total,
                "useful": band["useful"],
                "not_useful": total - band["useful"],
                "usefulness_rate": round(band["useful"] / total, 3) if total else None,
            }
        )
    return rows


def feedback_of_user(*, user, matches) -> dict[int, bool]:
    if not getattr(user, "is_authenticated", False):
        return {}
    return dict(
        MatchFeedback.objects.filter(user=user, match__in=list(matches)).values_list(
            "match_id", "useful"
        )
    )


def lead_workspace_todos(*, user) -> list[dict]:
    """A broker's leads: strong matches no deal or introduction covers yet (the lead board)."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy

    from accounts.workspace import queue_todo

    if not getattr(user, "is_authenticated", False) or not user.has_role("broker"):
        return []
    return [
        queue_todo(
            key="leads_to_introduce",
            label=gettext_lazy("Leads to introduce"),
            queryset=lead_board(),
            url=reverse("matching:lead_board"),
        )
    ]
