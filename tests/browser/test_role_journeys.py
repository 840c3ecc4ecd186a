"""One story across every role, in Chromium, through the pages each role uses in real life.

A new technology holder signs up, registers its organisation and lists a technology; a reviewer
verifies the organisation and publishes the listing; an enterprise posts a need, a reviewer
publishes it and a real Celery worker matches it to the holder's technology; a broker introduces
the parties; the deal runs to a certificate anyone can verify; a financier approves the
enterprise's financing application. Every page used is then revisited in English.
"""

import datetime
import re
import time
from decimal import Decimal

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.demo import DEMO_PASSWORD, seed_accounts
from config.celery import app
from core.validators import credit_code_check_character
from finance import services as finance_services
from finance.choices import ProductKind
from tests.browser.conftest import ARTIFACTS, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HOLDER_EMAIL = "transfer-office@taihu-institute.example"
HOLDER_PASSWORD = "Taihu-transfer-2026"
TECHNOLOGY_ZH = "印染废水臭氧催化氧化深度处理技术"
TECHNOLOGY_EN = "Catalytic ozonation for advanced treatment of dyeing wastewater"
NEED_ZH = "印染废水深度处理与脱色技术需求"
NEED_EN = "Advanced treatment and decolourisation of dyeing wastewater"
CJK = re.compile(r"[\u3400-\u9fff]")
# English labels may name the Chinese term in brackets: "Open call (揭榜)".
CHINESE_GLOSS = re.compile(r"[(（][^)）]*[)）]")
ORGANIZATION_ZH = "太湖环境技术研究院"
ORGANIZATION_EN = "Taihu Institute of Environmental Technology"
ENTERPRISE_ZH = "浙江绿源化工有限公司"  # the demo enterprise
# a public institution (12) in Wuxi (320200) with its GB 32100-2015 check character
CREDIT_CODE = "12320200MB0123456" + credit_code_check_character("12320200MB0123456")
# The worker matches the need after the reviewer's commit; on a busy machine that may take a while.
MATCH_WAIT_SECONDS = 60


@pytest.fixture
def celery_worker():
    """A real worker in a thread of this process, consuming the broker in REDIS_URL."""
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


@pytest.fixture
def cast(db):
    """The demo reviewer, enterprise, broker and financier (the holder signs up in the story)."""
    return seed_accounts()


@pytest.fixture
def green_loan(cast):
    """A published loan of the demo bank, open to enterprises."""
    financier = cast["financier"]
    loan = finance_services.product_create(
        user=financier,
        institution=financier.memberships.first().organization,
        name_zh="绿色技术改造贷",
        name_en="Green retrofit loan",
        kind=ProductKind.GREEN_LOAN,
        amount_min=Decimal("100000"),
        amount_max=Decimal("5000000"),
        rate_min=Decimal("3.10"),
        rate_max=Decimal("4.20"),
        tenor_months_min=6,
        tenor_months_max=36,
        eligible_organization_kinds=["enterprise"],
    )
    return finance_services.product_transition(product=loan, user=financier, action="publish")


@pytest.fixture
def actors(browser, request):
    """One browser context (own session) per role; each page is screenshotted on failure."""
    pages: dict[str, Page] = {}

    def open_page(name: str) -> Page:
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(15_000)
        pages[name] = page
        return page

    yield open_page
    report = getattr(request.node, "rep_call", None)
    for name, page in pages.items():
        if report is not None and report.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{name}.png"), full_page=True)
        page.context.close()


class PagesSeen:
    """The pages the journey used, with the heading each must show in English."""

    def __init__(self):
        self.entries: list[tuple[Page, str, str]] = []

    def add(self, page: Page, english_heading: str, url: str | None = None) -> None:
        self.entries.append((page, url or page.url, english_heading))


def submit(page: Page, form: str) -> None:
    page.locator(f"{form} button[type=submit]").first.click()
    page.wait_for_load_state("load")


