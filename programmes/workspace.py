"""The programme operator's and the expert's sections of the workspace."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programmes.access import is_programme_operator, operator_organizations
from programmes.choices import AssignmentStatus, EvaluationStatus, ExpertStatus
from programmes.models import (
    Challenge,
    ConsultingRequest,
    EvaluationAssignment,
    Event,
    ExpertProfile,
    Programme,
)

WORKSPACE_ROWS = 5


def operator_workspace_section(*, user) -> dict | None:
    """Programmes, challenges and fairs of the operator's organisations, newest first."""
    if not getattr(user, "is_authenticated", False) or not is_programme_operator(user):
        return None
    organization_ids = list(operator_organizations(user=user).values_list("pk", flat=True))
    return {
        "template": "programmes/includes/workspace_operator.html",
        "programmes": list(
            Programme.objects.filter(operator_id__in=organization_ids).order_by("-pk")[
                :WORKSPACE_ROWS
            ]
        ),
        "challenges": list(
            Challenge.objects.filter(operator_id__in=organization_ids).order_by("-pk")[
                :WORKSPACE_ROWS
            ]
        ),
        "events": list(
            Event.objects.filter(
                Q(organizer_organization_id__in=organization_ids) | Q(organizer=user)
            ).order_by("-starts_at", "-pk")[:WORKSPACE_ROWS]
        ),
    }


def expert_workspace_section(*, user) -> dict | None:
    """A verified expert's open evaluation assignments and consulting requests."""
    if not getattr(user, "is_authenticated", False):
        return None
    expert = ExpertProfile.objects.filter(user=user, status=ExpertStatus.VERIFIED).first()
    if expert is None:
        return None
    return {
        "template": "programmes/includes/workspace_expert.html",
        "role_label": _("Expert"),
        "expert": expert,
        "assignments": list(
            EvaluationAssignment.objects.filter(
                expert=expert,
                status=AssignmentStatus.ASSIGNED,
                evaluation__status__in=[EvaluationStatus.REQUESTED, EvaluationStatus.IN_PROGRESS],
            )
            .select_related("evaluation__technology")
            .order_by("created_at", "pk")[:WORKSPACE_ROWS]
        ),
        "consulting_requests": list(
            ConsultingRequest.objects.filter(expert=expert)
            .select_related("deal")
            .order_by("-created_at", "-pk")[:WORKSPACE_ROWS]
        ),
    }


def scenario_workspace_section(*, user) -> dict | None:
    """Application scenarios: operators manage theirs; holders see their pilot agreements."""
    from accounts.choices import Role
    from accounts.permissions import has_role
    from programmes.selectors.programmes import pilot_agreements_visible_to, scenarios_visible_to

    if not getattr(user, "is_authenticated", False):
        return None
    is_operator = is_programme_operator(user)
    if not is_operator and not has_role(user=user, role=Role.HOLDER):
        return None
    return {
        "template": "programmes/includes/workspace_scenarios.html",
        "is_operator": is_operator,
        "scenarios": list(
            scenarios_visible_to(user=user)
            .filter(programme__operator__in=operator_organizations(user=user))
            .order_by("-pk")[:WORKSPACE_ROWS]
        )
        if is_operator
        else [],
        "pilot_agreements": list(pilot_agreements_visible_to(user=user)[:WORKSPACE_ROWS]),
    }
