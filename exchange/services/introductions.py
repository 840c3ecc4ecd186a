"""Brokers' introductions of a technology to a need or an enterprise."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from accounts.models import Organization
from accounts.permissions import member_organization_ids, members_of
from core.workflow import StateMachine, Transition, TransitionNotAllowed, compare_and_set_status
from exchange.choices import (
    DealStage,
    IntroductionAction,
    IntroductionStatus,
    NeedStatus,
)
from exchange.models import (
    Introduction,
    IntroductionEvent,
    Need,
)
from exchange.services.deal_workflow import (
    BROKER,
    BUYER,
    SELLER,
)
from exchange.services.deals import (
    deal_open,
)
from notifications.messages import Bilingual, Message, choice_label, person
from notifications.services import notify_users

User = get_user_model()

ANY_SIDE = frozenset({SELLER, BUYER, BROKER})
INTRODUCTION_WORKFLOW = StateMachine(
    {
        (IntroductionStatus.PROPOSED, IntroductionAction.ACCEPT_AS_SELLER): Transition(
            IntroductionStatus.SELLER_ACCEPTED, frozenset({SELLER})
        ),
        (IntroductionStatus.PROPOSED, IntroductionAction.ACCEPT_AS_BUYER): Transition(
            IntroductionStatus.BUYER_ACCEPTED, frozenset({BUYER})
        ),
        (IntroductionStatus.SELLER_ACCEPTED, IntroductionAction.ACCEPT_AS_BUYER): Transition(
            IntroductionStatus.ACCEPTED, frozenset({BUYER})
        ),
        (IntroductionStatus.BUYER_ACCEPTED, IntroductionAction.ACCEPT_AS_SELLER): Transition(
            IntroductionStatus.ACCEPTED, frozenset({SELLER})
        ),
        (IntroductionStatus.PROPOSED, IntroductionAction.DECLINE): Transition(
            IntroductionStatus.DECLINED, ANY_SIDE
        ),
        (IntroductionStatus.SELLER_ACCEPTED, IntroductionAction.DECLINE): Transition(
            IntroductionStatus.DECLINED, frozenset({SELLER, BUYER, BROKER})
        ),
        (IntroductionStatus.BUYER_ACCEPTED, IntroductionAction.DECLINE): Transition(
            IntroductionStatus.DECLINED, ANY_SIDE
        ),
    }
)


def introduction_actor_roles(
    *, introduction: Introduction, user, organization_ids: list[int] | None = None
) -> set[str]:
    if organization_ids is None:
        organization_ids = member_organization_ids(user=user)
    roles: set[str] = set()
    if introduction.technology.organization_id in organization_ids:
        roles.add(SELLER)
    if introduction.enterprise_id in organization_ids:
        roles.add(BUYER)
    if introduction.broker_id == getattr(user, "pk", None):
        roles.add(BROKER)
    return roles


def introduction_allowed_actions(
    *, introduction: Introduction, user, organization_ids: list[int] | None = None
) -> list[str]:
    roles = introduction_actor_roles(
        introduction=introduction, user=user, organization_ids=organization_ids
    )
    return INTRODUCTION_WORKFLOW.allowed_actions(introduction.status, roles)


def _is_verified_centre(organization: Organization | None) -> bool:
    from accounts.choices import OrganizationType, VerificationStatus

    return bool(
        organization is not None
        and organization.kind == OrganizationType.TRANSFER_CENTRE
        and organization.verification_status == VerificationStatus.VERIFIED
    )


def _co_broker_errors(
    *,
    broker,
    lead_centre: Organization | None,
    partner_centre: Organization | None,
    lead_centre_share: Decimal | None,
    partner_centre_share: Decimal | None,
) -> dict[str, str]:
    """Co-brokering names both centres and both shares, or nothing: the broker works for the
    lead centre, the partner is another verified centre, and the shares add up to 100 %."""
    given = [lead_centre, partner_centre, lead_centre_share, partner_centre_share]
    if all(value is None for value in given):
        return {}
    errors: dict[str, str] = {}
    if lead_centre is None:
        errors["lead_centre"] = _("Name the lead centre, or leave all co-brokering fields empty.")
    elif not _is_verified_centre(lead_centre) or lead_centre.pk not in member_organization_ids(
        user=broker
    ):
        errors["lead_centre"] = _(
            "The lead centre must be a verified transfer centre you work for."
        )
    if partner_centre is None:
        errors["partner_centre"] = _("Name the co-broker centre.")
    elif not _is_verified_centre(partner_centre):
        errors["partner_centre"] = _("The co-broker must be a verified technology transfer centre.")
    elif lead_centre is not None and partner_centre.pk == lead_centre.pk:
        errors["partner_centre"] = _("The co-broker must be another centre than the lead centre.")
    shares = {"lead_centre_share": lead_centre_share, "partner_centre_share": partner_centre_share}
    for field, share in shares.items():
        if share is None:
            errors[field] = _("Give both centres' shares of the commission.")
        elif not Decimal("0") <= share <= Decimal("100"):
            errors[field] = _("A share is between 0 and 100 %.")
    if not errors.keys() & shares.keys() and lead_centre_share + partner_centre_share != Decimal(
        "100"
    ):
        errors["partner_centre_share"] = _(
            "The two centres' shares must add up to 100 %% (now %(total)s %%)."
        ) % {"total": lead_centre_share + partner_centre_share}
    return errors


@transaction.atomic
def introduction_create(
    *,
    broker,
    technology,
    deal_type: str,
    need: Need | None = None,
    enterprise: Organization | None = None,
    note: str = "",
    commission_rate: Decimal | None = None,
    commission_amount: Decimal | None = None,
    lead_centre: Organization | None = None,
    partner_centre: Organization | None = None,
    lead_centre_share: Decimal | None = None,
    partner_centre_share: Decimal | None = None,
) -> Introduction:
    """A broker introduces a published technology to a published need or an enterprise;
    a broker of a transfer centre may co-broker it with a partner centre (both centres and
    their shares of the commission, summing to 100 %)."""
    from catalog.choices import TechnologyStatus

    if not broker.has_role(Role.BROKER):
        raise PermissionDenied(_("Only brokers introduce technologies."))
    errors: dict[str, str] = {}
    if need is not None:
        if need.status != NeedStatus.PUBLISHED:
            errors["need"] = _("Only a published need can be answered.")
        enterprise = need.organization
    if enterprise is None:
        errors["enterprise"] = _("Choose a need or an enterprise.")
    if technology.status != TechnologyStatus.PUBLISHED:
        errors["technology"] = _("Only published technologies can be introduced.")
    if technology.transaction_modes and deal_type not in technology.transaction_modes:
        errors["deal_type"] = _("The technology is not offered in this transaction mode.")
    if enterprise is not None:
        if technology.organization_id == enterprise.pk:
            errors["enterprise"] = _("The enterprise already holds this technology.")
        broker_organizations = member_organization_ids(user=broker)
        if {technology.organization_id, enterprise.pk} & set(broker_organizations):
            errors["enterprise"] = _(
                "A broker cannot introduce its own organisation (conflict of interest)."
            )
    if commission_rate is not None and commission_amount is not None:
        errors["commission_amount"] = _("Give a commission rate or an amount, not both.")
    errors.update(
        _co_broker_errors(
            broker=broker,
            lead_centre=lead_centre,
            partner_centre=partner_centre,
            lead_centre_share=lead_centre_share,
            partner_centre_share=partner_centre_share,
        )
    )
    if errors:
        raise ValidationError(errors)
    from accounts.services import organization_may_transact

    organization_may_transact(organization=technology.organization)
    organization_may_transact(organization=enterprise)
    introduction = Introduction(
        broker=broker,
        technology=technology,
        need=need,
        enterprise=enterprise,
        deal_type=deal_type,
        note=note,
        commission_rate=commission_rate,
        commission_amount=commission_amount,
        lead_centre=lead_centre,
        partner_centre=partner_centre,
        lead_centre_share=lead_centre_share,
        partner_centre_share=partner_centre_share,
    )
    introduction.full_clean()
    introduction.save()
    IntroductionEvent.objects.create(
        introduction=introduction,
        actor=broker,
        action=IntroductionAction.CREATE,
        to_status=introduction.status,
        note=note,
    )
    notify_users(
        users=members_of(technology.organization_id, enterprise.pk),
        title=Message(
            gettext_lazy("%(broker)s introduces “%(technology)s”"),
            broker=person(broker),
            technology=Bilingual.of(technology, "title"),
        ),
        body=note,
        url=reverse("exchange:introduction_list"),
    )
    return introduction


@transaction.atomic
def introduction_transition(
    *, introduction: Introduction, user, action: str, note: str = ""
) -> Introduction:
    """Each side accepts (in either order); when both have, the deal opens with the broker."""
    current = (
        Introduction.objects.filter(pk=introduction.pk).values_list("status", flat=True).first()
    )
    transition = INTRODUCTION_WORKFLOW.resolve(
        current, action, introduction_actor_roles(introduction=introduction, user=user)
    )
    note = (note or "").strip()
    updates: dict = {"updated_at": timezone.now()}
    if action == IntroductionAction.DECLINE:
        updates["decline_reason"] = note
    if not compare_and_set_status(
        Introduction, pk=introduction.pk, expected=current, target=transition.target, **updates
    ):
        raise TransitionNotAllowed(_("Someone else answered this introduction first; reload it."))
    IntroductionEvent.objects.create(
        introduction=introduction,
        actor=user,
        action=action,
        from_status=current,
        to_status=transition.target,
        note=note,
    )
    introduction.refresh_from_db()
    if introduction.status == IntroductionStatus.ACCEPTED:
        deal_open(
            user=user,
            technology=introduction.technology,
            need=introduction.need,
            deal_type=introduction.deal_type,
            buyer=introduction.enterprise,
            seller=introduction.technology.organization,
            introduction=introduction,
            broker=introduction.broker,
            commission_rate=introduction.commission_rate,
            commission_amount=introduction.commission_amount,
            stage=DealStage.NEGOTIATION,
            note=introduction.note,
        )
    else:
        notify_users(
            users=User.objects.filter(pk=introduction.broker_id),
            title=Message(
                gettext_lazy("Introduction of “%(technology)s”: %(status)s"),
                technology=Bilingual.of(introduction.technology, "title"),
                status=choice_label(introduction, "status"),
            ),
            body=note,
            url=reverse("exchange:introduction_list"),
        )
    return introduction
