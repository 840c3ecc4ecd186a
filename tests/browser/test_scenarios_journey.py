"""The "Done when" journey of application scenarios in the browser: an operator publishes a
scenario and a scenario list, a holder applies with a technology, the operator awards the pilot
and the holder sees the pilot agreement."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, seed_accounts
from catalog.models import Category, Technology
from programmes.models import PilotAgreement
from tests.browser.conftest import sign_in
from tests.factories import OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(db):
    if not Category.objects.filter(code="2.4").exists():
        call_command("load_taxonomy", verbosity=0)
    users = seed_accounts()
    holder_org = users["holder"].memberships.first().organization
    technology = Technology.objects.create(
        organization=holder_org,
        title_zh="河道底泥原位钝化修复技术",
        summary_zh="底泥重金属原位钝化，无需疏浚。",
        category=Category.objects.get(code="2.4"),
        trl=7,
        transaction_modes=["license"],
        region="CN-JS",
        status="published",
        published_at=timezone.now(),
    )
    operator_org = OrganizationFactory(
        name_zh="苏州工业园区管理委员会", kind="government", verification_status="verified"
    )
    operator = UserFactory(
        email="operator@journey.example", roles=["operator"], organization=operator_org
    )
    operator.set_password(DEMO_PASSWORD)
    operator.save()
    return {"technology": technology}


def test_operator_publishes_a_scenario_a_holder_applies_and_wins_the_pilot(
    browser, live_server, world
):
    base = live_server.url
    contexts = []

    def open_as(email):
        context = browser.new_context(locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        sign_in(page, base, email, DEMO_PASSWORD)
        return page

    try:
        # the operator describes the site and publishes the scenario
        operator = open_as("operator@journey.example")
        operator.goto(f"{base}/scenarios/new/")
        form = operator.locator("[data-testid=scenario-form]")
        form.locator("input[name=title]").fill("城区河道底泥原位修复示范")
        form.locator("input[name=site]").fill("某城区河道 2 km 河段")
        form.locator("textarea[name=problem]").fill("底泥有机质和氨氮含量高，夏季黑臭反复。")
        form.locator("input[name=capacity]").fill("2 km 河段，一年试验期")
        form.locator("textarea[name=criteria]").fill("水质改善效果、单位成本。")
        now = timezone.localtime()
        form.locator("input[name=opens_at]").fill(
            (now - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        )
        form.locator("input[name=closes_at]").fill(
            (now + datetime.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
        )
        form.locator("button[type=submit]").click()
        operator.locator("[data-testid=scenario-publish]").click()
        assert "接受申报" in operator.locator("[data-testid=scenario-status]").inner_text()
        scenario_url = operator.url

        # and publishes the list of the period
        operator.goto(f"{base}/scenarios/lists/new/")
        list_form = operator.locator("[data-testid=scenario-list-form]")
        list_form.locator("input[name=title]").fill("2026 年第四季度场景清单")
        list_form.locator("input[name=period]").fill("2026 Q4")
        list_form.locator("input[name=scenarios]").first.check()
        list_form.locator("button[type=submit]").click()
        downloads = operator.locator("[data-testid=scenario-list-downloads]")
        assert downloads.locator("a").count() == 3

        # the holder applies with a published technology
        holder = open_as("holder@demo.example")
        holder.goto(scenario_url)
        holder.select_option(
            "[data-testid=apply-form] select[name=technology]", str(world["technology"].pk)
        )
        holder.locator("[data-testid=apply-form] button[type=submit]").click()
        assert (
            "河道底泥原位钝化修复技术" in holder.locator("[data-testid=applications]").inner_text()
        )

        # the operator closes the applications and awards the pilot
        operator.goto(scenario_url)
        operator.locator("[data-testid=scenario-close]").click()
        operator.select_option("[data-testid=award-form] select[name=entry]", index=1)
        operator.locator("[data-testid=award-form] button[type=submit]").click()
        assert operator.locator("[data-testid=pilot-agreement]").is_visible()

        # the holder sees the pilot agreement in the workspace and on the scenario
        holder.goto(f"{base}/me/workspace/")
        section = holder.locator("[data-testid=workspace-scenarios]")
        assert "城区河道底泥原位修复示范" in section.inner_text()
        holder.goto(scenario_url)
        agreement = holder.locator("[data-testid=pilot-agreement]").inner_text()
        assert "某城区河道 2 km 河段" in agreement
        assert PilotAgreement.objects.get().technology == world["technology"]
    finally:
        for context in contexts:
            context.close()
