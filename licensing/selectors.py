"""Reads of open licensing: who sees which offer, licence and licensee list."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.permissions import is_member, is_reviewer, member_organization_ids
from catalog.choices import PATENT_KINDS, IntellectualPropertyStatus, TechnologyStatus
from catalog.models import TechnologyPatent
from core.money import format_money
from licensing.choices import FIXED_FEE_KINDS, ROYALTY_KINDS, FeeKind, LicenceStatus, OfferStatus
from licensing.models import Licence, LicensingPolicy, OpenLicenceOffer

WORKSPACE_ROWS = 5


def licensing_policy(*, for_update: bool = False) -> LicensingPolicy:
    """The settings row (created with the defaults on first use)."""
    rows = LicensingPolicy.objects.select_for_update() if for_update else LicensingPolicy.objects
    policy, _created = rows.get_or_create(pk=LicensingPolicy.SINGLETON_PK)
    return policy


def _offer_rows() -> QuerySet[OpenLicenceOffer]:
    return OpenLicenceOffer.objects.select_related(
        "technology", "patent", "organization", "technology__organization"
    )


def offers_visible_to(*, user) -> QuerySet[OpenLicenceOffer]:
    """Open offers of published technologies for everyone; every offer of their organisation to
    the holder's members; the offer of their licence to a licensee; all to reviewers."""
    rows = _offer_rows()
    if is_reviewer(user=user):
        return rows
    visible = Q(status=OfferStatus.OPEN, technology__status=TechnologyStatus.PUBLISHED)
    ids = member_organization_ids(user=user)
    if ids:
        visible |= Q(organization_id__in=ids)
        visible |= Q(pk__in=Licence.objects.filter(licensee_id__in=ids).values("offer_id"))
    return rows.filter(visible)


def public_offers() -> QuerySet[OpenLicenceOffer]:
    return offers_visible_to(user=None)


def licences_visible_to(*, user) -> QuerySet[Licence]:
    """A licence to the licensee's and the holder's members, and to reviewers."""
    rows = Licence.objects.select_related(
        "offer__technology", "offer__patent", "offer__organization", "licensee", "deal__certificate"
    )
    if is_reviewer(user=user):
        return rows
    ids = member_organization_ids(user=user)
    return rows.filter(Q(licensee_id__in=ids) | Q(offer__organization_id__in=ids))


def licences_of_licensee(*, user) -> QuerySet[Licence]:
    return licences_visible_to(user=user).filter(licensee_id__in=member_organization_ids(user=user))


def offers_of_holder(*, user) -> QuerySet[OpenLicenceOffer]:
    return _offer_rows().filter(organization_id__in=member_organization_ids(user=user))


def can_see_licensees(*, user, offer: OpenLicenceOffer) -> bool:
    """The licensee list of an offer: the holder's members and reviewers."""
    return is_member(user=user, organization=offer.organization_id) or is_reviewer(user=user)


def can_read_evaluation_report(*, user, offer: OpenLicenceOffer) -> bool:
    if can_see_licensees(user=user, offer=offer):
        return True
    ids = member_organization_ids(user=user)
    return bool(ids) and offer.licences.filter(licensee_id__in=ids).exists()


def licensees_of(*, offer: OpenLicenceOffer) -> QuerySet[Licence]:
    """Every licence of the offer and of its earlier versions (they stay in force)."""
    versions = [offer.pk]
    previous = offer.previous_id
    while previous:
        versions.append(previous)
        previous = (
            OpenLicenceOffer.objects.filter(pk=previous)
            .values_list("previous_id", flat=True)
            .first()
        )
    return (
        Licence.objects.filter(offer_id__in=versions)
        .select_related("licensee", "offer", "deal__certificate")
        .order_by("-accepted_at", "-pk")
    )


def offerable_patents(*, technology) -> QuerySet[TechnologyPatent]:
    """The granted patents of a technology (the ones an open licence may cover)."""
    return technology.patents.filter(
        kind__in=PATENT_KINDS, status=IntellectualPropertyStatus.GRANTED
    ).order_by("pk")


def technologies_for_offers(*, user):
    """The holder's published technologies with a granted patent."""
    from catalog.models import Technology

    return (
        Technology.objects.filter(
            organization_id__in=member_organization_ids(user=user),
            status=TechnologyStatus.PUBLISHED,
            patents__status=IntellectualPropertyStatus.GRANTED,
            patents__kind__in=PATENT_KINDS,
        )
        .distinct()
        .order_by("-published_at", "-pk")
    )


def open_offers_of_technology(*, technology) -> list[OpenLicenceOffer]:
    return list(
        OpenLicenceOffer.objects.filter(technology=technology, status=OfferStatus.OPEN)
        .select_related("patent")
        .order_by("pk")
    )


def offer_fee_text(*, offer: OpenLicenceOffer) -> str:
    """The posted fee in one line, as the reader reads it."""
    parts = []
    if offer.fee_kind in FIXED_FEE_KINDS and offer.fixed_fee is not None:
        label = _("Lump sum") if offer.fee_kind == FeeKind.LUMP_SUM else _("Entry fee")
        parts.append(f"{label} {format_money(offer.fixed_fee, offer.currency, exact=True)}")
    if offer.fee_kind in ROYALTY_KINDS and offer.royalty_rate is not None:
        base = _("of profit") if offer.fee_kind == FeeKind.PROFIT_ROYALTY else _("of net sales")
        rate = f"{offer.royalty_rate.normalize():f}"
        parts.append(_("royalty %(rate)s %% %(base)s") % {"rate": rate, "base": base})
    return " + ".join(parts)


def offer_term_text(*, offer: OpenLicenceOffer) -> str:
    if offer.term_end is not None:
        return _("until %(date)s") % {"date": offer.term_end.isoformat()}
    return _("%(years)s years from taking the licence") % {"years": offer.term_years}


def offer_terms_text(*, offer: OpenLicenceOffer) -> str:
    """The posted terms as the deal's payment terms record them."""
    return _(
        "Open licence (version %(version)s): %(fee)s; term %(term)s; "
        "field of use: %(field)s; territory: %(territory)s."
    ) % {
        "version": offer.version,
        "fee": offer_fee_text(offer=offer),
        "term": offer_term_text(offer=offer),
        "field": offer.field_of_use,
        "territory": offer.territory,
    }


def licence_counts(*, offer_ids) -> dict[int, int]:
    """Licences in force or awaiting payment, per offer (one query)."""
    from django.db.models import Count

    rows = (
        Licence.objects.filter(offer_id__in=list(offer_ids))
        .exclude(status=LicenceStatus.CANCELLED)
        .values("offer_id")
        .annotate(total=Count("pk"))
    )
    return {row["offer_id"]: row["total"] for row in rows}