def expect_message(page: Page, text: str) -> None:
    expect(page.locator(".alert-success", has_text=text)).to_be_visible()


def deal_action(page: Page, action: str) -> None:
    page.click(f"[data-testid=deal-actions] button[data-action={action}]")
    page.wait_for_load_state("load")


def add_milestone(page: Page, kind: str, title: str, due: datetime.date, amount: str = "") -> None:
    page.get_by_text("添加里程碑").click()
    form = page.get_by_test_id("milestone-form")
    form.locator("select[name=kind]").select_option(kind)
    form.locator("input[name=title]").fill(title)
    form.locator("input[name=amount]").fill(amount)
    form.locator("input[name=due_date]").fill(due.isoformat())
    submit(page, "[data-testid=milestone-form]")
    expect(page.get_by_test_id("milestones")).to_contain_text(title)


def confirm_milestone(page: Page, title: str) -> None:
    row = page.get_by_test_id("milestones").locator("li", has_text=title)
    row.get_by_role("button", name="确认完成").click()
    expect(row.locator(".badge")).to_contain_text("已完成")


def expect_deal_stage(page: Page, label: str) -> None:
    expect(page.get_by_test_id("deal-stage")).to_have_text(label)


def wait_for_match(page: Page, title: str) -> None:
    """Reload the need page until the worker's matches show up in its Matches panel."""
    row = page.get_by_test_id("match-row").filter(has_text=title)
    deadline = time.monotonic() + MATCH_WAIT_SECONDS
    while True:
        page.get_by_test_id("matching-run").or_(page.get_by_test_id("no-matches")).first.wait_for()
        if row.count():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"no match for {title!r} within {MATCH_WAIT_SECONDS} s")
        page.wait_for_timeout(1000)
        page.reload()


def switch_to_english(page: Page) -> None:
    page.select_option("[data-testid=language-select]", "en")
    page.wait_for_load_state("load")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def untranslated_interface(page: Page, url: str, heading: str) -> list[str]:
    """Open the page in English: it must show its English heading; returns the interface
    texts still in Chinese."""
    page.goto(url)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_contain_text(heading)
    if page.locator("#matches").count():
        page.wait_for_load_state("networkidle")  # htmx loads the Matches section
    # Section headings, table headers, labels, buttons and the main navigation are interface
    # text; user content (titles, names, descriptions) may stay Chinese.
    interface = page.locator(
        "main h2, main th, main dt, main label, main legend, main button, main select option, "
        "#main-nav .me-auto .nav-link"
    ).all_inner_texts()
    return [
        f"{url}: {text.strip()}" for text in interface if CJK.search(CHINESE_GLOSS.sub("", text))
    ]


# --- the steps, each done by the role that does it ---------------------------------------------


def confirmation_path(email: str) -> str:
    """The confirmation link of the last email to this address (the live server's outbox)."""
    message = next(message for message in reversed(mail.outbox) if message.to == [email])
    return re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", message.body).group(1)


def holder_signs_up(holder: Page, base: str, seen: PagesSeen) -> None:
    holder.goto(f"{base}/accounts/signup/")
    holder.fill("input[name=email]", HOLDER_EMAIL)
    holder.fill("input[name=password1]", HOLDER_PASSWORD)
    holder.fill("input[name=password2]", HOLDER_PASSWORD)
    holder.fill("input[name=full_name]", "刘伟")
    holder.check("input[name=roles][value=holder]")
    submit(holder, "main form")
    # sign-up answers "check your inbox" (whether or not the address is taken); the link in the
    # email confirms the address and signs the new account in
    expect(holder).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    holder.goto(base + confirmation_path(HOLDER_EMAIL))
    submit(holder, "main form")
    expect(holder.locator("main h1")).to_have_text("欢迎，刘伟")
    expect(holder.get_by_test_id("roles")).to_contain_text("技术持有方")
    seen.add(holder, "Welcome")


def holder_registers_organisation(holder: Page, seen: PagesSeen) -> str:
    """From the workspace; a mistyped credit code is refused first. Returns the page's URL."""
    holder.get_by_role("link", name="创建机构").click()
    expect(holder.locator("main h1")).to_have_text("创建机构")
    seen.add(holder, "Create an organisation")
    holder.fill("input[name=name_zh]", ORGANIZATION_ZH)
    holder.fill("input[name=name_en]", ORGANIZATION_EN)
    holder.select_option("select[name=kind]", "institute")
    holder.select_option("select[name=region]", "CN-JS")
    mistyped = CREDIT_CODE[:-1] + ("1" if CREDIT_CODE[-1] != "1" else "2")
    holder.fill("input[name=credit_code]", mistyped)
    submit(holder, "main form")
    expect(holder.locator("main form")).to_contain_text("统一社会信用代码无效：校验码不符")
    holder.fill("input[name=credit_code]", CREDIT_CODE)
    submit(holder, "main form")
    expect_message(holder, "机构已创建")
    expect(holder.locator("main h1")).to_have_text(ORGANIZATION_ZH)
    expect(holder.locator(".status-badge")).to_have_text("未认证")
    seen.add(holder, ORGANIZATION_EN)
    holder.get_by_role("button", name="申请认证").click()
    expect(holder.locator(".status-badge")).to_have_text("认证审核中")
    return holder.url


def holder_lists_and_submits_technology(holder: Page, base: str, seen: PagesSeen) -> str:
    """Returns the URL of the listing's management page."""
    holder.goto(f"{base}/technologies/mine/")
    seen.add(holder, "My technologies")
    holder.get_by_test_id("new-technology").click()
    expect(holder.locator("main h1")).to_have_text("新建技术成果")
    seen.add(holder, "New technology")
    holder.fill("#id_title_zh", TECHNOLOGY_ZH)
    holder.fill("#id_title_en", TECHNOLOGY_EN)
    holder.fill(
        "#id_summary_zh", "臭氧催化氧化处理印染废水生化出水，COD 降至 50 mg/L 以下，脱色率 95%。"
    )
    holder.fill(
        "#id_summary_en",
        "Catalytic ozonation polishes biologically treated dyeing wastewater: COD below "
        "50 mg/L and 95 % colour removal.",
    )
    holder.fill("#id_description_zh", "机密：催化剂负载工艺与臭氧投加控制参数。")
    holder.fill("#id_keywords", "印染废水, 臭氧催化氧化, 深度处理, 脱色")
    holder.select_option("#id_category", "2.4")
    holder.select_option("#id_trl", "7")
    holder.check("input[name=transaction_modes][value=license]")
    holder.fill("#id_asking_price", "900000")
    # what buyers need before it may be submitted (catalog.completeness)
    holder.fill("#id_application_scope", "已在两家印染企业废水站连续运行一年")
    holder.fill("#id_advantages", "比芬顿法药剂成本低四成，不产生铁泥。")
    holder.fill("#id_figures-0-metric", "COD 去除率")
    holder.fill("#id_figures-0-value", "60")
    holder.fill("#id_co2e_avoided_tonnes_per_year", "120")
    holder.fill("#id_co2e_method", "按节约电耗与电网平均排放因子折算")
    holder.get_by_test_id("save-technology").click()
    expect_message(holder, "技术成果已保存")
    expect(holder.get_by_test_id("status")).to_have_text("草稿")
    expect(holder.get_by_test_id("completeness-checklist")).to_contain_text("资料完整度 70%")
    holder.get_by_test_id("action-submit").click()
    expect(holder.get_by_test_id("status")).to_have_text("待审核")
    seen.add(holder, TECHNOLOGY_EN)
    return holder.url


def reviewer_verifies_organisation(reviewer: Page, base: str, seen: PagesSeen) -> None:
    """From the workspace's to-do list."""
    reviewer.get_by_role("link", name="待认证的机构").click()
    reviewer.wait_for_url(f"{base}/me/review/#org-queue")
    seen.add(reviewer, "Review queue")
    waiting = reviewer.get_by_test_id("verification-item").filter(has_text=ORGANIZATION_ZH)
    expect(waiting).to_contain_text(CREDIT_CODE)
    waiting.locator("button[value=verify]").click()
    expect_message(reviewer, "已认证")
    expect(reviewer.get_by_test_id("verification-item")).to_have_count(0)


def reviewer_approves_technology(reviewer: Page, base: str, seen: PagesSeen) -> None:
    """From the organisation queue's link to the technology review queue."""
    reviewer.get_by_test_id("technology-review-link").click()
    reviewer.wait_for_url(f"{base}/technologies/review/")
    seen.add(reviewer, "Technologies awaiting review")
    listing = reviewer.get_by_test_id("review-item").filter(has_text=TECHNOLOGY_ZH)
    expect(listing).to_contain_text(ORGANIZATION_ZH)
    listing.locator("select[name=decision]").select_option("approve")
    listing.locator("button[type=submit]").click()
    expect_message(reviewer, TECHNOLOGY_ZH)
    expect(reviewer.get_by_test_id("review-item")).to_have_count(0)


def enterprise_posts_need(
    enterprise: Page, base: str, deadline: datetime.date, seen: PagesSeen
) -> str:
    """Posts and submits the need; returns the need's URL."""
    enterprise.goto(f"{base}/exchange/needs/mine/")
    seen.add(enterprise, "My needs")
    enterprise.get_by_test_id("post-need").click()
    expect(enterprise.locator("main h1")).to_have_text("发布需求")
    seen.add(enterprise, "Post a need")
    form = enterprise.get_by_test_id("need-form")
    form.locator("input[name=title_zh]").fill(NEED_ZH)
    form.locator("input[name=title_en]").fill(NEED_EN)
    form.locator("textarea[name=description_zh]").fill(
        "印染车间每天 3000 吨废水，生化出水 COD 120 mg/L、色度高，寻求臭氧催化氧化等深度处理技术。"
    )
    form.locator("textarea[name=description_en]").fill(
        "Our dyeing plant discharges 3,000 tonnes of wastewater a day; after biological "
        "treatment COD is 120 mg/L and the colour is strong. We look for advanced treatment "
        "such as catalytic ozonation."
    )
    form.locator("input[name=trl_min]").fill("6")
    form.locator("input[name=budget_min]").fill("500000")
    form.locator("input[name=budget_max]").fill("1500000")
    form.locator("input[name=transaction_modes][value=license]").check()
    form.locator("select[name=region]").select_option("CN-ZJ")
    form.locator("input[name=deadline]").fill(deadline.isoformat())
    submit(enterprise, "[data-testid=need-form]")
    expect(enterprise.get_by_test_id("need-status")).to_have_text("草稿")
    enterprise.locator("button[value=submit]").click()
    expect(enterprise.get_by_test_id("need-status")).to_have_text("待审核")
    return enterprise.url


def reviewer_publishes_need(reviewer: Page, base: str, seen: PagesSeen) -> None:
    reviewer.goto(f"{base}/exchange/review/")
    seen.add(reviewer, "Transaction review")
    reviewer.get_by_test_id("need-review-item").filter(has_text=NEED_ZH).locator("a").click()
    reviewer.get_by_test_id("need-review-form").locator("button[value=approve]").click()
    expect(reviewer.get_by_test_id("need-status")).to_have_text("已发布")
    seen.add(reviewer, NEED_EN)


def broker_introduces_technology_to_need(broker: Page, base: str, seen: PagesSeen) -> None:
    broker.goto(f"{base}/exchange/introductions/")
    seen.add(broker, "Introductions")
    form = broker.get_by_test_id("introduction-form")
    form.locator("select[name=technology]").select_option(label=TECHNOLOGY_ZH)
    form.locator("select[name=need]").select_option(label=NEED_ZH)
    form.locator("select[name=deal_type]").select_option("license")
    form.locator("input[name=commission_rate]").fill("4")
    form.locator("textarea[name=note]").fill("容积负荷与需求相符")
    form.get_by_test_id("introduction-review").click()
    broker.get_by_test_id("introduction-confirm").click()
    expect_message(broker, "推荐已发送给双方")
    introduction = broker.get_by_test_id("introduction").filter(has_text=TECHNOLOGY_ZH)
    expect(introduction.get_by_test_id("introduction-status")).to_have_text("已提出")
    expect(introduction).to_contain_text(ENTERPRISE_ZH)


def accept_introduction(page: Page, base: str, action: str, seen: PagesSeen) -> None:
    page.goto(f"{base}/exchange/introductions/")
    seen.add(page, "Introductions")
    page.get_by_test_id("introduction").locator(f"button[value={action}]").click()
    page.wait_for_load_state("load")


def enterprise_agrees_terms(enterprise: Page) -> None:
    terms = enterprise.get_by_test_id("terms-form")
    terms.locator("input[name=price]").fill("900000")
    terms.locator("textarea[name=payment_terms]").fill("签约后付 30%，验收合格后付 70%")
    submit(enterprise, "[data-testid=terms-form]")
    expect(enterprise.get_by_test_id("deal-price")).to_contain_text("900,000.00 元")
    deal_action(enterprise, "draft_agreement")
    expect_deal_stage(enterprise, "协议已起草")


def holder_uploads_contract_and_submits(holder: Page, deal_url: str, contract) -> None:
    holder.goto(deal_url)
    message = holder.get_by_test_id("message-form")
    message.locator("select[name=kind]").select_option("contract")
    message.locator("input[name=file]").set_input_files(str(contract))
    message.locator("textarea[name=body]").fill("技术许可合同终稿，请审阅。")
    submit(holder, "[data-testid=message-form]")
    expect(holder.get_by_test_id("deal-room")).to_contain_text("contract.pdf")
    deal_action(holder, "submit_for_review")
    expect_deal_stage(holder, "待审核")


def reviewer_approves_deal(reviewer: Page, base: str, deal_number: str, seen: PagesSeen) -> None:
    reviewer.goto(f"{base}/exchange/review/")
    queued = reviewer.get_by_test_id("deal-review-item").filter(has_text=f"#{deal_number}")
    expect(queued).to_contain_text(f"{ORGANIZATION_ZH} ✓ 已认证 → {ENTERPRISE_ZH} ✓ 已认证")
    queued.locator("a").click()
    expect(reviewer.get_by_test_id("review-checklist")).to_be_visible()
    deal_action(reviewer, "approve")
    expect_deal_stage(reviewer, "已批准")
    seen.add(reviewer, f"Deal #{deal_number}")


def holder_signs_and_starts_execution(holder: Page, deal_url: str, due: datetime.date) -> None:
    holder.goto(deal_url)
    deal_action(holder, "sign_contract")
    expect_deal_stage(holder, "合同已签订")
    add_milestone(holder, "delivery", "催化剂与工艺包交付", due)
    add_milestone(holder, "payment", "许可费一次性支付", due, amount="900000")
    deal_action(holder, "start_execution")
    expect_deal_stage(holder, "履约中")


def visitor_verifies_certificate(visitor: Page, base: str, number: str, seen: PagesSeen) -> None:
    """The real number is genuine and names the parties; a forged one is refused."""
    visitor.goto(f"{base}/exchange/certificates/verify/")
    visitor.fill("#certificate-number", number)
    submit(visitor, "main form")
    expect(visitor.get_by_test_id("verdict")).to_have_text("该鉴证证书真实有效。")
    facts = visitor.get_by_test_id("certificate-facts")
    for fact in (TECHNOLOGY_ZH, ORGANIZATION_ZH, ENTERPRISE_ZH):
        expect(facts).to_contain_text(fact)
    seen.add(visitor, "Verify a transaction certificate")
    forged = number[:-1] + ("A" if number[-1] != "A" else "B")
    visitor.fill("#certificate-number", forged)
    submit(visitor, "main form")
    expect(visitor.get_by_test_id("verdict")).to_contain_text("编号被篡改或系伪造")
    expect(visitor.get_by_test_id("certificate-facts")).to_have_count(0)


