"""Demo needs, proposals and deals in every stage (idempotent: keyed by title and technology)."""

import datetime
import random
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.choices import OrganizationType, VerificationStatus
from accounts.demo import DEMO_PASSWORD, demo_member, seed_accounts
from accounts.models import Organization, User
from accounts.permissions import primary_organization
from catalog import services as catalog_services
from catalog.choices import TechnologyStatus
from catalog.demo import _patent
from catalog.models import Category, Technology
from currencies.services import MissingRate, cny_rate
from exchange import services
from exchange.choices import DealStage, DocumentKind, NeedStatus
from exchange.models import Deal, DealDocument, DealEvent, DealMilestone, Need, Proposal
from exportcontrol.models import ControlEntry, TechnologyClassification
from exportcontrol.services import classification_declare, classification_review

DEMO_NEEDS = [
    # (title_zh, title_en, description_zh, category, region, status, anonymous, modes)
    (
        "高浓度有机废水厌氧处理技术",
        "Anaerobic treatment of high-strength organic wastewater",
        "精细化工园区每天产生 800 吨高浓度有机废水，COD 约 20000 mg/L，需要稳定的厌氧预处理工艺。",
        "2.4",
        "CN-ZJ",
        NeedStatus.PUBLISHED,
        False,
        ["license", "transfer"],
    ),
    (
        "VOCs 废气低温催化燃烧改造",
        "Low-temperature catalytic oxidation of VOCs",
        "涂装车间 VOCs 排放浓度 600 mg/m³，需在 2 年内达到新排放标准，寻求催化燃烧技术与运维服务。",
        "2.1",
        "CN-ZJ",
        NeedStatus.PUBLISHED,
        True,
        ["service", "license"],
    ),
    (
        "锅炉余热回收与蒸汽系统节能",
        "Boiler waste-heat recovery",
        "三台 20 t/h 燃气锅炉排烟温度 180 ℃，希望回收余热并降低蒸汽管网损失。",
        "1.1",
        "CN-ZJ",
        NeedStatus.SUBMITTED,
        False,
        ["service"],
    ),
    (
        "含盐废水零排放蒸发结晶",
        "Zero-liquid discharge for saline wastewater",
        "含盐废水 200 t/d，TDS 5%，需要蒸发结晶与分盐方案。",
        "2.4",
        "CN-ZJ",
        NeedStatus.DRAFT,
        False,
        ["joint_development"],
    ),
    (
        "废催化剂贵金属回收",
        "Precious-metal recovery from spent catalysts",
        "每年约 50 吨废钯碳催化剂，寻求回收技术合作。",
        "2.5",
        "CN-ZJ",
        NeedStatus.RETURNED,
        False,
        ["transfer"],
    ),
]

