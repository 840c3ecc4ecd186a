"""The workspace's to-do list in Chromium: a reviewer with a mixed queue and a holder with an
introduction to answer, in both languages at 1366 and 390 px, no sideways scroll. Screenshots
go to test-artifacts/workspace-todos-<role>-<language>-<width>.png."""

import pytest

from accounts.demo import DEMO_PASSWORD, seed_accounts
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

LANGUAGES = ["zh-hans", "en"]
WIDTHS = [1366, 390]


def mixed_queue(cast):
    from catalog.choices import TechnologyStatus
    from catalog.models import Category, Technology
    from exchange.models import Introduction

    for number in range(3):
        OrganizationFactory(verification_status="pending", name_en=f"Pending {number}")
    holder_org = cast["holder"].memberships.first().organization
    enterprise_org = cast["enterprise"].memberships.first().organization
    values = {
        "summary_zh": "化工废水厌氧处理。",
        "category": Category.objects.get(code="2.4"),
        "trl": 7,
        "transaction_modes": ["license"],
        "region": "CN-JS",
    }
    for number in range(2):
        Technology.objects.create(
            organization=holder_org,
            status=TechnologyStatus.SUBMITTED,
            title_zh=f"待审核技术{number}",
            **values,
        )
    published = Technology.objects.create(
        organization=holder_org, status=TechnologyStatus.PUBLISHED, title_zh="已发布技术", **values
    )
    Introduction.objects.create(
        broker=UserFactory(roles=["broker"]),
        technology=published,
        enterprise=enterprise_org,
        deal_type="license",
        note="契合",
        commission_rate="3.00",
    )


@pytest.mark.parametrize("role", ["reviewer", "holder"])
def test_the_to_do_list_fits_and_reads_in_both_languages(browser, live_server, role):
    cast = seed_accounts()
    mixed_queue(cast)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        sign_in(page, live_server.url, f"{role}@demo.example", DEMO_PASSWORD)
        for language in LANGUAGES:
            context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
            )
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(f"{live_server.url}/me/workspace/")
                todos = page.get_by_test_id("workspace-todos")
                assert todos.is_visible()
                text = todos.inner_text()
                if role == "reviewer":
                    key = "technologies_to_review"
                    assert (
                        page.locator(f"[data-todo={key}] [data-testid=todo-count]").inner_text()
                        == "2"
                    )
                    assert (
                        "待审核的技术成果" if language == "zh-hans" else "Technologies to review"
                    ) in text
                else:
                    key = "introductions_to_answer"
                    assert (
                        page.locator(f"[data-todo={key}] [data-testid=todo-count]").inner_text()
                        == "1"
                    )
                scroll = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert scroll <= 0, f"{role} {language} {width}px scrolls sideways by {scroll}px"
                page.screenshot(
                    path=str(ARTIFACTS / f"workspace-todos-{role}-{language}-{width}.png"),
                    full_page=True,
                )
    finally:
        context.close()
