"""The site audit of issue #14: every page each role reaches from its navigation, checked.

With the full demo data (``seed_demo``), each role (a visitor, every demo login and one verified
expert) signs in and collects the pages it can reach: the links of the rendered navigation bar
(its menus included) and of its workspace (a visitor: of the home page), plus the entries of
``navigation_for``. Same-origin GET pages only: no sign-out, no file downloads, no Django admin
and no API. Each page is opened in Chinese and English at 1366 px and measured again at 390 px.
Problems are collected, not raised one by one; the test fails once with the whole list on:

- a 4xx/5xx response (or a signed-in link that ends on the sign-in page),
- a page that scrolls sideways, or a navigation item outside the viewport (tests/browser/measure),
- a ``snake_case`` choice value or model field name of the project's code in the visible text,
- a serious or critical axe-core violation (at 1366 px, in each language).

Counts per role are printed and written to test-artifacts/site-audit.json; screenshots of each
role's workspace and two other main pages (zh/en x 1366/390) go to test-artifacts/ as
audit-<role>-<page>-<language>-<width>.png.

Budget: pages of one URL pattern (``/deals/<int:pk>/``) are many copies of one template with other
rows; at most PER_ROUTE of them are opened per role, so the file runs in a few minutes.
"""

import json
import re
import time
from collections import defaultdict
from importlib import import_module
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.templatetags.static import static
from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from core.navigation import navigation_for
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.browser.measure import measure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = {
    "anonymous": None,
    "holder": "holder@demo.example",
    "enterprise": "enterprise@demo.example",
    "broker": "broker@demo.example",
    "financier": "financier@demo.example",
    "reviewer": "reviewer@demo.example",
    "operator": "operator@demo.example",
    "admin": "admin@demo.example",
    "expert": "expert-water@demo.example",
}
LANGUAGES = ["zh-hans", "en"]
DESKTOP = {"width": 1366, "height": 800}
PHONE = {"width": 390, "height": 844}
PER_ROUTE = 2
SCREENSHOTS_PER_ROLE = 3
SKIPPED_PREFIXES = ("/admin/", "/api/", "/accounts/logout/", "/i18n/", "/static/", "/media/")
DOWNLOAD_SUFFIXES = (".csv", ".xlsx", ".pdf", ".json", ".zip", ".xml")
SERIOUS = {"serious", "critical"}

# Narrow, explicit exceptions: (path regex, axe rule id or "codes:<word>", why). Empty is the goal.
ALLOWED: list[tuple[str, str, str]] = []

# The links of the navigation bar (menus included, hidden or not) and of the main content.
LINKS = """
() => [...document.querySelectorAll('nav.navbar a[href], main a[href]')]
  .filter((a) => !a.hasAttribute('download'))
  .map((a) => a.href)
"""

MAIN_LINKS = """
() => [...document.querySelectorAll('main a[href]')]
  .filter((a) => !a.hasAttribute('download'))
  .map((a) => a.href)
"""

# What a person reads: body.innerText without code samples and form fields' contents.
VISIBLE_TEXT = """
() => {
  const style = document.createElement('style');
  style.textContent = 'code, pre, textarea, script, style { display: none !important; }';
  document.head.appendChild(style);
  const text = document.body.innerText;
  style.remove();
  return text;
}
"""

# After a resize: let ResizeObserver users (Chart.js) lay themselves out again.
SETTLE = """
() => new Promise((done) => {
  const wait = document.querySelector('canvas') ? 50 : 0;
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, wait)));
})
"""

AXE_RUN = """
async () => {
  const result = await axe.run(document, { resultTypes: ['violations'] });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
      count: v.nodes.length,
    }));
}
"""

SNAKE = re.compile(r"(?<![A-Za-z0-9_])[a-z0-9]+(?:_[a-z0-9]+)+(?![A-Za-z0-9_])")