DEAL_STAGES = [
    DealStage.INQUIRY,
    DealStage.NEGOTIATION,
    DealStage.AGREEMENT_DRAFTED,
    DealStage.SUBMITTED_FOR_REVIEW,
    DealStage.APPROVED,
    DealStage.RETURNED,
    DealStage.REJECTED,
    DealStage.CONTRACT_SIGNED,
    DealStage.IN_EXECUTION,
    DealStage.COMPLETED,
    DealStage.CANCELLED,
]
CONTRACT_PDF = b"%PDF-1.4\n% demo contract\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@transaction.atomic
def seed() -> str:
    users = seed_accounts()
    enterprise = users["enterprise"]
    buyer = enterprise.memberships.first().organization
    needs = []
    for title_zh, title_en, description, code, region, status, anonymous, modes in DEMO_NEEDS:
        need, _created = Need.objects.get_or_create(
            organization=buyer,
            title_zh=title_zh,
            defaults={
                "created_by": enterprise,
                "title_en": title_en,
                "description_zh": description,
                "category": Category.objects.filter(code=code).first(),
                "region": region,
                "deadline": timezone.localdate() + datetime.timedelta(days=120),
                "budget_min": Decimal("300000"),
                "budget_max": Decimal("3000000"),
                "trl_min": 6,
                "transaction_modes": modes,
                "is_anonymous": anonymous,
                "status": status,
                "published_at": timezone.now() if status == NeedStatus.PUBLISHED else None,
                "review_comment": "请补充年处理量与现有工艺。"
                if status == NeedStatus.RETURNED
                else "",
            },
        )
        services._need_reindex(need)
        needs.append(need)

    holder = users["holder"]
    seller = holder.memberships.first().organization
    technologies = list(
        Technology.objects.filter(organization=seller, status=TechnologyStatus.PUBLISHED).order_by(
            "pk"
        )
    )
    if not technologies:
        return f"{len(needs)} needs; no published technology of the demo holder yet, no deals"

    wastewater_need = needs[0]
    technology = technologies[0]
    mode = (technology.transaction_modes or ["license"])[0]
    Proposal.objects.get_or_create(
        need=wastewater_need,
        technology=technology,
        defaults={
            "organization": seller,
            "created_by": holder,
            "approach": "IC 厌氧反应器 + 好氧 MBR 组合工艺，现场中试 3 个月后放大。",
            "deal_type": mode,
            "price": Decimal("1200000"),
            "timeline": "中试 3 个月，工程实施 6 个月",
        },
    )
    if len(technologies) > 1:
        # A declined proposal: the holder sees the reason, the statistics count it.
        declined, created = Proposal.objects.get_or_create(
            need=wastewater_need,
            technology=technologies[1],
            defaults={
                "organization": seller,
                "created_by": holder,
                "approach": "膜生物反应器单独处理，无需中试。",
                "deal_type": (technologies[1].transaction_modes or ["license"])[0],
                "price": Decimal("2600000"),
                "timeline": "工程实施 4 个月",
            },
        )
        if created:
            services.proposal_transition(
                proposal=declined,
                user=enterprise,
                action="decline",
                reason_code="price",
                note="报价超出预算上限。",
            )
    now = timezone.now()
    for index, stage in enumerate(DEAL_STAGES):
        tech = technologies[index % len(technologies)]
        deal_type = (tech.transaction_modes or ["license"])[0]
        signed = stage in (DealStage.CONTRACT_SIGNED, DealStage.IN_EXECUTION, DealStage.COMPLETED)
        deal, created = Deal.objects.get_or_create(
            technology=tech,
            buyer=buyer,
            stage=stage,
            currency="CNY",
            defaults={
                "seller": seller,
                "deal_type": deal_type,
                "price": Decimal(600000 + index * 150000),
                "fx_rate": Decimal(1) if signed else None,
                "fx_rate_date": timezone.localdate() if signed else None,
                "payment_terms": "合同签订后支付 40%，验收合格后支付 60%。"
                if stage != DealStage.INQUIRY
                else "",
                "broker": users["broker"] if index % 3 == 0 else None,
                "commission_rate": Decimal("5.00") if index % 3 == 0 else None,
                "opened_by": enterprise,
                "review_requested_at": now - datetime.timedelta(hours=30)
                if stage == DealStage.SUBMITTED_FOR_REVIEW
                else None,
                "signed_at": now
                if stage in (DealStage.CONTRACT_SIGNED, DealStage.IN_EXECUTION, DealStage.COMPLETED)
                else None,
                "completed_at": now if stage == DealStage.COMPLETED else None,
            },
        )
        if not created:
            continue
        services._deal_event(
            deal, user=enterprise, role="buyer", action="open", to_status=stage, note="演示数据"
        )
        if stage not in (DealStage.INQUIRY, DealStage.NEGOTIATION):
            document = DealDocument(
                deal=deal,
                kind="contract",
                name="技术合同.pdf",
                content_type="application/pdf",
                size=len(CONTRACT_PDF),
                uploaded_by=holder,
            )
            document.file.save("contract.pdf", ContentFile(CONTRACT_PDF), save=False)
            document.save()
        if stage in (DealStage.IN_EXECUTION, DealStage.COMPLETED):
            DealMilestone.objects.create(
                deal=deal,
                kind="payment",
                title="首付款 40%",
                amount=deal.price * Decimal("0.4"),
                due_date=timezone.localdate(),
                done_at=now if stage == DealStage.COMPLETED else None,
                done_by=holder if stage == DealStage.COMPLETED else None,
            )
        if stage == DealStage.COMPLETED:
            services.certificate_issue(deal=deal)
    _seed_foreign_currency_deals(technologies, seller=seller, buyer=buyer, users=users)
    cross_border = seed_cross_border(users=users, password=DEMO_PASSWORD)
    return (
        f"{len(needs)} needs, {Proposal.objects.count()} proposals, {Deal.objects.count()} deals; "
        f"{cross_border}"
    )


