"""Third-party expert evaluations (第三方评价) of technologies.

requested --assign--> in_progress --score (each expert)--> ... --complete--> completed
Scores are combined per criterion and overall by the evaluation's method: the median (default)
or the mean without the highest and lowest score (needs three or more experts).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import (
    is_member,
    is_reviewer,
    member_organization_ids,
    members_of,
    platform_reviewers,
)
from catalog.choices import TechnologyStatus
from catalog.models import Technology
from core.workflow import (
    StateMachine,
    Transition,
    TransitionNotAllowed,
    compare_and_set_status,
    event_record,
)
from notifications.messages import Bilingual, Message
from notifications.services import notify_users
from programmes.choices import (
    EVALUATION_CRITERIA,
    AssignmentStatus,
    CombinationMethod,
    EvaluationStatus,
    ExpertStatus,
)
from programmes.models import (
    Evaluation,
    EvaluationAssignment,
    EvaluationHistory,
    EvaluationScore,
    ExpertProfile,
)
from programmes.services.common import (
    EXPERT,
    HOLDER,
    REQUESTER,
    REVIEWER,
    SYSTEM,
    note_required,
)

MINIMUM_EXPERTS = 2
E = EvaluationStatus
REVIEWERS = frozenset({REVIEWER})
EVALUATION_WORKFLOW = StateMachine(
    {
        (E.REQUESTED, "assign"): Transition(E.IN_PROGRESS, REVIEWERS),
        (E.IN_PROGRESS, "assign"): Transition(E.IN_PROGRESS, REVIEWERS),
        (E.IN_PROGRESS, "score"): Transition(E.IN_PROGRESS, frozenset({EXPERT})),
        (E.IN_PROGRESS, "decline"): Transition(
            E.IN_PROGRESS, frozenset({EXPERT}), requires_note=True
        ),
        (E.IN_PROGRESS, "complete"): Transition(E.COMPLETED, REVIEWERS, requires_note=True),
        (E.REQUESTED, "cancel"): Transition(E.CANCELLED, frozenset({REVIEWER, REQUESTER})),
        (E.IN_PROGRESS, "cancel"): Transition(E.CANCELLED, REVIEWERS, requires_note=True),
        (E.COMPLETED, "reply"): Transition(E.COMPLETED, frozenset({HOLDER})),
    }
)
# An expert's assignment: scored or declined by the expert, withdrawn with the evaluation.
A = AssignmentStatus
ASSIGNMENT_WORKFLOW = StateMachine(
    {
        (A.ASSIGNED, "score"): Transition(A.SUBMITTED, frozenset({EXPERT})),
        (A.ASSIGNED, "decline"): Transition(A.DECLINED, frozenset({EXPERT}), requires_note=True),
        (A.ASSIGNED, "withdraw"): Transition(A.WITHDRAWN, frozenset({SYSTEM})),
    }
)
CRITERIA = [name for name, *_ in EVALUATION_CRITERIA]


def evaluation_actor_roles(*, evaluation: Evaluation, user) -> set[str]:
    roles: set[str] = set()
    if not getattr(user, "is_authenticated", False):
        return roles
    if is_reviewer(user=user):
        roles.add(REVIEWER)
    if evaluation.technology.organization_id in member_organization_ids(user=user):
        roles.add(HOLDER)
    if evaluation.requested_by_id == user.pk:
        roles.add(REQUESTER)
    # Iterating the (usually prefetched) assignments keeps lists free of a query per row.
    if any(
        a.expert.user_id == user.pk and a.status == AssignmentStatus.ASSIGNED
        for a in evaluation.assignments.all()
    ):
        roles.add(EXPERT)
    return roles


def evaluation_allowed_actions(*, evaluation: Evaluation, user) -> list[str]:
    return EVALUATION_WORKFLOW.allowed_actions(
        evaluation.status, evaluation_actor_roles(evaluation=evaluation, user=user)
    )


def _resolve(evaluation: Evaluation, user, action: str):
    fresh = (
        Evaluation.objects.select_related("technology")
        .prefetch_related("assignments__expert")
        .get(pk=evaluation.pk)
    )
    current = fresh.status
    transition = EVALUATION_WORKFLOW.resolve(
        current, action, evaluation_actor_roles(evaluation=fresh, user=user)
    )
    return current, transition


def _history(evaluation, **fields) -> None:
    event_record(EvaluationHistory, evaluation=evaluation, **fields)


def _assignment_move(
    assignment: EvaluationAssignment, *, action: str, actor_roles: set[str], **extra
) -> None:
    """One step of an assignment through ASSIGNMENT_WORKFLOW, compare-and-set on its status."""
    transition = ASSIGNMENT_WORKFLOW.resolve(assignment.status, action, actor_roles)
    if not compare_and_set_status(
        EvaluationAssignment,
        pk=assignment.pk,
        expected=assignment.status,
        target=transition.target,
        **extra,
    ):
        raise TransitionNotAllowed(_("Someone else changed this assignment first; reload it."))
    assignment.status = transition.target


def _url(evaluation: Evaluation) -> str:
    return reverse("programmes:evaluation_detail", args=[evaluation.pk])


# --- request ----------------------------------------------------------------------------------


@transaction.atomic
def evaluation_request(
    *, user, technology: Technology, paid: bool = False, note: str = ""
) -> Evaluation:
    """A reviewer, or a member of the holder, asks for an evaluation of a published technology;
    whether the holder pays is recorded."""
    if is_reviewer(user=user):
        requested_as = REVIEWER
    elif is_member(user=user, organization=technology.organization_id):
        requested_as = HOLDER
    else:
        raise TransitionNotAllowed(
            _("Only reviewers and the technology's holder may ask for an evaluation.")
        )
    if technology.status != TechnologyStatus.PUBLISHED:
        raise ValidationError({"technology": _("Only published technologies are evaluated.")})
    if Evaluation.objects.filter(
        technology=technology, status__in=[E.REQUESTED, E.IN_PROGRESS]
    ).exists():
        raise ValidationError(
            {"technology": _("An evaluation of this technology is already under way.")}
        )
    evaluation = Evaluation(
        technology=technology,
        requested_by=user,
        requested_as=requested_as,
        paid=bool(paid),
        note=(note or "").strip(),
    )
    evaluation.full_clean()
    evaluation.save()
    _history(evaluation, user=user, action="request", to_status=evaluation.status, note=note)
    notify_users(
        users=list(platform_reviewers().exclude(pk=user.pk)),
        title=Message(
            gettext_lazy("Evaluation requested: %(technology)s"),
            technology=Bilingual.of(technology, "title"),
        ),
        url=_url(evaluation),
    )
    return evaluation


# --- experts ----------------------------------------------------------------------------------


def expert_conflict(*, expert: ExpertProfile, technology: Technology) -> str:
    """Why the expert may not evaluate the technology, or "" when there is no conflict."""
    holder_id = technology.organization_id
    if expert.organization_id == holder_id or is_member(user=expert.user, organization=holder_id):
        return _("%(expert)s belongs to the holder of this technology.") % {"expert": expert.name}
    if expert.declared_conflicts.filter(pk=holder_id).exists():
        return _("%(expert)s declared a conflict of interest with the holder.") % {
            "expert": expert.name
        }
    return ""


def evaluation_suggest_experts(*, evaluation: Evaluation, limit: int = 10) -> list[ExpertProfile]:
    """Verified experts (active accounts) whose fields cover the technology's category (the
    group first, then its industry), least busy first; anyone with a conflict or already
    assigned is left out."""
    technology = evaluation.technology
    category = technology.category
    holder_id = technology.organization_id
    experts = (
        ExpertProfile.objects.filter(status=ExpertStatus.VERIFIED, user__is_active=True)
        .filter(
            Q(fields=category)
            | Q(fields=category.parent_id)
            | Q(fields__parent_id=category.parent_id)
        )
        .exclude(organization_id=holder_id)
        .exclude(user__in=members_of(holder_id))
        .exclude(declared_conflicts=holder_id)
        .exclude(evaluation_assignments__evaluation=evaluation)
        .annotate(
            exact=Count("fields", filter=Q(fields=category), distinct=True),
            workload=Count(
                "evaluation_assignments",
                filter=Q(evaluation_assignments__status=AssignmentStatus.ASSIGNED),
                distinct=True,
            ),
        )
        .select_related("organization")
        .order_by("-exact", "workload", "name", "pk")
        .distinct()
    )
    return list(experts[:limit])


@transaction.atomic
def evaluation_assign(
    *, evaluation: Evaluation, user, experts: Iterable[ExpertProfile]
) -> list[EvaluationAssignment]:
    """A reviewer assigns experts; one with a conflict refuses the whole request."""
    current, transition = _resolve(evaluation, user, "assign")
    experts = list(experts)
    if not experts:
        raise ValidationError({"experts": _("Choose at least one expert.")})
    technology = evaluation.technology
    errors = []
    for expert in experts:
        if expert.status != ExpertStatus.VERIFIED:
            errors.append(_("%(expert)s is not a verified expert.") % {"expert": expert.name})
            continue
        conflict = expert_conflict(expert=expert, technology=technology)
        if conflict:
            errors.append(conflict)
        elif evaluation.assignments.filter(expert=expert).exists():
            errors.append(_("%(expert)s is already assigned.") % {"expert": expert.name})
    if errors:
        raise ValidationError({"experts": errors})
    if not compare_and_set_status(
        Evaluation,
        pk=evaluation.pk,
        expected=current,
        target=transition.target,
        updated_at=timezone.now(),
    ):
        raise TransitionNotAllowed(_("Someone else changed this evaluation first; reload it."))
    assignments = EvaluationAssignment.objects.bulk_create(
        EvaluationAssignment(evaluation=evaluation, expert=expert, assigned_by=user)
        for expert in experts
    )
    evaluation.refresh_from_db()
    _history(
        evaluation,
        user=user,
        action="assign",
        from_status=current,
        to_status=transition.target,
        note=", ".join(expert.name for expert in experts),
    )
    notify_users(
        users=[expert.user for expert in experts],
        title=Message(
            gettext_lazy("Please evaluate: %(technology)s"),
            technology=Bilingual.of(technology, "title"),
        ),
        body=evaluation.note,
        url=_url(evaluation),
    )
    return assignments


@transaction.atomic
def evaluation_score_submit(
    *,
    evaluation: Evaluation,
    user,
    technical_novelty: int,
    maturity: int,
    assessed_trl: int,
    market_prospects: int,
    economic_feasibility: int,
    green_benefit: int,
    comments: str,
    identity_disclosed: bool = False,
) -> EvaluationScore:
    """An assigned expert fills the structured form once; out-of-range scores are refused."""
    current, _transition = _resolve(evaluation, user, "score")
    assignment = (
        EvaluationAssignment.objects.select_for_update()
        .filter(evaluation=evaluation, expert__user=user, status=AssignmentStatus.ASSIGNED)
        .first()
    )
    if assignment is None:
        raise TransitionNotAllowed(_("You have already scored this technology."))
    score = EvaluationScore(
        assignment=assignment,
        technical_novelty=technical_novelty,
        maturity=maturity,
        assessed_trl=assessed_trl,
        market_prospects=market_prospects,
        economic_feasibility=economic_feasibility,
        green_benefit=green_benefit,
        comments=(comments or "").strip(),
    )
    score.full_clean()
    score.save()
    _assignment_move(
        assignment,
        action="score",
        actor_roles={EXPERT},
        identity_disclosed=bool(identity_disclosed),
    )
    _history(evaluation, user=user, action="score", from_status=current, to_status=current)
    remaining = evaluation.assignments.filter(status=AssignmentStatus.ASSIGNED).count()
    notify_users(
        users=list(platform_reviewers().exclude(pk=user.pk)),
        title=Message(
            gettext_lazy("All experts have scored: %(technology)s")
            if not remaining
            else gettext_lazy("An expert scored: %(technology)s"),
            technology=Bilingual.of(evaluation.technology, "title"),
        ),
        url=_url(evaluation),
    )
    return score


@transaction.atomic
def evaluation_decline(*, evaluation: Evaluation, user, note: str) -> EvaluationAssignment:
    """An assigned expert declines (for example an undeclared conflict), giving the reason."""
    current, transition = _resolve(evaluation, user, "decline")
    note = note_required(transition, note)
    assignment = (
        EvaluationAssignment.objects.select_for_update()
        .filter(evaluation=evaluation, expert__user=user, status=AssignmentStatus.ASSIGNED)
        .first()
    )
    if assignment is None:
        raise TransitionNotAllowed(_("You have no open assignment here."))
    _assignment_move(assignment, action="decline", actor_roles={EXPERT}, decline_reason=note)
    _history(
        evaluation, user=user, action="decline", from_status=current, to_status=current, note=note
    )
    notify_users(
        users=list(platform_reviewers()),
        title=Message(
            gettext_lazy("An expert declined: %(technology)s"),
            technology=Bilingual.of(evaluation.technology, "title"),
        ),
        body=note,
        url=_url(evaluation),
    )
    return evaluation.assignments.get(expert__user=user)


# --- combination and completion ---------------------------------------------------------------


def combine(values: list[float], method: str) -> float:
    """The median, or the mean without the highest and lowest value (three values or more)."""
    if not values:
        raise ValueError("no values")
    if method == CombinationMethod.TRIMMED_MEAN and len(values) >= 3:
        ordered = sorted(values)[1:-1]
        return sum(ordered) / len(ordered)
    if method == CombinationMethod.TRIMMED_MEAN:
        return sum(values) / len(values)
    return float(statistics.median(values))


def _two_places(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def evaluation_combined(*, scores: list[EvaluationScore], method: str) -> dict:
    per_criterion = {
        name: float(_two_places(combine([getattr(s, name) for s in scores], method)))
        for name in CRITERIA
    }
    return {
        "criteria": per_criterion,
        "overall": float(_two_places(combine([s.overall for s in scores], method))),
        "assessed_trl": int(statistics.median_low([s.assessed_trl for s in scores])),
        "experts": len(scores),
        "method": method,
    }


@transaction.atomic
def evaluation_complete(*, evaluation: Evaluation, user, summary: str) -> Evaluation:
    """A reviewer completes the evaluation once at least two experts have scored and nobody is
    still scoring; the combined scores and the summary appear on the listing."""
    current, transition = _resolve(evaluation, user, "complete")
    summary = note_required(transition, summary)
    assignments = evaluation.assignments.select_related("score")
    if assignments.filter(status=AssignmentStatus.ASSIGNED).exists():
        raise ValidationError(_("Some assigned experts have not scored yet."))
    scores = [a.score for a in assignments.filter(status=AssignmentStatus.SUBMITTED)]
    if len(scores) < MINIMUM_EXPERTS:
        raise ValidationError(
            _("At least %(count)d experts must score before the evaluation is complete.")
            % {"count": MINIMUM_EXPERTS}
        )
    combined = evaluation_combined(scores=scores, method=evaluation.method)
    now = timezone.now()
    if not compare_and_set_status(
        Evaluation,
        pk=evaluation.pk,
        expected=current,
        target=transition.target,
        combined_score=_two_places(combined["overall"]),
        combined_scores=combined,
        assessed_trl=combined["assessed_trl"],
        summary=summary,
        completed_at=now,
        updated_at=now,
    ):
        raise TransitionNotAllowed(_("Someone else changed this evaluation first; reload it."))
    evaluation.refresh_from_db()
    _history(
        evaluation, user=user, action="complete", from_status=current, to_status=transition.target
    )
    recipients = members_of(evaluation.technology.organization_id)
    notify_users(
        users=list(recipients),
        title=Message(
            gettext_lazy("Evaluation completed: %(technology)s (%(score)s/10)"),
            technology=Bilingual.of(evaluation.technology, "title"),
            score=evaluation.combined_score,
        ),
        body=summary[:300],
        url=_url(evaluation),
    )
    notify_users(
        users=[a.expert.user for a in assignments.filter(status=AssignmentStatus.SUBMITTED)],
        title=Message(
            gettext_lazy("Evaluation completed: %(technology)s"),
            technology=Bilingual.of(evaluation.technology, "title"),
        ),
        url=_url(evaluation),
    )
    return evaluation


@transaction.atomic
def evaluation_cancel(*, evaluation: Evaluation, user, note: str = "") -> Evaluation:
    current, transition = _resolve(evaluation, user, "cancel")
    note = note_required(transition, note)
    if not compare_and_set_status(
        Evaluation,
        pk=evaluation.pk,
        expected=current,
        target=transition.target,
        updated_at=timezone.now(),
    ):
        raise TransitionNotAllowed(_("Someone else changed this evaluation first; reload it."))
    evaluation.refresh_from_db()
    _history(
        evaluation,
        user=user,
        action="cancel",
        from_status=current,
        to_status=transition.target,
        note=note,
    )
    # The experts still scoring are withdrawn with the evaluation, each through the table.
    for assignment in (
        EvaluationAssignment.objects.select_for_update()
        .filter(evaluation=evaluation, status=AssignmentStatus.ASSIGNED)
        .select_related("expert")
        .order_by("pk")
    ):
        _assignment_move(assignment, action="withdraw", actor_roles={SYSTEM})
        _history(
            evaluation,
            user=user,
            action="withdraw",
            from_status=transition.target,
            to_status=transition.target,
            note=assignment.expert.name,
        )
    return evaluation


@transaction.atomic
def evaluation_reply(*, evaluation: Evaluation, user, reply: str) -> Evaluation:
    """The holder answers the completed evaluation (shown next to it)."""
    current, _transition = _resolve(evaluation, user, "reply")
    reply = (reply or "").strip()
    if not reply:
        raise ValidationError({"reply": _("Write your reply.")})
    if len(reply) > 4000:
        raise ValidationError({"reply": _("Keep the reply under 4000 characters.")})
    Evaluation.objects.filter(pk=evaluation.pk, status=current).update(
        holder_reply=reply, holder_replied_at=timezone.now(), updated_at=timezone.now()
    )
    evaluation.refresh_from_db()
    _history(evaluation, user=user, action="reply", from_status=current, to_status=current)
    notify_users(
        users=list(platform_reviewers()),
        title=Message(
            gettext_lazy("The holder replied to the evaluation of %(technology)s"),
            technology=Bilingual.of(evaluation.technology, "title"),
        ),
        body=reply[:300],
        url=_url(evaluation),
    )
    return evaluation
