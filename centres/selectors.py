"""Reads of the technology transfer network: who is a centre, what a centre may refer, the one
visibility rule of referrals, a centre's dashboard figures and its cross-border pipeline."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Substr

from accounts.choices import OrganizationType, VerificationStatus
from accounts.models import Organization
from accounts.permissions import member_organization_ids, member_organizations_subquery
from catalog.choices import TechnologyStatus
from catalog.models import Technology
from centres.choices import ReferralStatus
from centres.countries import country_label, country_of_region
from centres.models import Referral, ReferralEvent, TransferCentre
from exchange.models import Deal, Need
from exchange.selectors import PUBLIC_NEED_STATUSES

WORKSPACE_ROWS = 5


def verified_centres() -> QuerySet[Organization]:
    """Organisations that are technology transfer centres: the kind, verified by a reviewer.
    A self-declared centre awaiting verification is not one."""
    return (
        Organization.objects.filter(
            kind=OrganizationType.TRANSFER_CENTRE,
            verification_status=VerificationStatus.VERIFIED,
        )
        .select_related("transfer_centre")
        .order_by("region", "name_zh", "name_en", "pk")
    )


def is_verified_centre(organization: Organization | None) -> bool:
    return bool(
        organization is not None
        and organization.kind == OrganizationType.TRANSFER_CENTRE
        and organization.verification_status == VerificationStatus.VERIFIED
    )


def centres_of_user(*, user) -> QuerySet[Organization]:
    """The verified centres `user` works for (empty for anyone else)."""
    if not getattr(user, "is_authenticated", False):
        return Organization.objects.none()
    return verified_centres().filter(pk__in=member_organizations_subquery(user=user))


def centre_profile(*, organization: Organization) -> TransferCentre:
    """The centre's profile (an empty, unsaved one until its members fill it in)."""
    try:
        return organization.transfer_centre
    except TransferCentre.DoesNotExist:
        return TransferCentre(organization=organization)


def partner_centres(*, centre: Organization) -> QuerySet[Organization]:
    return verified_centres().exclude(pk=centre.pk)


def network_by_country() -> list[dict]:
    """The public network: verified centres grouped by the country they are in, with the
    countries they cover and their languages. One query."""
    groups: dict[str, list[Organization]] = defaultdict(list)
    for centre in verified_centres():
        centre.profile = centre_profile(organization=centre)
        groups[country_of_region(centre.region)].append(centre)
    return sorted(
        (
            {"country": code, "country_label": country_label(code), "centres": centres}
            for code, centres in groups.items()
        ),
        key=lambda group: group["country_label"],
    )


# --- What a centre may refer ----------------------------------------------------------------


def referable_technologies(*, centre: Organization) -> QuerySet[Technology]:
    """Published technologies and the centre's own listings: never another's unpublished one."""
    return Technology.objects.filter(
        Q(status=TechnologyStatus.PUBLISHED) | Q(organization_id=centre.pk)
    )


def referable_needs(*, centre: Organization) -> QuerySet[Need]:
    """Public needs and the centre's own."""
    return Need.objects.filter(Q(status__in=PUBLIC_NEED_STATUSES) | Q(organization_id=centre.pk))


# --- Referrals: one visibility rule ---------------------------------------------------------


def referrals_visible_to(*, user) -> QuerySet[Referral]:
    """Only members of the referring and the partner centre see a referral (404 for anyone
    else, reviewers included: it is the centres' working correspondence)."""
    if not getattr(user, "is_authenticated", False):
        return Referral.objects.none()
    member_of = member_organizations_subquery(user=user)
    return Referral.objects.filter(
        Q(from_centre_id__in=member_of) | Q(to_centre_id__in=member_of)
    ).select_related("from_centre", "to_centre", "technology", "need", "created_by")


def referral_events(*, referral: Referral) -> QuerySet[ReferralEvent]:
    return referral.events.select_related("actor").order_by("created_at", "pk")


def referral_side_of(*, referral: Referral, user) -> set[str]:
    ids = member_organization_ids(user=user)
    sides = set()
    if referral.from_centre_id in ids:
        sides.add("sender")
    if referral.to_centre_id in ids:
        sides.add("receiver")
    return sides


# --- A centre's dashboard -------------------------------------------------------------------


def centre_referral_counts(*, centre: Organization) -> dict[str, list[dict]]:
    """Referrals in and out by status, every status listed (zero included). Two queries."""

    def counted(queryset) -> list[dict]:
        counts = dict(queryset.values_list("status").annotate(count=Count("pk")).order_by())
        return [
            {"status": status, "label": label, "count": counts.get(status, 0)}
            for status, label in ReferralStatus.choices
        ]

    return {
        "incoming": counted(Referral.objects.filter(to_centre=centre)),
        "outgoing": counted(Referral.objects.filter(from_centre=centre)),
    }


def centre_cross_border_pipeline(*, centre: Organization) -> QuerySet[Deal]:
    """Deals the centre introduced (its broker on the deal) or co-brokered (named on the deal's
    introduction) whose seller and buyer are in different countries (the country of each
    organisation's region: CN-GX and CN-JS are both China)."""
    centre_brokers = Q(broker__memberships__organization=centre)
    co_brokered = Q(introduction__lead_centre=centre) | Q(introduction__partner_centre=centre)
    return (
        Deal.objects.annotate(
            seller_country=Substr("seller__region", 1, 2),
            buyer_country=Substr("buyer__region", 1, 2),
        )
        .filter(centre_brokers | co_brokered)
        .exclude(seller_country=F("buyer_country"))
        .select_related("technology", "seller", "buyer", "introduction")
        .distinct()
        .order_by("-updated_at", "-pk")
    )


def centre_recent_referrals(*, centre: Organization) -> QuerySet[Referral]:
    return (
        Referral.objects.filter(Q(from_centre=centre) | Q(to_centre=centre))
        .select_related("from_centre", "to_centre", "technology", "need")
        .order_by("-updated_at", "-pk")
    )


def referrals_awaiting_answer(*, user) -> QuerySet[Referral]:
    """Referrals sent to the user's centres that nobody has accepted or declined yet."""
    return referrals_visible_to(user=user).filter(
        to_centre__in=centres_of_user(user=user), status=ReferralStatus.SENT
    )