def demo_logins() -> list[tuple[str, str]]:
    return demo_logins_cross_border(DEMO_PASSWORD)


# --- a technology export: a Thai enterprise licensing a restricted technology -------------------

THAI_EMAIL = "thai-enterprise@demo.example"
THAI_ORGANIZATION = "Siam Eco Industries Co., Ltd."
TECHNOLOGY_TITLE = "工业园区能耗数据分析与个性化节能推送平台"
RESTRICTED_CODE = "086501X"
LETTER_PDF = b"%PDF-1.4\n% demo licence-intent letter\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _thai_buyer(password: str) -> tuple[Organization, User]:
    organization, _created = Organization.objects.update_or_create(
        name_en=THAI_ORGANIZATION,
        defaults={
            "name_zh": "暹罗生态工业有限公司",
            "kind": OrganizationType.ENTERPRISE,
            "region": "TH",
            "credit_code": "",
            "verification_status": VerificationStatus.VERIFIED,
        },
    )
    user = demo_member(
        THAI_EMAIL,
        "Somchai Prasert",
        organization,
        roles=["enterprise"],
        password=password,
        time_zone="Asia/Bangkok",
        language="th",
    )
    return organization, user


@transaction.atomic
def seed_cross_border(*, users: dict, password: str) -> str:
    entry = ControlEntry.objects.filter(catalogue="export", code=RESTRICTED_CODE).first()
    if entry is None:
        return "no export-control catalogue loaded: no cross-border demo"
    holder, reviewer = users["holder"], users["reviewer"]
    seller = primary_organization(user=holder)
    buyer, thai_user = _thai_buyer(password)
    technology = Technology.objects.filter(organization=seller, title_zh=TECHNOLOGY_TITLE).first()
    if technology is None:
        technology = catalog_services.technology_create(
            user=holder,
            organization=seller,
            data={
                "title_zh": TECHNOLOGY_TITLE,
                "title_en": "Energy-data analytics and personalised saving advice for "
                "industrial parks",
                "summary_zh": "采集园区企业电、汽、水计量数据，分析能耗异常并向企业推送"
                "个性化节能措施。",
                "summary_en": "Collects a park's electricity, steam and water metering data, finds "
                "anomalies and pushes personalised energy-saving measures to each plant.",
                "description_zh": "（保密）数据模型与推送算法说明见附件。",
                "category": Category.objects.filter(code="1.1").first() or Category.objects.first(),
                "keywords": ["能耗监测", "数据分析", "节能"],
                "trl": 7,
                "offers": [
                    {
                        "mode": "license",
                        "asking_price": 900000,
                        "negotiable": True,
                        "exclusive": False,
                    }
                ],
                "target_regions": ["CN-GD", "TH", "VN"],
                "sdg_goals": [7, 9, 13],
                "application_scope": "工业园区、产业集聚区的能源管理",
                "advantages": "比人工能源审计更快发现异常，节能措施按企业推送，平均节能 8%。",
                "economic_comparison": "典型园区投资回收期 1–2 年。",
                "patents": [_patent(random.Random(86501), 7)],
                "performance_figures": [{"metric": "平均节能率", "value": "8", "unit": "%"}],
                "resource_savings": [{"resource": "energy", "amount": 1200, "unit": "MWh/年"}],
                "co2e_avoided_tonnes_per_year": 680,
                "co2e_method": "按节电量与全国电网平均排放因子折算",
            },
        )
        catalog_services.technology_submit(user=holder, technology=technology)
        catalog_services.technology_review(user=reviewer, technology=technology, decision="approve")
        technology.refresh_from_db()
    if not TechnologyClassification.objects.filter(technology=technology).exists():
        classification_declare(
            technology=technology,
            user=holder,
            entry=entry,
            note="演示：含基于数据分析的个性化信息推送模块。",
        )
        classification_review(technology=technology, user=reviewer, action="confirm")
    if technology.status != TechnologyStatus.PUBLISHED:
        return "cross-border demo technology is not published"
    deal, created = Deal.objects.get_or_create(
        technology=technology,
        buyer=buyer,
        defaults={
            "seller": seller,
            "deal_type": "license",
            "price": Decimal("900000"),
            "currency": "CNY",
            "payment_terms": "Licence fee in two instalments: 40% on signing, 60% on acceptance.",
            "stage": DealStage.NEGOTIATION,
            "opened_by": thai_user,
        },
    )
    if created:
        DealEvent.objects.create(
            deal=deal, actor=thai_user, actor_role="buyer", action="open", to_status=deal.stage
        )
        document = DealDocument(
            deal=deal,
            kind=DocumentKind.EXPORT_LICENCE_INTENT,
            name="技术出口许可意向书.pdf",
            content_type="application/pdf",
            size=len(LETTER_PDF),
            uploaded_by=holder,
        )
        document.file.save("licence-intent.pdf", ContentFile(LETTER_PDF), save=False)
        document.save()
    return f"export deal #{deal.pk} with {THAI_ORGANIZATION} (TH) on restricted {RESTRICTED_CODE}"


