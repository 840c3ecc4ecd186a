"""Demo technologies: about 60 bilingual listings across the taxonomy, in every state.

Idempotent: a listing already present (same holder and Chinese title) is skipped.
"""

import random

from django.db import transaction

from accounts.choices import MembershipRole, OrganizationType, Role, VerificationStatus
from accounts.demo import DEMO_PASSWORD, demo_credit_code, seed_accounts
from accounts.models import Membership, Organization, User
from catalog import duplicates, services
from catalog.choices import DuplicateFlagStatus, TechnologyStatus
from catalog.models import DuplicateFlag, Technology
from catalog.validators import patent_check_character

# (category, zh title, en title, zh summary, en summary, keywords, trl, price in 10k CNY or None)
CORE = [
    (
        "2.4",
        "高浓度有机废水厌氧处理技术",
        "Anaerobic treatment of high-strength organic wastewater",
        "内循环厌氧反应器处理化工、制药高浓度有机废水，COD去除率85%以上，副产沼气。",
        "Internal-circulation anaerobic reactor for chemical and pharmaceutical wastewater; over 85% COD removal with biogas recovery.",  # noqa: E501
        ["厌氧", "IC反应器", "沼气"],
        8,
        120,
    ),
    (
        "1.6",
        "垃圾渗滤液全量化处理技术",
        "Full-quantity treatment of landfill leachate",
        "MBR+纳滤+反渗透组合工艺，浓缩液回灌减量，出水达到GB 16889标准。",
        "MBR, nanofiltration and reverse osmosis with concentrate reduction; effluent meets GB 16889.",  # noqa: E501
        ["渗滤液", "MBR", "反渗透"],
        7,
        260,
    ),
    (
        "1.5",
        "钢铁行业烧结余热回收发电技术",
        "Sinter waste heat recovery power generation for steel mills",
        "回收烧结环冷机废气余热，吨矿发电量提高20%。",
        "Recovers waste heat from sinter coolers; 20% more power per tonne of ore.",
        ["余热回收", "烧结", "发电"],
        9,
        800,
    ),
    (
        "3.1",
        "双面高效光伏组件技术",
        "Bifacial high-efficiency photovoltaic modules",
        "N型TOPCon双面光伏组件，双面率80%，适用于沙漠与水面电站。",
        "N-type TOPCon bifacial PV modules with 80% bifaciality for desert and floating plants.",
        ["光伏", "TOPCon", "双面组件"],
        8,
        None,
    ),
    (
        "2.3",
        "VOCs沸石转轮吸附浓缩催化燃烧技术",
        "Zeolite rotor concentration and catalytic combustion of VOCs",
        "沸石转轮浓缩后催化燃烧，处理喷涂、印刷行业低浓度大风量VOCs废气。",
        "Zeolite rotor concentration followed by catalytic oxidation for low-concentration, high-flow VOC exhaust.",  # noqa: E501
        ["VOCs", "沸石转轮", "催化燃烧"],
        8,
        300,
    ),
    (
        "1.7",
        "退役动力电池梯次利用与再生技术",
        "Second-life reuse and recycling of retired traction batteries",
        "电池包快速检测分选，梯次用于储能，报废电芯湿法回收锂镍钴。",
        "Fast grading of battery packs for storage reuse; hydrometallurgical recovery of Li, Ni and Co from scrap cells.",  # noqa: E501
        ["动力电池", "梯次利用", "湿法回收"],
        7,
        500,
    ),
    (
        "4.3",
        "重金属污染耕地钝化修复技术",
        "Immobilisation remediation of heavy-metal contaminated farmland",
        "复合钝化剂降低土壤镉有效态60%，稻米镉达标。",
        "A composite amendment cuts available cadmium by 60%; rice meets food standards.",
        ["土壤修复", "镉", "钝化剂"],
        6,
        80,
    ),
    (
        "5.1",
        "建筑光储直柔配电系统",
        "PV, storage, DC and flexible power distribution for buildings",
        "建筑屋顶光伏、储能与直流配电柔性调节，降低建筑用电峰值30%。",
        "Rooftop PV, storage and DC distribution with flexible loads; 30% lower peak demand.",
        ["光储直柔", "直流配电", "建筑节能"],
        6,
        None,
    ),
    (
        "3.3",
        "燃煤电厂烟气二氧化碳捕集技术",
        "Post-combustion CO2 capture for coal power plants",
        "新型复合胺吸收剂，再生能耗低于2.4 GJ/t CO2。",
        "A blended amine solvent with regeneration energy below 2.4 GJ/t CO2.",
        ["碳捕集", "CCUS", "胺吸收"],
        6,
        1500,
    ),
    (
        "4.1",
        "畜禽粪污厌氧发酵沼气提纯技术",
        "Anaerobic digestion of livestock manure with biogas upgrading",
        "高固含厌氧发酵与膜法提纯，生物天然气甲烷含量97%。",
        "High-solids digestion and membrane upgrading to biomethane with 97% methane.",
        ["畜禽粪污", "沼气", "生物天然气"],
        8,
        350,
    ),
    (
        "5.3",
        "市政污泥低温干化技术",
        "Low-temperature drying of municipal sewage sludge",
        "热泵低温干化，含水率从80%降至30%，无臭气外溢。",
        "Heat-pump drying from 80% to 30% moisture without odour release.",
        ["污泥干化", "热泵"],
        8,
        200,
    ),
    (
        "3.4",
        "工业园区综合能源智慧管控平台",
        "Smart integrated energy management platform for industrial parks",
        "源网荷储协同优化，园区综合能耗降低12%。",
        "Coordinated optimisation of generation, grid, load and storage; 12% lower park energy use.",  # noqa: E501
        ["综合能源", "智慧管控", "储能"],
        7,
        150,
    ),
    (
        "2.5",
        "赤泥资源化制备建材技术",
        "Red mud valorisation into building materials",
        "赤泥脱碱后制备免烧砖和路基材料，消纳率超过50%。",
        "De-alkalised red mud becomes unfired bricks and road base; over 50% utilisation.",
        ["赤泥", "固废资源化", "建材"],
        6,
        90,
    ),
    (
        "1.1",
        "磁悬浮离心鼓风机",
        "Magnetic-levitation centrifugal blowers",
        "污水厂曝气鼓风机节电30%，无润滑油。",
        "Aeration blowers for sewage plants saving 30% power, oil-free.",
        ["磁悬浮", "鼓风机", "曝气"],
        9,
        60,
    ),
    (
        "2.2",
        "含氟废水深度除氟技术",
        "Deep fluoride removal from fluoride-bearing wastewater",
        "改性吸附材料将出水氟化物降至1 mg/L以下。",
        "A modified adsorbent brings fluoride below 1 mg/L.",
        ["含氟废水", "吸附"],
        7,
        70,
    ),
    (
        "6.4",
        "水质在线监测多参数传感器",
        "Multi-parameter online water-quality sensors",
        "COD、氨氮、总磷一体化在线监测，免试剂。",
        "Reagent-free online monitoring of COD, ammonia and total phosphorus.",
        ["在线监测", "传感器", "氨氮"],
        7,
        40,
    ),
    (
        "5.2",
        "氢燃料电池重卡动力系统",
        "Hydrogen fuel-cell powertrain for heavy trucks",
        "120 kW燃料电池系统，低温-30℃冷启动。",
        "A 120 kW fuel-cell system with cold start at -30 °C.",
        ["氢燃料电池", "重卡"],
        7,
        None,
    ),
    (
        "4.2",
        "湿地生态修复与水质提升技术",
        "Wetland restoration and water-quality improvement",
        "人工湿地与生态浮岛组合，削减入湖总氮40%。",
        "Constructed wetlands with floating islands cut total nitrogen inflow by 40%.",
        ["人工湿地", "生态修复", "总氮"],
        8,
        100,
    ),
    (
        "1.3",
        "废塑料化学循环热解油化装备",
        "Chemical recycling of waste plastics by pyrolysis",
        "连续式热解装置，混合废塑料制油收率75%。",
        "Continuous pyrolysis of mixed plastics with 75% oil yield.",
        ["废塑料", "热解", "化学循环"],
        6,
        450,
    ),
    (
        "6.1",
        "企业碳排放核算与减排咨询",
        "Corporate carbon accounting and reduction consulting",
        "依据ISO 14064与行业指南核算碳排放并制定减排路径。",
        "Carbon accounting under ISO 14064 and sector guidelines with a reduction roadmap.",
        ["碳核算", "咨询", "减排"],
        9,
        30,
    ),
]

