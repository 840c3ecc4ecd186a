"""Demo data of experts and programmes (idempotent): verified experts, two completed
evaluations, a district programme with a shortlist, an upcoming fair with registrations and
meetings, and an open challenge with a proposal. Runs after the catalogue and exchange demos."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.choices import OrganizationType, Role, VerificationStatus
from accounts.demo import (
    DEMO_PASSWORD,
    demo_credit_code,
    demo_member,
    demo_role_grant,
    seed_accounts,
)
from accounts.models import Organization, User
from catalog import services as catalog_services
from catalog.choices import TechnologyStatus
from catalog.models import Category, Technology
from exchange.choices import NeedStatus
from exchange.models import Need, Proposal
from programmes.choices import EntryStatus, EvaluationStatus, ExpertStatus
from programmes.models import Challenge, Evaluation, Event, ExpertProfile, Meeting, Programme
from programmes.services import challenges as challenge_services
from programmes.services import evaluations as evaluation_services
from programmes.services import events as event_services
from programmes.services import experts as expert_services
from programmes.services import screening as screening_services

OPERATOR_ORGANIZATION = {
    "name_zh": "苏州工业园区管理委员会",
    "name_en": "Suzhou Industrial Park Administrative Committee",
    "kind": OrganizationType.GOVERNMENT,
    "region": "CN-JS",
    "credit_code": demo_credit_code("320500006"),
    "description": "园区产业规划与科技成果转化服务。",
}
EXPERT_ORGANIZATIONS = {
    "east": dict(
        name_zh="华东环境科学研究院",
        name_en="East China Institute of Environmental Sciences",
        kind=OrganizationType.INSTITUTE,
        region="CN-SH",
        credit_code=demo_credit_code("310000107"),
    ),
    "energy": dict(
        name_zh="中科能源技术研究所",
        name_en="Institute of Energy Technology",
        kind=OrganizationType.INSTITUTE,
        region="CN-BJ",
        credit_code=demo_credit_code("110000108"),
    ),
}
# (email, name, title, organisation key or None, organisation name, fields, languages, bio,
#  offers consulting)
EXPERTS = [
    (
        "expert-water@demo.example",
        "孙立新",
        "教授级高级工程师",
        "east",
        "",
        ["2", "1.6"],
        ["zh", "en"],
        "长期从事工业废水处理与回用工程评估，主持评审化工园区水处理项目四十余项。",
        False,
    ),
    (
        "expert-energy@demo.example",
        "周明远",
        "研究员",
        "energy",
        "",
        ["3", "1.1", "1.5"],
        ["zh"],
        "工业节能与余热利用专家，参与多项国家重点研发计划项目评审。",
        False,
    ),
    (
        "expert-market@demo.example",
        "Anna Weber",
        "Senior technology-transfer consultant",
        None,
        "Fraunhofer technology transfer office (DE)",
        ["2", "6"],
        ["en", "de", "zh"],
        "Fifteen years of market assessment of environmental technologies for European and "
        "Chinese industrial parks.",
        False,
    ),
    (
        "expert-campus@demo.example",
        "吴建华",
        "教授",
        "holder",
        "",
        ["2.4", "2.5"],
        ["zh", "en"],
        "江南环境工程大学环境学院教授，提供工业废水工艺诊断与技术咨询。",
        True,
    ),
]
CONSULTING_TECHNOLOGY = "工业废水处理工艺诊断与技术咨询"
PROGRAMME_NAME = "苏州工业园区 2026 年绿色技术成果遴选"
FAIR_TITLE = "2026 长三角绿色技术成果对接会"
CHALLENGE_TITLE = "浙江精细化工园区废水治理揭榜挂帅"
ROADSHOW_TITLE = "中国—东盟绿色技术线上路演 China–ASEAN green technology roadshow"
THAI_ENTERPRISE_EMAIL = "roadshow-th@demo.example"
THAI_ENTERPRISE = {
    "name_zh": "暹罗绿色水务有限公司",
    "name_en": "Siam Green Water Co., Ltd.",
    "kind": OrganizationType.ENTERPRISE,
    "region": "TH",
    "description": "Industrial wastewater treatment and reuse for food and rubber plants.",
}


def _organization(fields: dict) -> Organization:
    organization, _ = Organization.objects.update_or_create(
        credit_code=fields["credit_code"],
        defaults={
            **fields,
            "verification_status": VerificationStatus.VERIFIED,
            "verified_at": timezone.now(),
        },
    )
    return organization


def _user(email: str, name: str, roles: list[str], organization: Organization | None) -> User:
    return demo_member(email, name, organization, roles=roles)


def _experts(users, holder_org, reviewer) -> dict[str, ExpertProfile]:
    organizations = {key: _organization(fields) for key, fields in EXPERT_ORGANIZATIONS.items()}
    organizations["holder"] = holder_org
    experts = {}
    for email, name, title, key, org_name, fields, languages, bio, consulting in EXPERTS:
        organization = organizations.get(key) if key else None
        user = _user(email, name, [], organization)
        expert = ExpertProfile.objects.filter(user=user).first()
        if expert is None:
            expert = expert_services.expert_profile_create(
                user=user,
                name=name,
                title=title,
                bio=bio,
                languages=languages,
                fields=Category.objects.filter(code__in=fields),
                organization=organization,
                organization_name=org_name,
                offers_consulting=consulting,
            )
        if expert.status == ExpertStatus.PENDING:
            expert = expert_services.expert_transition(
                expert=expert, user=reviewer, action="verify"
            )
        experts[email.split("@")[0]] = expert
    return experts


def _consulting_technology(holder, holder_org, reviewer) -> None:
    if Technology.objects.filter(organization=holder_org, title_zh=CONSULTING_TECHNOLOGY).exists():
        return
    technology = catalog_services.technology_create(
        user=holder,
        organization=holder_org,
        data={
            "title_zh": CONSULTING_TECHNOLOGY,
            "title_en": "Process diagnosis and consulting for industrial wastewater",
            "summary_zh": "由学院专家团队对企业废水站进行工艺诊断，提出提标改造与节能降耗方案。",
            "summary_en": "Process diagnosis of a plant's wastewater station with upgrade advice.",
            "category": Category.objects.get(code="2.4"),
            "trl": 9,
            "keywords": ["工艺诊断", "提标改造"],
            # what buyers need (catalog.completeness) to pass the minimum for submission
            "application_scope": "已为二十余座企业废水站完成工艺诊断。",
            "advantages": "专家现场诊断，一个月内给出可落地的提标改造方案。",
            "offers": [{"mode": "consulting", "asking_price": None, "negotiable": True}],
            "performance_figures": [{"metric": "吨水电耗下降", "value": "15", "unit": "%"}],
            "resource_savings": [{"resource": "energy", "amount": 200, "unit": "MWh/年"}],
            "target_regions": ["CN-JS", "CN-ZJ"],
        },
    )
    catalog_services.technology_submit(user=holder, technology=technology)
    catalog_services.technology_review(user=reviewer, technology=technology, decision="approve")


def _evaluations(holder_org, experts, reviewer) -> int:
    done = Evaluation.objects.filter(
        technology__organization=holder_org, status=EvaluationStatus.COMPLETED
    ).count()
    candidates = (
        Technology.objects.filter(
            organization=holder_org,
            status=TechnologyStatus.PUBLISHED,
            category__code__startswith="2",
        )
        .exclude(evaluations__isnull=False)
        .order_by("pk")
    )
    panel = [experts["expert-water"], experts["expert-market"]]
    forms = [
        (
            {"technical_novelty": 8, "maturity": 8, "assessed_trl": 7, "market_prospects": 9},
            {"economic_feasibility": 7, "green_benefit": 9},
            "工艺路线成熟，已有多个园区应用案例；建议补充长期运行数据。",
        ),
        (
            {"technical_novelty": 7, "maturity": 7, "assessed_trl": 7, "market_prospects": 8},
            {"economic_feasibility": 8, "green_benefit": 8},
            "Strong demand in chemical parks; payback claims are plausible.",
        ),
    ]
    for technology in candidates[: max(0, 2 - done)]:
        evaluation = evaluation_services.evaluation_request(
            user=reviewer, technology=technology, paid=done == 0, note="示范评价"
        )
        evaluation_services.evaluation_assign(evaluation=evaluation, user=reviewer, experts=panel)
        for expert, (first, second, comments) in zip(panel, forms, strict=True):
            evaluation_services.evaluation_score_submit(
                evaluation=evaluation,
                user=expert.user,
                comments=comments,
                identity_disclosed=expert is panel[0],
                **first,
                **second,
            )
        evaluation_services.evaluation_complete(
            evaluation=evaluation,
            user=reviewer,
            summary="两位独立专家认为该技术成熟度高、市场前景好，推荐在化工园区推广转化。",
        )
        done += 1
    return done


def _programme(operator, experts) -> Programme:
    programme = Programme.objects.filter(name=PROGRAMME_NAME).first()
    if programme is None:
        programme = screening_services.programme_create(
            user=operator,
            name=PROGRAMME_NAME,
            description="按园区产业定位遴选高校院所绿色技术成果，入选成果参加路演与对接会。",
            positioning=(
                "苏州工业园区以精细化工、生物医药和电子信息为主导产业，重点需要工业废水处理与回用、"
                "VOCs 废气治理、固废资源化和园区节能降碳技术。"
            ),
            categories=Category.objects.filter(code__in=["2", "1"]),
            trl_min=4,
            trl_max=9,
            shortlist_size=12,
        )
    if not programme.entries.exists():
        entries = screening_services.programme_screen(programme=programme, user=operator)
        for entry in entries[:4]:
            screening_services.programme_select(entry=entry, user=operator)
        screening_services.programme_invite_experts(
            programme=programme, user=operator, experts=[experts["expert-energy"]]
        )
        if entries:
            screening_services.programme_invite_holders(programme=programme, user=operator)
    return programme


def _fair(operator, programme, users) -> Event:
    event = Event.objects.filter(title=FAIR_TITLE).first()
    if event is None:
        day = timezone.localdate() + datetime.timedelta(days=21)
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))
        technologies = [e.technology for e in programme.entries.filter(status=EntryStatus.SELECTED)]
        event = event_services.event_create(
            user=operator,
            programme=programme,
            technologies=technologies or None,
            needs=list(Need.objects.filter(status=NeedStatus.PUBLISHED)[:3]),
            kind="fair",
            title=FAIR_TITLE,
            description="入选园区遴选计划的绿色技术成果与化工、制造企业一对一对接。",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=3),
            registration_closes_at=start - datetime.timedelta(days=2),
            venue="苏州国际博览中心 B 馆",
            online_url="https://meeting.example.com/gte-fair-2026",
            capacity=60,
            languages=["zh", "en"],
            slot_minutes=20,
            meetings_per_participant=6,
        )
        event_services.event_transition(event=event, user=operator, action="open")
    enterprise, holder = users["enterprise"], users["holder"]
    registered = set(event.registrations.values_list("organization_id", flat=True))
    for user, role in ((enterprise, "enterprise"), (holder, "holder")):
        if user.memberships.first().organization_id not in registered:
            event_services.event_register(event=event, user=user, role=role)
    if not Meeting.objects.filter(event=event).exists():
        enterprise_org = enterprise.memberships.first().organization_id
        featured = event.featured_technologies.exclude(organization_id=enterprise_org).order_by(
            "pk"
        )
        slots = event_services.event_slots(event=event)
        for (start, _end), technology in zip(slots[:2], featured[:2], strict=False):
            event_services.meeting_book(
                event=event, user=enterprise, technology=technology, starts_at=start
            )
    return event


def _roadshow(operator, users) -> Event:
    """An international online roadshow organised on Beijing time, in Chinese, English and
    Thai, for ASEAN countries; a Thai enterprise on Bangkok time has registered and booked."""
    event = Event.objects.filter(title=ROADSHOW_TITLE).first()
    if event is None:
        day = timezone.localdate() + datetime.timedelta(days=28)
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
        technologies = list(
            Technology.objects.filter(status=TechnologyStatus.PUBLISHED).order_by("pk")[:4]
        )
        event = event_services.event_create(
            user=operator,
            technologies=technologies,
            kind="roadshow",
            title=ROADSHOW_TITLE,
            description="面向东盟国家的绿色技术线上路演：中国高校和企业介绍水处理、节能和"
            "固废资源化技术，东盟企业在线一对一洽谈。Chinese green technologies presented "
            "online to enterprises in ASEAN countries, with one-to-one meetings.",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=3),
            registration_closes_at=start - datetime.timedelta(days=3),
            online_url="https://meeting.example.com/china-asean-green-roadshow",
            organizer_time_zone="Asia/Shanghai",
            target_countries=["TH", "VN", "MY", "ID", "LA", "KH"],
            capacity=80,
            languages=["zh", "en", "th"],
            slot_minutes=30,
            meetings_per_participant=4,
        )
        event_services.event_transition(event=event, user=operator, action="open")
    thai_organization, _created = Organization.objects.get_or_create(
        name_en=THAI_ENTERPRISE["name_en"],
        defaults={
            **THAI_ENTERPRISE,
            "verification_status": VerificationStatus.VERIFIED,
            "verified_at": timezone.now(),
        },
    )
    thai = demo_member(
        THAI_ENTERPRISE_EMAIL,
        "Somchai Wongsa",
        thai_organization,
        roles=[Role.ENTERPRISE],
        time_zone="Asia/Bangkok",
        language="en",
    )
    if not event.registrations.filter(organization=thai_organization).exists():
        event_services.event_register(event=event, user=thai, role="enterprise")
    holder = users["holder"]
    if not event.registrations.filter(
        organization=holder.memberships.first().organization
    ).exists():
        event_services.event_register(event=event, user=holder, role="holder")
    if not event.meetings.exists():
        technology = event.featured_technologies.exclude(organization=thai_organization).first()
        slots = event_services.event_slots(event=event)
        if technology is not None and slots:
            event_services.meeting_book(
                event=event, user=thai, technology=technology, starts_at=slots[1][0]
            )
    return event


def _challenge(operator, users, experts) -> Challenge | None:
    challenge = Challenge.objects.filter(title=CHALLENGE_TITLE).first()
    if challenge is None:
        needs = list(Need.objects.filter(status=NeedStatus.PUBLISHED, region="CN-ZJ")[:3])
        if not needs:
            return None
        challenge = challenge_services.challenge_create(
            user=operator,
            title=CHALLENGE_TITLE,
            description="面向浙江精细化工园区重点企业的废水与废气治理难题，公开征集技术方案，"
            "经专家评审后揭榜。",
            closes_at=timezone.now() + datetime.timedelta(days=30),
            region="CN-ZJ",
            needs=needs,
        )
        challenge_services.challenge_transition(
            challenge=challenge, user=operator, action="publish"
        )
        challenge_services.challenge_invite_judges(
            challenge=challenge,
            user=operator,
            experts=[experts["expert-water"], experts["expert-energy"]],
        )
    if not challenge.submissions.exists():
        holder = users["holder"]
        holder_org = holder.memberships.first().organization
        need = challenge.needs.order_by("pk").first()
        technology = (
            Technology.objects.filter(
                organization=holder_org,
                status=TechnologyStatus.PUBLISHED,
                category__code__startswith="2",
            )
            .exclude(proposals__need=need)
            .order_by("pk")
            .first()
        )
        if (
            need is not None
            and technology is not None
            and not Proposal.objects.filter(need=need, technology=technology).exists()
        ):
            mode = next(
                (m for m in technology.transaction_modes if m in (need.transaction_modes or [])),
                technology.transaction_modes[0] if technology.transaction_modes else "license",
            )
            challenge_services.challenge_submit(
                challenge=challenge,
                user=holder,
                need=need,
                technology=technology,
                approach="采用内循环厌氧反应器预处理 + 好氧深度处理，三个月完成现场中试。",
                deal_type=mode,
                timeline="中试 3 个月，工程实施 6 个月",
            )
    return challenge


@transaction.atomic
def seed() -> str:
    users = seed_accounts()
    reviewer = users["reviewer"]
    holder = users["holder"]
    holder_org = holder.memberships.first().organization
    operator_organization = _organization(OPERATOR_ORGANIZATION)
    operator = _user("operator@demo.example", "园区运营", [], operator_organization)
    if Role.REVIEWER in operator.roles:
        operator.roles = [role for role in operator.roles if role != Role.REVIEWER]
        operator.save(update_fields=["roles"])
    # The programme operator role is granted to the district government's verified member.
    demo_role_grant(user=operator, role=Role.OPERATOR, organization=operator_organization)
    experts = _experts(users, holder_org, reviewer)
    _consulting_technology(holder, holder_org, reviewer)
    if not Technology.objects.filter(status=TechnologyStatus.PUBLISHED).exists():
        return f"{len(experts)} experts; no published technology for programmes yet"
    evaluations = _evaluations(holder_org, experts, reviewer)
    programme = _programme(operator, experts)
    event = _fair(operator, programme, users)
    roadshow = _roadshow(operator, users)
    challenge = _challenge(operator, users, experts)
    scenario_count = _scenarios(operator, holder)
    return (
        f"{len(experts)} experts, {evaluations} completed evaluations, programme with "
        f"{programme.entries.count()} shortlisted, fair with {event.registrations.count()} "
        f"registrations and {event.meetings.count()} meetings, an international roadshow with "
        f"{roadshow.registrations.count()} registrations, "
        f"{'a challenge' if challenge else 'no challenge (no published need)'}; "
        f"{scenario_count} application scenarios in a list; "
        f"operator login operator@demo.example"
    )


def demo_logins() -> list[tuple[str, str]]:
    return [(expert[0], DEMO_PASSWORD) for expert in EXPERTS] + [
        (THAI_ENTERPRISE_EMAIL, DEMO_PASSWORD)
    ]


# --- application scenarios --------------------------------------------------------------------

SCENARIO_LIST_TITLE = "2026 年第四季度新技术应用场景清单"
DEMO_SCENARIOS = (
    {
        "title": "化工园区污水处理厂难降解 COD 深度处理",
        "site": "苏州工业园区某化工集中区污水处理厂",
        "problem": "园区化工废水难降解有机物多，出水 COD 偏高，需要经济的深度处理工艺。",
        "conditions": "现有 A/O + 二沉池工艺，预留 300 m² 场地，提供进出水在线监测数据。",
        "capacity": "一条 500 t/d 处理线，试验期 6 个月",
        "support": "免费提供场地、水电和运行人员；试验成功后优先纳入园区采购目录。",
        "criteria": "去除效果（40%）、吨水运行成本（30%）、运行稳定性（20%）、二次污染（10%）。",
        "region": "CN-JS",
        "industry": "2",
        "pilot_months": 6,
    },
    {
        "title": "城区河道底泥原位修复示范",
        "site": "苏州工业园区某城区河道 2 km 河段",
        "problem": "河道底泥有机质和氨氮含量高，夏季黑臭反复，疏浚成本高。",
        "conditions": "河宽约 15 m，平均水深 1.5 m，可临时分段围隔。",
        "capacity": "2 km 河段，一年试验期",
        "support": "提供施工通道、水质监测和 50 万元试验补助。",
        "criteria": "水质改善效果、持续时间、单位成本、对生态的影响。",
        "region": "CN-JS",
        "industry": "2",
        "pilot_months": 12,
    },
)


def _scenarios(operator, holder) -> int:
    """Two published scenarios of the operator in one list; the demo holder applied to one."""
    from programmes.models import Scenario, ScenarioList
    from programmes.services import scenarios as scenario_services

    if ScenarioList.objects.filter(title=SCENARIO_LIST_TITLE).exists():
        return Scenario.objects.filter(lists__title=SCENARIO_LIST_TITLE).count()
    now = timezone.now()
    scenarios = []
    for fields in DEMO_SCENARIOS:
        scenario = Scenario.objects.filter(title=fields["title"]).first()
        if scenario is None:
            scenario = scenario_services.scenario_create(
                user=operator,
                **{
                    **fields,
                    "industry": Category.objects.filter(code=fields["industry"]).first(),
                    "opens_at": now - datetime.timedelta(days=3),
                    "closes_at": now + datetime.timedelta(days=45),
                },
            )
            scenario = scenario_services.scenario_transition(
                scenario=scenario, user=operator, action="publish"
            )
        scenarios.append(scenario)
    technology = Technology.objects.filter(
        organization__memberships__user=holder, status=TechnologyStatus.PUBLISHED
    ).first()
    if technology is not None and not scenarios[0].programme.entries.exists():
        scenario_services.scenario_apply(scenario=scenarios[0], user=holder, technology=technology)
    scenario_services.scenario_list_publish(
        user=operator, title=SCENARIO_LIST_TITLE, period="2026 Q4", scenarios=scenarios
    )
    return len(scenarios)