def demo_logins_cross_border(password: str) -> list[tuple[str, str]]:
    return [(THAI_EMAIL, password)]


def _seed_foreign_currency_deals(technologies, *, seller, buyer, users) -> None:
    """A dollar deal approved and waiting for signature (signing fixes the day's rate) and a baht
    deal signed at the rate of its day (the demo rates come from currencies.demo)."""
    enterprise, holder = users["enterprise"], users["holder"]
    now = timezone.now()
    for stage, currency, price in (
        (DealStage.APPROVED, "USD", Decimal("180000")),
        (DealStage.CONTRACT_SIGNED, "THB", Decimal("4500000")),
    ):
        fx_rate = fx_rate_date = None
        if stage == DealStage.CONTRACT_SIGNED:
            try:
                fx_rate, fx_rate_date = cny_rate(currency=currency, on_date=timezone.localdate())
            except MissingRate:
                continue
        tech = technologies[0]
        deal, created = Deal.objects.get_or_create(
            seller=seller,
            buyer=buyer,
            stage=stage,
            currency=currency,
            defaults={
                "technology": tech,
                "deal_type": (tech.transaction_modes or ["license"])[0],
                "price": price,
                "payment_terms": "合同签订后支付 50%，验收合格后支付 50%。",
                "opened_by": enterprise,
                "signed_at": now if fx_rate else None,
                "fx_rate": fx_rate,
                "fx_rate_date": fx_rate_date,
            },
        )
        if not created:
            continue
        services._deal_event(
            deal, user=enterprise, role="buyer", action="open", to_status=stage, note="演示数据"
        )
        document = DealDocument(
            deal=deal,
            kind="contract",
            name="技术合同.pdf",
            content_type="application/pdf",
            size=len(CONTRACT_PDF),
            uploaded_by=holder,
        )
        document.file.save("contract.pdf", ContentFile(CONTRACT_PDF), save=False)
        document.save()
