"""Financing desk journeys: an applicant told which rule fails, then an eligible application
approved and disbursed by the financier."""

import re

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD
from finance.demo import seed
from finance.models import FinancingApplication, FinancingProduct
from tests.browser.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_applicant_and_financier_journeys(page, live_server):
    # given the demo data (enterprise in Zhejiang; the Jiangsu loan is for Jiangsu only)
    # as seed_demo does: a transactional test before this one may have flushed the taxonomy
    call_command("load_taxonomy", verbosity=0)
    seed()
    jiangsu_loan = FinancingProduct.objects.get(name_zh="苏科绿贷")
    retrofit_loan = FinancingProduct.objects.get(name_zh="绿色技术改造贷")
    before = FinancingApplication.objects.count()
    sign_in(page, live_server.url, "enterprise@demo.example", DEMO_PASSWORD)

    # the applicant browses and filters the products
    page.goto(f"{live_server.url}/finance/products/")
    page.select_option("select[name=kind]", "green_loan")
    page.locator("[data-testid=product-filter] button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.locator("[data-testid=product-row]").count() == 2

    # an ineligible application is told which rule fails, and nothing is saved
    page.goto(f"{live_server.url}/finance/products/{jiangsu_loan.pk}/apply/")
    assert "江苏" in page.locator("[data-testid=eligibility-preview]").inner_text()
    page.fill("input[name=requested_amount]", "500000")
    page.locator("[data-testid=submit-application]").click()
    page.wait_for_load_state("load")
    assert "江苏" in page.locator("main form .alert").first.inner_text()
    assert FinancingApplication.objects.count() == before

    # an eligible one is submitted
    page.goto(f"{live_server.url}/finance/products/{retrofit_loan.pk}/apply/")
    page.fill("input[name=requested_amount]", "1500000")
    page.fill("input[name=tenor_months]", "24")
    page.fill("textarea[name=purpose]", "RTO 废气治理改造")
    page.locator("[data-testid=submit-application]").click()
    page.wait_for_url(re.compile(r".*/finance/applications/\d+/$"))
    assert page.locator("[data-testid=application-status]").inner_text() == "已提交"
    application_url = page.url

    # the financier reviews, approves and disburses it
    page.context.clear_cookies()
    sign_in(page, live_server.url, "financier@demo.example", DEMO_PASSWORD)
    page.goto(application_url)
    page.locator("[data-testid=action-start_review] button").click()
    page.wait_for_load_state("load")
    assert page.locator("[data-testid=application-status]").inner_text() == "审核中"
    approve = page.locator("[data-testid=action-approve]")
    approve.locator("input[name=approved_amount]").fill("1200000")
    approve.locator("textarea[name=approved_terms]").fill("年利率3.85%，按季付息，24个月")
    approve.locator("button").click()
    page.wait_for_load_state("load")
    assert page.locator("[data-testid=application-status]").inner_text() == "已批准"
    assert "1,200,000.00 元" in page.locator("[data-testid=approved-amount]").inner_text()
    page.locator("[data-testid=action-disburse] button").click()
    page.wait_for_load_state("load")
    assert page.locator("[data-testid=application-status]").inner_text() == "已放款"
    history = page.locator("[data-testid=history]")
    assert "disburse" in history.locator("[data-action]").evaluate_all(
        "nodes => nodes.map(node => node.dataset.action)"
    )
    # the step reads as words (贷款已发放), never the action code
    assert "disburse" not in history.inner_text()
