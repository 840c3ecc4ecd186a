"""Pinned SQL query counts of the list endpoints and list pages not pinned in their own app's
tests: each answers with 2 rows, then with 12, in exactly the same, stated number of queries.

Every row carries a marker (QCROW00 … QCROW11) in its title or name; the answer must show all
of them, so a list that silently drops rows cannot pass for a constant one. Already pinned
elsewhere: technology search (API and page), need and deal list APIs, financing products (API
and page) and applications API, statistics, review desk and regional report.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.choices import OrganizationType, VerificationStatus
from accounts.permissions import forget_memberships
from catalog.models import Category, SavedSearch, Technology, TechnologyEvent
from exchange.models import (
    Deal,
    DealEvent,
    DealMessage,
    DemandList,
    Introduction,
    Need,
    Proposal,
    ProposalMessage,
)
from finance import services as finance_services
from finance.choices import CreditGrade, ProgrammeKind
from finance.models import CreditAssessment, FinancingApplication
from matching.models import Match
from notifications.models import Notification
from programmes.models import (
    Challenge,
    ChallengeSubmission,
    Evaluation,
    EvaluationAssignment,
    Event,
    EventRegistration,
    ExpertProfile,
    Meeting,
    Programme,
    ProgrammeEntry,
)
from tests.factories import OrganizationFactory, UserFactory
from tests.finance.conftest import make_product

pytestmark = pytest.mark.django_db
FEW, MANY = 2, 12
MARKER = re.compile(r"QCROW\d\d")


class Scene:
    """One organisation and one user per role, and the parents that rows hang from."""

    def __init__(self) -> None:
        self.category = Category.objects.get(code="2.4")
        self.holder_org = OrganizationFactory(kind=OrganizationType.UNIVERSITY, region="CN-JS")
        self.holder = UserFactory(roles=["holder"], organization=self.holder_org)
        self.enterprise_org = OrganizationFactory(kind=OrganizationType.ENTERPRISE, region="CN-ZJ")
        CreditAssessment.objects.create(
            organization=self.enterprise_org,
            grade=CreditGrade.A,
            employee_count=80,
            annual_revenue=Decimal("30000000"),
        )
        self.enterprise = UserFactory(roles=["enterprise"], organization=self.enterprise_org)
        self.broker = UserFactory(
            roles=["broker"], organization=OrganizationFactory(kind=OrganizationType.INTERMEDIARY)
        )
        self.bank = OrganizationFactory(kind=OrganizationType.FINANCIAL, region="CN-SH")
        self.financier = UserFactory(roles=["financier"], organization=self.bank)
        self.platform = OrganizationFactory(kind=OrganizationType.OPERATOR)
        # also a programme operator of the platform, so it runs the support programmes
        self.reviewer = UserFactory(roles=["reviewer", "operator"], organization=self.platform)
        self.government = OrganizationFactory(kind=OrganizationType.GOVERNMENT)
        self.operator = UserFactory(roles=[], organization=self.government)
        self.parents: dict[str, object] = {}

    def parent(self, name: str, make: Callable[[Scene], object]):
        if name not in self.parents:
            self.parents[name] = make(self)
        return self.parents[name]


# --- rows ---------------------------------------------------------------------------------------


def technology(scene: Scene, title: str = "废水处理", *, status="published", organization=None):
    return Technology.objects.create(
        organization=organization or scene.holder_org,
        title_zh=title,
        title_en=title,
        summary_zh="化工废水厌氧处理。",
        category=scene.category,
        trl=7,
        transaction_modes=["license", "transfer"],
        region="CN-JS",
        status=status,
        published_at=timezone.now() if status == "published" else None,
    )


def need(scene: Scene, title: str = "废水处理需求", *, status="published") -> Need:
    return Need.objects.create(
        organization=scene.enterprise_org,
        created_by=scene.enterprise,
        title_zh=title,
        title_en=title,
        description_zh="每天 800 吨高浓度有机废水。",
        category=scene.category,
        trl_min=5,
        transaction_modes=["license", "transfer"],
        region="CN-ZJ",
        deadline=timezone.localdate() + datetime.timedelta(days=60),
        status=status,
        submitted_at=timezone.now() if status == "submitted" else None,
        published_at=timezone.now() if status == "published" else None,
    )


def proposal(scene: Scene, marker: str, parent_need: Need) -> Proposal:
    return Proposal.objects.create(
        need=parent_need,
        technology=technology(scene, marker),
        organization=scene.holder_org,
        created_by=scene.holder,
        approach=f"{marker} IC 厌氧 + 好氧",
        deal_type="license",
        timeline="3 个月",
    )


def deal(scene: Scene, title: str = "废水处理", **fields) -> Deal:
    return Deal.objects.create(
        technology=technology(scene, title),
        seller=scene.holder_org,
        buyer=scene.enterprise_org,
        deal_type="license",
        price=Decimal("800000"),
        currency="CNY",
        opened_by=scene.enterprise,
        **fields,
    )


def valuation(scene: Scene, marker: str):
    return finance_services.valuation_create(
        user=scene.holder,
        title=marker,
        first_year_revenue="1000000",
        revenue_growth_rate="0",
        useful_life_years=3,
        royalty_rate="0.05",
        tax_rate="0.25",
        risk_free_rate="0.03",
        technology_premium="0.04",
        market_premium="0.02",
        management_premium="0.01",
        trl=9,
    )


def support_programme(scene: Scene, marker: str = "创新券", *, funded: bool = False):
    programme = finance_services.programme_create(
        user=scene.reviewer,
        operator=scene.platform,
        kind=ProgrammeKind.VOUCHER,
        name_zh=marker,
        name_en=marker,
        maximum_employees=300,
        maximum_annual_revenue=Decimal("200000000"),
    )
    if funded:
        # money has two keys: the reviewer asks, another platform reviewer approves
        second_key = UserFactory(roles=["reviewer"])
        for ask in (finance_services.programme_budget_request,
                    finance_services.programme_funding_request):  # fmt: skip
            finance_services.money_request_transition(
                money_request=ask(programme=programme, user=scene.reviewer, amount="1000"),
                user=second_key,
                action="approve",
            )
            programme.refresh_from_db()
    return programme


def voucher(scene: Scene, marker: str):
    return finance_services.voucher_issue(
        programme=support_programme(scene, marker, funded=True),
        user=scene.reviewer,
        holder=scene.enterprise_org,
        face_value="100.00",
        expires=timezone.localdate() + datetime.timedelta(days=90),
    )


def application(scene: Scene, marker: str, *, status: str = "draft") -> FinancingApplication:
    product = make_product(scene.bank, name_zh=marker, name_en=marker)
    created = finance_services.application_create(
        user=scene.enterprise, product=product, requested_amount=Decimal("200000")
    )
    if status != "draft":
        FinancingApplication.objects.filter(pk=created.pk).update(
            status=status, submitted_at=timezone.now()
        )
    return created


def expert(scene: Scene, marker: str) -> ExpertProfile:
    profile = ExpertProfile.objects.create(
        user=UserFactory(),
        name=marker,
        organization_name="研究院",
        title="教授",
        languages=["zh"],
        bio="工业废水评价。",
        status="verified",
    )
    profile.fields.set([scene.category])
    return profile


def evaluation(scene: Scene, marker: str) -> Evaluation:
    evaluated = Evaluation.objects.create(
        technology=technology(scene, marker),
        requested_by=scene.reviewer,
        requested_as="reviewer",
        status="in_progress",
    )
    panel = scene.parent("expert", lambda s: expert(s, "评审专家"))
    EvaluationAssignment.objects.create(
        evaluation=evaluated, expert=panel, assigned_by=scene.reviewer
    )
    return evaluated


def screening(scene: Scene, marker: str = "遴选计划") -> Programme:
    return Programme.objects.create(
        name=marker,
        positioning="化工园区废水治理",
        operator=scene.government,
        created_by=scene.operator,
        status="screening",
    )


def entry(scene: Scene, marker: str, programme: Programme) -> ProgrammeEntry:
    rank = programme.entries.count() + 1
    return ProgrammeEntry.objects.create(
        programme=programme,
        technology=technology(scene, marker),
        rank=rank,
        total_score=Decimal("70.00"),
        components={"fit": {"score": 0.7, "weight": 40, "contribution": 28.0, "basis": "engine"}},
    )


def event(scene: Scene, marker: str = "对接会", *, status: str = "open") -> Event:
    start = timezone.now() + datetime.timedelta(days=20)
    created = Event.objects.create(
        kind="fair",
        title=marker,
        organizer=scene.broker,
        organizer_organization=scene.broker.memberships.get().organization,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=8),
        registration_closes_at=start - datetime.timedelta(days=1),
        venue="苏州",
        capacity=50,
        languages=["zh"],
        slot_minutes=20,
        meetings_per_participant=20,
        status=status,
    )
    created.featured_technologies.set([technology(scene, f"{marker} 展示")])
    return created


def meeting(scene: Scene, marker: str, fair: Event) -> Meeting:
    registration = EventRegistration.objects.get_or_create(
        event=fair,
        organization=scene.enterprise_org,
        defaults={"registered_by": scene.enterprise, "role": "enterprise"},
    )[0]
    starts_at = fair.starts_at + datetime.timedelta(minutes=20 * fair.meetings.count())
    featured = technology(scene, marker)
    fair.featured_technologies.add(featured)
    return Meeting.objects.create(
        event=fair,
        registration=registration,
        enterprise=scene.enterprise_org,
        technology=featured,
        holder=scene.holder_org,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=20),
        booked_by=scene.enterprise,
    )


def challenge(scene: Scene, marker: str = "揭榜挂帅") -> Challenge:
    created = Challenge.objects.create(
        title=marker,
        description="征集废水治理方案",
        closes_at=timezone.now() + datetime.timedelta(days=30),
        region="CN-ZJ",
        operator=scene.government,
        created_by=scene.operator,
        status="open",
    )
    created.needs.set([need(scene, f"{marker} 需求")])
    return created


def announced_challenge(scene: Scene, marker: str) -> Challenge:
    """A challenge whose winner is on show: the list reads every challenge's winners."""
    announced = challenge(scene, marker)
    Challenge.objects.filter(pk=announced.pk).update(
        status="announced", announcement="揭榜结果", announced_at=timezone.now()
    )
    ChallengeSubmission.objects.filter(pk=submission(scene, f"{marker}方案", announced).pk).update(
        is_winner=True, award="一等奖"
    )
    return announced


