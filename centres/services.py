"""Writes of the technology transfer network: a centre's profile and referrals between centres.

A referral moves only through REFERRAL_WORKFLOW: the partner centre accepts or declines what it
was sent, finds a counterpart (matched), and either centre closes it; the referring centre may
withdraw (close) one nobody has answered. Each step is compare-and-set on the status column,
writes a ReferralEvent and tells the other centre's members.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organization
from accounts.permissions import is_member, member_organization_ids, members_of
from catalog.models import Technology
from centres import selectors
from centres.choices import ReferralAction, ReferralSide, ReferralStatus, WorkingLanguage
from centres.countries import validate_country_codes
from centres.models import Referral, ReferralEvent, TransferCentre
from core.workflow import StateMachine, Transition, TransitionNotAllowed, compare_and_set_status
from exchange.models import Need
from notifications.messages import Bilingual, Message, choice_label
from notifications.services import notify_users

SENDER = ReferralSide.SENDER.value
RECEIVER = ReferralSide.RECEIVER.value
EITHER = frozenset({SENDER, RECEIVER})
CLOSE_LABEL = gettext_lazy("Close")

REFERRAL_WORKFLOW = StateMachine(
    {
        (ReferralStatus.SENT, ReferralAction.ACCEPT): Transition(
            ReferralStatus.ACCEPTED, frozenset({RECEIVER}), label=gettext_lazy("Accept")
        ),
        (ReferralStatus.SENT, ReferralAction.DECLINE): Transition(
            ReferralStatus.DECLINED,
            frozenset({RECEIVER}),
            label=gettext_lazy("Decline"),
            requires_note=True,
        ),
        (ReferralStatus.SENT, ReferralAction.CLOSE): Transition(
            ReferralStatus.CLOSED, frozenset({SENDER}), label=gettext_lazy("Withdraw")
        ),
        (ReferralStatus.ACCEPTED, ReferralAction.MATCH): Transition(
            ReferralStatus.MATCHED,
            frozenset({RECEIVER}),
            label=gettext_lazy("Report a counterpart found"),
            requires_note=True,
        ),
        (ReferralStatus.ACCEPTED, ReferralAction.CLOSE): Transition(
            ReferralStatus.CLOSED, EITHER, label=CLOSE_LABEL
        ),
        (ReferralStatus.MATCHED, ReferralAction.CLOSE): Transition(
            ReferralStatus.CLOSED, EITHER, label=CLOSE_LABEL
        ),
    }
)


# --- Centre profile ---------------------------------------------------------------------------


@transaction.atomic
def centre_profile_update(
    *, organization: Organization, user, countries: list[str], languages: list[str]
) -> TransferCentre:
    """The countries a centre covers and its working languages, set by the centre's members.
    The organisation must be of the transfer-centre kind (verified or awaiting verification)."""
    from accounts.choices import OrganizationType

    if not is_member(user=user, organization=organization):
        raise PermissionDenied(_("Only members of the centre may change its profile."))
    if organization.kind != OrganizationType.TRANSFER_CENTRE:
        raise ValidationError(
            _(
                "Only technology transfer centres have a network profile: change the "
                "organisation's type first."
            )
        )
    errors: dict[str, list[str]] = {}
    try:
        countries = validate_country_codes(countries)
    except ValidationError as error:
        errors["countries"] = error.messages
    known_languages = set(WorkingLanguage.values)
    unknown = [code for code in languages or [] if code not in known_languages]
    if unknown:
        errors["languages"] = [
            _("Unknown languages: %(codes)s.") % {"codes": ", ".join(map(str, unknown))}
        ]
    if errors:
        raise ValidationError(errors)
    profile, _created = TransferCentre.objects.select_for_update().get_or_create(
        organization=organization
    )
    profile.countries = countries
    profile.languages = list(dict.fromkeys(languages or []))
    profile.full_clean()
    profile.save()
    return profile


# --- Referrals --------------------------------------------------------------------------------


def _referral_url(referral: Referral) -> str:
    return reverse("centres:referral_detail", args=[referral.pk])


def _listing_title(referral: Referral) -> Bilingual:
    return Bilingual.of(referral.listing, "title")


def _sending_centre(*, user, from_centre: Organization | None) -> Organization:
    centres = selectors.centres_of_user(user=user)
    centre = centres.first() if from_centre is None else centres.filter(pk=from_centre.pk).first()
    if centre is None:
        raise PermissionDenied(
            _("Only members of a verified technology transfer centre may refer listings.")
        )
    return centre


@transaction.atomic
def referral_create(
    *,
    user,
    to_centre: Organization,
    technology: Technology | None = None,
    need: Need | None = None,
    message: str = "",
    from_centre: Organization | None = None,
) -> Referral:
    """A verified centre refers a technology or a need it can see (published, or its own) to a
    verified partner centre. The partner centre's members are told."""
    centre = _sending_centre(user=user, from_centre=from_centre)
    errors: dict[str, str] = {}
    if (technology is None) == (need is None):
        errors["technology"] = _("Refer either one technology or one need.")
    elif technology is not None and not (
        selectors.referable_technologies(centre=centre).filter(pk=technology.pk).exists()
    ):
        errors["technology"] = _(
            "Only published technologies, or your centre's own, can be referred."
        )
    elif (
        need is not None
        and not selectors.referable_needs(centre=centre).filter(pk=need.pk).exists()
    ):
        errors["need"] = _("Only published needs, or your centre's own, can be referred.")
    if to_centre.pk == centre.pk:
        errors["to_centre"] = _("Refer to a partner centre, not to your own.")
    elif not selectors.is_verified_centre(to_centre):
        errors["to_centre"] = _("The partner must be a verified technology transfer centre.")
    if errors:
        raise ValidationError(errors)
    referral = Referral(
        from_centre=centre,
        to_centre=to_centre,
        technology=technology,
        need=need,
        message=(message or "").strip(),
        created_by=user,
    )
    referral.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            referral.save()
    except IntegrityError:
        raise ValidationError(
            {"to_centre": _("This listing is already referred to that centre and still open.")}
        ) from None
    ReferralEvent.objects.create(
        referral=referral,
        actor=user,
        actor_side=SENDER,
        action=ReferralAction.SEND,
        from_status="",
        to_status=referral.status,
        note=referral.message,
    )
    notify_users(
        users=members_of(to_centre.pk),
        title=Message(
            gettext_lazy("%(centre)s referred “%(title)s” to your centre"),
            centre=Bilingual.of(centre, "name"),
            title=_listing_title(referral),
        ),
        body=referral.message,
        url=_referral_url(referral),
    )
    return referral


