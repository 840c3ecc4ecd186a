"""Writes of open licensing: offers (create, edit before anyone took it, new version, withdraw)
and licences (accept → pay → licensed, or cancel before paying).

Concurrency: every write locks the offer row (SELECT … FOR UPDATE) for the shortest time, so an
acceptance and an edit of the same offer happen one after the other — the terms a licensee
accepted are the terms stored — and two acceptances by one organisation cannot both pass the
check (the partial unique constraint `one_licence_per_licensee_and_offer` backs it up). Licence
steps are compare-and-set on the status column.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import OrganizationType
from accounts.models import Organization
from accounts.permissions import is_member, member_organization_ids, members_of
from catalog.choices import (
    PATENT_KINDS,
    IntellectualPropertyKind,
    IntellectualPropertyStatus,
    TechnologyStatus,
    TransactionMode,
)
from catalog.models import Technology, TechnologyPatent
from core.uploads import upload_content_type
from core.workflow import (
    StateMachine,
    Transition,
    TransitionNotAllowed,
    compare_and_set_status,
    event_record,
)
from exchange.choices import DealAction, DealActor, DealStage, MilestoneKind
from exchange.models import DealEvent, DealMilestone
from exchange.services import certificate_issue, deal_open
from licensing import selectors
from licensing.choices import (
    FIXED_FEE_KINDS,
    ROYALTY_KINDS,
    FeeKind,
    LicenceAction,
    LicenceActor,
    LicenceStatus,
    OfferAction,
    OfferStatus,
)
from licensing.models import (
    MAXIMUM_TERM_YEARS,
    NET_SALES_ROYALTY_CEILING,
    PROFIT_ROYALTY_CEILING,
    Licence,
    LicenceEvent,
    OpenLicenceOffer,
    OpenLicenceOfferEvent,
)
from notifications.messages import Bilingual, Message
from notifications.services import notify_users

LICENSEE, HOLDER = LicenceActor.LICENSEE.value, LicenceActor.HOLDER.value

LICENCE_WORKFLOW = StateMachine(
    {
        (LicenceStatus.ACCEPTED, LicenceAction.PAY): Transition(
            LicenceStatus.LICENSED, frozenset({LICENSEE}), gettext_lazy("Pay the posted fee")
        ),
        (LicenceStatus.ACCEPTED, LicenceAction.CANCEL): Transition(
            LicenceStatus.CANCELLED, frozenset({LICENSEE}), gettext_lazy("Cancel")
        ),
    }
)
OFFER_WORKFLOW = StateMachine(
    {
        (OfferStatus.OPEN, OfferAction.EDIT): Transition(
            OfferStatus.OPEN, frozenset({HOLDER}), gettext_lazy("Edit the terms")
        ),
        (OfferStatus.OPEN, OfferAction.REVISE): Transition(
            OfferStatus.SUPERSEDED, frozenset({HOLDER}), gettext_lazy("Publish a new version")
        ),
        (OfferStatus.OPEN, OfferAction.WITHDRAW): Transition(
            OfferStatus.WITHDRAWN, frozenset({HOLDER}), gettext_lazy("Withdraw the offer")
        ),
    }
)
EVALUATION_REPORT_KINDS = (IntellectualPropertyKind.UTILITY_MODEL, IntellectualPropertyKind.DESIGN)


# --- offers -----------------------------------------------------------------------------------


def offer_validate(*, offer: OpenLicenceOffer) -> None:
    """The statutory and platform bounds of an offer, field by field (ValidationError)."""
    errors: dict[str, str] = {}
    technology, patent = offer.technology, offer.patent
    if technology.status != TechnologyStatus.PUBLISHED:
        errors["technology"] = _(
            "Only a published technology can be offered under an open licence."
        )
    elif (
        technology.transaction_modes and TransactionMode.LICENSE not in technology.transaction_modes
    ):
        errors["technology"] = _(
            "The listing does not offer licences: add a licence offer to the listing first."
        )
    if patent.technology_id != technology.pk:
        errors["patent"] = _("Choose a patent of this technology.")
    elif patent.kind not in PATENT_KINDS:
        errors["patent"] = _(
            "Only patents (invention, utility model, design) can be openly licensed."
        )
    elif patent.status != IntellectualPropertyStatus.GRANTED:
        errors["patent"] = _("The patent must be granted: a filed application cannot be licensed.")
    elif patent.jurisdiction != "CN":
        errors["patent"] = _("Open licensing applies to Chinese patents (CNIPA) only.")
    elif patent.kind in EVALUATION_REPORT_KINDS and not offer.evaluation_report:
        errors["evaluation_report"] = _(
            "Utility-model and design patents need the patent evaluation report (专利权评价报告) "
            "attached."
        )
    kind = offer.fee_kind
    if kind not in FeeKind.values:
        errors["fee_kind"] = _("Choose how the fee is computed.")
    if kind in FIXED_FEE_KINDS:
        cap = selectors.licensing_policy().fixed_fee_cap
        if offer.fixed_fee is None or offer.fixed_fee <= 0:
            errors["fixed_fee"] = _("Give the fixed fee.")
        elif offer.fixed_fee > cap:
            errors["fixed_fee"] = _(
                "The fixed fee may be at most %(cap)s %(currency)s (the platform's cap)."
            ) % {"cap": f"{cap:,.2f}", "currency": offer.currency}
    if kind in ROYALTY_KINDS:
        ceiling = (
            PROFIT_ROYALTY_CEILING if kind == FeeKind.PROFIT_ROYALTY else NET_SALES_ROYALTY_CEILING
        )
        rate = offer.royalty_rate
        if rate is None or rate <= 0:
            errors["royalty_rate"] = _("Give the royalty rate.")
        elif rate > ceiling and kind == FeeKind.PROFIT_ROYALTY:
            errors["royalty_rate"] = _("A royalty on profit may be at most 40 %.")
        elif rate > ceiling:
            errors["royalty_rate"] = _("A royalty on net sales may be at most 20 %.")
    if offer.term_years is not None and offer.term_end is not None:
        errors["term_end"] = _("Give either the number of years or the end date, not both.")
    elif offer.term_years is None and offer.term_end is None:
        errors["term_years"] = _("Give the term: a number of years or an end date.")
    elif offer.term_years is not None and not 1 <= offer.term_years <= MAXIMUM_TERM_YEARS:
        errors["term_years"] = _("The term is 1 to 20 years.")
    elif offer.term_end is not None and offer.term_end <= timezone.localdate():
        errors["term_end"] = _("The end date must be in the future.")
    if not (offer.field_of_use or "").strip():
        errors["field_of_use"] = _("Say what the licence may be used for.")
    if not (offer.territory or "").strip():
        errors["territory"] = _("Say where the licence applies.")
    if errors:
        raise ValidationError(errors)


def _apply_terms(offer: OpenLicenceOffer, fields: dict) -> None:
    for name in OpenLicenceOffer.EDITABLE_FIELDS:
        if name in fields:
            setattr(offer, name, fields[name])
    offer.field_of_use = (offer.field_of_use or "").strip()
    offer.territory = (offer.territory or "").strip()
    # A value typed for another kind of fee does not apply to this one.
    if offer.fee_kind not in FIXED_FEE_KINDS:
        offer.fixed_fee = None
    if offer.fee_kind not in ROYALTY_KINDS:
        offer.royalty_rate = None


def _attach_report(offer: OpenLicenceOffer, evaluation_report) -> None:
    if evaluation_report is None:
        return
    try:
        upload_content_type(evaluation_report, allowed=("pdf",))
    except ValidationError as error:
        raise ValidationError({"evaluation_report": error.messages}) from error
    offer.evaluation_report = evaluation_report


def _offer_event(offer, *, user, action, from_status="", to_status="", note="") -> None:
    event_record(
        OpenLicenceOfferEvent,
        offer=offer,
        user=user,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )


def _require_holder(*, user, organization_id: int) -> None:
    if not is_member(user=user, organization=organization_id):
        raise ValidationError(
            {"technology": _("Only the technology's holder may offer it under an open licence.")}
        )


def _full_save(offer: OpenLicenceOffer) -> OpenLicenceOffer:
    offer_validate(offer=offer)
    offer.full_clean(exclude=["technology", "patent", "organization", "previous", "created_by"])
    try:
        with transaction.atomic():
            offer.save()
    except IntegrityError:
        raise ValidationError(
            {"patent": _("This patent already has an open licence offer: change that one.")}
        ) from None
    return offer


@transaction.atomic
def offer_create(
    *, user, technology: Technology, patent: TechnologyPatent, evaluation_report=None, **fields
) -> OpenLicenceOffer:
    """Offer a patent of a published technology under an open licence (the holder's member)."""
    _require_holder(user=user, organization_id=technology.organization_id)
    if OpenLicenceOffer.objects.filter(patent=patent, status=OfferStatus.OPEN).exists():
        raise ValidationError(
            {"patent": _("This patent already has an open licence offer: change that one.")}
        )
    offer = OpenLicenceOffer(
        technology=technology, patent=patent, organization=technology.organization, created_by=user
    )
    _apply_terms(offer, fields)
    _attach_report(offer, evaluation_report)
    _full_save(offer)
    _offer_event(offer, user=user, action=OfferAction.CREATE, to_status=offer.status)
    return offer


def _locked_offer(offer: OpenLicenceOffer) -> OpenLicenceOffer:
    return (
        OpenLicenceOffer.objects.select_for_update(of=("self",))
        .select_related("technology", "patent", "organization")
        .get(pk=offer.pk)
    )


def offer_actor_roles(*, offer: OpenLicenceOffer, user) -> set[str]:
    return {HOLDER} if is_member(user=user, organization=offer.organization_id) else set()


def offer_terms_frozen(*, offer: OpenLicenceOffer) -> bool:
    """True once a licensee accepted: the terms can then only change in a new version."""
    return offer.licences.exclude(status=LicenceStatus.CANCELLED).exists()


@transaction.atomic
def offer_update(*, offer: OpenLicenceOffer, user, evaluation_report=None, **fields):
    """Edit the terms in place: only while nobody has accepted them (else 409: a new version)."""
    offer = _locked_offer(offer)
    OFFER_WORKFLOW.resolve(
        offer.status, OfferAction.EDIT, offer_actor_roles(offer=offer, user=user)
    )
    if offer_terms_frozen(offer=offer):
        raise TransitionNotAllowed(
            _("A licensee has accepted these terms: they are frozen. Publish a new version.")
        )
    _apply_terms(offer, fields)
    _attach_report(offer, evaluation_report)
    _full_save(offer)
    _offer_event(
        offer, user=user, action=OfferAction.EDIT, from_status=offer.status, to_status=offer.status
    )
    return offer


@transaction.atomic
def offer_revise(*, offer: OpenLicenceOffer, user, evaluation_report=None, **fields):
    """Publish new terms as a new version; the old one is replaced and its licences remain."""
    offer = _locked_offer(offer)
    OFFER_WORKFLOW.resolve(
        offer.status, OfferAction.REVISE, offer_actor_roles(offer=offer, user=user)
    )
    now = timezone.now()
    OpenLicenceOffer.objects.filter(pk=offer.pk).update(
        status=OfferStatus.SUPERSEDED, closed_at=now, updated_at=now
    )
    new = OpenLicenceOffer(
        technology=offer.technology,
        patent=offer.patent,
        organization=offer.organization,
        created_by=user,
        version=offer.version + 1,
        previous=offer,
        evaluation_report=offer.evaluation_report,
    )
    for name in OpenLicenceOffer.EDITABLE_FIELDS:
        setattr(new, name, getattr(offer, name))
    _apply_terms(new, fields)
    _attach_report(new, evaluation_report)
    _full_save(new)
    _offer_event(
        offer, user=user, action=OfferAction.REVISE, from_status=OfferStatus.OPEN,
        to_status=OfferStatus.SUPERSEDED,
    )  # fmt: skip
    _offer_event(new, user=user, action=OfferAction.CREATE, to_status=new.status)
    return new


@transaction.atomic
def offer_withdraw(*, offer: OpenLicenceOffer, user, note: str = "") -> OpenLicenceOffer:
    """Stop new licences; the licences already taken stay in force."""
    offer = _locked_offer(offer)
    transition = OFFER_WORKFLOW.resolve(
        offer.status, OfferAction.WITHDRAW, offer_actor_roles(offer=offer, user=user)
    )
    now = timezone.now()
    OpenLicenceOffer.objects.filter(pk=offer.pk).update(
        status=transition.target, closed_at=now, updated_at=now
    )
    _offer_event(
        offer, user=user, action=OfferAction.WITHDRAW, from_status=offer.status,
        to_status=transition.target, note=(note or "").strip(),
    )  # fmt: skip
    offer.refresh_from_db()
    return offer


# --- licences ---------------------------------------------------------------------------------


def _licensee_organization(*, user, organization: Organization | None) -> Organization:
    """The verified enterprise the user accepts for (the given one, else their first)."""
    ids = member_organization_ids(user=user)
    if organization is None:
        candidates = Organization.objects.filter(pk__in=ids, kind=OrganizationType.ENTERPRISE)
        organization = candidates.order_by("-verification_status").first() or (
            Organization.objects.filter(pk__in=ids).first()
        )
    if organization is None or organization.pk not in ids:
        raise ValidationError(
            {"organization": _("Join an enterprise first: licences are taken by enterprises.")}
        )
    if organization.kind != OrganizationType.ENTERPRISE:
        raise ValidationError({"organization": _("Only enterprises can take an open licence.")})
    if not organization.verified:
        raise ValidationError(
            {"organization": _("Your enterprise must be verified before it can take a licence.")}
        )
    return organization


def _licence_event(licence, *, user, action, from_status="", to_status="", role=LICENSEE, note=""):
    event_record(
        LicenceEvent,
        licence=licence,
        user=user,
        actor_role=role,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )


def _licence_end(offer: OpenLicenceOffer, start: datetime.date) -> datetime.date:
    if offer.term_end is not None:
        return offer.term_end
    try:
        return start.replace(year=start.year + offer.term_years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + offer.term_years, day=28)


@transaction.atomic
def licence_accept(*, offer: OpenLicenceOffer, user, organization: Organization | None = None):
    """Accept the posted terms for the user's verified enterprise: a licence awaiting payment
    (in force at once when nothing is due on taking it, for a royalty-only offer)."""
    licensee = _licensee_organization(user=user, organization=organization)
    offer = _locked_offer(offer)
    if offer.status != OfferStatus.OPEN:
        raise TransitionNotAllowed(_("This offer is no longer open for new licensees."))
    if licensee.pk == offer.organization_id:
        raise ValidationError({"organization": _("The holder cannot license its own patent.")})
    if offer.licences.filter(licensee=licensee).exclude(status=LicenceStatus.CANCELLED).exists():
        raise TransitionNotAllowed(_("Your enterprise already holds a licence under this offer."))
    try:
        with transaction.atomic():
            licence = Licence.objects.create(
                offer=offer,
                licensee=licensee,
                accepted_by=user,
                amount_due=offer.amount_due_on_acceptance,
                currency=offer.currency,
            )
    except IntegrityError:
        raise TransitionNotAllowed(
            _("Your enterprise already holds a licence under this offer.")
        ) from None
    _licence_event(licence, user=user, action=LicenceAction.ACCEPT, to_status=licence.status)
    notify_users(
        users=list(members_of(offer.organization_id)),
        title=Message(
            gettext_lazy("%(licensee)s accepted your open licence for %(technology)s"),
            licensee=licensee.display_name,
            technology=Bilingual.of(offer.technology, "title"),
        ),
        url=reverse("licensing:offer_detail", args=[offer.pk]),
    )
    if licence.amount_due == 0:
        licence = licence_transition(licence=licence, user=user, action=LicenceAction.PAY)
    return licence


def licence_actor_roles(*, licence: Licence, user) -> set[str]:
    roles = set()
    ids = member_organization_ids(user=user)
    if licence.licensee_id in ids:
        roles.add(LICENSEE)
    if licence.offer.organization_id in ids:
        roles.add(HOLDER)
    return roles


def licence_allowed_actions(*, licence: Licence, user) -> list[tuple[str, str]]:
    return LICENCE_WORKFLOW.allowed_action_labels(
        licence.status, licence_actor_roles(licence=licence, user=user)
    )


@transaction.atomic
def licence_transition(*, licence: Licence, user, action: str, note: str = "") -> Licence:
    """Pay (the licence takes effect: deal, payment and certificate) or cancel before paying."""
    licence = Licence.objects.select_related(
        "offer__technology", "offer__organization", "licensee"
    ).get(pk=licence.pk)
    current = licence.status
    transition = LICENCE_WORKFLOW.resolve(
        current, action, licence_actor_roles(licence=licence, user=user)
    )
    now = timezone.now()
    extra: dict = {}
    if transition.target == LicenceStatus.LICENSED:
        extra = {
            "licensed_at": now,
            "ends_on": _licence_end(licence.offer, timezone.localdate(now)),
        }
    if not compare_and_set_status(
        Licence, pk=licence.pk, expected=current, target=transition.target, **extra
    ):
        raise TransitionNotAllowed(_("Someone else moved this licence first; reload it."))
    _licence_event(
        licence, user=user, action=action, from_status=current, to_status=transition.target,
        note=(note or "").strip(),
    )  # fmt: skip
    licence.refresh_from_db()
    if transition.target == LicenceStatus.LICENSED:
        _licence_deal(licence=licence, user=user, at=now)
    return licence


def _licence_deal(*, licence: Licence, user, at) -> None:
    """The exchange deal of a licence in force: completed, its fee a paid payment milestone, and
    the deal's certificate issued."""
    offer = licence.offer
    deal = deal_open(
        user=user,
        technology=offer.technology,
        deal_type=TransactionMode.LICENSE,
        price=licence.amount_due,
        currency=licence.currency,
        buyer=licence.licensee,
        seller=offer.organization,
        stage=DealStage.COMPLETED,
        note=_("Open licence of patent %(number)s on the posted terms.")
        % {"number": offer.patent.number},
    )
    deal.payment_terms = selectors.offer_terms_text(offer=offer)
    deal.signed_at = deal.completed_at = at
    deal.save(update_fields=["payment_terms", "signed_at", "completed_at", "updated_at"])
    if licence.amount_due > Decimal("0"):
        DealMilestone.objects.create(
            deal=deal,
            kind=MilestoneKind.PAYMENT,
            title=_("Open licence fee"),
            amount=licence.amount_due,
            due_date=timezone.localdate(at),
            done_at=at,
            done_by=user,
        )
        DealEvent.objects.create(
            deal=deal, actor=user, actor_role=DealActor.BUYER, action=DealAction.MILESTONE_DONE,
            from_status=DealStage.COMPLETED, to_status=DealStage.COMPLETED,
        )  # fmt: skip
    Licence.objects.filter(pk=licence.pk).update(deal=deal)
    licence.deal = deal
    certificate_issue(deal=deal)