def code_vocabulary() -> set[str]:
    """Every choice value and concrete model field name with an underscore in the project's
    own apps (not Django's or third-party ones)."""
    root = Path(settings.BASE_DIR).resolve()
    project = [
        config
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(root)
        and ".venv" not in Path(config.path).parts
    ]
    for config in project:
        for module in ("choices", "models"):
            try:
                import_module(f"{config.name}.{module}")
            except ModuleNotFoundError as error:
                if error.name != f"{config.name}.{module}":
                    raise
    packages = {config.name.split(".")[0] for config in project}

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    words: set[str] = set()
    for choices in subclasses(models.Choices):
        if choices.__module__.split(".")[0] in packages:
            words |= {value for value in choices.values if isinstance(value, str)}
    for config in project:
        for model in config.get_models():
            for field in model._meta.concrete_fields:
                words.add(field.name)
                for with_choices in (field, getattr(field, "base_field", None)):
                    if with_choices is not None and with_choices.choices:
                        words |= {
                            str(key) for key, _label in with_choices.flatchoices if key is not None
                        }
    return {word for word in words if "_" in word and SNAKE.fullmatch(word)}


def allowed(path: str, rule: str) -> bool:
    return any(re.search(pattern, path) and rule == code for pattern, code, _ in ALLOWED)


