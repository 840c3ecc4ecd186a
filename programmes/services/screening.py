"""Screening programmes: criteria, a ranked shortlist with each criterion's part, expert scores,
selection, export and invitations to holders.

draft --screen--> screening --screen/select/invite...--> screening --close--> closed

Each shortlisted technology gets four criterion scores in [0, 1]:
- fit: the matching engine's score of the technology against the programme's positioning text
  (categories, TRL and regions are hard filters);
- market prospects, feasibility, green benefit: the median scores of a completed expert
  evaluation when there is one; otherwise platform data — published needs in the technology's
  category group (market), TRL and granted patents (feasibility), avoided CO2e (green).
A criterion contributes `100 * score * weight / sum of weights` points; the total is their sum.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from accounts.permissions import (
    has_role,
    is_member,
    member_organization_ids,
    member_organizations_subquery,
    members_of,
)
from catalog.choices import TechnologyStatus
from catalog.models import Category, Technology
from core.workflow import (
    StateMachine,
    Transition,
    TransitionNotAllowed,
    compare_and_set_status,
    event_record,
)
from exchange.choices import NeedStatus
from exchange.models import Need
from notifications.messages import Bilingual, Message, choice_label
from notifications.services import notify_users
from programmes.access import acting_operator_organization
from programmes.choices import (
    EntryStatus,
    EvaluationStatus,
    ExpertStatus,
    InvitationResponse,
    ProgrammeStatus,
)
from programmes.models import (
    Evaluation,
    ExpertProfile,
    Programme,
    ProgrammeEntry,
    ProgrammeExpertScore,
    ProgrammeHistory,
)
from programmes.scoring import green_score_from_co2e, positioning_document, rank_technology_ids
from programmes.services.common import EXPERT, HOLDER, OPERATOR
from programmes.services.evaluations import expert_conflict

P = ProgrammeStatus
OPERATORS = frozenset({OPERATOR})
PROGRAMME_WORKFLOW = StateMachine(
    {
        (P.DRAFT, "edit"): Transition(P.DRAFT, OPERATORS),
        (P.SCREENING, "edit"): Transition(P.SCREENING, OPERATORS),
        (P.DRAFT, "screen"): Transition(P.SCREENING, OPERATORS),
        (P.SCREENING, "screen"): Transition(P.SCREENING, OPERATORS),
        (P.SCREENING, "invite_experts"): Transition(P.SCREENING, OPERATORS),
        (P.SCREENING, "score"): Transition(P.SCREENING, frozenset({EXPERT})),
        (P.SCREENING, "select"): Transition(P.SCREENING, OPERATORS),
        (P.SCREENING, "invite_holders"): Transition(P.SCREENING, OPERATORS),
        (P.SCREENING, "respond"): Transition(P.SCREENING, frozenset({HOLDER})),
        (P.CLOSED, "respond"): Transition(P.CLOSED, frozenset({HOLDER})),
        (P.SCREENING, "close"): Transition(P.CLOSED, OPERATORS),
    }
)
MAX_CANDIDATES = 3000
DEMAND_SATURATION = 5


def programme_actor_roles(*, programme: Programme, user) -> set[str]:
    roles: set[str] = set()
    if not getattr(user, "is_authenticated", False):
        return roles
    if programme.operator_id in member_organization_ids(user=user) or has_role(
        user=user, role=Role.ADMIN
    ):
        roles.add(OPERATOR)
    # programmes_visible_to answers the next two questions for its user within the list query.
    annotated = getattr(programme, "viewer_id", None) == user.pk
    if (
        programme.viewer_is_expert
        if annotated
        else programme.experts.filter(user=user, status=ExpertStatus.VERIFIED).exists()
    ):
        roles.add(EXPERT)
    if (
        programme.viewer_is_invited_holder
        if annotated
        else programme.entries.filter(
            holder_invited_at__isnull=False,
            technology__organization_id__in=member_organizations_subquery(user=user),
        ).exists()
    ):
        roles.add(HOLDER)
    return roles


def programme_allowed_actions(*, programme: Programme, user) -> list[str]:
    actions = PROGRAMME_WORKFLOW.allowed_actions(
        programme.status, programme_actor_roles(programme=programme, user=user)
    )
    # A scenario's programme screens the applications it received, not a ranked catalogue.
    if "screen" in actions and _is_scenario_programme(programme):
        actions.remove("screen")
    return actions


def _is_scenario_programme(programme: Programme) -> bool:
    annotated = getattr(programme, "is_scenario", None)  # set by programmes_visible_to
    if annotated is not None:
        return annotated
    return Programme.objects.filter(pk=programme.pk, scenario__isnull=False).exists()


def _resolve(programme: Programme, user, action: str):
    current = Programme.objects.filter(pk=programme.pk).values_list("status", flat=True).first()
    transition = PROGRAMME_WORKFLOW.resolve(
        current, action, programme_actor_roles(programme=programme, user=user)
    )
    return current, transition


def _history(programme, **fields) -> None:
    event_record(ProgrammeHistory, programme=programme, **fields)


def _url(programme: Programme) -> str:
    return reverse("programmes:programme_detail", args=[programme.pk])


# --- criteria ---------------------------------------------------------------------------------


@transaction.atomic
def programme_create(
    *, user, categories: Iterable[Category] = (), operator=None, **fields
) -> Programme:
    """A government or park operator defines a programme's criteria (a draft)."""
    organization = acting_operator_organization(user=user, organization=operator)
    unknown = set(fields) - set(Programme.EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    programme = Programme(operator=organization, created_by=user, **fields)
    programme.full_clean()
    programme.save()
    programme.categories.set(list(categories))
    _history(programme, user=user, action="create", to_status=programme.status)
    return programme


@transaction.atomic
def programme_update(
    *, programme: Programme, user, categories: Iterable[Category] | None = None, **fields
) -> Programme:
    _resolve(programme, user, "edit")
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    for name, value in fields.items():
        if name in Programme.EDITABLE_FIELDS:
            setattr(programme, name, value)
    programme.full_clean()
    programme.save()
    if categories is not None:
        programme.categories.set(list(categories))
    _history(programme, user=user, action="edit")
    return programme


# --- ranking ----------------------------------------------------------------------------------


def programme_candidates(*, programme: Programme):
    """Published technologies passing the hard filters: categories, regions, TRL range."""
    candidates = Technology.objects.filter(
        status=TechnologyStatus.PUBLISHED,
        trl__gte=programme.trl_min,
        trl__lte=programme.trl_max,
    )
    category_ids = list(programme.categories.values_list("pk", flat=True))
    if category_ids:
        candidates = candidates.filter(
            Q(category_id__in=category_ids) | Q(category__parent_id__in=category_ids)
        )
    if programme.regions:
        candidates = candidates.filter(
            Q(region__in=programme.regions) | Q(target_regions__overlap=programme.regions)
        )
    return candidates


def _evaluation_medians(technology_ids: list[int]) -> dict[int, dict]:
    medians: dict[int, dict] = {}
    for evaluation in (
        Evaluation.objects.filter(
            technology_id__in=technology_ids, status=EvaluationStatus.COMPLETED
        )
        .order_by("technology_id", "-completed_at", "-pk")
        .distinct("technology_id")
    ):
        medians[evaluation.technology_id] = evaluation.combined_scores.get("criteria", {})
    return medians


def _component(score: float, weight: int, total_weight: int, basis: str) -> dict:
    share = weight / total_weight if total_weight else 0
    return {
        "score": round(score, 4),
        "weight": weight,
        "contribution": round(100 * share * score, 2),
        "basis": basis,
    }


def programme_rank(*, programme: Programme) -> list[dict]:
    """Score every candidate; rows best first: {technology_id, total, components}."""
    technologies = list(
        programme_candidates(programme=programme)
        .order_by("-published_at", "-pk")
        .values(
            "pk",
            "category_id",
            "trl",
            "has_granted_patent",
            "co2e_avoided_tonnes_per_year",
        )[:MAX_CANDIDATES]
    )
    if not technologies:
        return []
    ids = [row["pk"] for row in technologies]
    document = positioning_document(
        key=f"programme-{programme.pk}",
        title=programme.name,
        text=programme.positioning,
        categories=list(programme.categories.all()),
        trl_min=programme.trl_min,
    )
    fit = {int(r.technology_id): r.score / 100 for r in rank_technology_ids(document, ids)}
    evaluated = _evaluation_medians(ids)
    demand = Counter(
        dict(
            Need.objects.filter(
                status__in=[NeedStatus.PUBLISHED, NeedStatus.IN_NEGOTIATION],
                category_id__in={row["category_id"] for row in technologies},
            )
            .values_list("category_id")
            .annotate(count=Count("pk"))
        )
    )
    weights = programme.weights
    total_weight = sum(weights.values())
    rows = []
    for row in technologies:
        pk = row["pk"]
        expert = evaluated.get(pk)
        if expert:
            market = (expert["market_prospects"] / 10, "evaluation")
            feasibility = (
                (expert["maturity"] + expert["economic_feasibility"]) / 20,
                "evaluation",
            )
            green = (expert["green_benefit"] / 10, "evaluation")
        else:
            market = (min(1.0, demand.get(row["category_id"], 0) / DEMAND_SATURATION), "demand")
            feasibility = (
                0.7 * row["trl"] / 9 + 0.3 * (1.0 if row["has_granted_patent"] else 0.0),
                "trl_patent",
            )
            green = (green_score_from_co2e(row["co2e_avoided_tonnes_per_year"]), "co2e")
        components = {
            "fit": _component(fit.get(pk, 0.0), weights["fit"], total_weight, "engine"),
            "market": _component(market[0], weights["market"], total_weight, market[1]),
            "feasibility": _component(
                feasibility[0], weights["feasibility"], total_weight, feasibility[1]
            ),
            "green": _component(green[0], weights["green"], total_weight, green[1]),
        }
        total = round(sum(c["contribution"] for c in components.values()), 2)
        rows.append({"technology_id": pk, "total": total, "components": components})
    rows.sort(key=lambda item: (-item["total"], -item["technology_id"]))
    return rows


def _decimal(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def programme_screen(*, programme: Programme, user) -> list[ProgrammeEntry]:
    """Rank the candidates and keep the best `shortlist_size` as the shortlist. Technologies
    already selected stay on it (rescored); the other entries are replaced."""
    current, transition = _resolve(programme, user, "screen")
    if _is_scenario_programme(programme):
        raise TransitionNotAllowed(_("A scenario's applications are screened as they arrive."))
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    rows = programme_rank(programme=programme)
    selected = set(
        programme.entries.filter(status=EntryStatus.SELECTED).values_list(
            "technology_id", flat=True
        )
    )
    keep = [row for row in rows[: programme.shortlist_size]]
    keep_ids = {row["technology_id"] for row in keep}
    keep += [row for row in rows if row["technology_id"] in selected - keep_ids]
    keep.sort(key=lambda item: (-item["total"], -item["technology_id"]))
    existing = {entry.technology_id: entry for entry in programme.entries.all()}
    programme.entries.exclude(technology_id__in=[row["technology_id"] for row in keep]).delete()
    entries = []
    for position, row in enumerate(keep, start=1):
        entry = existing.get(row["technology_id"]) or ProgrammeEntry(
            programme=programme, technology_id=row["technology_id"]
        )
        entry.rank = position
        entry.total_score = _decimal(row["total"])
        entry.components = row["components"]
        entry.save()
        entries.append(entry)
    now = timezone.now()
    compare_and_set_status(
        Programme, pk=programme.pk, expected=current, target=transition.target, screened_at=now
    )
    _history(
        programme,
        user=user,
        action="screen",
        from_status=current,
        to_status=transition.target,
        note=_("%(count)d technologies ranked, %(kept)d on the shortlist")
        % {"count": len(rows), "kept": len(entries)},
    )
    return entries


# --- experts, selection, invitations ----------------------------------------------------------


@transaction.atomic
def programme_invite_experts(
    *, programme: Programme, user, experts: Iterable[ExpertProfile]
) -> list[ExpertProfile]:
    _resolve(programme, user, "invite_experts")
    experts = list(experts)
    if not experts:
        raise ValidationError({"experts": _("Choose at least one expert.")})
    unverified = [e.name for e in experts if e.status != ExpertStatus.VERIFIED]
    if unverified:
        raise ValidationError(
            {"experts": _("Not verified: %(names)s") % {"names": ", ".join(unverified)}}
        )
    new = [e for e in experts if not programme.experts.filter(pk=e.pk).exists()]
    programme.experts.add(*new)
    _history(programme, user=user, action="invite_experts", note=", ".join(e.name for e in new))
    notify_users(
        users=[expert.user for expert in new],
        title=Message(
            gettext_lazy("Invitation to score the shortlist of “%(programme)s”"),
            programme=programme.name,
        ),
        url=_url(programme),
    )
    return new


@transaction.atomic
def programme_expert_score(
    *, entry: ProgrammeEntry, user, score: int, comment: str = ""
) -> ProgrammeExpertScore:
    """An invited expert scores a shortlisted technology 1–10 (again: the score is replaced);
    a technology of the expert's own organisation, or a declared conflict, is refused."""
    programme = entry.programme
    _resolve(programme, user, "score")
    expert = programme.experts.get(user=user)
    conflict = expert_conflict(expert=expert, technology=entry.technology)
    if conflict:
        raise ValidationError({"entry": conflict})
    row = ProgrammeExpertScore.objects.filter(entry=entry, expert=expert).first() or (
        ProgrammeExpertScore(entry=entry, expert=expert)
    )
    row.score = score
    row.comment = (comment or "").strip()
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def programme_select(*, entry: ProgrammeEntry, user, selected: bool = True) -> ProgrammeEntry:
    """Mark a shortlisted technology as selected for the programme (or undo it)."""
    _resolve(entry.programme, user, "select")
    status = EntryStatus.SELECTED if selected else EntryStatus.SHORTLISTED
    ProgrammeEntry.objects.filter(pk=entry.pk).update(
        status=status, selected_at=timezone.now() if selected else None
    )
    entry.refresh_from_db()
    _history(
        entry.programme,
        user=user,
        action="select" if selected else "deselect",
        note=str(entry.technology),
    )
    return entry


@transaction.atomic
def programme_invite_holders(*, programme: Programme, user) -> list[ProgrammeEntry]:
    """Invite the holders of the selected technologies not invited yet."""
    _resolve(programme, user, "invite_holders")
    entries = list(
        programme.entries.filter(
            status=EntryStatus.SELECTED, holder_invited_at__isnull=True
        ).select_related("technology")
    )
    if not entries:
        raise ValidationError(_("Select technologies first: every selected holder is invited."))
    now = timezone.now()
    ProgrammeEntry.objects.filter(pk__in=[e.pk for e in entries]).update(holder_invited_at=now)
    for entry in entries:
        notify_users(
            users=list(members_of(entry.technology.organization_id)),
            title=Message(
                gettext_lazy("Your technology “%(technology)s” was selected by “%(programme)s”"),
                technology=Bilingual.of(entry.technology, "title"),
                programme=programme.name,
            ),
            body=programme.description[:300],
            url=_url(programme),
        )
    _history(programme, user=user, action="invite_holders", note=str(len(entries)))
    return entries


@transaction.atomic
def programme_invitation_respond(*, entry: ProgrammeEntry, user, accept: bool) -> ProgrammeEntry:
    """The holder accepts or declines the programme's invitation."""
    entry = ProgrammeEntry.objects.select_related("technology", "programme").get(pk=entry.pk)
    _resolve(entry.programme, user, "respond")
    if entry.holder_invited_at is None or not is_member(
        user=user, organization=entry.technology.organization_id
    ):
        raise TransitionNotAllowed(_("Only an invited holder may answer."))
    response = InvitationResponse.ACCEPTED if accept else InvitationResponse.DECLINED
    ProgrammeEntry.objects.filter(pk=entry.pk).update(holder_response=response)
    entry.refresh_from_db()
    _history(entry.programme, user=user, action=f"holder_{response}", note=str(entry.technology))
    notify_users(
        users=list(members_of(entry.programme.operator_id)),
        title=Message(
            gettext_lazy("%(technology)s: %(response)s"),
            technology=Bilingual.of(entry.technology, "title"),
            response=choice_label(entry, "holder_response"),
        ),
        url=_url(entry.programme),
    )
    return entry


@transaction.atomic
def programme_close(*, programme: Programme, user, note: str = "") -> Programme:
    current, transition = _resolve(programme, user, "close")
    if not compare_and_set_status(
        Programme, pk=programme.pk, expected=current, target=transition.target
    ):
        raise TransitionNotAllowed(_("Someone else changed this programme first; reload it."))
    programme.refresh_from_db()
    _history(
        programme,
        user=user,
        action="close",
        from_status=current,
        to_status=transition.target,
        note=note,
    )
    return programme
