import pytest

from accounts.demo import DEMO_PASSWORD
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_statistics(django_capture_on_commit_callbacks):
    from accounts.demo import seed_accounts
    from catalog import demo as catalog_demo
    from exchange import demo as exchange_demo
    from finance import demo as finance_demo
    from insight import demo as insight_demo

    with django_capture_on_commit_callbacks(execute=False):
        seed_accounts()
        catalog_demo.seed()
        exchange_demo.seed()
        finance_demo.seed()
        insight_demo.seed()


def test_statistics_charts_render_and_the_review_desk_opens(page, live_server, demo_statistics):
    # given the demo data and refreshed statistics
    from catalog.models import Technology

    published = Technology.objects.filter(status="published").count()
    # when a visitor opens the statistics page from the public navigation
    page.goto(live_server.url)
    page.get_by_role("link", name="数据统计").click()
    page.locator("h1", has_text="平台统计").wait_for()
    # then Chart.js is loaded and every chart canvas has been drawn by static/js/insight.js
    page.wait_for_function("document.body.dataset.insightCharts !== undefined")
    assert page.evaluate("typeof window.Chart") == "function"
    canvases = page.locator("canvas[data-chart]")
    # seven statistics charts and the funnel's two
    assert canvases.count() == 9
    assert page.evaluate("Number(document.body.dataset.insightCharts)") == 9
    assert page.evaluate(
        "[...document.querySelectorAll('canvas[data-chart]')]"
        ".every(c => c.dataset.rendered === 'true' && window.Chart.getChart(c) !== undefined)"
    )
    assert page.locator("[data-testid=total-technologies]").inner_text() == str(published)
    # and the accessible table beside the stage chart shows the completed deal
    assert page.locator("[data-testid=stage-table] tr[data-stage=completed] td").inner_text() == "1"

    # when a reviewer signs in, the navigation leads to the review desk and its report
    sign_in(page, live_server.url, "reviewer@demo.example", DEMO_PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="审核工作台").click()
    page.locator("h1", has_text="审核工作台").wait_for()
    assert (
        page.locator(
            "[data-testid=queue-table] tr[data-queue=deal] [data-testid=waiting]"
        ).inner_text()
        == "1"
    )
    page.get_by_role("link", name="地区示范工作报告").click()
    page.locator("h1", has_text="地区示范工作报告").wait_for()
    assert page.locator("[data-testid=report-table] tr[data-region=CN-ZJ]").count() == 1
    with page.expect_download() as download:
        page.locator("[data-testid=download-excel]").click()
    assert download.value.suggested_filename.endswith(".xlsx")