def enterprise_applies_for_loan(enterprise: Page, base: str, seen: PagesSeen) -> str:
    """From the financing desk, for the licensed technology; returns the application's URL."""
    enterprise.goto(f"{base}/finance/")
    seen.add(enterprise, "Financing desk")
    enterprise.get_by_role("link", name="浏览金融产品").click()
    enterprise.wait_for_url(f"{base}/finance/products/")
    seen.add(enterprise, "Financing products")
    product = enterprise.get_by_test_id("product-row").filter(has_text="绿色技术改造贷")
    product.locator("a.fw-semibold").click()
    enterprise.wait_for_url(re.compile(r".*/finance/products/\d+/$"))
    seen.add(enterprise, "Green retrofit loan")
    enterprise.get_by_role("link", name="申请", exact=True).click()
    enterprise.wait_for_url(re.compile(r".*/finance/products/\d+/apply/$"))
    seen.add(enterprise, "Green retrofit loan")
    enterprise.fill("input[name=requested_amount]", "800000")
    enterprise.fill("input[name=tenor_months]", "24")
    enterprise.fill("textarea[name=purpose]", "引进臭氧催化氧化深度处理技术（许可）及设备改造")
    enterprise.select_option("select[name=technology]", label=TECHNOLOGY_ZH)
    enterprise.get_by_test_id("submit-application").click()
    expect(enterprise.get_by_test_id("application-status")).to_have_text("已提交")
    seen.add(enterprise, "Application #")
    return enterprise.url


def financier_approves_application(
    financier: Page, base: str, application_number: str, seen: PagesSeen
) -> None:
    """From the pipeline of the financing desk: review, then approve a lower amount."""
    financier.goto(f"{base}/finance/")
    financier.get_by_role("link", name="业务看板").click()
    financier.wait_for_url(f"{base}/finance/pipeline/")
    seen.add(financier, "Financing pipeline")
    financier.get_by_role("link", name=f"#{application_number} {ENTERPRISE_ZH}").click()
    expect(financier.get_by_test_id("application-status")).to_have_text("已提交")
    financier.get_by_test_id("action-start_review").locator("button").click()
    expect(financier.get_by_test_id("application-status")).to_have_text("审核中")
    approve = financier.get_by_test_id("action-approve")
    approve.locator("input[name=approved_amount]").fill("700000")
    approve.locator("textarea[name=approved_terms]").fill("年利率 3.6%，按季付息，24 个月")
    approve.locator("button").click()
    expect(financier.get_by_test_id("application-status")).to_have_text("已批准")
    expect(financier.get_by_test_id("approved-amount")).to_contain_text("700,000.00 元")
    seen.add(financier, f"Application #{application_number}")


