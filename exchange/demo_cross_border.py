"""Demo of a technology export: a Thai enterprise licensing a restricted technology from the
demo holder (idempotent: keyed by the organisation's name and the technology's title)."""

import random
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction

from accounts.choices import MembershipRole, OrganizationType, VerificationStatus
from accounts.models import Membership, Organization, User
from catalog import services as catalog_services
from catalog.choices import TechnologyStatus
from catalog.demo import _patent
from catalog.models import Category, Technology
from exchange.choices import DealStage, DocumentKind
from exchange.models import Deal, DealDocument, DealEvent
from exportcontrol.models import ControlEntry, TechnologyClassification
from exportcontrol.services import classification_declare, classification_review

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
    user, created = User.objects.get_or_create(
        email=THAI_EMAIL, defaults={"full_name": "Somchai Prasert", "roles": ["enterprise"]}
    )
    if created or not user.check_password(password):
        user.set_password(password)
        user.save()
    Membership.objects.get_or_create(
        user=user, organization=organization, defaults={"role": MembershipRole.OWNER}
    )
    return organization, user


@transaction.atomic
def seed_cross_border(*, users: dict, password: str) -> str:
    entry = ControlEntry.objects.filter(catalogue="export", code=RESTRICTED_CODE).first()
    if entry is None:
        return "no export-control catalogue loaded: no cross-border demo"
    holder, reviewer = users["holder"], users["reviewer"]
    seller = holder.memberships.first().organization
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
