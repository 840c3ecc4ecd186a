import pytest

from catalog import services
from catalog.choices import TechnologyStatus
from catalog.models import Technology


def technology_data(**overrides) -> dict:
    data = {
        "title_zh": "高浓度有机废水厌氧处理技术",
        "title_en": "Anaerobic treatment of high-strength organic wastewater",
        "summary_zh": "内循环厌氧反应器处理化工、制药高浓度有机废水，COD去除率高。",
        "summary_en": "An internal-circulation anaerobic reactor for chemical and pharmaceutical "
        "wastewater with high COD removal.",
        "description_zh": "机密：反应器三相分离器结构与颗粒污泥驯化工艺参数。",
        "description_en": "Confidential: three-phase separator design and sludge start-up recipe.",
        "category": "2.4",
        "keywords": ["厌氧", "IC反应器"],
        "trl": 7,
        # enough of what buyers need (catalog.completeness) to be submitted: 75 of 100
        "application_scope": "已在三个示范项目连续运行两年",
        "advantages": "与常规方案相比能耗更低，占地省一半。",
        "transaction_modes": ["license", "transfer"],
        "asking_price": "800000.00",
        "currency": "CNY",
        "region": "CN-JS",
        "patents": [
            {"number": "ZL202010123456.2", "kind": "invention_patent", "status": "granted"}
        ],
        "performance_figures": [{"metric": "容积负荷上限", "value": "25", "unit": "kgCOD/m3·d"}],
    }
    data.update(overrides)
    return data


def make_technology(owner, *, status=TechnologyStatus.DRAFT, **overrides) -> Technology:
    """A technology created through the service, then moved to `status` directly (fixture)."""
    organization = owner.memberships.first().organization
    technology = services.technology_create(
        user=owner, organization=organization, data=technology_data(**overrides)
    )
    if status != TechnologyStatus.DRAFT:
        published_at = technology.created_at if status == TechnologyStatus.PUBLISHED else None
        Technology.objects.filter(pk=technology.pk).update(status=status, published_at=published_at)
        technology.refresh_from_db()
    return technology


@pytest.fixture
def published(owner):
    return make_technology(owner, status=TechnologyStatus.PUBLISHED)