def referral_actor_sides(*, referral: Referral, user) -> set[str]:
    """Which side `user` acts for: the referring centre, the partner centre (both only if they
    belong to both). A centre whose verification lapsed acts no more."""
    ids = member_organization_ids(user=user)
    sides = set()
    if referral.from_centre_id in ids and selectors.is_verified_centre(referral.from_centre):
        sides.add(SENDER)
    if referral.to_centre_id in ids and selectors.is_verified_centre(referral.to_centre):
        sides.add(RECEIVER)
    return sides


def referral_allowed_actions(*, referral: Referral, user) -> list[tuple[str, str]]:
    return REFERRAL_WORKFLOW.allowed_action_labels(
        referral.status, referral_actor_sides(referral=referral, user=user)
    )


@transaction.atomic
def referral_transition(*, referral: Referral, user, action: str, note: str = "") -> Referral:
    """Accept, decline, report matched or close a referral (409 when not possible now)."""
    referral = Referral.objects.select_related(
        "from_centre", "to_centre", "technology", "need"
    ).get(pk=referral.pk)
    sides = referral_actor_sides(referral=referral, user=user)
    current = referral.status
    transition = REFERRAL_WORKFLOW.resolve(current, action, sides)
    note = (note or "").strip()
    if transition.requires_note and not note:
        raise ValidationError({"note": _("Please give a reason.")})
    if not compare_and_set_status(
        Referral, pk=referral.pk, expected=current, target=transition.target
    ):
        raise TransitionNotAllowed(_("Someone else moved this referral first; reload it."))
    acting_side = RECEIVER if RECEIVER in sides & transition.actors else SENDER
    ReferralEvent.objects.create(
        referral=referral,
        actor=user,
        actor_side=acting_side,
        action=action,
        from_status=current,
        to_status=transition.target,
        note=note,
    )
    referral.refresh_from_db()
    acting_centre = referral.to_centre if acting_side == RECEIVER else referral.from_centre
    other_centre = referral.from_centre if acting_side == RECEIVER else referral.to_centre
    notify_users(
        users=members_of(other_centre.pk),
        title=Message(
            gettext_lazy("Referral of “%(title)s”: %(status)s by %(centre)s"),
            title=_listing_title(referral),
            status=choice_label(referral, "status"),
            centre=Bilingual.of(acting_centre, "name"),
        ),
        body=note,
        url=_referral_url(referral),
    )
    return referral
