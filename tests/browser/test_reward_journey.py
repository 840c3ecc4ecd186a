"""Rewards to inventors: a university's administrator sets a reward policy (refused first for
shares that do not add up to 100 %), a buyer completes a deal, and the administrator and an
inventor see the split of its income."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.choices import MembershipRole, OrganizationType
from accounts.models import Membership
from catalog.choices import TechnologyStatus
from catalog.models import Category, Technology, TechnologyInventor
from exchange.choices import DealAction, DealStage
from exchange.models import Deal
from exchange.services import deal_transition
from finance.models import RewardPolicy, RewardSplit
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_sets_a_policy_and_sees_the_split(page, live_server):
    # given a university, its administrator, an inventor and a deal in execution
    call_command("load_taxonomy", verbosity=0)
    university = OrganizationFactory(kind=OrganizationType.UNIVERSITY)
    admin = UserFactory(email="tto@univ.example", roles=["holder"], organization=university)
    inventor = UserFactory(email="li@univ.example", roles=["holder"], full_name="李发明")
    Membership.objects.create(user=inventor, organization=university, role=MembershipRole.MEMBER)
    buyer_org = OrganizationFactory(kind=OrganizationType.ENTERPRISE)
    buyer = UserFactory(roles=["enterprise"], organization=buyer_org)
    technology = Technology.objects.create(
        organization=university,
        status=TechnologyStatus.PUBLISHED,
        published_at=timezone.now(),
        title_zh="厌氧反应器",
        summary_zh="化工废水厌氧处理。",
        description_zh="详细工艺。",
        category=Category.objects.get(code="2.4"),
        trl=7,
        transaction_modes=["license"],
        region="CN-JS",
    )
    TechnologyInventor.objects.create(
        technology=technology, name="李发明", department="环境学院", share=Decimal("60"),
        user=inventor, position=0,
    )  # fmt: skip
    TechnologyInventor.objects.create(
        technology=technology, name="王合作", department="化工学院", share=Decimal("40"), position=1
    )
    deal = Deal.objects.create(
        technology=technology, seller=university, buyer=buyer_org, stage=DealStage.IN_EXECUTION,
        opened_by=buyer, deal_type="license", price=Decimal("200000.00"), currency="CNY",
    )  # fmt: skip

    # when the administrator sets shares that do not add up to 100 %
    sign_in(page, live_server.url, admin.email, PASSWORD)
    page.goto(f"{live_server.url}/finance/rewards/policy/")
    assert "第四十五条" in page.locator("[data-testid=statutory-rule]").inner_text()
    page.fill("input[name=inventors_share]", "70")
    page.fill("input[name=department_share]", "10")
    page.fill("input[name=unit_share]", "10")
    page.fill("input[name=percentage_deduction]", "5")
    page.locator("[data-testid=reward-policy-form] button[type=submit]").click()
    page.wait_for_load_state("load")
    # then the field says why, the values are kept and nothing is saved
    assert "90" in page.locator("#error_1_id_unit_share, .invalid-feedback").first.inner_text()
    assert page.input_value("input[name=inventors_share]") == "70"
    assert not RewardPolicy.objects.exists()

    # when the shares are corrected
    page.fill("input[name=unit_share]", "20")
    page.locator("[data-testid=reward-policy-form] button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/finance/rewards/policy/")
    assert page.locator("[data-testid=reward-policies] tbody tr").count() == 1

    # and the buyer confirms completion (the split follows the commit)
    deal_transition(deal=deal, user=buyer, action=DealAction.COMPLETE)
    assert RewardSplit.objects.filter(deal=deal).count() == 1

    # then the administrator sees the whole split: 200,000 less 5 % = 190,000 net
    page.goto(f"{live_server.url}/finance/rewards/")
    split = page.locator("[data-testid=reward-split]")
    assert split.count() == 1
    assert "190,000.00" in split.locator("[data-testid=net-income]").inner_text()
    text = split.inner_text()
    assert "79,800.00" in text and "53,200.00" in text  # 60 % and 40 % of 133,000
    assert page.locator("[data-testid=reward-line]").count() == 6

    # and the inventor sees only their own line
    page.context.clear_cookies()
    sign_in(page, live_server.url, inventor.email, PASSWORD)
    page.goto(f"{live_server.url}/finance/rewards/")
    lines = page.locator("[data-testid=reward-line]")
    assert lines.count() == 1
    assert "79,800.00" in lines.first.inner_text()
    assert "王合作" not in page.locator("main").inner_text()
