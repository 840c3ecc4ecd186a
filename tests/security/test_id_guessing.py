"""No object is reachable by guessing an id (issue #9): every API write that takes the id of a
technology, need, deal, organisation, programme or application answers another organisation's
private row exactly like an id that belongs to nobody — same status, same body once the id is
blanked out — and creates nothing."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.choices import OrganizationType, VerificationStatus
from catalog.models import Category, Technology
from exchange.models import Deal, Introduction, Need, Proposal
from finance.models import (
    FinancingApplication,
    FinancingProduct,
    InterestSubsidy,
    SupportProgramme,
    Valuation,
    Voucher,
)
from programmes.models import (
    Challenge,
    ChallengeSubmission,
    ConsultingRequest,
    Evaluation,
    Event,
    ExpertProfile,
    Meeting,
    Programme,
)
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db
NOBODY = 999_999_999


@dataclass
class Probe:
    """One write: who posts, where, the body around the probed id, and the rows it would add."""

    user: object
    path: str
    body: Callable[[int], dict]
    private_id: int
    created: Callable[[], int]


def _later(days: int) -> str:
    return (timezone.now() + datetime.timedelta(days=days)).isoformat()


def _category() -> Category:
    return Category.objects.get(code="2.4")


def _technology(organization, status: str = "published") -> Technology:
    return Technology.objects.create(
        organization=organization,
        status=status,
        title_zh="未公开的技术" if status != "published" else "已发布的技术",
        summary_zh="x",
        category=_category(),
        trl=6,
        transaction_modes=["license", "consulting", "service"],
    )


def _need(organization, status: str = "draft") -> Need:
    return Need.objects.create(
        organization=organization,
        created_by=UserFactory(organization=organization),
        status=status,
        title_zh="机密的废水零排放需求",
        description_zh="尚未发布。",
        category=_category(),
        region="CN-ZJ",
        deadline=timezone.localdate() + datetime.timedelta(days=30),
    )


@pytest.fixture
def stranger():
    """Another organisation (verified) with private rows an outsider must not detect."""
    return OrganizationFactory()


@pytest.fixture
def holder():
    return UserFactory(roles=["holder", "enterprise"], organization=OrganizationFactory())


@pytest.fixture
def private(stranger):
    third = OrganizationFactory()
    return {
        "technology": _technology(stranger, status="submitted"),
        "need": _need(stranger),
        "organization": OrganizationFactory(verification_status=VerificationStatus.PENDING),
        "deal": Deal.objects.create(
            technology=_technology(stranger),
            seller=stranger,
            buyer=third,
            deal_type="license",
        ),
    }


def _operator():
    return UserFactory(roles=[], organization=OrganizationFactory(kind="government"))


def _finance_operator():
    """A programme operator of the platform who is no reviewer: it sees only what is public."""
    return UserFactory(
        roles=["operator"], organization=OrganizationFactory(kind=OrganizationType.OPERATOR)
    )


def _support_programme(operator, kind: str) -> SupportProgramme:
    from finance import services

    programme = services.programme_create(
        user=operator,
        operator=operator.memberships.get().organization,
        kind=kind,
        name_zh="计划",
        subsidy_ratio=Decimal("0.5"),
    )
    # money has two keys: a platform reviewer approves the budget and the funding
    second_key = UserFactory(roles=["reviewer"])
    for ask in (services.programme_budget_request, services.programme_funding_request):
        services.money_request_transition(
            money_request=ask(programme=programme, user=operator, amount="100000"),
            user=second_key,
            action="approve",
        )
        programme.refresh_from_db()
    return programme


# --- the writes probed ------------------------------------------------------------------------


def deal_technology(holder, private, stranger):
    return Probe(
        holder,
        "/api/v1/deals/",
        lambda pk: {"technology": pk, "deal_type": "license"},
        private["technology"].pk,
        Deal.objects.count,
    )


def deal_need(holder, private, stranger):
    technology = _technology(stranger)
    return Probe(
        holder,
        "/api/v1/deals/",
        lambda pk: {"technology": technology.pk, "need": pk, "deal_type": "license"},
        private["need"].pk,
        Deal.objects.count,
    )


def _proposal_body(technology: int, need: int) -> dict:
    return {
        "technology": technology,
        "need": need,
        "approach": "膜法处理",
        "deal_type": "license",
        "timeline": "三个月",
    }


def proposal_technology(holder, private, stranger):
    need = _need(stranger, status="published")
    return Probe(
        holder,
        "/api/v1/proposals/",
        lambda pk: _proposal_body(pk, need.pk),
        private["technology"].pk,
        Proposal.objects.count,
    )


def proposal_need(holder, private, stranger):
    own = _technology(holder.memberships.get().organization)
    return Probe(
        holder,
        "/api/v1/proposals/",
        lambda pk: _proposal_body(own.pk, pk),
        private["need"].pk,
        Proposal.objects.count,
    )


def _broker():
    return UserFactory(roles=["broker"], organization=OrganizationFactory(kind="intermediary"))


def introduction_technology(holder, private, stranger):
    enterprise = OrganizationFactory()
    return Probe(
        _broker(),
        "/api/v1/introductions/",
        lambda pk: {"technology": pk, "enterprise": enterprise.pk, "deal_type": "license"},
        private["technology"].pk,
        Introduction.objects.count,
    )


def introduction_need(holder, private, stranger):
    technology = _technology(OrganizationFactory())
    return Probe(
        _broker(),
        "/api/v1/introductions/",
        lambda pk: {"technology": technology.pk, "need": pk, "deal_type": "license"},
        private["need"].pk,
        Introduction.objects.count,
    )


def introduction_enterprise(holder, private, stranger):
    technology = _technology(stranger)
    return Probe(
        _broker(),
        "/api/v1/introductions/",
        lambda pk: {"technology": technology.pk, "enterprise": pk, "deal_type": "license"},
        private["organization"].pk,
        Introduction.objects.count,
    )


def technology_organization(holder, private, stranger):
    return Probe(
        holder,
        "/api/v1/technologies/",
        lambda pk: {"organization": pk, "title_zh": "新技术"},
        private["organization"].pk,
        Technology.objects.count,
    )


def consulting_technology(holder, private, stranger):
    expert = ExpertProfile.objects.create(
        user=UserFactory(organization=stranger),
        name="专家甲",
        organization=stranger,
        title="教授",
        bio="x",
        status="verified",
        offers_consulting=True,
    )
    return Probe(
        holder,
        f"/api/v1/experts/{expert.pk}/consulting/",
        lambda pk: {"technology": pk, "topic": "膜污染"},
        private["technology"].pk,
        ConsultingRequest.objects.count,
    )


def expert_organization(holder, private, stranger):
    return Probe(
        UserFactory(),
        "/api/v1/experts/",
        lambda pk: {
            "name": "专家乙",
            "title": "研究员",
            "organization": pk,
            "fields": ["2.4"],
            "languages": ["zh"],
            "bio": "x",
        },
        private["organization"].pk,
        ExpertProfile.objects.count,
    )


def expert_declared_conflicts(holder, private, stranger):
    return Probe(
        UserFactory(),
        "/api/v1/experts/",
        lambda pk: {
            "name": "专家丙",
            "title": "研究员",
            "organization_name": "某大学",
            "fields": ["2.4"],
            "languages": ["zh"],
            "bio": "x",
            "declared_conflicts": [pk],
        },
        private["organization"].pk,
        ExpertProfile.objects.count,
    )


def evaluation_technology(holder, private, stranger):
    return Probe(
        holder,
        "/api/v1/evaluations/",
        lambda pk: {"technology": pk},
        private["technology"].pk,
        Evaluation.objects.count,
    )


def screening_programme_operator(holder, private, stranger):
    return Probe(
        _operator(),
        "/api/v1/programmes/",
        lambda pk: {"name": "遴选", "positioning": "废水", "operator": pk},
        OrganizationFactory(kind="government", verification_status=VerificationStatus.PENDING).pk,
        Programme.objects.count,
    )


def _event_body(**ids) -> dict:
    return {
        "kind": "roadshow",
        "title": "路演",
        "starts_at": _later(20),
        "ends_at": _later(21),
        "registration_closes_at": _later(10),
        "languages": ["zh"],
        "capacity": 20,
        "venue": "杭州",
        **ids,
    }


def event_technologies(holder, private, stranger):
    return Probe(
        _broker(),
        "/api/v1/events/",
        lambda pk: _event_body(technologies=[pk]),
        private["technology"].pk,
        Event.objects.count,
    )


def event_needs(holder, private, stranger):
    technology = _technology(stranger)
    return Probe(
        _broker(),
        "/api/v1/events/",
        lambda pk: _event_body(technologies=[technology.pk], needs=[pk]),
        private["need"].pk,
        Event.objects.count,
    )


def event_programme(holder, private, stranger):
    operator = _operator()
    others = Programme.objects.create(
        name="别人的遴选", positioning="x", operator=OrganizationFactory(kind="government")
    )
    technology = _technology(stranger)
    return Probe(
        operator,
        "/api/v1/events/",
        lambda pk: _event_body(technologies=[technology.pk], programme=pk),
        others.pk,
        Event.objects.count,
    )


def meeting_technology(holder, private, stranger):
    now = timezone.now()
    event = Event.objects.create(
        kind="matchmaking",
        title="对接会",
        starts_at=now + datetime.timedelta(days=20),
        ends_at=now + datetime.timedelta(days=20, hours=4),
        registration_closes_at=now + datetime.timedelta(days=10),
        capacity=20,
        venue="杭州",
        status="open",
    )
    return Probe(
        holder,
        f"/api/v1/events/{event.pk}/meetings/",
        lambda pk: {"technology": pk, "starts_at": event.starts_at.isoformat()},
        private["technology"].pk,
        Meeting.objects.count,
    )


def challenge_operator(holder, private, stranger):
    need = _need(stranger, status="published")
    return Probe(
        _operator(),
        "/api/v1/challenges/",
        lambda pk: {
            "title": "揭榜",
            "description": "x",
            "closes_at": _later(9),
            "region": "CN-ZJ",
            "needs": [need.pk],
            "operator": pk,
        },
        OrganizationFactory(kind="government", verification_status=VerificationStatus.PENDING).pk,
        Challenge.objects.count,
    )


def _open_challenge(need: Need) -> Challenge:
    challenge = Challenge.objects.create(
        title="揭榜",
        description="x",
        operator=OrganizationFactory(kind="government"),
        closes_at=timezone.now() + datetime.timedelta(days=9),
        region="CN-ZJ",
        status="published",
    )
    challenge.needs.add(need)
    return challenge


def _submission_body(need: int, technology: int) -> dict:
    return {
        "need": need,
        "technology": technology,
        "approach": "膜法",
        "deal_type": "license",
        "timeline": "三个月",
    }


def challenge_submission_need(holder, private, stranger):
    challenge = _open_challenge(_need(stranger, status="published"))
    own = _technology(holder.memberships.get().organization)
    return Probe(
        holder,
        f"/api/v1/challenges/{challenge.pk}/submit/",
        lambda pk: _submission_body(pk, own.pk),
        private["need"].pk,
        ChallengeSubmission.objects.count,
    )


def challenge_submission_technology(holder, private, stranger):
    need = _need(stranger, status="published")
    challenge = _open_challenge(need)
    return Probe(
        holder,
        f"/api/v1/challenges/{challenge.pk}/submit/",
        lambda pk: _submission_body(need.pk, pk),
        private["technology"].pk,
        ChallengeSubmission.objects.count,
    )


def _published_product(**overrides) -> FinancingProduct:
    fields = dict(
        institution=OrganizationFactory(kind=OrganizationType.FINANCIAL),
        kind="green_loan",
        status="published",
        name_zh="绿色贷款",
        currency="CNY",
        amount_min=Decimal("1000"),
        amount_max=Decimal("5000000"),
        eligible_organization_kinds=["enterprise"],
    )
    fields.update(overrides)
    return FinancingProduct.objects.create(**fields)


def _application_body(product: int, **ids) -> dict:
    return {"product": product, "requested_amount": "100000.00", **ids}


def application_product(holder, private, stranger):
    draft = _published_product(status="draft")
    return Probe(
        holder,
        "/api/v1/finance/applications/",
        lambda pk: _application_body(pk),
        draft.pk,
        FinancingApplication.objects.count,
    )


def application_technology(holder, private, stranger):
    product = _published_product()
    return Probe(
        holder,
        "/api/v1/finance/applications/",
        lambda pk: _application_body(product.pk, technology=pk),
        private["technology"].pk,
        FinancingApplication.objects.count,
    )


def application_deal(holder, private, stranger):
    product = _published_product()
    return Probe(
        holder,
        "/api/v1/finance/applications/",
        lambda pk: _application_body(product.pk, deal=pk),
        private["deal"].pk,
        FinancingApplication.objects.count,
    )


def application_applicant(holder, private, stranger):
    product = _published_product()
    return Probe(
        holder,
        "/api/v1/finance/applications/",
        lambda pk: _application_body(product.pk, applicant=pk),
        private["organization"].pk,
        FinancingApplication.objects.count,
    )


def _valuation_body(**ids) -> dict:
    return {
        "title": "估值",
        "first_year_revenue": "1000000",
        "revenue_growth_rate": "0.1",
        "useful_life_years": 5,
        "royalty_rate": "0.05",
        "tax_rate": "0.25",
        "risk_free_rate": "0.03",
        "technology_premium": "0.05",
        "market_premium": "0.03",
        "management_premium": "0.02",
        "trl": 6,
        **ids,
    }


def valuation_technology(holder, private, stranger):
    return Probe(
        holder,
        "/api/v1/finance/valuations/",
        lambda pk: _valuation_body(technology=pk),
        private["technology"].pk,
        Valuation.objects.count,
    )


def valuation_organization(holder, private, stranger):
    return Probe(
        holder,
        "/api/v1/finance/valuations/",
        lambda pk: _valuation_body(organization=pk),
        private["organization"].pk,
        Valuation.objects.count,
    )


def product_institution(holder, private, stranger):
    financier = UserFactory(
        roles=["financier"], organization=OrganizationFactory(kind=OrganizationType.FINANCIAL)
    )
    return Probe(
        financier,
        "/api/v1/finance/products/",
        lambda pk: {
            "institution": pk,
            "name_zh": "新贷款",
            "kind": "green_loan",
            "amount_min": "1000",
            "amount_max": "100000",
        },
        OrganizationFactory(
            kind=OrganizationType.FINANCIAL, verification_status=VerificationStatus.PENDING
        ).pk,
        FinancingProduct.objects.count,
    )


def support_programme_operator(holder, private, stranger):
    return Probe(
        _finance_operator(),
        "/api/v1/finance/programmes/",
        lambda pk: {"operator": pk, "kind": "voucher", "name_zh": "创新券"},
        OrganizationFactory(
            kind=OrganizationType.OPERATOR, verification_status=VerificationStatus.PENDING
        ).pk,
        SupportProgramme.objects.count,
    )


def voucher_holder(holder, private, stranger):
    operator = _finance_operator()
    programme = _support_programme(operator, "voucher")
    return Probe(
        operator,
        f"/api/v1/finance/programmes/{programme.pk}/vouchers/",
        lambda pk: {
            "holder": pk,
            "face_value": "100.00",
            "expires": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        },
        private["organization"].pk,
        Voucher.objects.count,
    )


def subsidy_application(holder, private, stranger):
    operator = _finance_operator()
    programme = _support_programme(operator, "interest_subsidy")
    draft = FinancingApplication.objects.create(
        product=_published_product(),
        applicant=stranger,
        requested_amount=Decimal("100000"),
        currency="CNY",
    )
    return Probe(
        operator,
        f"/api/v1/finance/programmes/{programme.pk}/subsidies/",
        lambda pk: {
            "application": pk,
            "annual_rate": "0.0435",
            "period_start": "2026-01-01",
            "period_end": "2026-04-01",
        },
        draft.pk,
        InterestSubsidy.objects.count,
    )


PROBES = [
    deal_technology,
    deal_need,
    proposal_technology,
    proposal_need,
    introduction_technology,
    introduction_need,
    introduction_enterprise,
    technology_organization,
    consulting_technology,
    expert_organization,
    expert_declared_conflicts,
    evaluation_technology,
    screening_programme_operator,
    event_technologies,
    event_needs,
    event_programme,
    meeting_technology,
    challenge_operator,
    challenge_submission_need,
    challenge_submission_technology,
    application_product,
    application_technology,
    application_deal,
    application_applicant,
    valuation_technology,
    valuation_organization,
    product_institution,
    support_programme_operator,
    voucher_holder,
    subsidy_application,
]


@pytest.mark.parametrize("make_probe", PROBES, ids=lambda probe: probe.__name__)
def test_a_private_row_answers_like_a_missing_one(
    api_client_for, holder, private, stranger, make_probe
):
    # given a write naming another organisation's private row, and the same write naming no row
    probe = make_probe(holder, private, stranger)
    client = api_client_for(probe.user)
    before = probe.created()
    # when
    hidden = client.post(probe.path, probe.body(probe.private_id), format="json")
    missing = client.post(probe.path, probe.body(NOBODY), format="json")
    # then both are refused alike, and the refusal is about the id, not something else
    assert hidden.status_code == missing.status_code
    assert missing.status_code in (400, 404), missing.content
    hidden_text = hidden.content.decode().replace(str(probe.private_id), "<id>")
    missing_text = missing.content.decode().replace(str(NOBODY), "<id>")
    assert hidden_text == missing_text
    if missing.status_code == 400:
        assert _probed_field(make_probe) in missing.json(), missing_text
    assert probe.created() == before


def _probed_field(make_probe) -> str:
    """The body key a probe names: the last word of its name (`event_needs` → `needs`)."""
    name = make_probe.__name__
    return "declared_conflicts" if name.endswith("declared_conflicts") else name.rsplit("_", 1)[1]
