"""The error summary in a real browser: it takes the focus after a refused submit, and each
link moves the focus to its field (static/js/app.js)."""

import pytest

from accounts.demo import DEMO_PASSWORD, seed_accounts
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_refused_need_form_focuses_the_summary_then_the_field(page, live_server):
    # given the demo enterprise on the need form
    seed_accounts()
    sign_in(page, live_server.url, "enterprise@demo.example", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/exchange/needs/new/")
    # when it sends the form with a budget range upside down
    page.fill("#id_budget_min", "10")
    page.fill("#id_budget_max", "1")
    page.click("[data-testid=need-form] button[type=submit]")
    page.wait_for_load_state("load")
    # then the summary has the focus and names the problem in Chinese
    summary = page.get_by_test_id("error-summary")
    assert "填写有误" in summary.inner_text()
    assert page.evaluate("document.activeElement.dataset.testid") == "error-summary"
    # and following its budget link puts the cursor in that field, the value as typed
    summary.locator("a[href='#id_budget_max']").click()
    assert page.evaluate("document.activeElement.id") == "id_budget_max"
    assert page.input_value("#id_budget_max") == "1"
    # sideways scroll: none on a phone either
    page.set_viewport_size({"width": 390, "height": 844})
    assert not page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )
