"""The interface in Russian, French, Arabic and Thai, in Chromium, as each role sees it.

Every demo role's workspace and the home page are opened in English and then in each new language:
interface text (headings, labels, buttons, table headers, the navigation) must not read as the
English page does, unless the language's catalogue itself keeps the English words (a code such
as TRL or API); on Russian, Arabic and Thai pages no Latin-script word may appear in interface
text outside the words their catalogues keep on purpose. An Arabic page is right to left: dir="rtl",
Bootstrap's RTL stylesheet and a mirrored navigation bar (the brand on the right, the toggler on
the left on a phone). The switcher offers the six languages, each in its own name.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from accounts.demo import DEMO_PASSWORD, seed_accounts
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.browser.measure import measure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPO_ROOT = Path(__file__).resolve().parents[2]
NEW_LANGUAGES = ["ru", "fr", "ar", "th"]
NON_LATIN_LANGUAGES = {"ru", "ar", "th"}
ROLES = ["anonymous", "holder", "enterprise", "broker", "financier", "reviewer", "operator"]
# Interface text only: user content (titles, names, descriptions, a select's organisations) may
# be in any language. The navigation's own links and menus are interface text.
INTERFACE = (
    "main h1, main h2, main th, main dt, main label, main legend, main button, main .btn, "
    "#main-nav .me-auto .nav-link, #main-nav .dropdown-item, footer a"
)
COLLECT = """(selector) => [...document.querySelectorAll(selector)].map(
  (element) => (element.textContent || '').replace(/\\s+/g, ' ').trim()).filter(Boolean)"""
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}|<[^>]+>")
# Names that stay Latin in every language: the demo administrator's name ("Welcome, Admin") and
# e-mail addresses are user content that a heading may quote; currency codes.
ALWAYS_LATIN = {"Admin", "demo", "example", "CNY", "USD", "EUR"}


def load_i18n_script():
    spec = importlib.util.spec_from_file_location("i18n_script", REPO_ROOT / "scripts" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def kept_on_purpose(language: str) -> tuple[set[str], set[str]]:
    """What the language's catalogues keep as English: whole texts translated as themselves
    ("Documents" in French) and the Latin words their translations contain (TRL, API ...)."""
    i18n = load_i18n_script()
    same_texts, latin_words = set(), set(ALWAYS_LATIN)
    for app in i18n.app_names():
        path = i18n.catalogue_path(app, language)
        if not path.exists():
            continue
        for entry in polib.pofile(str(path)):
            forms = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
            for form in forms:
                if not form:
                    continue
                if form in {entry.msgid, entry.msgid_plural}:
                    same_texts.add(" ".join(form.split()))
                # Codes and names (TRL, API, Excel); a lowercase word in a translation is
                # an example value ("?status=open"), not licence to leave English words.
                latin_words.update(
                    word
                    for word in LATIN_WORD.findall(PLACEHOLDER.sub(" ", form))
                    if word != word.lower()
                )
    return same_texts, latin_words


def interface_texts(page: Page, url: str, language: str) -> list[str]:
    page.context.add_cookies([{"name": "django_language", "value": language, "url": url}])
    page.goto(url)
    expect(page.locator("html")).to_have_attribute("lang", language)
    if page.locator("#matches").count():
        page.wait_for_load_state("networkidle")
    return page.evaluate(COLLECT, INTERFACE)


def untranslated(page: Page, url: str, language: str, kept: tuple[set[str], set[str]]) -> list[str]:
    """The interface texts of `url` in `language` that still read in English."""
    same_texts, latin_words = kept
    english = set(interface_texts(page, url, "en"))
    found = []
    for text in interface_texts(page, url, language):
        foreign = [word for word in LATIN_WORD.findall(text) if word not in latin_words]
        if text in english and text not in same_texts and LATIN_WORD.search(text) and foreign:
            found.append(f"{url} [{language}] same as English: {text!r}")
        elif language in NON_LATIN_LANGUAGES and foreign:
            found.append(f"{url} [{language}] Latin words {foreign}: {text!r}")
    return found


def role_user(role: str, cast: dict):
    if role == "operator":
        # The demo's programme operator, with its granted role, comes with the finance demo.
        from finance.demo import _park_operator

        return _park_operator()
    return cast[role]


@pytest.mark.parametrize("language", NEW_LANGUAGES)
def test_every_role_workspace_reads_in_the_language(browser, live_server, language):
    # given the demo cast and what the language's catalogues keep in English on purpose
    cast = seed_accounts()
    kept = kept_on_purpose(language)
    base = live_server.url
    problems = []
    for role in ROLES:
        context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            paths = ["/"]
            if role != "anonymous":
                user = role_user(role, cast)
                sign_in(page, base, user.email, DEMO_PASSWORD)
                paths = ["/me/workspace/", "/"]
            # when each page is read in English and then in the language
            for path in paths:
                problems += untranslated(page, base + path, language, kept)
                # (longer labels: the bar collapses rather than push the page sideways)
                problems += measure(page, f"{role} {language} 1366px {path}")
        finally:
            context.close()
    # then no interface text is left in English
    assert not problems, f"{len(problems)} untranslated text(s):\n" + "\n".join(problems)


def test_the_switcher_offers_six_languages_each_in_its_own_name(page, live_server):
    # given a visitor on the home page
    page.goto(live_server.url + "/")
    options = page.locator("[data-testid=language-select] option")
    # then each language is offered in its own name
    expect(options).to_have_text([name for _code, name in settings.LANGUAGES])
    # when the visitor picks Arabic
    page.select_option("[data-testid=language-select]", "ar")
    page.wait_for_load_state("load")
    # then the page is Arabic and right to left, and stays so on the next page
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.goto(live_server.url + "/technologies/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    # and back in Thai it is left to right again
    page.select_option("[data-testid=language-select]", "th")
    page.wait_for_load_state("load")
    expect(page.locator("html")).to_have_attribute("lang", "th")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")


def box(page: Page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


@pytest.mark.parametrize("width", [1366, 390])
def test_an_arabic_page_is_right_to_left_with_the_navigation_mirrored(browser, live_server, width):
    # given a signed-in holder reading Arabic
    cast = seed_accounts()
    context = browser.new_context(
        locale="ar", viewport={"width": width, "height": 900}, reduced_motion="reduce"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, live_server.url, cast["holder"].email, DEMO_PASSWORD)
        context.add_cookies([{"name": "django_language", "value": "ar", "url": live_server.url}])
        # when the workspace opens
        page.goto(live_server.url + "/me/workspace/")
        # then it is right to left with Bootstrap's RTL stylesheet
        html = page.locator("html")
        expect(html).to_have_attribute("lang", "ar")
        expect(html).to_have_attribute("dir", "rtl")
        assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
        assert page.locator("link[href*='bootstrap.rtl']").count() == 1
        assert page.locator("link[href$='bootstrap.min.css']").count() == 0
        # and the navigation bar is mirrored: the brand on the right, the rest to its left
        brand = box(page, ".navbar-brand")
        assert brand["x"] + brand["width"] > width * 0.6, brand
        toggler = page.locator(".navbar-toggler")
        if not toggler.is_visible():
            first_link = box(page, "#main-nav .me-auto .nav-link")
            language_box = box(page, "#language-select")
            assert first_link["x"] + first_link["width"] <= brand["x"] + 1
            assert language_box["x"] < first_link["x"]
            # the main content starts on the right too
            heading = box(page, "main h1")
            assert heading["x"] + heading["width"] > width * 0.6
        else:
            assert width < 1366, "the holder's Arabic bar fits 1366 px expanded"
            toggler_box = toggler.bounding_box()
            assert toggler_box["x"] + toggler_box["width"] < brand["x"] + 1
        # and nothing scrolls sideways
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"rtl-ar-{width}.png"), full_page=width < 500)
    finally:
        context.close()