def submission(scene: Scene, marker: str, parent: Challenge) -> ChallengeSubmission:
    return ChallengeSubmission.objects.create(
        challenge=parent, proposal=proposal(scene, marker, parent.needs.get())
    )


def match(scene: Scene, *, parent_need: Need, parent_technology: Technology) -> Match:
    return Match.objects.create(
        need=parent_need,
        technology=parent_technology,
        score=80.0,
        components={
            "text": {"score": 0.8, "weight": 0.5, "reason_zh": "文本相近", "reason_en": "Similar"}
        },
        reasons_zh=["文本相近"],
        reasons_en=["Similar text"],
    )


# --- cases --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """GET `url` as `actor` (a Scene attribute, None for anonymous) after `add(scene, marker)`
    made one more row; `{parent}` in the url is the id of the case's parent object. Its
    query count is pinned in PINNED."""

    name: str
    url: str
    actor: str | None
    add: Callable[[Scene, str], object]
    parent: Callable[[Scene], object] | None = None
    settings: dict = field(default_factory=dict)


def _parent(scene: Scene, case: Case):
    return scene.parent(case.name, case.parent) if case.parent else None


API_CASES = [
    Case(
        "api organizations",
        "/api/v1/organizations/",
        "holder",
        lambda s, m: OrganizationFactory(name_zh=m, name_en=m),
    ),
    Case(
        "api categories",
        "/api/v1/categories/",
        "holder",
        lambda s, m: Category.objects.create(
            code=f"2.{90 + int(m[-2:])}", name_zh=m, name_en=m, parent=s.category.parent
        ),
    ),
    Case(
        "api saved searches",
        "/api/v1/saved-searches/",
        "holder",
        lambda s, m: SavedSearch.objects.create(user=s.holder, name=m, query="废水"),
    ),
    Case(
        "api demand lists",
        "/api/v1/demand-lists/",
        "enterprise",
        lambda s, m: DemandList.objects.create(
            title_zh=m,
            period_start=timezone.localdate(),
            period_end=timezone.localdate(),
            published_by=s.reviewer,
        ).needs.add(need(s)),
    ),
    Case(
        "api demand list needs",
        "/api/v1/demand-lists/{parent}/needs/",
        "holder",
        lambda s, m: s.parents["api demand list needs"].needs.add(need(s, m)),
        parent=lambda s: DemandList.objects.create(
            title_zh="需求清单",
            period_start=timezone.localdate(),
            period_end=timezone.localdate(),
            published_by=s.reviewer,
        ),
    ),
    Case(
        "api proposals",
        "/api/v1/proposals/",
        "enterprise",
        lambda s, m: proposal(s, m, s.parents["api proposals"]),
        parent=need,
    ),
    Case(
        "api proposal messages",
        "/api/v1/proposals/{parent}/messages/",
        "holder",
        lambda s, m: ProposalMessage.objects.create(
            proposal=s.parents["api proposal messages"], author=s.enterprise, body=m
        ),
        parent=lambda s: proposal(s, "方案", need(s)),
    ),
    Case(
        "api introductions",
        "/api/v1/introductions/",
        "broker",
        lambda s, m: Introduction.objects.create(
            broker=s.broker,
            technology=technology(s, m),
            enterprise=s.enterprise_org,
            deal_type="license",
            note=m,
        ),
    ),
    Case(
        "api deal timeline",
        "/api/v1/deals/{parent}/timeline/",
        "holder",
        lambda s, m: DealEvent.objects.create(
            deal=s.parents["api deal timeline"], actor=s.holder, action="message", note=m
        ),
        parent=deal,
    ),
    Case(
        "api deal messages",
        "/api/v1/deals/{parent}/messages/",
        "holder",
        lambda s, m: DealMessage.objects.create(
            deal=s.parents["api deal messages"], author=s.enterprise, body=m
        ),
        parent=deal,
    ),
    Case("api valuations", "/api/v1/finance/valuations/", "holder", valuation),
    Case("api vouchers", "/api/v1/finance/vouchers/", "enterprise", voucher),
    Case(
        "api support programmes",
        "/api/v1/finance/programmes/",
        "reviewer",
        support_programme,
    ),
    Case(
        "api support programme dashboard",
        "/api/v1/finance/dashboard/programmes/",
        "reviewer",
        support_programme,
    ),
    Case(
        "api technology history",
        "/api/v1/technologies/{parent}/history/",
        "holder",
        lambda s, m: TechnologyEvent.objects.create(
            technology=s.parents["api technology history"], actor=s.holder, action="edit", note=m
        ),
        parent=lambda s: technology(s, status="draft"),
    ),
    Case("api experts", "/api/v1/experts/", "holder", expert),
    Case("api evaluations", "/api/v1/evaluations/", "reviewer", evaluation),
    Case("api screening programmes", "/api/v1/programmes/", "operator", screening),
    Case(
        "api screening shortlist",
        "/api/v1/programmes/{parent}/shortlist/",
        "operator",
        lambda s, m: entry(s, m, s.parents["api screening shortlist"]),
        parent=screening,
    ),
    Case("api events", "/api/v1/events/", "enterprise", event),
    Case(
        "api event meetings",
        "/api/v1/events/{parent}/meetings/",
        "enterprise",
        lambda s, m: meeting(s, m, s.parents["api event meetings"]),
        parent=event,
    ),
    Case("api challenges", "/api/v1/challenges/", "holder", announced_challenge),
    Case(
        "api challenge submissions",
        "/api/v1/challenges/{parent}/submissions/",
        "operator",
        lambda s, m: submission(s, m, s.parents["api challenge submissions"]),
        parent=challenge,
    ),
    Case(
        "api need matches",
        "/api/v1/needs/{parent}/matches/",
        "enterprise",
        lambda s, m: match(
            s, parent_need=s.parents["api need matches"], parent_technology=technology(s, m)
        ),
        parent=need,
    ),
    Case(
        "api technology matches",
        "/api/v1/technologies/{parent}/matches/",
        "holder",
        lambda s, m: match(
            s, parent_need=need(s, m), parent_technology=s.parents["api technology matches"]
        ),
        parent=technology,
    ),
]

PAGE_CASES = [
    Case(
        "page notifications",
        "/me/notifications/",
        "holder",
        lambda s, m: Notification.objects.create(recipient=s.holder, title=m),
    ),
    Case(
        "page verification queue",
        "/me/review/",
        "reviewer",
        lambda s, m: OrganizationFactory(
            name_zh=m, name_en=m, verification_status=VerificationStatus.PENDING
        ),
    ),
    Case("page my technologies", "/technologies/mine/", "holder", technology),
    Case(
        "page technology review queue",
        "/technologies/review/",
        "reviewer",
        lambda s, m: technology(s, m, status="submitted"),
    ),
    Case("page need list", "/exchange/needs/", "holder", need),
    Case(
        "page my needs",
        "/exchange/needs/mine/",
        "enterprise",
        lambda s, m: need(s, m, status="draft"),
    ),
    Case(
        "page need proposals",
        "/exchange/needs/{parent}/",
        "enterprise",
        lambda s, m: proposal(s, m, s.parents["page need proposals"]),
        parent=need,
    ),
    Case(
        "page demand lists",
        "/exchange/demand-lists/",
        "enterprise",
        lambda s, m: DemandList.objects.create(
            title_zh=m,
            period_start=timezone.localdate(),
            period_end=timezone.localdate(),
            published_by=s.reviewer,
        ),
    ),
    Case("page deal list", "/exchange/deals/", "holder", deal),
    Case(
        "page deal room messages",
        "/exchange/deals/{parent}/",
        "holder",
        lambda s, m: DealMessage.objects.create(
            deal=s.parents["page deal room messages"], author=s.enterprise, body=m
        ),
        parent=deal,
    ),
    Case(
        "page deal review queue",
        "/exchange/review/",
        "reviewer",
        lambda s, m: (
            deal(
                s,
                m,
                stage="submitted_for_review",
                review_requested_at=timezone.now(),
                broker=s.broker,
            ),
            need(s, m, status="submitted"),
        ),
    ),
    Case(
        "page introductions",
        "/exchange/introductions/",
        "broker",
        lambda s, m: Introduction.objects.create(
            broker=s.broker,
            technology=technology(s, m),
            enterprise=s.enterprise_org,
            deal_type="license",
        ),
    ),
    Case(
        "page lead board",
        "/matching/leads/",
        "broker",
        lambda s, m: match(s, parent_need=need(s, m), parent_technology=technology(s, m)),
        settings={"MATCHING_STRONG_SCORE": 1},
    ),
    Case(
        "page financing applications",
        "/finance/applications/",
        "enterprise",
        application,
    ),
    Case(
        "page financier pipeline",
        "/finance/pipeline/",
        "financier",
        lambda s, m: application(s, m, status="submitted"),
    ),
    Case("page valuations", "/finance/valuations/", "holder", valuation),
    Case("page vouchers", "/finance/vouchers/", "enterprise", voucher),
    Case("page support programmes", "/finance/programmes/", "reviewer", support_programme),
    Case("page expert directory", "/programmes/experts/", "holder", expert),
    Case("page evaluations", "/programmes/evaluations/", "reviewer", evaluation),
    Case("page screening programmes", "/programmes/", "operator", screening),
    Case(
        "page screening shortlist",
        "/programmes/{parent}/",
        "operator",
        lambda s, m: entry(s, m, s.parents["page screening shortlist"]),
        parent=screening,
    ),
    Case("page events", "/programmes/events/", "enterprise", event),
    Case(
        "page event meetings",
        "/programmes/events/{parent}/",
        "broker",
        lambda s, m: meeting(s, m, s.parents["page event meetings"]),
        parent=event,
    ),
    Case("page challenges", "/programmes/challenges/", "holder", challenge),
    Case(
        "page challenge submissions",
        "/programmes/challenges/{parent}/",
        "operator",
        lambda s, m: submission(s, m, s.parents["page challenge submissions"]),
        parent=challenge,
    ),
]

CASES = API_CASES + PAGE_CASES
# The number of SQL queries of each list, whatever its length. A change is a decision: look at
# the queries the failure lists, then pin the new number here. API counts include the lookup of
# the reader's memberships, which every real request makes (see _measure).
PINNED = {
    "api organizations": 3,
    "api categories": 1,
    "api saved searches": 2,
    "api demand lists": 2,
    "api demand list needs": 5,
    "api proposals": 3,
    "api proposal messages": 2,
    "api introductions": 3,
    # the deal's export-licence checks are prefetched with it (export screening)
    "api deal timeline": 4,
    "api deal messages": 5,
    "api valuations": 3,
    "api vouchers": 3,
    "api support programmes": 2,
    "api support programme dashboard": 5,
    "api technology history": 7,
    "api experts": 4,
    "api evaluations": 6,
    "api screening programmes": 4,
    "api screening shortlist": 6,
    "api events": 6,
    "api event meetings": 6,
    "api challenges": 5,
    "api challenge submissions": 7,
    "api need matches": 4,
    "api technology matches": 4,
    "page notifications": 4,
    "page verification queue": 6,  # + role requests, + one name-clash check for the queue
    "page my technologies": 6,
    "page technology review queue": 6,  # + the completeness minimum (one row)
    "page need list": 7,
    "page my needs": 4,
    "page need proposals": 9,
    "page demand lists": 4,
    "page deal list": 5,
    "page deal room messages": 11,
    "page deal review queue": 6,
    "page introductions": 17,  # + the choices of the two co-brokering centres
    "page lead board": 4,
    "page financing applications": 5,
    "page financier pipeline": 8,
    "page valuations": 5,
    "page vouchers": 7,
    "page support programmes": 10,
    "page expert directory": 9,
    "page evaluations": 8,
    "page screening programmes": 5,
    "page screening shortlist": 11,
    "page events": 5,
    "page event meetings": 11,
    "page challenges": 5,
    "page challenge submissions": 11,
}


def _client(case: Case, scene: Scene):
    user = getattr(scene, case.actor) if case.actor else None
    if case.url.startswith("/api/"):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _measure(client, url: str) -> tuple[int, set[str], list[str]]:
    # A forced API user is the same object on every request; a real request loads a fresh one,
    # without the memberships an earlier request kept on it.
    forced_user = getattr(getattr(client, "handler", None), "_force_user", None)
    if forced_user is not None:
        forget_memberships(user=forced_user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return (
        len(queries),
        set(MARKER.findall(response.content.decode())),
        [query["sql"][:120] for query in queries],
    )


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_query_count_is_pinned_and_does_not_grow_with_rows(case, settings):
    # given two rows
    for name, value in case.settings.items():
        setattr(settings, name, value)
    scene = Scene()
    parent = _parent(scene, case)
    url = case.url.format(parent=getattr(parent, "pk", ""))
    for index in range(FEW):
        case.add(scene, f"QCROW{index:02d}")
    client = _client(case, scene)
    client.get(url)  # per-process caches (content types, settings) are warm from here on
    # when the list is read with two rows, then with twelve
    few, few_markers, few_sql = _measure(client, url)
    for index in range(FEW, MANY):
        case.add(scene, f"QCROW{index:02d}")
    many, many_markers, many_sql = _measure(client, url)
    # then every row is shown, in the same pinned number of queries
    assert len(few_markers) == FEW and len(many_markers) == MANY
    assert few == many, "\n".join(sorted(set(many_sql) - set(few_sql)) or many_sql)
    assert many == PINNED[case.name], "\n".join(many_sql)


def test_every_case_has_a_pinned_count():
    assert [case.name for case in CASES] == list(PINNED)
