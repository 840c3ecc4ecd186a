"""Realistic-looking synthetic technologies in bulk, for benchmarks and load tests.

Texts are composed from bilingual phrase fragments; each fragment is analysed once (cached) and
the search vector is assembled from the fragments' tokens, so tens of thousands of rows a second
can be written with `bulk_create`.
"""

from __future__ import annotations

import functools
import random
import re

from django.db import connection, transaction
from django.utils import timezone

from accounts.choices import OrganizationType, VerificationStatus
from accounts.models import Organization
from catalog.choices import TechnologyStatus, TransactionMode
from catalog.models import Category, Technology, TechnologySearchEntry
from catalog.search import tsvector_from_tokens
from core.regions import CHINA_PROVINCES
from core.validators import credit_code_check_character
from textanalysis import analyze

# (zh, en) subject fragments: what the technology treats or produces.
SUBJECTS = [
    ("高浓度有机废水", "high-strength organic wastewater"),
    ("垃圾渗滤液", "landfill leachate"),
    ("印染废水", "textile dyeing wastewater"),
    ("城镇生活污水", "municipal sewage"),
    ("钢铁行业余热", "steel-mill waste heat"),
    ("水泥窑烟气", "cement kiln flue gas"),
    ("燃煤电厂烟气", "coal power plant flue gas"),
    ("挥发性有机物", "volatile organic compounds"),
    ("光伏组件", "photovoltaic modules"),
    ("锂电池正极材料", "lithium battery cathode material"),
    ("退役动力电池", "retired traction batteries"),
    ("农作物秸秆", "crop straw"),
    ("畜禽粪污", "livestock manure"),
    ("市政污泥", "municipal sewage sludge"),
    ("建筑垃圾", "construction waste"),
    ("工业固废", "industrial solid waste"),
    ("海上风电", "offshore wind power"),
    ("氢燃料电池", "hydrogen fuel cells"),
    ("储能电站", "energy storage stations"),
    ("数据中心冷却", "data centre cooling"),
    ("重金属污染土壤", "heavy-metal contaminated soil"),
    ("黑臭水体", "black-odorous water bodies"),
    ("餐厨垃圾", "food waste"),
    ("二氧化碳捕集", "carbon dioxide capture"),
    ("高盐废水", "high-salinity wastewater"),
    ("含氟废水", "fluoride-bearing wastewater"),
    ("电镀废水", "electroplating wastewater"),
    ("焦化废水", "coking wastewater"),
    ("工业锅炉", "industrial boilers"),
    ("空气源热泵", "air-source heat pumps"),
]
METHODS = [
    ("厌氧处理", "anaerobic treatment"),
    ("膜生物反应器", "membrane bioreactor"),
    ("高级氧化", "advanced oxidation"),
    ("催化燃烧", "catalytic combustion"),
    ("余热回收发电", "waste heat power generation"),
    ("选择性催化还原脱硝", "selective catalytic reduction"),
    ("资源化利用", "resource recovery"),
    ("热解气化", "pyrolysis and gasification"),
    ("智能运维平台", "intelligent operation platform"),
    ("高效换热", "high-efficiency heat exchange"),
    ("生物强化修复", "bioaugmented remediation"),
    ("蒸发结晶", "evaporation and crystallisation"),
    ("电化学处理", "electrochemical treatment"),
    ("好氧堆肥", "aerobic composting"),
    ("低温等离子体", "non-thermal plasma"),
    ("吸附浓缩", "adsorption and concentration"),
    ("梯次利用", "second-life reuse"),
    ("湿法冶金回收", "hydrometallurgical recovery"),
]
BENEFITS = [
    ("运行成本降低30%以上", "cuts operating cost by more than 30%"),
    ("能耗降低25%", "reduces energy use by 25%"),
    ("出水稳定达标", "meets discharge limits reliably"),
    ("占地面积减少40%", "needs 40% less land"),
    ("无二次污染", "without secondary pollution"),
    ("投资回收期不足三年", "pays back in under three years"),
    ("实现碳减排", "delivers carbon emission reductions"),
    ("关键设备国产化", "uses domestically made key equipment"),
]
SCOPES = [
    ("化工园区", "chemical parks"),
    ("制药企业", "pharmaceutical plants"),
    ("钢铁企业", "steel works"),
    ("市政设施", "municipal utilities"),
    ("工业园区", "industrial parks"),
    ("农村地区", "rural areas"),
]

ALL_REGIONS = list(CHINA_PROVINCES)[:31]
MODES = list(TransactionMode.values)
KINDS = [OrganizationType.UNIVERSITY, OrganizationType.INSTITUTE, OrganizationType.ENTERPRISE]


@functools.lru_cache(maxsize=4096)
def _piece(text: str, first_position: int, weight: str) -> str:
    """The tsvector literal of one fragment, its positions starting at `first_position`."""
    literal = tsvector_from_tokens([(analyze(text), weight)])
    return _shift(literal, first_position - 1) if first_position > 1 else literal


def _shift(literal: str, offset: int) -> str:
    return re.sub(r"(?<=[:,])(\d+)", lambda position: str(int(position.group(1)) + offset), literal)


def synthetic_organizations(count: int = 24) -> list[Organization]:
    organizations = []
    for index in range(count):
        body = f"9132{7000 + index:013d}"
        code = body + credit_code_check_character(body)
        organization, _ = Organization.objects.get_or_create(
            credit_code=code,
            defaults={
                "name_zh": f"合成数据技术持有单位{index + 1:02d}",
                "name_en": f"Synthetic technology holder {index + 1:02d}",
                "kind": KINDS[index % len(KINDS)],
                "region": ALL_REGIONS[index % len(ALL_REGIONS)],
                "verification_status": VerificationStatus.VERIFIED,
            },
        )
        organizations.append(organization)
    return organizations


