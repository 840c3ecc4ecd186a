"""Demo data of open licensing: one open licence on a published technology of the demo holder
(idempotent: an offer already posted on a demo patent is kept)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q

from accounts.demo import seed_accounts
from catalog.choices import IntellectualPropertyKind, IntellectualPropertyStatus, TechnologyStatus
from catalog.models import TechnologyPatent
from licensing import services
from licensing.choices import FeeKind
from licensing.models import OpenLicenceOffer


def _demo_patent(holder_org) -> TechnologyPatent | None:
    return (
        TechnologyPatent.objects.filter(
            technology__organization=holder_org,
            technology__status=TechnologyStatus.PUBLISHED,
            kind=IntellectualPropertyKind.INVENTION_PATENT,
            status=IntellectualPropertyStatus.GRANTED,
            jurisdiction="CN",
        )
        .filter(
            Q(technology__transaction_modes__contains=["license"])
            | Q(technology__transaction_modes=[])
        )
        .select_related("technology")
        .order_by("technology__pk", "pk")
        .first()
    )


def seed() -> str:
    users = seed_accounts()
    holder = users["holder"]
    holder_org = holder.memberships.first().organization
    existing = OpenLicenceOffer.objects.filter(organization=holder_org).first()
    if existing is not None:
        return f"open licence offer #{existing.pk} kept"
    patent = _demo_patent(holder_org)
    if patent is None:
        return "no granted patent on a published demo technology: no open licence"
    offer = services.offer_create(
        user=holder,
        technology=patent.technology,
        patent=patent,
        fee_kind=FeeKind.ENTRY_FEE_AND_ROYALTY,
        fixed_fee=Decimal("80000"),
        royalty_rate=Decimal("3"),
        currency="CNY",
        term_years=5,
        field_of_use="工业废水处理 / treating industrial wastewater",
        territory="中国大陆 / mainland China",
    )
    return f"open licence offer #{offer.pk} on patent {patent.number}"
