"""The top navigation fits every common screen, for every role, in both languages.

For each demo role (and a visitor) three pages it really uses are opened in Chinese and English
and measured at 1920, 1440, 1366, 1280 and 390 px (one load per page and language; the window is
resized in place): the page never scrolls sideways, every visible navigation link, button and
the language box lies inside the viewport, each dropdown opens inside it, no label wraps onto a
second line and the language box shows its whole name. At 390 px the collapsed (hamburger) menu
opens and everything in it fits. Screenshots of each role's workspace go to test-artifacts/.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from accounts.demo import DEMO_PASSWORD, seed_accounts
from core.navigation import navigation_for
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.browser.measure import measure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = [
    "anonymous", "holder", "enterprise", "broker", "financier", "reviewer", "operator", "admin"
]  # fmt: skip
LANGUAGES = ["zh-hans", "en"]
DESKTOP_WIDTHS = [1920, 1440, 1366, 1280]
PHONE_WIDTH = 390
HEIGHTS = {PHONE_WIDTH: 844}


def check_dropdowns(page: Page, where: str) -> list[str]:
    """Open each visible dropdown of the navigation in turn; its items must fit."""
    problems = []
    toggles = page.locator("nav.navbar [data-bs-toggle=dropdown]")
    for index in range(toggles.count()):
        toggle = toggles.nth(index)
        if not toggle.is_visible():
            continue
        label = toggle.inner_text().strip() or toggle.get_attribute("aria-label")
        toggle.click()
        menu = page.locator("nav.navbar .dropdown-menu.show")
        menu.wait_for()
        if menu.locator("a, button").count() == 0:
            problems.append(f"{where} {label}: empty menu")
        problems += measure(page, f"{where} menu {label}", "nav.navbar .dropdown-menu.show")
        toggle.click()
        menu.wait_for(state="detached" if menu.count() == 0 else "hidden")
    return problems


def shoot(page: Page, role: str, name: str, full_page: bool = False) -> None:
    """nav-<role>-<language>-<width>.png; the most crowded bar (the administrator's) also as
    nav-<language>-<width>.png."""
    page.screenshot(path=str(ARTIFACTS / f"nav-{role}-{name}.png"), full_page=full_page)
    if role == "admin":
        page.screenshot(path=str(ARTIFACTS / f"nav-{name}.png"), full_page=full_page)


def role_user(role: str, cast: dict):
    if role == "operator":
        # The demo's programme operator, with its granted role, comes with the finance demo.
        from finance.demo import _park_operator

        return _park_operator()
    return cast[role]


def pages_for(user) -> list[str]:
    if user is None:
        return ["/", reverse("catalog:technology_list"), reverse("insight:statistics")]
    own = [entry["url"] for entry in navigation_for(user) if entry["url"] != "/me/workspace/"]
    return ["/me/workspace/", "/", own[0]]


@pytest.mark.parametrize("role", ROLES)
def test_navigation_fits_every_width_in_both_languages(browser, live_server, role):
    # given a signed-in demo user of this role (or a visitor)
    cast = seed_accounts()
    user = None if role == "anonymous" else role_user(role, cast)
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 800}, reduced_motion="reduce"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    ARTIFACTS.mkdir(exist_ok=True)
    problems = []
    try:
        if user is not None:
            sign_in(page, live_server.url, user.email, DEMO_PASSWORD)
        for language in LANGUAGES:
            context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
            )
            paths = pages_for(user)
            for path in paths:
                # when the page is shown at each width in this language
                page.set_viewport_size({"width": DESKTOP_WIDTHS[0], "height": 800})
                page.goto(live_server.url + path)
                assert page.locator("html").get_attribute("lang").lower().startswith(language[:2])
                for width in DESKTOP_WIDTHS:
                    where = f"{role} {language} {width}px {path}"
                    page.set_viewport_size({"width": width, "height": HEIGHTS.get(width, 800)})
                    # then the navigation is in view, unwrapped, and the page does not scroll
                    problems += measure(page, where)
                    if path == paths[0]:
                        shoot(page, role, f"{language}-{width}")
                        # the menus are the same on every page: opened on the first one
                        problems += check_dropdowns(page, where)
                # and on a phone the collapsed menu opens with everything inside the screen
                where = f"{role} {language} {PHONE_WIDTH}px {path}"
                page.set_viewport_size({"width": PHONE_WIDTH, "height": HEIGHTS[PHONE_WIDTH]})
                problems += measure(page, where)
                if path != paths[0]:
                    continue
                toggler = page.locator("nav.navbar .navbar-toggler")
                if not toggler.is_visible():
                    problems.append(f"{where}: no collapsed menu button")
                    continue
                toggler.click()
                page.locator("#main-nav.show").wait_for()
                problems += measure(page, f"{where} open")
                problems += check_dropdowns(page, f"{where} open")
                shoot(page, role, f"{language}-{PHONE_WIDTH}", full_page=True)
    finally:
        context.close()
    assert not problems, "\n".join(problems)
