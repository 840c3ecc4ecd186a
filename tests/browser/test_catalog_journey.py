import re

import pytest

from accounts.demo import DEMO_PASSWORD, seed_accounts
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def new_page(browser):
    """Each actor browses in its own context (own session cookie)."""
    contexts = []

    def make():
        context = browser.new_context(locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    for context in contexts:
        context.close()


def test_holder_lists_reviewer_returns_then_approves_visitor_finds_it(new_page, live_server):
    seed_accounts()
    base = live_server.url
    # the holder creates a technology in the browser form and submits it
    holder = new_page()
    sign_in(holder, base, "holder@demo.example", DEMO_PASSWORD)
    holder.goto(f"{base}/technologies/mine/")
    holder.click("[data-testid=new-technology]")
    holder.fill("#id_title_zh", "高浓度有机废水厌氧处理技术")
    holder.fill("#id_title_en", "Anaerobic treatment of high-strength organic wastewater")
    holder.fill("#id_summary_zh", "内循环厌氧反应器处理化工高浓度有机废水。")
    holder.fill(
        "#id_summary_en", "An internal-circulation anaerobic reactor for chemical wastewater."
    )
    holder.fill("#id_description_zh", "机密：三相分离器结构参数。")
    holder.select_option("#id_category", "2.4")
    holder.select_option("#id_trl", "7")
    holder.check("input[name=transaction_modes][value=license]")
    holder.fill("#id_asking_price", "800000")
    holder.fill("#id_patents-0-number", "ZL202010123456.2")
    # what buyers need before it may be submitted (catalog.completeness): 75 of 100
    holder.fill("#id_application_scope", "已在三个示范项目连续运行两年")
    holder.fill("#id_advantages", "与常规方案相比能耗更低，占地省一半。")
    holder.fill("#id_figures-0-metric", "容积负荷上限")
    holder.fill("#id_figures-0-value", "25")
    holder.click("[data-testid=save-technology]")
    holder.locator("[data-testid=status]").wait_for()
    assert holder.locator("[data-testid=status]").inner_text() == "草稿"
    manage_url = holder.url
    holder.click("[data-testid=action-submit]")
    assert holder.locator("[data-testid=status]").inner_text() == "待审核"

    # the reviewer returns it with a comment on the summary
    reviewer = new_page()
    sign_in(reviewer, base, "reviewer@demo.example", DEMO_PASSWORD)
    reviewer.goto(f"{base}/technologies/review/")
    item = reviewer.locator("[data-testid=review-item]", has_text="高浓度有机废水厌氧处理技术")
    item.locator("select[name=decision]").select_option("return")
    item.locator("select[name=field]").select_option("summary_zh")
    item.locator("textarea[name=comment]").fill("请补充日处理规模")
    item.locator("button[type=submit]").click()
    reviewer.locator(".alert-success").wait_for()

    # the holder reads the comment, fixes the summary and resubmits
    holder.goto(manage_url)
    assert "请补充日处理规模" in holder.locator("[data-testid=review-comments]").inner_text()
    holder.click("[data-testid=edit-technology]")
    holder.fill("#id_summary_zh", "内循环厌氧反应器处理化工高浓度有机废水，日处理500吨。")
    holder.click("[data-testid=save-technology]")
    holder.click("[data-testid=action-submit]")
    assert holder.locator("[data-testid=status]").inner_text() == "待审核"

    # the reviewer approves
    reviewer.goto(f"{base}/technologies/review/")
    item = reviewer.locator("[data-testid=review-item]", has_text="高浓度有机废水厌氧处理技术")
    item.locator("select[name=decision]").select_option("approve")
    item.locator("button[type=submit]").click()
    reviewer.locator(".alert-success").wait_for()

    # an anonymous visitor finds it by a Chinese sub-phrase and by English words
    visitor = new_page()
    for query in ("有机废水", "anaerobic wastewater"):
        visitor.goto(f"{base}/technologies/")
        visitor.fill("#q", query)
        visitor.click("[data-testid=search-form] button[type=submit]")
        results = visitor.locator("[data-testid=result]")
        assert results.count() == 1
        assert "高浓度有机废水厌氧处理技术" in results.first.inner_text()
        assert visitor.locator("[data-testid=snippet] mark").count() >= 1
        # the TRL facet counts add up to the number of results
        total = int(
            re.search(r"\d+", visitor.locator("[data-testid=result-count]").inner_text())[0]
        )
        trl_counts = visitor.locator("[data-testid=facet-count-trl]").all_inner_texts()
        assert sum(int(count) for count in trl_counts) == total == 1

    # the confidential detail stays hidden until the holder grants access
    visitor.locator("[data-testid=result] a").first.click()
    assert "三相分离器" not in visitor.content()
    enterprise = new_page()
    sign_in(enterprise, base, "enterprise@demo.example", DEMO_PASSWORD)
    enterprise.goto(visitor.url)
    assert enterprise.locator("[data-testid=confidential-hidden]").count() == 1
    assert enterprise.locator("[data-testid=nda-text]").count() == 1
    enterprise.check("#id_accept_nda")
    enterprise.click("text=申请查看")
    enterprise.locator(".alert-success").wait_for()
    assert "三相分离器" not in enterprise.content()
    holder.goto(manage_url)
    holder.locator("[data-testid=access-request]").get_by_role("button", name="通过").click()
    holder.locator(".alert-success").wait_for()
    enterprise.reload()
    assert "三相分离器" in enterprise.locator("[data-testid=confidential-detail]").inner_text()
