"""Demo financing data (idempotent): products of four verified institutions, a voucher
programme with a voucher for enterprise@demo.example and a signed service deal to spend it on,
an interest subsidy programme, a valuation and applications in several stages.

No demo money comes from one key: operator@demo.example (park committee) asks for each budget
and funding, reviewer@demo.example approves; a large voucher request waits for a decision."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.choices import MembershipRole, OrganizationType, Role, VerificationStatus
from accounts.demo import DEMO_PASSWORD, demo_credit_code, seed_accounts
from accounts.models import Membership, Organization, User
from finance import services
from finance.choices import (
    CreditGrade,
    MoneyRequestKind,
    ProductKind,
    ProductStatus,
    ProgrammeKind,
)
from finance.models import (
    CreditAssessment,
    FinancingApplication,
    FinancingProduct,
    MoneyRequest,
    SupportProgramme,
    Valuation,
    Voucher,
)
from finance.valuation import collateral_cap

EXTRA_INSTITUTIONS = {
    "river": dict(
        name_zh="长江科技农村商业银行",
        name_en="Changjiang Technology Rural Commercial Bank",
        region="CN-JS",
        credit_code=demo_credit_code("320000011"),
    ),
    "capital": dict(
        name_zh="粤港湾绿色创业投资基金",
        name_en="Greater Bay Green Venture Fund",
        region="CN-GD",
        credit_code=demo_credit_code("440000012"),
    ),
    "insurer": dict(
        name_zh="华东科技保险股份有限公司",
        name_en="East China Technology Insurance Co.",
        region="CN-ZJ",
        credit_code=demo_credit_code("330000013"),
    ),
}


def _institution(fields) -> Organization:
    organization, _created = Organization.objects.update_or_create(
        credit_code=fields["credit_code"],
        defaults={
            **fields,
            "kind": OrganizationType.FINANCIAL,
            "verification_status": VerificationStatus.VERIFIED,
            "verified_at": timezone.now(),
        },
    )
    return organization


def _product(institution, user, name_zh, **fields) -> FinancingProduct:
    product = FinancingProduct.objects.filter(institution=institution, name_zh=name_zh).first()
    if product is None:
        product = services.product_create(
            user=user, institution=institution, name_zh=name_zh, **fields
        )
    if product.status != ProductStatus.PUBLISHED:
        FinancingProduct.objects.filter(pk=product.pk).update(status=ProductStatus.PUBLISHED)
        product.status = ProductStatus.PUBLISHED
    return product


def _products(users, institutions) -> dict[str, FinancingProduct]:
    financier = users["financier"]
    # The demo financier works for every demo institution, so it can manage all their products.
    for institution in institutions.values():
        Membership.objects.get_or_create(
            user=financier, organization=institution, defaults={"role": MembershipRole.MEMBER}
        )
    bank, river, capital, insurer = (
        institutions["bank"], institutions["river"], institutions["capital"],
        institutions["insurer"],
    )  # fmt: skip
    return {
        "green_loan": _product(
            bank,
            financier,
            "绿色技术改造贷",
            name_en="Green retrofit loan",
            kind=ProductKind.GREEN_LOAN,
            amount_min=Decimal("500000"),
            amount_max=Decimal("20000000"),
            rate_min=Decimal("3.10"),
            rate_max=Decimal("4.20"),
            tenor_months_min=12,
            tenor_months_max=60,
            terms="按季付息，到期还本",
            required_documents=["营业执照", "近两年财务报表", "项目可研报告"],
            eligible_organization_kinds=["enterprise"],
            minimum_credit_grade=CreditGrade.BBB,
            description="支持企业节能降碳、污染治理改造。",
        ),
        "ip_pledge": _product(
            bank,
            financier,
            "知识产权质押贷",
            name_en="IP-pledge loan",
            kind=ProductKind.IP_PLEDGE_LOAN,
            amount_min=Decimal("10000"),
            amount_max=Decimal("10000000"),
            rate_min=Decimal("3.50"),
            rate_max=Decimal("5.00"),
            tenor_months_min=6,
            tenor_months_max=36,
            loan_to_value=Decimal("0.500"),
            required_documents=["专利证书", "技术评估报告"],
            trl_min=4,
            risk_share_fund=Decimal("40"),
            risk_share_bank=Decimal("30"),
            risk_share_insurer=Decimal("20"),
            risk_share_valuer=Decimal("10"),
            description="以专利等知识产权质押，风险补偿资金池分担损失。",
        ),
        "river_loan": _product(
            river,
            financier,
            "苏科绿贷",
            name_en="Jiangsu green tech loan",
            kind=ProductKind.GREEN_LOAN,
            amount_min=Decimal("200000"),
            amount_max=Decimal("5000000"),
            rate_min=Decimal("3.45"),
            rate_max=Decimal("4.80"),
            tenor_months_min=6,
            tenor_months_max=36,
            eligible_regions=["CN-JS"],
            required_documents=["营业执照", "财务报表"],
        ),
        "subsidy": _product(
            river,
            financier,
            "绿色贷款贴息",
            name_en="Green loan interest subsidy",
            kind=ProductKind.INTEREST_SUBSIDY,
            amount_min=Decimal("10000"),
            amount_max=Decimal("500000"),
            terms="财政贴息50%",
            required_documents=["贷款合同"],
        ),
        "equity": _product(
            capital,
            financier,
            "绿色科技成长基金",
            name_en="Green tech growth equity",
            kind=ProductKind.EQUITY_INVESTMENT,
            amount_min=Decimal("2000000"),
            amount_max=Decimal("50000000"),
            terms="投资占股10%–30%",
            trl_min=6,
            required_documents=["商业计划书", "股权结构"],
        ),
        "bond": _product(
            capital,
            financier,
            "绿色债券承销",
            name_en="Green bond underwriting",
            kind=ProductKind.GREEN_BOND,
            amount_min=Decimal("50000000"),
            amount_max=Decimal("500000000"),
            rate_min=Decimal("2.60"),
            rate_max=Decimal("3.40"),
            tenor_months_min=36,
            tenor_months_max=120,
            minimum_credit_grade=CreditGrade.AA,
        ),
        "insurance": _product(
            insurer,
            financier,
            "首台套科技保险",
            name_en="First-of-a-kind technology insurance",
            kind=ProductKind.TECHNOLOGY_INSURANCE,
            amount_min=Decimal("100000"),
            amount_max=Decimal("20000000"),
            terms="保费率0.8%–1.5%",
            tenor_months_min=12,
            tenor_months_max=12,
        ),
        "compensation": _product(
            insurer,
            financier,
            "科技贷款风险补偿",
            name_en="Technology loan risk compensation",
            kind=ProductKind.RISK_COMPENSATION,
            amount_min=Decimal("100000"),
            amount_max=Decimal("10000000"),
            risk_share_fund=Decimal("50"),
            risk_share_bank=Decimal("30"),
            risk_share_insurer=Decimal("15"),
            risk_share_valuer=Decimal("5"),
        ),
    }


def _qualifying_deal(enterprise, holder):
    """A signed service deal between the demo enterprise and the demo university."""
    from catalog.models import Category, Technology
    from exchange.models import Deal

    deal = Deal.objects.filter(
        buyer=enterprise, seller=holder, deal_type="service",
        stage__in=services.QUALIFYING_DEAL_STAGES,
    ).first()  # fmt: skip
    if deal is not None:
        return deal
    technology = Technology.objects.filter(organization=holder).order_by("pk").first()
    if technology is None:
        category = Category.objects.filter(parent__isnull=False).order_by("sort_key").first()
        technology = Technology.objects.create(
            organization=holder, title_zh="高盐废水蒸发结晶零排放技术",
            title_en="Zero-liquid-discharge evaporation for high-salinity wastewater",
            summary_zh="适用于化工园区高盐废水的蒸发结晶与分盐技术。",
            summary_en="Evaporation and salt separation for chemical-park wastewater.",
            category=category, trl=7, region=holder.region, status="published",
            published_at=timezone.now(),
        )  # fmt: skip
    return Deal.objects.create(
        technology=technology, seller=holder, buyer=enterprise, deal_type="service",
        price=Decimal("60000"), currency="CNY", stage="contract_signed", signed_at=timezone.now(),
        payment_terms="技术服务完成后一次性支付",
    )  # fmt: skip


@transaction.atomic
def seed() -> str:
    users = seed_accounts()
    bank = Organization.objects.get(credit_code=demo_credit_code("310000004"))
    institutions = {"bank": bank} | {
        key: _institution(fields) for key, fields in EXTRA_INSTITUTIONS.items()
    }
    products = _products(users, institutions)

    enterprise_user, holder_user = users["enterprise"], users["holder"]
    # Two keys for every yuan: operator@demo.example asks, reviewer@demo.example approves.
    operator_user, approver = _park_operator(), users["reviewer"]
    operator = operator_user.memberships.get(organization__credit_code=PARK["credit_code"])
    operator = operator.organization
    enterprise = Organization.objects.get(credit_code=demo_credit_code("330000002"))
    holder = Organization.objects.get(credit_code=demo_credit_code("320000001"))
    CreditAssessment.objects.update_or_create(
        organization=enterprise,
        defaults={"grade": CreditGrade.A, "employee_count": 180,
                  "annual_revenue": Decimal("86000000"), "note": "演示评级"},
    )  # fmt: skip

    # Voucher programme, funded once, and one 20,000 CNY voucher for the demo enterprise.
    programme = _funded_programme(
        operator_user, approver, operator, amount="2000000.00", key="vouchers-2026",
        kind=ProgrammeKind.VOUCHER, name_zh="绿色技术创新券（2026）",
        name_en="Green technology innovation vouchers 2026",
        maximum_employees=300, maximum_annual_revenue=Decimal("400000000"),
    )  # fmt: skip
    if not Voucher.objects.filter(programme=programme, holder=enterprise).exists():
        # Below the second-key threshold: one key issues it out of the approved budget.
        services.voucher_issue(
            programme=programme, user=operator_user, holder=enterprise, face_value="20000.00",
            expires=timezone.localdate() + datetime.timedelta(days=365),
            idempotency_key="demo-voucher-enterprise",
        )  # fmt: skip
    if not MoneyRequest.objects.filter(programme=programme, holder=enterprise).exists():
        # Above it: a request that waits for the reviewer's decision.
        services.voucher_issue_request(
            programme=programme, user=operator_user, holder=enterprise, face_value="80000.00",
            expires=timezone.localdate() + datetime.timedelta(days=365),
            note="污水处理中试服务（大额创新券）", idempotency_key="demo-voucher-request",
        )  # fmt: skip
    deal = _qualifying_deal(enterprise, holder)

    _funded_programme(
        operator_user, approver, operator, amount="500000.00", key="subsidies-2026",
        kind=ProgrammeKind.INTEREST_SUBSIDY, name_zh="绿色贷款贴息（2026）",
        name_en="Green loan interest subsidies 2026", subsidy_ratio=Decimal("0.5"),
    )  # fmt: skip

    # A valuation by the university, and applications in several stages.
    valuation = Valuation.objects.filter(organization=holder).first() or services.valuation_create(
        user=holder_user, organization=holder, title="高盐废水蒸发结晶零排放技术",
        technology=deal.technology if deal.technology.organization_id == holder.pk else None,
        currency="CNY", first_year_revenue=Decimal("3000000"),
        revenue_growth_rate=Decimal("0.08"), useful_life_years=8, royalty_rate=Decimal("0.05"),
        tax_rate=Decimal("0.15"), risk_free_rate=Decimal("0.025"),
        technology_premium=Decimal("0.05"), market_premium=Decimal("0.03"),
        management_premium=Decimal("0.02"), trl=7,
    )  # fmt: skip
    financier = users["financier"]
    if not FinancingApplication.objects.filter(applicant=enterprise).exists():
        _application(
            enterprise_user,
            financier,
            products["green_loan"],
            "3000000",
            ["start_review", "approve", "disburse"],
            purpose="废水处理系统改造",
            tenor_months=24,
        )
        _application(
            enterprise_user,
            financier,
            products["river_loan"],
            "800000",
            [],
            submit=False,
            purpose="节能改造（草稿）",
        )
        _application(enterprise_user, financier, products["insurance"], "2000000",
                     ["start_review"], purpose="首台套装备保险")  # fmt: skip
    if not FinancingApplication.objects.filter(applicant=holder).exists():
        cap = collateral_cap(value=valuation.value, loan_to_value=Decimal("0.5"))
        amount = str(min(cap, Decimal("500000")))
        _application(holder_user, financier, products["ip_pledge"], amount,
                     [], valuation=valuation, technology=valuation.technology,
                     purpose="中试线建设")  # fmt: skip
    from finance.reward_demo import seed_rewards

    reward_summary = seed_rewards(university=holder, holder=holder_user)
    return (
        f"{reward_summary}, "
        f"{FinancingProduct.objects.count()} financing products, "
        f"{Voucher.objects.count()} vouchers, "
        f"{FinancingApplication.objects.count()} applications, voucher deal #{deal.pk}"
    )


# The district government that runs the demo programmes (the programmes demo shares it).
PARK = {
    "name_zh": "苏州工业园区管理委员会",
    "name_en": "Suzhou Industrial Park Administrative Committee",
    "kind": OrganizationType.GOVERNMENT,
    "region": "CN-JS",
    "credit_code": demo_credit_code("320500006"),
    "description": "园区产业规划与科技成果转化服务。",
}


def _park_operator() -> User:
    """operator@demo.example: the programme operator role, in the verified park committee."""
    park, _created = Organization.objects.update_or_create(
        credit_code=PARK["credit_code"],
        defaults={**PARK, "verification_status": VerificationStatus.VERIFIED,
                  "verified_at": timezone.now()},
    )  # fmt: skip
    user = User.objects.filter(email="operator@demo.example").first()
    if user is None:
        user = User.objects.create_user(
            "operator@demo.example", DEMO_PASSWORD, full_name="园区运营", roles=[]
        )
    Membership.objects.get_or_create(
        user=user, organization=park, defaults={"role": MembershipRole.OWNER}
    )
    # Granted like every privileged role: a reviewer's grant for the verified park committee.
    from accounts.demo import demo_role_grant

    demo_role_grant(user=user, role=Role.OPERATOR, organization=park)
    return user


def _second_key(money_request: MoneyRequest, approver: User) -> None:
    if money_request.is_pending:
        services.money_request_transition(
            money_request=money_request, user=approver, action="approve", note="演示审批"
        )


def _funded_programme(operator_user, approver, operator, *, amount, key, **fields):
    """A programme whose budget and funding went through both keys (idempotent)."""
    programme = SupportProgramme.objects.filter(name_zh=fields["name_zh"]).first()
    if programme is None:
        programme = services.programme_create(
            user=operator_user, operator=operator, budget=amount,
            idempotency_key=f"demo-budget-{key}", **fields,
        )  # fmt: skip
    for money_request in programme.money_requests.filter(kind=MoneyRequestKind.BUDGET):
        _second_key(money_request, approver)
    programme.refresh_from_db()
    if programme.funding_account.balance < Decimal(amount) and programme.is_approved:
        _second_key(
            services.programme_funding_request(
                programme=programme, user=operator_user,
                amount=Decimal(amount) - programme.funding_account.balance,
                idempotency_key=f"demo-fund-{key}", note="财政专项资金到账",
            ),
            approver,
        )  # fmt: skip
    return programme


def _application(user, financier, product, amount, actions, *, submit=True, **fields):
    application = services.application_create(
        user=user, product=product, requested_amount=Decimal(amount), submit=submit, **fields
    )
    for action in actions:
        extra = {}
        if action == "approve":
            extra = {"approved_amount": amount, "approved_terms": "年利率3.85%，按季付息"}
        application = services.application_transition(
            application=application, user=financier, action=action, **extra
        )
    return application


def demo_logins() -> list[tuple[str, str]]:
    return [("operator@demo.example", DEMO_PASSWORD)]
