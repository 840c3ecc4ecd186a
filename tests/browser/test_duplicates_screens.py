"""The duplicates pages pass the site audit (no sideways scroll at 1366/390 px, no codes shown,
axe-core clean) in both languages: the reviewers' queue and comparison, and the holder's manage
page with its "update it instead?" warning."""

import pytest

from catalog import services
from catalog.choices import TechnologyStatus
from catalog.models import DuplicateFlag
from tests.browser.conftest import sign_in
from tests.browser.test_site_audit import DESKTOP, LANGUAGES, audit_page, code_vocabulary
from tests.catalog.conftest import make_technology
from tests.catalog.test_duplicates import ORIGINAL, REWORDED
from tests.factories import PASSWORD, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_duplicates_pages_pass_the_audit(browser, live_server):
    # given a holder's published listing, its re-entered twin submitted, and a reviewer
    organization = OrganizationFactory()
    holder = UserFactory(roles=["holder"], organization=organization)
    reviewer = UserFactory(roles=["reviewer"])
    make_technology(holder, status=TechnologyStatus.PUBLISHED, **ORIGINAL)
    twin = services.technology_submit(user=holder, technology=make_technology(holder, **REWORDED))
    flag = DuplicateFlag.objects.get(technology=twin)
    vocabulary = code_vocabulary()
    problems = []
    shown = {
        "/technologies/duplicates/": "duplicate-pair",
        f"/technologies/duplicates/{flag.pk}/": "duplicate-comparison",
        f"/technologies/{twin.pk}/manage/": "duplicate-warning",
    }
    for user, paths in (
        (reviewer, ["/technologies/duplicates/", f"/technologies/duplicates/{flag.pk}/"]),
        (holder, [f"/technologies/{twin.pk}/manage/"]),
    ):
        context = browser.new_context(locale="zh-CN", viewport=DESKTOP, reduced_motion="reduce")
        page = context.new_page()
        page.set_default_timeout(20_000)
        sign_in(page, live_server.url, user.email, PASSWORD)
        # when each page is opened in both languages
        for language in LANGUAGES:
            context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
            )
            for path in paths:
                problems += audit_page(
                    page, live_server.url, path, language, vocabulary, True, None
                )
                if not page.locator(f"[data-testid={shown[path]}]").count():
                    problems.append(f"{language} {path}: {shown[path]} missing")
        context.close()
    # then none has a problem
    assert problems == []
