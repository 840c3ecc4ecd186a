"""Impersonation: an unverified organisation named exactly like a verified one (registered abroad,
so no credit code is asked) must not pass for it. Attacks on deals, proposals and introductions,
and what the other party and the reviewers see."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from accounts import selectors, services
from catalog.choices import TechnologyStatus
from catalog.models import Category, Technology
from exchange import services as exchange_services
from exchange.choices import NeedStatus
from exchange.models import Deal, Introduction, Need, Proposal
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

GENUINE_ZH = "京华技术转移服务中心"
GENUINE_EN = "Jinghua Technology Transfer Centre"


@pytest.fixture
def genuine(db):
    return OrganizationFactory(name_zh=GENUINE_ZH, name_en=GENUINE_EN, region="CN-BJ")


@pytest.fixture
def impostor(genuine):
    # Registered abroad: no unified social credit code is asked; the English name differs
    # from the genuine one only in case and spacing.
    return OrganizationFactory(
        name_zh="",
        name_en="  jinghua technology   TRANSFER centre ",
        region="US",
        credit_code="",
        kind="enterprise",
        verification_status="unverified",
    )


@pytest.fixture
def impostor_user(impostor):
    return UserFactory(roles=["holder", "enterprise"], organization=impostor)


@pytest.fixture
def holder_org(db):
    return OrganizationFactory(name_zh="江南环境工程大学", kind="university")


@pytest.fixture
def holder(holder_org):
    return UserFactory(roles=["holder"], organization=holder_org)


def _technology(organization, status=TechnologyStatus.PUBLISHED, **fields) -> Technology:
    return Technology.objects.create(
        organization=organization,
        status=status,
        published_at=timezone.now() if status == TechnologyStatus.PUBLISHED else None,
        title_zh="内循环厌氧反应器处理高浓度有机废水",
        title_en="Internal-circulation anaerobic reactor",
        summary_zh="化工废水厌氧处理。",
        description_zh="详细工艺。",
        category=Category.objects.get(code="2.4"),
        trl=7,
        transaction_modes=["license", "transfer"],
        region="CN-JS",
        **fields,
    )


def _need(organization, user) -> Need:
    return Need.objects.create(
        organization=organization,
        created_by=user,
        status=NeedStatus.PUBLISHED,
        published_at=timezone.now(),
        title_zh="高浓度有机废水厌氧处理技术需求",
        description_zh="寻求厌氧处理技术。",
        deadline=timezone.localdate() + datetime.timedelta(days=60),
        transaction_modes=["license", "transfer"],
        region="CN-ZJ",
    )


# --- The clash --------------------------------------------------------------------------------


def test_the_clash_ignores_case_spacing_and_full_width_letters(genuine, impostor):
    assert list(selectors.organization_name_clashes(organization=impostor)) == [genuine]
    full_width = OrganizationFactory(
        name_zh="京华技术转移　服务中心",  # an ideographic space inside
        name_en="Someone else",
        region="HK",
        credit_code="",
        verification_status="pending",
    )
    assert list(selectors.organization_name_clashes(organization=full_width)) == [genuine]
    latin = OrganizationFactory(
        name_zh="", name_en="ＪＩＮＧＨＵＡ Technology Transfer Centre", region="DE", credit_code=""
    )
    latin.verification_status = "unverified"
    assert list(selectors.organization_name_clashes(organization=latin)) == [genuine]


def test_a_verified_organisation_and_an_unrelated_name_clash_with_nobody(genuine):
    assert not selectors.organization_name_clashes(organization=genuine).exists()
    other = OrganizationFactory(name_en="Jinghua Water", region="US", credit_code="")
    other.verification_status = "unverified"
    assert not selectors.organization_name_clashes(organization=other).exists()


def test_the_genuine_organisation_is_never_suspect(genuine, impostor):
    assert not selectors.organization_name_clashes(organization=genuine).exists()
    services.organization_may_transact(organization=genuine)  # does not raise


# --- Attacks ----------------------------------------------------------------------------------


def test_the_impostor_cannot_open_a_deal(impostor_user, impostor, holder_org):
    # given a published technology of a genuine holder
    technology = _technology(holder_org)
    # when the impostor opens an inquiry
    with override("en"), pytest.raises(ValidationError) as caught:
        exchange_services.deal_open(
            user=impostor_user, technology=technology, deal_type="license", price=Decimal("1")
        )
    # then it is refused with a clear message and no deal exists
    assert "verified" in " ".join(caught.value.messages)
    assert not Deal.objects.exists()


def test_nobody_can_buy_the_impostors_listing_even_if_a_reviewer_approved_it(
    impostor, impostor_user
):
    # given a listing of the impostor that got published
    technology = _technology(impostor)
    buyer = UserFactory(roles=["enterprise"], organization=OrganizationFactory())
    # when a genuine enterprise opens a deal on it, it is refused: the seller is suspect
    with pytest.raises(ValidationError):
        exchange_services.deal_open(user=buyer, technology=technology, deal_type="license")
    assert not Deal.objects.exists()


def test_the_impostor_cannot_answer_a_need_with_a_proposal(impostor, impostor_user):
    enterprise_org = OrganizationFactory()
    need = _need(enterprise_org, UserFactory(roles=["enterprise"], organization=enterprise_org))
    technology = _technology(impostor)
    with pytest.raises(ValidationError):
        exchange_services.proposal_create(
            user=impostor_user,
            need=need,
            technology=technology,
            approach="厌氧工艺",
            deal_type="license",
            timeline="6 个月",
        )
    assert not Proposal.objects.exists()


def test_a_broker_cannot_introduce_a_technology_to_the_impostor(impostor, holder_org):
    broker = UserFactory(roles=["broker"], organization=OrganizationFactory(kind="intermediary"))
    technology = _technology(holder_org)
    with pytest.raises(ValidationError):
        exchange_services.introduction_create(
            broker=broker, technology=technology, deal_type="license", enterprise=impostor
        )
    assert not Introduction.objects.exists()


def test_the_api_answers_400_with_the_message(api_client_for, impostor_user, holder_org):
    technology = _technology(holder_org)
    response = api_client_for(impostor_user).post(
        "/api/v1/deals/",
        {"technology": technology.pk, "deal_type": "license"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400, response.content
    assert "same name as a verified organisation" in str(response.json())
    assert not Deal.objects.exists()


def test_once_verified_the_organisation_may_transact(impostor, impostor_user, holder_org):
    # a reviewer who checked it is genuine (e.g. the foreign branch) verifies it
    reviewer = UserFactory(roles=["reviewer"])
    services.organization_transition(organization=impostor, user=impostor_user, action="request")
    services.organization_transition(organization=impostor, user=reviewer, action="verify")
    impostor.refresh_from_db()
    deal = exchange_services.deal_open(
        user=impostor_user, technology=_technology(holder_org), deal_type="license"
    )
    assert deal.buyer == impostor


# --- What people see --------------------------------------------------------------------------


def test_the_deal_page_shows_each_partys_verification_mark(client, holder, holder_org):
    # given a deal between a verified holder and an unverified (not clashing) buyer
    buyer_org = OrganizationFactory(
        name_zh="", name_en="Overseas Buyer GmbH", region="DE", credit_code=""
    )
    buyer_org.verification_status = "unverified"
    buyer_org.save()
    buyer = UserFactory(roles=["enterprise"], organization=buyer_org)
    deal = exchange_services.deal_open(
        user=buyer, technology=_technology(holder_org), deal_type="license"
    )
    # when the holder opens the deal page in English
    client.force_login(holder)
    page = client.get(
        reverse("exchange:deal_detail", args=[deal.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    # then the seller carries the verified mark and the buyer the not-verified one
    seller_at = page.index(holder_org.display_name)
    buyer_at = page.index("Overseas Buyer GmbH")
    assert page.index('data-verified="true"', seller_at) < buyer_at
    assert page.index('data-verified="false"', buyer_at) > buyer_at
    assert "Not verified" in page


def test_the_mark_is_translated(client, holder, holder_org):
    technology = _technology(holder_org)
    page = client.get(
        reverse("catalog:technology_detail", args=[technology.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert 'data-testid="verification-mark"' in page
    assert "已认证" in page


def test_reviewers_see_the_clash_in_the_verification_queue(client, impostor, impostor_user):
    services.organization_transition(organization=impostor, user=impostor_user, action="request")
    reviewer = UserFactory(roles=["reviewer"])
    client.force_login(reviewer)
    queue = client.get(reverse("accounts:review_queue")).content.decode()
    assert 'data-testid="name-clash"' in queue
    detail = client.get(reverse("accounts:organization_detail", args=[impostor.pk]))
    assert 'data-testid="name-clash"' in detail.content.decode()
    # the impostor's own members are not shown the reviewers' warning
    client.force_login(impostor_user)
    page = client.get(reverse("accounts:organization_detail", args=[impostor.pk]))
    assert 'data-testid="name-clash"' not in page.content.decode()


def test_reviewers_see_the_clash_when_reviewing_a_listing(client, impostor):
    technology = _technology(impostor, status=TechnologyStatus.SUBMITTED)
    client.force_login(UserFactory(roles=["reviewer"]))
    queue = client.get(reverse("catalog:review_queue")).content.decode()
    assert technology.title_zh in queue
    assert 'data-testid="name-clash"' in queue


def test_the_api_shows_the_clash_to_reviewers_only(
    api_client_for, genuine, impostor_user, impostor
):
    services.organization_transition(organization=impostor, user=impostor_user, action="request")
    reviewer = UserFactory(roles=["reviewer"])
    queue = api_client_for(reviewer).get("/api/v1/organizations/awaiting_verification/").json()
    assert [row["name_clashes"] for row in queue["results"]] == [[genuine.pk]]
    own = api_client_for(impostor_user).get(f"/api/v1/organizations/{impostor.pk}/").json()
    assert own["name_clashes"] == []


@pytest.mark.parametrize("count", [2, 6])
def test_the_clash_check_of_a_queue_is_one_query(
    api_client_for, genuine, count, django_assert_num_queries
):
    reviewer = UserFactory(roles=["reviewer"])
    for number in range(count):
        OrganizationFactory(
            name_zh="",
            name_en=GENUINE_EN.upper() if number % 2 else f"Unrelated {number}",
            region="US",
            credit_code="",
            verification_status="pending",
        )
    client = api_client_for(reviewer)
    # count, page, the reviewer's memberships (allowed actions), the clash check: flat
    with django_assert_num_queries(4):
        rows = client.get("/api/v1/organizations/awaiting_verification/").json()["results"]
    assert sum(1 for row in rows if row["name_clashes"] == [genuine.pk]) == count // 2


def test_the_impostor_cannot_apply_for_financing(impostor, impostor_user):
    # given: a published loan of a verified bank
    from finance import services as finance_services
    from finance.models import FinancingApplication
    from tests.finance.conftest import make_product

    product = make_product(OrganizationFactory(kind="financial", region="CN-SH"))
    # when: the impostor applies
    with pytest.raises(ValidationError) as refused:
        finance_services.application_create(
            user=impostor_user,
            product=product,
            applicant=impostor,
            requested_amount=Decimal("500000"),
        )
    # then: refused with the reason, and no application exists
    assert refused.value.error_list[0].code == "organization_name_clash"
    assert not FinancingApplication.objects.filter(applicant=impostor).exists()
