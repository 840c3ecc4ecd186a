"""Reads of the expert directory and of evaluations, shared by the API and the pages."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from accounts.permissions import ExpertStanding, is_reviewer, member_organization_ids
from catalog.choices import TechnologyStatus
from catalog.models import Technology
from catalog.search import parse_query
from core.search import apply_text_query
from programmes.choices import AssignmentStatus, EvaluationStatus, ExpertStatus
from programmes.models import (
    Evaluation,
    EvaluationAssignment,
    EvaluationHistory,
    ExpertHistory,
    ExpertProfile,
)

EXPERT_RELATED = ("organization", "user")

# How much of an evaluation a user sees (evaluation_viewer).
VIEWER_PUBLIC = "public"
VIEWER_HOLDER = "holder"
VIEWER_EXPERT = "expert"
VIEWER_REVIEWER = "reviewer"


def experts_visible_to(*, user) -> QuerySet[ExpertProfile]:
    """Verified experts are public; an expert sees their own profile; reviewers see all."""
    base = ExpertProfile.objects.select_related(*EXPERT_RELATED).prefetch_related(
        "fields", "declared_conflicts"
    )
    if not getattr(user, "is_authenticated", False):
        return base.filter(status=ExpertStatus.VERIFIED)
    if is_reviewer(user=user):
        return base
    return base.filter(Q(status=ExpertStatus.VERIFIED) | Q(user=user))


def expert_search(*, queryset: QuerySet[ExpertProfile], text: str) -> QuerySet[ExpertProfile]:
    """Full text over name, title, organisation, fields and bio (Chinese segmented)."""
    parsed = parse_query(text or "")
    if parsed.is_empty:
        return queryset
    return apply_text_query(queryset, parsed).order_by("-rank", "name", "pk")


def expert_of_user(*, user) -> ExpertProfile | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return ExpertProfile.objects.filter(user=user).first()


def experts_awaiting_verification() -> QuerySet[ExpertProfile]:
    return (
        ExpertProfile.objects.filter(status=ExpertStatus.PENDING)
        .select_related(*EXPERT_RELATED)
        .order_by("created_at", "pk")
    )


# --- evaluations ------------------------------------------------------------------------------


def evaluations_visible_to(*, user) -> QuerySet[Evaluation]:
    """Completed evaluations of published technologies are public; the holder's members,
    the assigned experts and reviewers see the others."""
    public = Q(status=EvaluationStatus.COMPLETED, technology__status=TechnologyStatus.PUBLISHED)
    base = Evaluation.objects.select_related("technology__organization", "technology__category")
    if not getattr(user, "is_authenticated", False):
        return base.filter(public)
    if is_reviewer(user=user):
        return base
    visible = (
        public
        | Q(technology__organization_id__in=member_organization_ids(user=user))
        | Q(pk__in=EvaluationAssignment.objects.filter(expert__user=user).values("evaluation"))
    )
    return base.filter(visible)


def evaluations_of_user(*, user) -> QuerySet[Evaluation]:
    """The evaluations a user works on: all for reviewers, their organisations' technologies
    for holders, their assignments for experts."""
    base = Evaluation.objects.select_related("technology__organization").order_by(
        "-created_at", "-pk"
    )
    if is_reviewer(user=user):
        return base
    return base.filter(
        Q(technology__organization_id__in=member_organization_ids(user=user))
        | Q(pk__in=EvaluationAssignment.objects.filter(expert__user=user).values("evaluation"))
    )


def evaluation_viewer(*, evaluation: Evaluation, user) -> str:
    """How much of an evaluation the user sees: reviewer, expert, holder or public."""
    if not getattr(user, "is_authenticated", False):
        return VIEWER_PUBLIC
    if is_reviewer(user=user):
        return VIEWER_REVIEWER
    if evaluation.technology.organization_id in member_organization_ids(user=user):
        return VIEWER_HOLDER
    if any(a.expert.user_id == user.pk for a in evaluation.assignments.all()):
        return VIEWER_EXPERT
    return VIEWER_PUBLIC


def evaluation_assignments(*, evaluation: Evaluation) -> list[EvaluationAssignment]:
    return list(
        evaluation.assignments.select_related("expert__organization", "expert__user", "score")
    )


def assignment_label(*, assignment: EvaluationAssignment, index: int, viewer: str, user) -> str:
    """The expert's name for reviewers, the expert, or when the expert agreed; otherwise an
    anonymous label ("Expert A")."""
    if (
        viewer == VIEWER_REVIEWER
        or assignment.identity_disclosed
        or (getattr(user, "pk", None) and assignment.expert.user_id == user.pk)
    ):
        return assignment.expert.name
    return anonymous_label(index)


def anonymous_label(index: int) -> str:
    from django.utils.translation import gettext as _

    return _("Expert %(letter)s") % {"letter": chr(ord("A") + index % 26)}


def latest_completed_evaluation(*, technology_id: int) -> Evaluation | None:
    return (
        Evaluation.objects.filter(technology_id=technology_id, status=EvaluationStatus.COMPLETED)
        .order_by("-completed_at", "-pk")
        .first()
    )


def evaluation_assignments_of_expert(*, user) -> QuerySet[EvaluationAssignment]:
    return (
        EvaluationAssignment.objects.filter(expert__user=user)
        .select_related("evaluation__technology")
        .order_by("-created_at", "-pk")
    )


def verified_experts() -> QuerySet[ExpertProfile]:
    return ExpertProfile.objects.filter(status=ExpertStatus.VERIFIED)


def expert_history(*, expert: ExpertProfile) -> QuerySet[ExpertHistory]:
    return expert.history.select_related("actor")


def evaluation_history(*, evaluation: Evaluation) -> QuerySet[EvaluationHistory]:
    return evaluation.history.select_related("actor")


def technologies_requestable_for_evaluation(*, user) -> QuerySet[Technology]:
    """Published technologies the user may ask an evaluation of: any for reviewers, their
    organisations' own for holders."""
    published = Technology.objects.filter(status=TechnologyStatus.PUBLISHED)
    if not is_reviewer(user=user):
        published = published.filter(organization_id__in=member_organization_ids(user=user))
    return published.order_by("-published_at", "-pk")