def test_roles_take_a_technology_from_sign_up_to_certificate_and_financing(
    actors, live_server, cast, green_loan, celery_worker, tmp_path
):
    base = live_server.url
    seen = PagesSeen()
    deadline = timezone.localdate() + datetime.timedelta(days=90)
    contract = tmp_path / "contract.pdf"
    contract.write_bytes(PDF)

    # 1. a new holder signs up, registers its institute, asks for verification, lists a technology
    holder = actors("holder")
    holder_signs_up(holder, base, seen)
    organization_url = holder_registers_organisation(holder, seen)
    technology_url = holder_lists_and_submits_technology(holder, base, seen)

    # 2. a reviewer verifies the institute and publishes the listing; the holder sees both
    reviewer = actors("reviewer")
    sign_in(reviewer, base, "reviewer@demo.example", DEMO_PASSWORD)
    reviewer_verifies_organisation(reviewer, base, seen)
    reviewer_approves_technology(reviewer, base, seen)
    holder.goto(organization_url)
    expect(holder.locator(".status-badge")).to_have_text("已认证")
    holder.goto(technology_url)
    expect(holder.get_by_test_id("status")).to_have_text("已发布")

    # 3. an enterprise posts a need, the reviewer publishes it, the Celery worker matches it and
    # the enterprise sees the holder's technology among the matches on the need's page
    enterprise = actors("enterprise")
    sign_in(enterprise, base, "enterprise@demo.example", DEMO_PASSWORD)
    need_url = enterprise_posts_need(enterprise, base, deadline, seen)
    reviewer_publishes_need(reviewer, base, seen)
    enterprise.goto(need_url)
    expect(enterprise.get_by_test_id("need-status")).to_have_text("已发布")
    wait_for_match(enterprise, TECHNOLOGY_ZH)
    seen.add(enterprise, NEED_EN)

    # 4. a broker introduces the technology to the need; both sides accept and a deal opens
    broker = actors("broker")
    sign_in(broker, base, "broker@demo.example", DEMO_PASSWORD)
    broker_introduces_technology_to_need(broker, base, seen)
    accept_introduction(holder, base, "accept_as_seller", seen)
    expect(holder.get_by_test_id("introduction-status")).to_have_text("技术持有方已接受")
    accept_introduction(enterprise, base, "accept_as_buyer", seen)
    expect_message(enterprise, "双方均已接受")
    expect_deal_stage(enterprise, "洽谈")
    expect(enterprise.locator("main h1")).to_contain_text(TECHNOLOGY_ZH)
    expect(enterprise.locator("main")).to_contain_text("4.00 %")  # the broker's commission
    deal_url = enterprise.url
    deal_number = re.search(r"/deals/(\d+)/", deal_url)[1]

    # 5. terms, contract, the reviewer's approval, signing, milestones each side confirms,
    # completion; then anyone verifies the certificate
    enterprise_agrees_terms(enterprise)
    holder_uploads_contract_and_submits(holder, deal_url, contract)
    reviewer_approves_deal(reviewer, base, deal_number, seen)
    holder_signs_and_starts_execution(holder, deal_url, deadline)
    seen.add(holder, f"Deal #{deal_number}")
    enterprise.goto(deal_url)
    confirm_milestone(enterprise, "催化剂与工艺包交付")  # the buyer confirms the delivery
    holder.goto(deal_url)
    confirm_milestone(holder, "许可费一次性支付")  # the seller confirms the payment
    enterprise.goto(deal_url)
    deal_action(enterprise, "complete")
    expect_deal_stage(enterprise, "已完成")
    seen.add(enterprise, f"Deal #{deal_number}")
    visitor = actors("visitor")
    visitor_verifies_certificate(
        visitor, base, enterprise.get_by_test_id("certificate-number").inner_text(), seen
    )

    # 6. the enterprise applies for a green loan for the technology; a financier approves it
    application_url = enterprise_applies_for_loan(enterprise, base, seen)
    application_number = re.search(r"/applications/(\d+)/", application_url)[1]
    financier = actors("financier")
    sign_in(financier, base, "financier@demo.example", DEMO_PASSWORD)
    financier_approves_application(financier, base, application_number, seen)
    enterprise.goto(application_url)
    expect(enterprise.get_by_test_id("application-status")).to_have_text("已批准")

    # 7. every page used also renders in English (the sign-up and sign-in pages as a visitor)
    seen.add(visitor, "Sign Up", f"{base}/accounts/signup/")
    seen.add(visitor, "Sign In", f"{base}/accounts/login/")
    for page in {id(page): page for page, _url, _heading in seen.entries}.values():
        switch_to_english(page)
    untranslated = [
        text
        for page, url, heading in seen.entries
        for text in untranslated_interface(page, url, heading)
    ]
    assert not untranslated, "\n".join(untranslated)