def route_of(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.route or match.view_name


def wanted(url: str, origin: str) -> str | None:
    """The same-origin page path (with its query) worth opening, or None."""
    url, _fragment = urldefrag(url)
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return None
    path = parts.path or "/"
    if path.startswith(SKIPPED_PREFIXES) or path.lower().endswith(DOWNLOAD_SUFFIXES):
        return None
    if "format=" in parts.query or "export" in path:
        return None
    return path + (f"?{parts.query}" if parts.query else "")


class RolePages:
    """The pages one role audits, in the order found: at most PER_ROUTE of one URL pattern, and
    only one more of a pattern first met on a page the navigation leads to (a detail page)."""

    def __init__(self, origin: str):
        self.origin = origin
        self.paths: list[str] = []
        self.per_route: dict[str, int] = defaultdict(int)

    def add(self, urls, limit: int = PER_ROUTE) -> None:
        for url in urls:
            path = url if url and url.startswith("/") else wanted(url or "", self.origin)
            if path is None or path in self.paths:
                continue
            route = route_of(path.split("?")[0])
            if route is not None:
                if self.per_route[route] >= limit:
                    continue
                self.per_route[route] += 1
            # a link to nowhere (no route) is opened anyway: its 404 is a problem to report
            self.paths.append(path)


def code_words(page: Page, vocabulary: set[str]) -> set[str]:
    return {word for word in SNAKE.findall(page.evaluate(VISIBLE_TEXT)) if word in vocabulary}


# Seconds spent per step over the whole run, reported with the counts (the file's budget).
TIMINGS: dict[str, float] = defaultdict(float)


def lap(step: str, since: float) -> float:
    now = time.monotonic()
    TIMINGS[step] += now - since
    return now


def audit_page(
    page, origin, path, language, vocabulary, signed_in, shots, run_axe=True
) -> list[str]:
    problems = []
    where = f"{language} {path}"
    page.set_viewport_size(DESKTOP)
    clock = time.monotonic()
    try:
        response = page.goto(origin + path)
    except PlaywrightError as error:
        if "Download is starting" in str(error):
            return []  # a file download (Content-Disposition: attachment), not a page
        return [f"{where}: did not load ({str(error).splitlines()[0]})"]
    if response is None or response.status >= 400:
        return [f"{where}: HTTP {response.status if response else '?'}"]
    clock = lap("load", clock)
    final = urlsplit(page.url).path
    if signed_in and final.startswith("/accounts/login/"):
        return [f"{where}: sends a signed-in user to the sign-in page"]
    for viewport, label in ((DESKTOP, "1366px"), (PHONE, "390px")):
        if viewport is PHONE:
            page.set_viewport_size(viewport)
            page.evaluate(SETTLE)
        # A form that focuses its first field may have scrolled the bar up: measure from the top.
        page.evaluate("window.scrollTo(0, 0)")
        here = f"{language} {label} {path}"
        problems += measure(page, here)
        for word in sorted(code_words(page, vocabulary)):
            if not allowed(path, f"codes:{word}"):
                problems.append(f"{here}: shows the code {word!r}")
        clock = lap("measure", clock)
        if shots is not None:
            page.screenshot(
                path=shots.format(language=language, width=viewport["width"]), full_page=True
            )
            clock = lap("screenshots", clock)
        if viewport is DESKTOP and run_axe:
            # From the live server's static files: the page's CSP (script-src 'self') stays on.
            page.add_script_tag(url=origin + static("vendor/axe-core/axe.min.js"))
            for violation in page.evaluate(AXE_RUN):
                if allowed(path, violation["id"]):
                    continue
                problems.append(
                    f"{here}: axe {violation['impact']} {violation['id']} x{violation['count']}"
                    f" at {'; '.join(violation['targets'])}"
                )
            clock = lap("axe", clock)
    return problems


def shot_name(role: str, path: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
    return f"audit-{role}-{slug}-{{language}}-{{width}}.png"


def test_every_page_of_every_role_passes_the_audit(browser, live_server):
    # given the full demo data
    clock = time.monotonic()
    call_command("seed_demo", verbosity=0)
    lap("seed", clock)
    vocabulary = code_vocabulary()
    assert {"draft_agreement", "asking_price", "title_zh"} <= vocabulary
    ARTIFACTS.mkdir(exist_ok=True)
    origin = live_server.url
    report, problems = {}, []
    public: set[str] = set()  # the visitor's pages
    axed: set[tuple] = set()
    started = time.monotonic()
    for role, email in ROLES.items():
        role_started = time.monotonic()
        user = User.objects.get(email=email) if email else None
        context = browser.new_context(locale="zh-CN", viewport=DESKTOP, reduced_motion="reduce")
        page = context.new_page()
        page.set_default_timeout(20_000)
        role_problems: list[str] = []
        paths: list[str] = []
        try:
            if user is not None:
                sign_in(page, origin, email, DEMO_PASSWORD)
            # when every page it reaches from its navigation is opened in both languages
            start = "/me/workspace/" if user else "/"
            pages = RolePages(origin)
            pages.add([start] + [entry["url"] for entry in navigation_for(user)])
            page.goto(origin + start)
            pages.add(page.evaluate(LINKS))
            first_level = list(pages.paths)
            for language in LANGUAGES:
                context.add_cookies([{"name": "django_language", "value": language, "url": origin}])
                index = 0
                while index < len(pages.paths):
                    path = pages.paths[index]
                    shots = (
                        str(ARTIFACTS / shot_name(role, path))
                        if index < SCREENSHOTS_PER_ROLE
                        else None
                    )
                    # A public page shows everyone the same content: axe checks it once per
                    # language (for the visitor, who comes first); the rest once per role.
                    axe_key = (path, language) if path in public else (role, path, language)
                    problems_here = audit_page(
                        page,
                        origin,
                        path,
                        language,
                        vocabulary,
                        user is not None,
                        shots,
                        run_axe=axe_key not in axed,
                    )
                    axed.add(axe_key)
                    role_problems += [f"{role} {problem}" for problem in problems_here]
                    if language == LANGUAGES[0] and path in first_level:
                        # one step further: the pages the navigation's pages link to
                        pages.add(page.evaluate(MAIN_LINKS), limit=1)
                    index += 1
            paths = pages.paths
            if user is None:
                public.update(paths)
        finally:
            context.close()
        report[role] = {
            "pages": len(paths),
            "visits": len(paths) * len(LANGUAGES),
            "problems": len(role_problems),
            "seconds": round(time.monotonic() - role_started, 1),
            "paths": paths,
            "details": role_problems,
        }
        print(
            f"site audit {role}: {len(paths)} pages x {len(LANGUAGES)} languages,"
            f" {len(role_problems)} problems, {report[role]['seconds']} s"
        )
        problems += role_problems
    report["_total"] = {
        "problems": len(problems),
        "seconds": round(time.monotonic() - started, 1),
        "allowed": [{"path": p, "rule": r, "why": w} for p, r, w in ALLOWED],
        "timings": {step: round(seconds, 1) for step, seconds in TIMINGS.items()},
    }
    (ARTIFACTS / "site-audit.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    print(f"site audit: {report['_total']}")
    # then nothing is wrong on any of them
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