STATES = [TechnologyStatus.PUBLISHED] * 6 + [
    TechnologyStatus.DRAFT,
    TechnologyStatus.SUBMITTED,
    TechnologyStatus.RETURNED,
    TechnologyStatus.REJECTED,
    TechnologyStatus.WITHDRAWN,
    TechnologyStatus.ARCHIVED,
]
VARIANTS = [
    ("", "", ""),
    ("（第二代）", " (second generation)", "升级"),
    ("（模块化）", " (modular)", "模块化"),
]
EXTRA_HOLDERS = [
    (
        "华东环境科学研究院",
        "East China Institute of Environmental Sciences",
        OrganizationType.INSTITUTE,
        "CN-SH",
        "310000101",
    ),
    (
        "粤港澳绿色能源科技有限公司",
        "Greater Bay Green Energy Technology Co., Ltd.",
        OrganizationType.ENTERPRISE,
        "CN-GD",
        "440000102",
    ),
]


def _patent(rng: random.Random, index: int) -> dict:
    digits = f"{2015 + index % 9}1{rng.randrange(10**7):07d}"
    return {
        "number": f"ZL{digits}.{patent_check_character(digits)}",
        "kind": "invention_patent",
        "status": "granted" if index % 3 else "filed",
    }


def _holders(users) -> list[tuple[Organization, User]]:
    holders = [(users["holder"].memberships.first().organization, users["holder"])]
    for name_zh, name_en, kind, region, seed in EXTRA_HOLDERS:
        organization, _ = Organization.objects.update_or_create(
            credit_code=demo_credit_code(seed),
            defaults={
                "name_zh": name_zh,
                "name_en": name_en,
                "kind": kind,
                "region": region,
                "verification_status": VerificationStatus.VERIFIED,
            },
        )
        email = f"holder-{seed}@demo.example"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email, DEMO_PASSWORD, full_name=name_zh[:6], roles=[Role.HOLDER]
            )
        Membership.objects.get_or_create(
            user=user, organization=organization, defaults={"role": MembershipRole.OWNER}
        )
        holders.append((organization, user))
    return holders


