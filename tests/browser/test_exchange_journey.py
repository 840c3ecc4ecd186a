"""The exchange's "Done when" journeys in the browser: need → proposal → reviewed deal →
certificate, and a broker-introduced deal."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, seed_accounts
from catalog.models import Category, Technology
from exchange.models import Deal
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def demo(db):
    if not Category.objects.filter(code="2.4").exists():
        # transactional tests flush the taxonomy the data migration loaded
        call_command("load_taxonomy", verbosity=0)
    users = seed_accounts()
    technology = Technology.objects.create(
        organization=users["holder"].memberships.first().organization,
        title_zh="内循环厌氧反应器处理高浓度有机废水",
        summary_zh="化工、制药高浓度有机废水厌氧处理。",
        description_zh="三相分离器与颗粒污泥驯化。",
        category=Category.objects.get(code="2.4"),
        trl=7,
        transaction_modes=["license", "transfer"],
        region="CN-JS",
        status="published",
        published_at=timezone.now(),
    )
    return users, technology


@pytest.fixture
def open_as(browser):
    """A signed-in page per user, each in its own browser context (closed afterwards)."""
    contexts = []

    def open_page(base_url: str, email: str | None):
        context = browser.new_context(locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        if email:
            sign_in(page, base_url, email, DEMO_PASSWORD)
        return page

    yield open_page
    for context in contexts:
        context.close()


def act(page, action: str, note: str = "") -> None:
    if note:
        page.fill("#deal-note", note)
    page.click(f"[data-testid=deal-actions] button[data-action={action}]")
    page.wait_for_load_state("load")


def stage(page) -> str:
    return page.locator("[data-testid=deal-stage]").get_attribute("data-stage")


def test_need_to_certificate_journey(open_as, live_server, demo, tmp_path):
    base = live_server.url
    _users, technology = demo
    contract = tmp_path / "contract.pdf"
    contract.write_bytes(PDF)

    # the enterprise posts a need and submits it
    enterprise = open_as(base, "enterprise@demo.example")
    enterprise.goto(f"{base}/exchange/needs/new/")
    enterprise.fill("input[name=title_zh]", "高浓度有机废水厌氧处理技术需求")
    enterprise.fill("textarea[name=description_zh]", "每天 800 吨高浓度有机废水，寻求厌氧处理。")
    enterprise.select_option("select[name=region]", "CN-ZJ")
    enterprise.check("input[name=transaction_modes][value=license]")
    deadline = timezone.localdate() + datetime.timedelta(days=60)
    enterprise.fill("input[name=deadline]", deadline.isoformat())
    enterprise.fill("input[name=budget_min]", "500000")
    enterprise.fill("input[name=budget_max]", "2000000")
    enterprise.click("[data-testid=need-form] button[type=submit]")
    enterprise.click("button[name=action][value=submit]")
    assert enterprise.locator("[data-testid=need-status]").inner_text() == "待审核"
    need_url = enterprise.url

    # a reviewer approves it and it is public
    reviewer = open_as(base, "reviewer@demo.example")
    reviewer.goto(f"{base}/exchange/review/")
    reviewer.click("[data-testid=need-review-item] a")
    reviewer.click("[data-testid=need-review-form] button[value=approve]")
    assert reviewer.locator("[data-testid=need-status]").inner_text() == "已发布"

    # the holder finds it and proposes its technology
    holder = open_as(base, "holder@demo.example")
    holder.goto(f"{base}/exchange/needs/?q=有机废水")
    holder.click("[data-testid=need-item] a")
    holder.select_option("select[name=technology]", str(technology.pk))
    holder.select_option("select[name=deal_type]", "license")
    holder.fill("textarea[name=approach]", "IC 厌氧 + 好氧 MBR 组合工艺")
    holder.fill("input[name=price]", "1200000")
    holder.fill("input[name=timeline]", "6 个月")
    holder.click("[data-testid=proposal-form] button[type=submit]")
    assert holder.locator("[data-testid=proposal-status]").inner_text() == "已提交"

    # the enterprise accepts: a deal opens in negotiation
    enterprise.goto(need_url)
    enterprise.click("[data-testid=proposal] button[value=accept]")
    assert stage(enterprise) == "negotiation"
    deal_url = enterprise.url

    # terms, agreement, contract, submission
    enterprise.fill(
        "[data-testid=terms-form] textarea[name=payment_terms]", "签约后付 40%，验收后付 60%"
    )
    enterprise.click("[data-testid=terms-form] button[type=submit]")
    act(enterprise, "draft_agreement")
    act(enterprise, "submit_for_review")
    assert "合同" in enterprise.locator(".alert-danger").inner_text()  # the contract is missing
    enterprise.select_option("[data-testid=message-form] select[name=kind]", "contract")
    enterprise.set_input_files("[data-testid=message-form] input[name=file]", str(contract))
    enterprise.fill("[data-testid=message-form] textarea[name=body]", "合同终稿")
    enterprise.click("[data-testid=message-form] button[type=submit]")
    act(enterprise, "submit_for_review")
    assert stage(enterprise) == "submitted_for_review"

    # the reviewer returns it once, then approves the resubmission
    reviewer.goto(deal_url)
    act(reviewer, "return", "请补充付款节点")
    holder.goto(deal_url)
    act(holder, "submit_for_review")
    reviewer.goto(deal_url)
    assert reviewer.locator("[data-testid=review-checklist]").is_visible()
    act(reviewer, "approve")
    assert stage(reviewer) == "approved"

    # signing, a milestone, execution, confirmation and completion
    holder.goto(deal_url)
    act(holder, "sign_contract")
    holder.click("text=添加里程碑")
    holder.select_option("[data-testid=milestone-form] select[name=kind]", "payment")
    holder.fill("[data-testid=milestone-form] input[name=title]", "首付款")
    holder.fill("[data-testid=milestone-form] input[name=amount]", "480000")
    holder.fill("[data-testid=milestone-form] input[name=due_date]", deadline.isoformat())
    holder.click("[data-testid=milestone-form] button[type=submit]")
    act(holder, "start_execution")
    holder.click("[data-testid=milestones] button[type=submit]")
    enterprise.goto(deal_url)
    act(enterprise, "complete")
    assert stage(enterprise) == "completed"

    # both sides rate each other
    for page in (enterprise, holder):
        page.goto(deal_url)
        page.select_option("[data-testid=rating-form] select[name=subject]", "organization")
        page.select_option("[data-testid=rating-form] select[name=score]", "5")
        page.click("[data-testid=rating-form] button[type=submit]")
    assert holder.locator("[data-testid=ratings] li").count() == 2

    # the timeline shows the return and the approval
    timeline = holder.locator("[data-testid=deal-timeline]")
    actions = timeline.locator("[data-action]").evaluate_all(
        "nodes => nodes.map(node => node.dataset.action)"
    )
    assert "return" in actions and "approve" in actions
    assert "请补充付款节点" in timeline.inner_text()
    # people read the steps as words, never the action codes
    shown = timeline.locator("[data-action]").all_inner_texts()
    assert not {"return", "approve", "request_review"} & {text.strip() for text in shown}

    # anyone verifies the certificate; a forged number fails
    number = holder.locator("[data-testid=certificate-number]").inner_text()
    visitor = open_as(base, None)
    visitor.goto(f"{base}/exchange/certificates/verify/")
    visitor.fill("#certificate-number", number)
    visitor.click("form button[type=submit]")
    assert visitor.locator("[data-testid=verdict]").get_attribute("data-verdict") == "genuine"
    assert "内循环厌氧反应器" in visitor.locator("[data-testid=certificate-facts]").inner_text()
    forged = number[:-3] + ("AAA" if not number.endswith("AAA") else "BBB")
    visitor.fill("#certificate-number", forged)
    visitor.click("form button[type=submit]")
    assert visitor.locator("[data-testid=verdict]").get_attribute("data-verdict") == "forged"


def test_broker_introduced_deal(open_as, live_server, demo):
    base = live_server.url
    users, technology = demo

    # a broker introduces the technology to the enterprise with a commission
    broker = open_as(base, "broker@demo.example")
    broker.goto(f"{base}/exchange/introductions/")
    form = broker.locator("[data-testid=introduction-form]")
    form.locator("select[name=technology]").select_option(str(technology.pk))
    enterprise_org = users["enterprise"].memberships.first().organization
    form.locator("select[name=enterprise]").select_option(str(enterprise_org.pk))
    form.locator("select[name=deal_type]").select_option("license")
    form.locator("input[name=commission_rate]").fill("5")
    form.locator("textarea[name=note]").fill("两者契合")
    form.locator("[data-testid=introduction-review]").click()
    assert "5.00 %" in broker.locator("[data-testid=introduction-summary]").inner_text()
    broker.locator("[data-testid=introduction-confirm]").click()
    assert broker.locator("[data-testid=introduction-status]").inner_text() == "已提出"

    # both sides accept; the second acceptance opens the deal
    holder = open_as(base, "holder@demo.example")
    holder.goto(f"{base}/exchange/introductions/")
    holder.click("[data-testid=introduction] button[value=accept_as_seller]")
    assert not Deal.objects.exists()
    enterprise = open_as(base, "enterprise@demo.example")
    enterprise.goto(f"{base}/exchange/introductions/")
    enterprise.click("[data-testid=introduction] button[value=accept_as_buyer]")
    assert stage(enterprise) == "negotiation"
    assert "5.00 %" in enterprise.content()

    # the broker's dashboard shows the deal by stage
    broker.goto(f"{base}/exchange/introductions/")
    assert "1" in broker.locator("[data-testid=broker-dashboard]").inner_text()