def evaluation_roster(*, evaluation: Evaluation) -> QuerySet[EvaluationAssignment]:
    """Every assigned expert by name (reviewers only)."""
    return EvaluationAssignment.objects.filter(evaluation=evaluation).select_related(
        "expert__organization"
    )


def evaluation_assignment_rows(
    *, assignments: Iterable[EvaluationAssignment], viewer: str, user
) -> list[dict]:
    """Each assignment with the name the viewer may see (`label`) and its score once the expert
    has submitted it (`score`, else None); the page and the API present these rows."""
    return [
        {
            "label": assignment_label(assignment=assignment, index=index, viewer=viewer, user=user),
            "assignment": assignment,
            "score": getattr(assignment, "score", None)
            if assignment.status == AssignmentStatus.SUBMITTED
            else None,
        }
        for index, assignment in enumerate(assignments)
    ]


def expert_workspace_todos(*, user) -> list[dict]:
    """A reviewer's queue of expert profiles to verify (listed on the evaluations page); a
    verified expert's evaluations waiting for their scores."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy

    from accounts.workspace import queue_todo

    if not getattr(user, "is_authenticated", False):
        return []
    items = []
    if is_reviewer(user=user):
        items.append(
            queue_todo(
                key="experts_to_verify",
                label=gettext_lazy("Expert profiles to verify"),
                queryset=experts_awaiting_verification(),
                url=reverse("programmes:evaluation_list"),
                since_field="created_at",
            )
        )
    assignments = EvaluationAssignment.objects.filter(
        expert__user=user,
        expert__status=ExpertStatus.VERIFIED,
        status=AssignmentStatus.ASSIGNED,
        evaluation__status__in=[EvaluationStatus.REQUESTED, EvaluationStatus.IN_PROGRESS],
    )
    if ExpertProfile.objects.filter(user=user, status=ExpertStatus.VERIFIED).exists():
        items.append(
            queue_todo(
                key="evaluations_to_score",
                label=gettext_lazy("Evaluations to score"),
                queryset=assignments,
                url=reverse("programmes:evaluation_list"),
                since_field="created_at",
            )
        )
    return items


def expert_standing_of(*, user) -> ExpertStanding | None:
    """accounts' view of a verified expert (accounts.permissions.register_expert_standing)."""
    profile = (
        ExpertProfile.objects.filter(user_id=user.pk, status=ExpertStatus.VERIFIED)
        .select_related("organization")
        .first()
    )
    if profile is None:
        return None
    name = (
        profile.organization.display_name if profile.organization_id else profile.organization_name
    )
    return ExpertStanding(organization_id=profile.organization_id, organization_name=name)