def _move_to(technology, state, owner, reviewer) -> None:
    if state == TechnologyStatus.DRAFT:
        return
    services.technology_submit(user=owner, technology=technology)
    if state == TechnologyStatus.SUBMITTED:
        return
    if state == TechnologyStatus.RETURNED:
        services.technology_review(
            user=reviewer,
            technology=technology,
            decision="return",
            comment="请补充中试运行数据和经济性对比。",
        )
        return
    if state == TechnologyStatus.REJECTED:
        services.technology_review(
            user=reviewer,
            technology=technology,
            decision="reject",
            comment="与已发布成果重复，请合并。",
        )
        return
    services.technology_review(user=reviewer, technology=technology, decision="approve")
    if state == TechnologyStatus.WITHDRAWN:
        services.technology_withdraw(user=owner, technology=technology)
    elif state == TechnologyStatus.ARCHIVED:
        services.technology_archive(user=owner, technology=technology)


def _merge_a_duplicate(*, reviewer, admin) -> None:
    """Merge the newest recorded pair of a published listing with a look-alike (the variants
    above repeat their summaries), so the demo shows a merged listing and its redirect; once."""
    if Technology.objects.filter(status=TechnologyStatus.MERGED).exists():
        return
    pairs = DuplicateFlag.objects.filter(status=DuplicateFlagStatus.OPEN).select_related(
        "technology", "candidate"
    )
    for flag in pairs.order_by("-pk"):
        sides = sorted((flag.technology, flag.candidate), key=lambda t: (not t.is_public, t.pk))
        keep, other = sides
        if not keep.is_public or other.status not in duplicates.FLAGGED_STATUSES:
            continue
        user = reviewer if flag.same_organization else admin
        services.technology_merge(user=user, flag=flag, keep=keep, note="演示：同一成果重复录入。")
        return


@transaction.atomic
def seed() -> str:
    users = seed_accounts()
    reviewer = users["reviewer"]
    holders = _holders(users)
    rng = random.Random(2026)
    created = 0
    index = 0
    for variant_zh, variant_en, keyword in VARIANTS:
        for category, title_zh, title_en, summary_zh, summary_en, keywords, trl, price in CORE:
            organization, owner = holders[index % len(holders)]
            state = STATES[index % len(STATES)]
            index += 1
            title_zh_full = title_zh + variant_zh
            if Technology.objects.filter(
                organization=organization, title_zh=title_zh_full
            ).exists():
                continue
            data = {
                "title_zh": title_zh_full,
                "title_en": title_en + variant_en,
                "summary_zh": summary_zh,
                "summary_en": summary_en,
                "description_zh": f"（保密）{summary_zh}核心工艺参数、设备选型与运行控制策略见附件。",  # noqa: E501
                "description_en": f"(Confidential) {summary_en} Process parameters and control strategy are in the documents.",  # noqa: E501
                "category": category,
                "keywords": [*keywords, keyword] if keyword else keywords,
                "trl": min(9, trl + (1 if variant_en else 0)),
                "application_scope": "化工、制药、市政与工业园区",
                "advantages": "与传统工艺相比投资更低、运行更稳定。",
                "economic_comparison": "典型项目投资回收期2–4年。",
                "offers": [
                    {
                        "mode": "license",
                        "asking_price": price * 10000 if price else None,
                        "negotiable": price is None,
                        "exclusive": index % 2 == 0,
                    },
                    {
                        "mode": "transfer" if index % 2 else "joint_development",
                        "asking_price": None,
                        "negotiable": True,
                    },
                ],
                "patents": [_patent(rng, index)] if index % 4 else [],
                "performance_figures": [
                    {"metric": "关键指标", "value": str(60 + index % 35), "unit": "%"}
                ],
                "resource_savings": [
                    {"resource": "energy", "amount": 100 + index * 7, "unit": "MWh/年"}
                ],
                "co2e_avoided_tonnes_per_year": 50 + index * 11,
                "co2e_method": "按基准情景电耗与全国电网平均排放因子折算",
                "sdg_goals": [6, 9, 13] if index % 2 else [7, 12, 13],
                "target_regions": ["CN-ZJ", "CN-SD", "VN"] if index % 3 else ["CN-GD"],
            }
            technology = services.technology_create(
                user=owner, organization=organization, data=data
            )
            _move_to(technology, state, owner, reviewer)
            created += 1
    _merge_a_duplicate(reviewer=reviewer, admin=users["admin"])
    total = Technology.objects.filter(organization__in=[o for o, _ in holders]).count()
    return f"catalog: {created} technologies created ({total} demo technologies in all states)"
