"""Open challenges (揭榜挂帅 at programme scale).

draft --publish--> open --close--> closed --announce--> announced
Holders answer a challenge's priority needs with ordinary exchange proposals
(exchange.services.proposal_create); judges score the submissions 1–10; the operator announces
the winners on the challenge page. The enterprises who posted the needs still accept proposals
through the exchange, which opens the deal.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from accounts.permissions import has_role, member_organization_ids, members_of
from catalog.models import Technology
from core.reasons import turn_down_reason_errors
from core.workflow import (
    StateMachine,
    Transition,
    TransitionNotAllowed,
    compare_and_set_status,
    event_record,
)
from exchange.choices import NeedStatus
from exchange.models import Need
from exchange.services import proposal_create
from notifications.messages import Message, choice_label
from notifications.services import notify_users
from programmes.access import acting_operator_organization
from programmes.choices import ChallengeStatus, ExpertStatus
from programmes.models import (
    Challenge,
    ChallengeHistory,
    ChallengeScore,
    ChallengeSubmission,
    ExpertProfile,
)
from programmes.services.common import EXPERT, OPERATOR
from programmes.services.evaluations import expert_conflict

C = ChallengeStatus
OPERATORS = frozenset({OPERATOR})
HOLDER = "holder"
CHALLENGE_WORKFLOW = StateMachine(
    {
        (C.DRAFT, "publish"): Transition(C.OPEN, OPERATORS),
        (C.OPEN, "submit"): Transition(C.OPEN, frozenset({HOLDER})),
        (C.OPEN, "close"): Transition(C.CLOSED, OPERATORS),
        (C.DRAFT, "invite_judges"): Transition(C.DRAFT, OPERATORS),
        (C.OPEN, "invite_judges"): Transition(C.OPEN, OPERATORS),
        (C.CLOSED, "invite_judges"): Transition(C.CLOSED, OPERATORS),
        (C.CLOSED, "score"): Transition(C.CLOSED, frozenset({EXPERT})),
        (C.CLOSED, "announce"): Transition(C.ANNOUNCED, OPERATORS, requires_note=True),
    }
)


def challenge_actor_roles(*, challenge: Challenge, user) -> set[str]:
    roles: set[str] = set()
    if not getattr(user, "is_authenticated", False):
        return roles
    if challenge.operator_id in member_organization_ids(user=user) or has_role(
        user=user, role=Role.ADMIN
    ):
        roles.add(OPERATOR)
    # challenges_visible_to answers this for its user within the list query.
    if (
        challenge.viewer_is_judge
        if getattr(challenge, "viewer_id", None) == user.pk
        else challenge.judges.filter(user=user, status=ExpertStatus.VERIFIED).exists()
    ):
        roles.add(EXPERT)
    if has_role(user=user, role=Role.HOLDER) and member_organization_ids(user=user):
        roles.add(HOLDER)
    return roles


def challenge_allowed_actions(*, challenge: Challenge, user) -> list[str]:
    actions = CHALLENGE_WORKFLOW.allowed_actions(
        challenge.status, challenge_actor_roles(challenge=challenge, user=user)
    )
    if "submit" in actions and timezone.now() >= challenge.closes_at:
        actions.remove("submit")
    return actions


def _resolve(challenge: Challenge, user, action: str):
    current = Challenge.objects.filter(pk=challenge.pk).values_list("status", flat=True).first()
    transition = CHALLENGE_WORKFLOW.resolve(
        current, action, challenge_actor_roles(challenge=challenge, user=user)
    )
    return current, transition


def _history(challenge, **fields) -> None:
    event_record(ChallengeHistory, challenge=challenge, **fields)


def _url(challenge: Challenge) -> str:
    return reverse("programmes:challenge_detail", args=[challenge.pk])


def _check_needs(needs: list[Need], *, region: str, sector) -> None:
    if not needs:
        raise ValidationError({"needs": _("Choose at least one priority need.")})
    errors = []
    for need in needs:
        if need.status != NeedStatus.PUBLISHED:
            errors.append(_("“%(need)s” is not published.") % {"need": need.title})
        elif region and need.region != region:
            errors.append(_("“%(need)s” is from another region.") % {"need": need.title})
        elif sector is not None and not (
            need.category_id and (need.category.parent_id == sector.pk)
        ):
            errors.append(_("“%(need)s” is outside the sector.") % {"need": need.title})
    if errors:
        raise ValidationError({"needs": errors})


@transaction.atomic
def challenge_create(
    *,
    user,
    title: str,
    description: str,
    closes_at,
    needs: Iterable[Need],
    region: str = "",
    sector=None,
    operator=None,
) -> Challenge:
    """An operator gathers published priority needs of one region or sector (a draft)."""
    organization = acting_operator_organization(user=user, organization=operator)
    needs = list(needs)
    challenge = Challenge(
        title=(title or "").strip(),
        description=(description or "").strip(),
        closes_at=closes_at,
        region=region or "",
        sector=sector,
        operator=organization,
        created_by=user,
    )
    challenge.full_clean()
    if closes_at <= timezone.now():
        raise ValidationError({"closes_at": _("The closing time must be in the future.")})
    _check_needs(needs, region=challenge.region, sector=sector)
    challenge.save()
    challenge.needs.set(needs)
    _history(challenge, user=user, action="create", to_status=challenge.status)
    return challenge


@transaction.atomic
def challenge_transition(*, challenge: Challenge, user, action: str, note: str = "") -> Challenge:
    """Publish (holders of the needs' fields are told), close, or announce (with a text)."""
    if action not in ("publish", "close", "announce"):
        raise TransitionNotAllowed(
            _("The action “%(action)s” is not possible here.") % {"action": action}
        )
    current, transition = _resolve(challenge, user, action)
    note = (note or "").strip()
    if transition.requires_note and not note:
        raise ValidationError({"note": _("Write the announcement.")})
    extra: dict = {"updated_at": timezone.now()}
    if action == "announce":
        if not challenge.submissions.filter(is_winner=True).exists():
            raise ValidationError(_("Choose at least one winner before announcing."))
        extra.update(announcement=note, announced_at=timezone.now())
    if action == "publish" and challenge.closes_at <= timezone.now():
        raise ValidationError({"closes_at": _("The closing time has passed: change it first.")})
    if not compare_and_set_status(
        Challenge, pk=challenge.pk, expected=current, target=transition.target, **extra
    ):
        raise TransitionNotAllowed(_("Someone else changed this challenge first; reload it."))
    challenge.refresh_from_db()
    _history(
        challenge,
        user=user,
        action=action,
        from_status=current,
        to_status=challenge.status,
        note=note,
    )
    if action == "close":
        notify_users(
            users=[judge.user for judge in challenge.judges.all()],
            title=Message(
                gettext_lazy("Please score the proposals of “%(challenge)s”"),
                challenge=challenge.title,
            ),
            url=_url(challenge),
        )
    if action == "announce":
        organizations = challenge.submissions.values_list("proposal__organization_id", flat=True)
        notify_users(
            users=list(members_of(*organizations)),
            title=Message(gettext_lazy("Results of “%(challenge)s”"), challenge=challenge.title),
            body=note[:300],
            url=_url(challenge),
        )
    return challenge


@transaction.atomic
def challenge_invite_judges(
    *, challenge: Challenge, user, experts: Iterable[ExpertProfile]
) -> list[ExpertProfile]:
    _resolve(challenge, user, "invite_judges")
    experts = [e for e in experts if e.status == ExpertStatus.VERIFIED]
    if not experts:
        raise ValidationError({"experts": _("Choose at least one verified expert.")})
    challenge.judges.add(*experts)
    _history(challenge, user=user, action="invite_judges", note=", ".join(e.name for e in experts))
    notify_users(
        users=[expert.user for expert in experts],
        title=Message(
            gettext_lazy("Invitation to judge “%(challenge)s”"), challenge=challenge.title
        ),
        url=_url(challenge),
    )
    return experts


@transaction.atomic
def challenge_submit(
    *,
    challenge: Challenge,
    user,
    need: Need,
    technology: Technology,
    approach: str,
    deal_type: str,
    timeline: str,
    price: Decimal | None = None,
    currency: str = "CNY",
) -> ChallengeSubmission:
    """A holder answers one of the challenge's needs: an exchange proposal, entered in the
    challenge. Refused after the closing time."""
    _resolve(challenge, user, "submit")
    if timezone.now() >= challenge.closes_at:
        raise ValidationError(_("This challenge closed for proposals."))
    if not challenge.needs.filter(pk=need.pk).exists():
        raise ValidationError({"need": _("Choose one of the challenge's needs.")})
    proposal = proposal_create(
        user=user,
        need=need,
        technology=technology,
        approach=approach,
        deal_type=deal_type,
        timeline=timeline,
        price=price,
        currency=currency,
    )
    submission = ChallengeSubmission.objects.create(challenge=challenge, proposal=proposal)
    _history(challenge, user=user, action="submit", note=str(proposal))
    notify_users(
        users=list(members_of(challenge.operator_id)),
        title=Message(gettext_lazy("New proposal in “%(challenge)s”"), challenge=challenge.title),
        url=_url(challenge),
    )
    return submission


@transaction.atomic
def challenge_score(
    *, submission: ChallengeSubmission, user, score: int, comment: str = ""
) -> ChallengeScore:
    """A judge scores a submission 1–10 after the challenge closed (again: replaced)."""
    challenge = submission.challenge
    _resolve(challenge, user, "score")
    expert = challenge.judges.get(user=user)
    conflict = expert_conflict(expert=expert, technology=submission.proposal.technology)
    if conflict:
        raise ValidationError({"submission": conflict})
    row = ChallengeScore.objects.filter(submission=submission, expert=expert).first() or (
        ChallengeScore(submission=submission, expert=expert)
    )
    row.score = score
    row.comment = (comment or "").strip()
    row.full_clean()
    row.save()
    return row


def submission_median(submission: ChallengeSubmission) -> float | None:
    scores = [row.score for row in submission.scores.all()]
    return float(statistics.median(scores)) if scores else None


@transaction.atomic
def challenge_mark_winner(
    *, submission: ChallengeSubmission, user, winner: bool = True, award: str = ""
) -> ChallengeSubmission:
    """The operator marks a winning submission before announcing (closed challenges only)."""
    challenge = submission.challenge
    current, _transition = _resolve(challenge, user, "announce")
    ChallengeSubmission.objects.filter(pk=submission.pk).update(
        is_winner=winner, award=(award or "").strip()[:120] if winner else ""
    )
    submission.refresh_from_db()
    _history(
        challenge,
        user=user,
        action="winner" if winner else "not_winner",
        from_status=current,
        to_status=current,
        note=str(submission.proposal),
    )
    return submission


@transaction.atomic
def challenge_submission_turn_down(
    *, submission: ChallengeSubmission, user, reason_code: str, note: str = ""
) -> ChallengeSubmission:
    """The operator tells a holder why its entry did not win (closed challenges, before the
    announcement): a reason code (core.reasons) and words, which the holder sees."""
    challenge = submission.challenge
    current, _transition = _resolve(challenge, user, "announce")
    note = (note or "").strip()
    errors = turn_down_reason_errors(code=reason_code, note=note)
    if errors:
        raise ValidationError(errors)
    if not ChallengeSubmission.objects.filter(pk=submission.pk, is_winner=False).update(
        reason_code=reason_code, reason_note=note
    ):
        raise TransitionNotAllowed(_("A winning entry cannot be turned down; undo the choice."))
    submission.refresh_from_db()
    _history(
        challenge,
        user=user,
        action="turn_down",
        from_status=current,
        to_status=current,
        note=str(submission.proposal),
    )
    notify_users(
        users=members_of(submission.proposal.organization_id),
        title=Message(
            gettext_lazy("Your entry in “%(challenge)s” was not chosen: %(reason)s"),
            challenge=challenge.title,
            reason=choice_label(submission, "reason_code"),
        ),
        body=note,
        url=_url(challenge),
    )
    return submission
