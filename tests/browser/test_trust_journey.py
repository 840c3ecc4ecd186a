"""Granted, not chosen: in Chromium, a member of a verified agency asks for the broker role with
its certificate, a reviewer grants it from the review queue; the pages fit 1366 px and 390 px in
Chinese and English, and an impostor's twin is flagged to the reviewer."""

import pytest
from playwright.sync_api import expect

from accounts.models import RoleGrant, User
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.factories import PASSWORD, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1366, 390)
LOCALES = {"zh-hans": "zh-CN", "en": "en-US"}


def _fits(page) -> bool:
    # The page's own content; the shared navigation bar is checked by the smoke tests.
    return page.evaluate(
        "(() => { const main = document.querySelector('main');"
        " return main.scrollWidth <= main.clientWidth + 1"
        " && main.getBoundingClientRect().right <= window.innerWidth + 1; })()"
    )


def _visit_everywhere(browser, base_url, user, path, name):
    for language, locale in LOCALES.items():
        User.objects.filter(pk=user.pk).update(preferred_language=language)
        for width in WIDTHS:
            context = browser.new_context(locale=locale, viewport={"width": width, "height": 900})
            page = context.new_page()
            page.set_default_timeout(15_000)
            sign_in(page, base_url, user.email, PASSWORD)
            page.goto(f"{base_url}{path}")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(
                path=str(ARTIFACTS / f"trust-{name}-{language}-{width}.png"), full_page=True
            )
            assert _fits(page), f"{path} scrolls sideways at {width} px ({language})"
            context.close()


def test_a_broker_role_is_asked_for_and_granted(page, browser, live_server):
    # given a member of a verified transfer agency, a reviewer, and an impostor's pending twin
    agency = OrganizationFactory(
        kind="intermediary", name_zh="京华技术转移服务中心", name_en="Jinghua Technology Transfer"
    )
    applicant = UserFactory(roles=["holder"], organization=agency, preferred_language="zh-hans")
    reviewer = UserFactory(roles=["reviewer"], preferred_language="zh-hans")
    OrganizationFactory(
        name_zh="",
        name_en="JINGHUA technology transfer",
        region="US",
        credit_code="",
        verification_status="pending",
    )
    # when the applicant asks for the broker role with the certificate number
    sign_in(page, live_server.url, applicant.email, PASSWORD)
    page.goto(f"{live_server.url}/me/roles/")
    expect(page.get_by_test_id("role-requirements")).to_be_visible()
    page.select_option("select[name=role]", "broker")
    page.select_option("select[name=organization]", str(agency.pk))
    page.fill("input[name=credential_number]", "技术经纪人证书 BJ-2026-0042")
    page.locator("form button[type=submit]").last.click()
    expect(page.get_by_test_id("role-grant")).to_have_count(1)
    assert not User.objects.get(pk=applicant.pk).has_role("broker")
    _visit_everywhere(browser, live_server.url, applicant, "/me/roles/", "my-roles")

    # then the reviewer sees the request, and the impostor's clash, on the review queue
    _visit_everywhere(browser, live_server.url, reviewer, "/me/review/", "review-queue")
    reviewer_context = browser.new_context(locale="zh-CN")
    reviewer_page = reviewer_context.new_page()
    sign_in(reviewer_page, live_server.url, reviewer.email, PASSWORD)
    reviewer_page.goto(f"{live_server.url}/me/review/")
    expect(reviewer_page.get_by_test_id("name-clash")).to_have_count(1)
    item = reviewer_page.get_by_test_id("role-grant-item")
    expect(item).to_contain_text("BJ-2026-0042")
    item.locator("button[value=grant]").click()
    expect(reviewer_page.get_by_test_id("role-grant-item")).to_have_count(0)
    reviewer_context.close()

    # and the applicant is a broker, on record
    assert User.objects.get(pk=applicant.pk).has_role("broker")
    assert RoleGrant.objects.get(user=applicant).decided_by == reviewer
    _visit_everywhere(
        browser,
        live_server.url,
        reviewer,
        f"/me/roles/{RoleGrant.objects.get(user=applicant).pk}/",
        "role-grant",
    )
