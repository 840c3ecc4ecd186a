"""Demo data of the transfer network (idempotent): two verified centres — the China–ASEAN
centre in Guangxi covering ASEAN and a Thai partner centre —, a member of each, and a referral
of a published demo technology from the first to the second."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.choices import OrganizationType, VerificationStatus
from accounts.demo import DEMO_PASSWORD, demo_credit_code, demo_member, seed_accounts
from accounts.models import Membership, Organization, User
from catalog.choices import TechnologyStatus
from catalog.models import Technology
from centres import services
from centres.countries import ASEAN
from centres.models import Referral

CENTRES = {
    "cn": dict(
        name_zh="中国—东盟技术转移中心（演示）",
        name_en="China–ASEAN Technology Transfer Centre (demo)",
        kind=OrganizationType.TRANSFER_CENTRE,
        region="CN-GX",
        credit_code=demo_credit_code("450000006"),
        website="https://example.org/cattc",
        description="面向东盟国家的双边技术转移中心，演示数据。",
    ),
    "th": dict(
        name_zh="中国—泰国技术转移中心（演示）",
        name_en="China–Thailand Technology Transfer Centre (demo)",
        kind=OrganizationType.TRANSFER_CENTRE,
        region="TH",
        credit_code="",
        website="https://example.org/cttc",
        description="Bilateral technology transfer centre in Bangkok (demo data).",
    ),
}
PROFILES = {
    "cn": (list(ASEAN), ["zh", "en", "th", "vi", "id", "ms"]),
    "th": (["TH"], ["th", "en", "zh"]),
}
USERS = {
    "cn": ("centre@demo.example", "韦转移"),
    "th": ("centre-th@demo.example", "Somchai Wongsakul"),
}
THAI_ENTERPRISE = dict(
    name_zh="曼谷东部海岸水务公司（演示）",
    name_en="Bangkok Eastern Seaboard Water Co. (demo)",
    kind=OrganizationType.ENTERPRISE,
    region="TH",
    credit_code="",
    description="Industrial water utility in Thailand's Eastern Economic Corridor (demo data).",
)
THAI_BUYER = ("enterprise-th@demo.example", "Niran Charoenpol")


def _centre(key: str) -> Organization:
    fields = CENTRES[key]
    organization = Organization.objects.filter(name_en=fields["name_en"]).first()
    if organization is None:
        organization = Organization(**fields)
    for name, value in fields.items():
        setattr(organization, name, value)
    organization.verification_status = VerificationStatus.VERIFIED
    organization.verified_at = organization.verified_at or timezone.now()
    organization.save()
    return organization


def _member(email: str, name: str, organization: Organization) -> User:
    language = "th" if organization.region == "TH" else ""
    time_zone = "Asia/Bangkok" if organization.region == "TH" else ""
    return demo_member(email, name, organization, time_zone=time_zone, language=language)


@transaction.atomic
def seed() -> str:
    seed_accounts()
    centres, members = {}, {}
    for key in CENTRES:
        centres[key] = _centre(key)
        members[key] = _member(*USERS[key], centres[key])
        countries, languages = PROFILES[key]
        services.centre_profile_update(
            organization=centres[key], user=members[key], countries=countries, languages=languages
        )
    referrals = Referral.objects.filter(from_centre=centres["cn"], to_centre=centres["th"])
    technology = (
        Technology.objects.filter(status=TechnologyStatus.PUBLISHED)
        .exclude(organization__in=centres.values())
        .order_by("pk")
        .first()
    )
    if not referrals.exists() and technology is not None:
        referral = services.referral_create(
            user=members["cn"],
            to_centre=centres["th"],
            technology=technology,
            message="泰国东部经济走廊的工业园区在寻找此类废水处理技术，请贵中心对接。",
        )
        services.referral_transition(referral=referral, user=members["th"], action="accept")
    if technology is not None:
        _co_brokered_deal(centres=centres, broker=members["cn"], technology=technology)
    return f"{len(centres)} transfer centres, {referrals.count()} referral(s)"


def _co_brokered_deal(*, centres, broker, technology) -> None:
    """The China centre's broker introduces the referred technology to a Thai enterprise,
    co-brokered with the Thai centre (60/40); both sides accept, so a cross-border deal opens."""
    from decimal import Decimal

    from accounts.choices import Role
    from accounts.demo import demo_role_grant
    from exchange.models import Introduction
    from exchange.services import introduction_create, introduction_transition

    demo_role_grant(user=broker, role=Role.BROKER, organization=centres["cn"])
    enterprise = Organization.objects.filter(name_en=THAI_ENTERPRISE["name_en"]).first()
    if enterprise is None:
        enterprise = Organization.objects.create(
            **THAI_ENTERPRISE,
            verification_status=VerificationStatus.VERIFIED,
            verified_at=timezone.now(),
        )
    buyer = _member(*THAI_BUYER, enterprise)
    if "enterprise" not in buyer.roles:
        buyer.roles = sorted({*buyer.roles, "enterprise"})
        buyer.save(update_fields=["roles"])
    if Introduction.objects.filter(lead_centre=centres["cn"]).exists():
        return
    seller_membership = Membership.objects.filter(organization=technology.organization).first()
    if seller_membership is None:
        return
    seller = seller_membership.user
    introduction = introduction_create(
        broker=broker,
        technology=technology,
        enterprise=enterprise,
        deal_type=(technology.transaction_modes or ["license"])[0],
        note="泰国东部经济走廊工业园区的废水处理需求，两中心联合经纪。",
        commission_rate=Decimal("5"),
        lead_centre=centres["cn"],
        partner_centre=centres["th"],
        lead_centre_share=Decimal("60"),
        partner_centre_share=Decimal("40"),
    )
    introduction_transition(introduction=introduction, user=seller, action="accept_as_seller")
    introduction_transition(introduction=introduction, user=buyer, action="accept_as_buyer")


def demo_logins() -> list[tuple[str, str]]:
    return [(email, DEMO_PASSWORD) for email, _name in [*USERS.values(), THAI_BUYER]]
