"""An enterprise declines a proposal with a reason (refused first without one, nothing typed
lost), the holder sees why, and the statistics page shows the funnel chart with its table."""

import datetime

import pytest
from django.utils import timezone

from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def proposal():
    from catalog.models import Category, Technology
    from exchange import services
    from exchange.models import Need

    enterprise_org = OrganizationFactory(region="CN-ZJ")
    holder_org = OrganizationFactory(kind="university")
    enterprise = UserFactory(roles=["enterprise"], organization=enterprise_org)
    holder = UserFactory(roles=["holder"], organization=holder_org)
    need = Need.objects.create(
        organization=enterprise_org,
        title_zh="高浓度有机废水厌氧处理",
        description_zh="每天 800 吨废水。",
        region="CN-ZJ",
        status="published",
        published_at=timezone.now(),
        deadline=timezone.localdate() + datetime.timedelta(days=60),
        category=Category.objects.get(code="2.4"),
    )
    technology = Technology.objects.create(
        organization=holder_org,
        title_zh="内循环厌氧反应器",
        summary_zh="化工废水厌氧处理。",
        category=Category.objects.get(code="2.4"),
        trl=7,
        region="CN-JS",
        status="published",
        published_at=timezone.now(),
        transaction_modes=["license"],
    )
    return (
        services.proposal_create(
            user=holder,
            need=need,
            technology=technology,
            approach="IC 厌氧 + 好氧",
            deal_type="license",
            timeline="6 个月",
        ),
        enterprise,
        holder,
    )


def test_decline_with_a_reason_and_the_funnel(page, live_server, proposal):
    from exchange.models import Deal
    from insight import services as insight_services

    proposal, enterprise, holder = proposal
    need_url = f"{live_server.url}/exchange/needs/{proposal.need_id}/"
    # when the enterprise declines without a reason
    sign_in(page, live_server.url, enterprise.email, PASSWORD)
    page.goto(need_url)
    page.locator(f"#note-{proposal.pk}").fill("报价高于预算")
    page.get_by_role("button", name="拒绝").click()
    # then the error is shown beside the select and the words are kept
    page.locator("[data-testid=decline-errors]").wait_for()
    assert page.locator(f"#note-{proposal.pk}").input_value() == "报价高于预算"
    # when a reason is chosen
    page.locator(f"#reason_code-{proposal.pk}").select_option("price")
    page.get_by_role("button", name="拒绝").click()
    page.locator("[data-testid=proposal-decline-reason]").wait_for()
    # then the holder sees why
    page.context.clear_cookies()
    sign_in(page, live_server.url, holder.email, PASSWORD)
    page.goto(need_url)
    reason = page.locator("[data-testid=proposal-decline-reason]").inner_text()
    assert "价格" in reason and "报价高于预算" in reason

    # given a deal and refreshed statistics
    Deal.objects.create(
        technology=proposal.technology,
        seller=proposal.organization,
        buyer=proposal.need.organization,
        deal_type="license",
        stage="contract_signed",
        signed_at=timezone.now(),
    )
    insight_services.statistics_refresh()
    # when anyone opens the statistics page
    page.goto(f"{live_server.url}/insight/statistics/?period=month")
    page.wait_for_function("document.body.dataset.insightCharts !== undefined")
    # then the funnel chart is drawn and its table has the counts
    assert page.evaluate(
        "window.Chart.getChart(document.querySelector('canvas[data-chart=funnel]')) !== undefined"
    )
    assert page.locator("[data-testid=funnel-count-deals]").inner_text() == "1"
    assert page.locator("[data-testid=funnel-count-signed]").inner_text() == "1"
    assert page.locator("[data-testid=reason-total-price]").inner_text() == "1"
