"""Expert profiles, their verification by reviewers, and consulting requests (exchange deals)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organization
from accounts.permissions import is_member, is_reviewer, platform_reviewers, primary_organization
from catalog.choices import TechnologyStatus, TransactionMode
from catalog.models import Category, Technology
from catalog.search import tsvector_literal
from core.workflow import (
    StateMachine,
    Transition,
    TransitionNotAllowed,
    compare_and_set_status,
    event_record,
)
from exchange.services import deal_open
from notifications.messages import Message, choice_label
from notifications.services import notify_users
from programmes.choices import ExpertStatus
from programmes.models import ConsultingRequest, ExpertHistory, ExpertProfile
from programmes.services.common import REVIEWER, SELF, note_required

REVIEWERS = frozenset({REVIEWER})
EXPERT_WORKFLOW = StateMachine(
    {
        (ExpertStatus.PENDING, "verify"): Transition(ExpertStatus.VERIFIED, REVIEWERS),
        (ExpertStatus.PENDING, "reject"): Transition(
            ExpertStatus.REJECTED, REVIEWERS, requires_note=True
        ),
        (ExpertStatus.REJECTED, "resubmit"): Transition(ExpertStatus.PENDING, frozenset({SELF})),
        (ExpertStatus.VERIFIED, "suspend"): Transition(
            ExpertStatus.SUSPENDED, REVIEWERS, requires_note=True
        ),
        (ExpertStatus.SUSPENDED, "reinstate"): Transition(ExpertStatus.VERIFIED, REVIEWERS),
    }
)


def expert_actor_roles(*, expert: ExpertProfile, user) -> set[str]:
    roles: set[str] = set()
    if not getattr(user, "is_authenticated", False):
        return roles
    if expert.user_id == user.pk:
        roles.add(SELF)
    if is_reviewer(user=user):
        roles.add(REVIEWER)
    return roles


def expert_allowed_actions(*, expert: ExpertProfile, user) -> list[str]:
    return EXPERT_WORKFLOW.allowed_actions(
        expert.status, expert_actor_roles(expert=expert, user=user)
    )


def expert_reindex(expert: ExpertProfile) -> None:
    """Store the search vector: name, title, organisation, fields (both languages) and bio."""
    field_names = " ".join(f"{c.name_zh} {c.name_en}" for c in expert.fields.all())
    literal = tsvector_literal(
        [
            (expert.name, "A"),
            (expert.title, "B"),
            (expert.organization_label, "B"),
            (field_names, "A"),
            (expert.bio, "C"),
        ]
    )
    ExpertProfile.objects.filter(pk=expert.pk).update(search_vector=literal or None)


def _history(expert, **fields) -> None:
    event_record(ExpertHistory, expert=expert, **fields)


def _validate_organization(user, organization: Organization | None) -> None:
    if organization is not None and not is_member(user=user, organization=organization.pk):
        raise ValidationError(
            {"organization": _("Choose an organisation you are a member of, or type its name.")}
        )


def _set_relations(expert, fields: Iterable[Category] | None, conflicts) -> None:
    if fields is not None:
        fields = list(fields)
        if not fields:
            raise ValidationError({"fields": _("Choose at least one field.")})
        expert.fields.set(fields)
    if conflicts is not None:
        expert.declared_conflicts.set(list(conflicts))


@transaction.atomic
def expert_profile_create(
    *,
    user,
    name: str,
    title: str,
    bio: str,
    languages: list[str],
    fields: Iterable[Category],
    organization: Organization | None = None,
    organization_name: str = "",
    declared_conflicts: Iterable[Organization] = (),
    conflicts_note: str = "",
    offers_consulting: bool = False,
) -> ExpertProfile:
    """Apply to be listed as an expert; a reviewer verifies the profile before it is public."""
    if ExpertProfile.objects.filter(user=user).exists():
        raise ValidationError(_("You already have an expert profile."))
    _validate_organization(user, organization)
    expert = ExpertProfile(
        user=user,
        name=(name or "").strip(),
        title=(title or "").strip(),
        bio=(bio or "").strip(),
        languages=list(languages or []),
        organization=organization,
        organization_name=(organization_name or "").strip(),
        conflicts_note=(conflicts_note or "").strip(),
        offers_consulting=offers_consulting,
    )
    expert.full_clean()
    expert.save()
    _set_relations(expert, fields, declared_conflicts)
    expert_reindex(expert)
    _history(expert, user=user, action="apply", to_status=expert.status)
    notify_users(
        users=list(platform_reviewers().exclude(pk=user.pk)),
        title=Message(gettext_lazy("Expert profile to verify: %(name)s"), name=expert.name),
        url=reverse("programmes:expert_detail", args=[expert.pk]),
    )
    return expert


@transaction.atomic
def expert_profile_update(*, expert: ExpertProfile, user, **data) -> ExpertProfile:
    """The expert (or a reviewer) edits the profile; the directory shows the change at once."""
    if not expert_actor_roles(expert=expert, user=user):
        raise TransitionNotAllowed(_("Only the expert and reviewers may change this profile."))
    expert = ExpertProfile.objects.select_for_update().get(pk=expert.pk)
    if "organization" in data and data["organization"] is not None:
        _validate_organization(expert.user, data["organization"])
    for field in ExpertProfile.EDITABLE_FIELDS:
        if field in data:
            value = data[field]
            setattr(expert, field, value.strip() if isinstance(value, str) else value)
    expert.full_clean()
    expert.save()
    _set_relations(expert, data.get("fields"), data.get("declared_conflicts"))
    expert_reindex(expert)
    _history(expert, user=user, action="edit")
    return expert


@transaction.atomic
def expert_transition(*, expert: ExpertProfile, user, action: str, note: str = "") -> ExpertProfile:
    """Verify, reject (with a reason), suspend, reinstate, or (the expert) ask again."""
    current = ExpertProfile.objects.filter(pk=expert.pk).values_list("status", flat=True).first()
    transition = EXPERT_WORKFLOW.resolve(
        current, action, expert_actor_roles(expert=expert, user=user)
    )
    note = note_required(transition, note)
    extra = {"review_note": note, "updated_at": timezone.now()}
    if transition.target == ExpertStatus.VERIFIED:
        extra["verified_at"] = timezone.now()
    if not compare_and_set_status(
        ExpertProfile, pk=expert.pk, expected=current, target=transition.target, **extra
    ):
        raise TransitionNotAllowed(_("Someone else changed this profile first; reload it."))
    expert.refresh_from_db()
    _history(
        expert,
        user=user,
        action=action,
        from_status=current,
        to_status=transition.target,
        note=note,
    )
    if action == "resubmit":
        notify_users(
            users=list(platform_reviewers()),
            title=Message(gettext_lazy("Expert profile to verify: %(name)s"), name=expert.name),
            url=reverse("programmes:expert_detail", args=[expert.pk]),
        )
    else:
        notify_users(
            users=[expert.user],
            title=Message(
                gettext_lazy("Your expert profile: %(status)s"),
                status=choice_label(expert, "status"),
            ),
            body=note,
            url=reverse("programmes:expert_detail", args=[expert.pk]),
        )
    return expert


# --- consulting -------------------------------------------------------------------------------


def consulting_technologies(*, expert: ExpertProfile):
    """The published technologies of the expert's organisation offered for consulting: the
    subject of a consulting deal (a deal of the exchange is always about a technology)."""
    if not expert.organization_id:
        return Technology.objects.none()
    return Technology.objects.filter(
        organization_id=expert.organization_id,
        status=TechnologyStatus.PUBLISHED,
        transaction_modes__contains=[TransactionMode.CONSULTING],
    ).order_by("-published_at", "-pk")


@transaction.atomic
def consulting_request_create(
    *, user, expert: ExpertProfile, technology: Technology, topic: str
) -> ConsultingRequest:
    """An enterprise or holder asks a verified expert for consulting: a `consulting` deal
    opens through the exchange's deal workflow, the expert's organisation as the seller."""
    topic = (topic or "").strip()
    errors: dict[str, str] = {}
    if not expert.is_verified or not expert.offers_consulting:
        errors["expert"] = _("This expert does not take consulting requests.")
    elif not consulting_technologies(expert=expert).filter(pk=technology.pk).exists():
        errors["technology"] = _(
            "Choose one of the technologies the expert's organisation offers consulting on."
        )
    if expert.user_id == user.pk:
        errors["expert"] = _("You cannot ask yourself for consulting.")
    if not topic:
        errors["topic"] = _("Say what you need advice on.")
    if errors:
        raise ValidationError(errors)
    deal = deal_open(
        user=user,
        technology=technology,
        deal_type=TransactionMode.CONSULTING,
        buyer=primary_organization(user=user),
        seller=expert.organization,
        note=topic,
    )
    # deal_open already tells both organisations' members, the expert among them.
    return ConsultingRequest.objects.create(
        expert=expert, requested_by=user, deal=deal, topic=topic
    )
