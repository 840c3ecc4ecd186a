"""Ratings the parties give each other and the broker after a completed deal."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.workflow import TransitionNotAllowed
from exchange.choices import (
    DealAction,
    DealStage,
    RatingSubject,
)
from exchange.models import (
    Deal,
    Rating,
)
from exchange.services.deal_workflow import (
    PARTIES,
    SELLER,
    deal_actor_roles,
)
from exchange.services.deals import (
    _deal_event,
)


@transaction.atomic
def rating_create(*, deal: Deal, user, subject: str, score: int, comment: str = "") -> Rating:
    """A party rates the other party, or the broker, of a completed deal (once each)."""
    roles = deal_actor_roles(deal=deal, user=user)
    if deal.stage != DealStage.COMPLETED:
        raise TransitionNotAllowed(_("Ratings are given after the deal is completed."))
    if not roles & PARTIES:
        raise TransitionNotAllowed(_("Only the parties rate a deal."))
    rater_id = deal.seller_id if SELLER in roles else deal.buyer_id
    rating = Rating(
        deal=deal,
        rater_id=rater_id,
        created_by=user,
        subject=subject,
        score=score,
        comment=(comment or "").strip(),
    )
    if subject == RatingSubject.ORGANIZATION:
        rating.rated_organization_id = (
            deal.buyer_id if rater_id == deal.seller_id else (deal.seller_id)
        )
    elif subject == RatingSubject.BROKER:
        if not deal.broker_id:
            raise ValidationError({"subject": _("This deal has no broker to rate.")})
        rating.rated_broker_id = deal.broker_id
    else:
        raise ValidationError({"subject": _("Rate the other party or the broker.")})
    if Rating.objects.filter(deal=deal, rater_id=rater_id, subject=subject).exists():
        raise TransitionNotAllowed(_("Your organisation has already given this rating."))
    rating.full_clean()
    rating.save()
    _deal_event(
        deal,
        user=user,
        role=sorted(roles & PARTIES)[0],
        action=DealAction.RATE,
        from_status=deal.stage,
        to_status=deal.stage,
        note=f"{score}/5 {rating.comment}".strip(),
    )
    return rating