def _row(rng: random.Random, organization, category, now) -> dict:
    """The column values of one technology row, in COPY order (the keys name the columns)."""
    subject, method = rng.choice(SUBJECTS), rng.choice(METHODS)
    benefit, scope, second = rng.choice(BENEFITS), rng.choice(SCOPES), rng.choice(METHODS)
    title_zh = f"{subject[0]}{method[0]}技术"
    title_en = f"{method[1].capitalize()} of {subject[1]}"
    summary_zh = f"面向{scope[0]}的{subject[0]}{method[0]}成套技术，{benefit[0]}。"
    summary_en = f"A {method[1]} package for {subject[1]} in {scope[1]}; {benefit[1]}."
    description_zh = f"核心工艺包括{method[0]}与{second[0]}耦合，{rng.choice(BENEFITS)[0]}。"
    modes = rng.sample(MODES, rng.randint(1, 3))
    price = None if rng.random() < 0.3 else rng.randrange(50, 5000) * 1000
    status = (
        TechnologyStatus.PUBLISHED
        if rng.random() < 0.9
        else rng.choice(
            [TechnologyStatus.DRAFT, TechnologyStatus.SUBMITTED, TechnologyStatus.WITHDRAWN]
        )
    )
    published_at = now - timezone.timedelta(minutes=rng.randrange(0, 2_000_000))
    # Each fragment is analysed and written as a literal once (cached) at a fixed position
    # offset; PostgreSQL merges repeated lexemes when it parses the concatenated literal. Only
    # public fields are indexed (catalog.visibility): the description is not.
    vector = " ".join(
        (
            _piece(subject[0], 1, "A"),
            _piece(method[0], 11, "A"),
            _piece(title_en, 21, "A"),
            _piece(scope[0], 41, "B"),
            _piece(subject[0], 51, "B"),
            _piece(method[0], 61, "B"),
            _piece(benefit[0], 71, "B"),
            _piece(method[1], 81, "B"),
            _piece(subject[1], 91, "B"),
            _piece(scope[1], 101, "B"),
            _piece(benefit[1], 111, "B"),
        )
    )
    return {
        "organization_id": organization.pk,
        "title_zh": title_zh,
        "title_en": title_en,
        "summary_zh": summary_zh,
        "summary_en": summary_en,
        "description_zh": description_zh,
        "description_en": "",
        "category_id": category.pk,
        "keywords": [subject[0], method[0]],
        "trl": rng.randint(1, 9),
        "application_scope": "",
        "advantages": "",
        "economic_comparison": "",
        "transaction_modes": modes,
        "asking_price": price,
        "currency": "CNY",
        "co2e_avoided_tonnes_per_year": None,
        "co2e_method": "",
        "sdg_goals": [],
        "region": organization.region,
        "target_regions": [],
        "nda_text": "",
        "has_granted_patent": rng.random() < 0.5,
        "status": status,
        "search_vector": vector,
        "published_at": published_at if status == TechnologyStatus.PUBLISHED else None,
        "created_at": published_at,
        "updated_at": now,
    }


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]")


def _copy_value(value) -> str:
    """One value in PostgreSQL's COPY text format (arrays of plain words or numbers)."""
    kind = type(value)
    if kind is str:
        # str.translate is slow on long texts; generated texts rarely need it.
        return value.translate(_COPY_ESCAPES) if _NEEDS_ESCAPE.search(value) else value
    if value is None:
        return "\\N"
    if kind is bool:
        return "t" if value else "f"
    if kind is int:
        return str(value)
    if kind is list:
        return "{" + ",".join(f'"{item}"' for item in value) + "}"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _copy_line(row: dict) -> str:
    return "\t".join(map(_copy_value, row.values())) + "\n"


def generate_technologies(count: int, *, seed: int = 2026, batch_size: int = 10000) -> int:
    """Create `count` technologies (summary fields only; no offer or IP rows) with COPY."""
    if count <= 0:
        return 0
    rng = random.Random(seed)
    organizations = synthetic_organizations()
    categories = list(Category.objects.filter(parent__isnull=False))
    now = timezone.now()
    created = 0
    table = Technology._meta.db_table
    columns = ", ".join(_row(random.Random(seed), organizations[0], categories[0], now))
    while created < count:
        size = min(batch_size, count - created)
        with transaction.atomic(), connection.cursor() as cursor:
            # GIN entries of a batch are queued and merged into the indexes in bulk (below)
            # rather than in several 4 MB rounds.
            cursor.execute("SET LOCAL gin_pending_list_limit = '256MB'")
            copy_sql = f"COPY {table} ({columns}) FROM STDIN"
            # Streamed in chunks so the server parses while Python builds the next rows.
            with cursor.cursor.copy(copy_sql) as copy:
                for start in range(0, size, 500):
                    copy.write(
                        "".join(
                            _copy_line(
                                _row(rng, rng.choice(organizations), rng.choice(categories), now)
                            )
                            for _ in range(min(500, size - start))
                        )
                    )
        created += size
    with connection.cursor() as cursor:
        # Merge the queued GIN entries now (searching a long pending list is slow).
        cursor.execute(
            "SELECT gin_clean_pending_list(indexrelid) FROM pg_index JOIN pg_class index "
            "ON index.oid = indexrelid JOIN pg_am am ON am.oid = index.relam "
            "WHERE am.amname = 'gin' AND indrelid IN (%s::regclass, %s::regclass)",
            [table, TechnologySearchEntry._meta.db_table],
        )
    return created
