"""Issue #16's "Done when", in Chromium: a Chinese holder licenses a restricted technology to a
Thai enterprise through a partner centre. The screening blocks binding terms until the
licence-intent letter is checked and signing until the licence is checked, the baht rate is
fixed at signing, the deal completes with its contract record exported, and the Thai user reads
it all in Thai.

Screenshots of the key pages in Thai and Arabic at 1366 px and 390 px go to SCREENS (outside the
repository) for people to look at; the test asserts on the pages, not on the pictures.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page

from accounts.choices import Role
from accounts.demo import DEMO_PASSWORD, demo_role_grant, seed_accounts
from catalog.models import Category, Technology
from centres import demo as centres_demo
from centres import services as centre_services
from currencies.models import ExchangeRate
from exchange import demo as exchange_demo
from exchange.models import Deal
from exportcontrol.models import ControlEntry
from exportcontrol.services import classification_declare, classification_review
from registry.models import ContractRecord
from tests.browser.conftest import sign_in
from tests.browser.test_interface_languages import LATIN_WORD, interface_texts, kept_on_purpose

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = Path(os.environ.get("JOURNEY_SCREENS", "/work/screens/journey"))
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HAN = re.compile(r"[\u3400-\u9fff]")
TITLE_ZH = "园区能耗数据分析与个性化节能推送"
TITLE_EN = "Energy-data analytics and personalised saving advice"
THB_RATE = Decimal("0.2051")
PRICE = "4500000"
THAI_EMAIL = "thai-enterprise@demo.example"
INTRODUCTION_NOTE = "泰国工业园区的节能需求，两中心联合经纪。"
MILESTONE = "首付款"
PAYMENT_TERMS = "40% on signing, 60% on acceptance"
INTENT_NUMBER, LICENCE_NUMBER = "YX-2026-0086", "XK-2026-0086"


@pytest.fixture
def cast(db):
    """The demo cast, both centres (the China–ASEAN centre's member a granted broker), the Thai
    enterprise, a restricted export entry, a classified published technology and today's baht
    rate."""
    if not Category.objects.filter(code="1.1").exists():
        call_command("load_taxonomy", verbosity=0)
    users = seed_accounts()
    centres = {}
    for key in centres_demo.CENTRES:
        centres[key] = centres_demo._centre(key)
        member = centres_demo._member(*centres_demo.USERS[key], centres[key])
        countries, languages = centres_demo.PROFILES[key]
        centre_services.centre_profile_update(
            organization=centres[key], user=member, countries=countries, languages=languages
        )
        users[f"centre-{key}"] = member
    demo_role_grant(user=users["centre-cn"], role=Role.BROKER, organization=centres["cn"])
    thai_org, users["thai"] = exchange_demo._thai_buyer(DEMO_PASSWORD)
    entry = ControlEntry.objects.create(
        code="086501X",
        level="restricted",
        name_zh="信息处理技术",
        name_en="Information processing technology",
        revision="2023",
    )
    technology = Technology.objects.create(
        organization=users["holder"].memberships.first().organization,
        title_zh=TITLE_ZH,
        title_en=TITLE_EN,
        summary_zh="采集园区能耗数据并推送个性化节能措施。",
        description_zh="数据模型与推送算法。",
        category=Category.objects.get(code="1.1"),
        trl=7,
        transaction_modes=["license"],
        target_regions=["TH"],
        region="CN-JS",
        status="published",
        published_at=timezone.now(),
    )
    classification_declare(technology=technology, user=users["holder"], entry=entry)
    classification_review(technology=technology, user=users["reviewer"], action="confirm")
    ExchangeRate.objects.create(
        date=timezone.localdate(), currency="THB", rate=THB_RATE, source="test"
    )
    return users, centres, thai_org, technology


@pytest.fixture
def open_as(browser):
    contexts = []

    def open_page(base_url: str, email: str, language: str = "zh-hans", width: int = 1366):
        context = browser.new_context(
            locale="zh-CN", viewport={"width": width, "height": 900}, accept_downloads=True
        )
        context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, base_url, email, DEMO_PASSWORD)
        return page

    yield open_page
    for context in contexts:
        context.close()


def act(page: Page, action: str) -> None:
    page.click(f"[data-testid=deal-actions] button[data-action={action}]")
    page.wait_for_load_state("load")


def stage(page: Page) -> str:
    return page.locator("[data-testid=deal-stage]").get_attribute("data-stage")


def attach(page: Page, kind: str, path: Path, note: str) -> None:
    form = page.locator("[data-testid=message-form]")
    form.locator("select[name=kind]").select_option(kind)
    form.locator("input[name=file]").set_input_files(str(path))
    form.locator("textarea[name=body]").fill(note)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("load")


def check_licence_document(page: Page, name: str, number: str) -> None:
    """The reviewer opens the document's check form on the screening panel and accepts it."""
    item = page.locator("[data-testid=licence-documents] li").filter(has_text=name)
    item.locator("summary").click()
    form = item.locator("[data-testid=licence-check-form]")
    form.locator("input[name=decision][value=accepted]").check()
    form.locator("input[name=number]").fill(number)
    today = timezone.localdate()
    form.locator("input[name=issued_on]").fill((today - datetime.timedelta(days=3)).isoformat())
    form.locator("input[name=expires_on]").fill((today + datetime.timedelta(days=365)).isoformat())
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("load")


@functools.cache
def latin_kept(language: str) -> frozenset[str]:
    """The Latin words the language's catalogues keep (read once: it parses every catalogue)."""
    return frozenset(kept_on_purpose(language)[1])


def foreign_interface_text(page: Page, url: str, language: str, content: list[str]) -> list[str]:
    """Interface texts of `url` in `language` with Latin words its catalogues do not keep, or
    Chinese characters, once the user content (titles, organisation names) is taken out."""
    kept = latin_kept(language)
    found = []
    for text in interface_texts(page, url, language):
        bare = text
        for value in content:
            bare = bare.replace(value, " ")
        latin = [word for word in LATIN_WORD.findall(bare) if word not in kept]
        if latin or HAN.search(bare):
            found.append(f"{url} [{language}]: {text!r}")
    return found


@pytest.fixture
def screenshots(browser, live_server):
    """Save a page in Thai and Arabic at 1366 px and 390 px for review: one signed-in context
    per language, the viewport switched between the widths."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    base, pages, saved = live_server.url, {}, []

    def take(email: str, name: str, url: str) -> None:
        for language in ("th", "ar"):
            if language not in pages:
                context = browser.new_context(locale="zh-CN")
                context.add_cookies([{"name": "django_language", "value": language, "url": base}])
                pages[language] = context.new_page()
                sign_in(pages[language], base, email, DEMO_PASSWORD)
            page = pages[language]
            for width in (1366, 390):
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(url)
                path = SCREENS / f"{name}-{language}-{width}.png"
                page.screenshot(path=str(path), full_page=True)
                saved.append(path)

    yield take
    for page in pages.values():
        page.context.close()
    assert all(path.stat().st_size > 0 for path in saved)


def test_restricted_licence_to_a_thai_enterprise_through_a_partner_centre(
    open_as, live_server, cast, screenshots, tmp_path
):
    base = live_server.url
    users, centres, thai_org, technology = cast
    letter, licence, contract = (tmp_path / name for name in ("intent.pdf", "licence.pdf", "c.pdf"))
    for path in (letter, licence, contract):
        path.write_bytes(PDF)

    # the China–ASEAN centre's broker introduces the technology to the Thai enterprise,
    # co-brokered with the Thai partner centre (60/40)
    centre = open_as(base, "centre@demo.example")
    centre.goto(f"{base}/exchange/introductions/")
    form = centre.locator("[data-testid=introduction-form]")
    form.locator("select[name=technology]").select_option(str(technology.pk))
    form.locator("select[name=enterprise]").select_option(str(thai_org.pk))
    form.locator("select[name=deal_type]").select_option("license")
    form.locator("input[name=commission_rate]").fill("5")
    form.locator("textarea[name=note]").fill(INTRODUCTION_NOTE)
    form.locator("select[name=lead_centre]").select_option(str(centres["cn"].pk))
    form.locator("select[name=partner_centre]").select_option(str(centres["th"].pk))
    form.locator("input[name=lead_centre_share]").fill("60")
    form.locator("input[name=partner_centre_share]").fill("40")
    form.locator("[data-testid=introduction-review]").click()
    centre.locator("[data-testid=introduction-confirm]").click()
    centre.wait_for_load_state("load")

    # the holder accepts, then the Thai enterprise (in Thai): the deal opens
    holder = open_as(base, "holder@demo.example")
    holder.goto(f"{base}/exchange/introductions/")
    holder.click("[data-testid=introduction] button[value=accept_as_seller]")
    thai = open_as(base, THAI_EMAIL, language="th")
    thai.goto(f"{base}/exchange/introductions/")
    thai.click("[data-testid=introduction] button[value=accept_as_buyer]")
    assert stage(thai) == "negotiation"
    deal = Deal.objects.get(technology=technology)
    deal_url = f"{base}/exchange/deals/{deal.pk}/"
    assert thai.locator("[data-testid=deal-direction]").get_attribute("data-direction") == (
        "export"
    )
    assert "60" in thai.locator("[data-testid=co-broker-split]").inner_text()

    # the Thai buyer sets the terms in baht; binding terms are refused: no checked intent letter
    terms = thai.locator("[data-testid=terms-form]")
    terms.locator("input[name=price]").fill(PRICE)
    terms.locator("select[name=currency]").select_option("THB")
    terms.locator("textarea[name=payment_terms]").fill(PAYMENT_TERMS)
    terms.locator("button[type=submit]").click()
    thai.wait_for_load_state("load")
    panel = thai.locator("[data-testid=export-screening]")
    assert panel.get_attribute("data-outcome") == "restricted"
    blocked = thai.locator("[data-testid=screening-blocked]").inner_text()
    assert "086501X" in blocked
    act(thai, "draft_agreement")
    assert stage(thai) == "negotiation"
    assert "086501X" in thai.locator(".alert-danger").first.inner_text()
    requirements = thai.locator("[data-testid=screening-requirements] [data-requirement]")
    assert requirements.count() == 3
    screenshots(THAI_EMAIL, "deal-blocked", deal_url)

    # the holder attaches the licence-intent letter, a reviewer checks it: terms may bind
    holder.goto(deal_url)
    attach(holder, "export_licence_intent", letter, "技术出口许可意向书")
    reviewer = open_as(base, "reviewer@demo.example")
    reviewer.goto(deal_url)
    check_licence_document(reviewer, "intent.pdf", INTENT_NUMBER)
    thai.goto(deal_url)
    act(thai, "draft_agreement")
    assert stage(thai) == "agreement_drafted"
    attach(thai, "contract", contract, "สัญญาฉบับสุดท้าย")
    act(thai, "submit_for_review")
    reviewer.goto(deal_url)
    act(reviewer, "approve")
    assert stage(reviewer) == "approved"

    # signing is refused until the export licence is checked
    thai.goto(deal_url)
    act(thai, "sign_contract")
    assert stage(thai) == "approved"
    refusal = thai.locator(".alert-danger").first.inner_text()
    assert "086501X" in refusal
    assert not thai.locator("[data-testid=deal-fx-rate]").count()
    holder.goto(deal_url)
    attach(holder, "export_licence", licence, "技术出口许可证")
    reviewer.goto(deal_url)
    check_licence_document(reviewer, "licence.pdf", LICENCE_NUMBER)

    # the Thai buyer signs: the day's baht rate is fixed on the deal
    thai.goto(deal_url)
    act(thai, "sign_contract")
    assert stage(thai) == "contract_signed"
    fixed = thai.locator("[data-testid=deal-fx-rate]").inner_text()
    assert "1 THB" in fixed and "0.2051" in fixed
    deal.refresh_from_db()
    assert (deal.fx_rate, deal.fx_rate_date) == (THB_RATE, timezone.localdate())

    # execution with a milestone, then completion by the buyer
    holder.goto(deal_url)
    holder.locator("[data-testid=milestone-form]").locator("xpath=..").locator("summary").click()
    milestone = holder.locator("[data-testid=milestone-form]")
    milestone.locator("select[name=kind]").select_option("payment")
    milestone.locator("input[name=title]").fill(MILESTONE)
    milestone.locator("input[name=amount]").fill("1800000")
    due = timezone.localdate() + datetime.timedelta(days=30)
    milestone.locator("input[name=due_date]").fill(due.isoformat())
    milestone.locator("button[type=submit]").click()
    holder.wait_for_load_state("load")
    act(holder, "start_execution")
    holder.click("[data-testid=milestone-confirm]")
    holder.wait_for_load_state("load")
    thai.goto(deal_url)
    act(thai, "complete")
    assert stage(thai) == "completed"

    # the contract record opened with the deal's completion; its file names the deal in yuan
    record = ContractRecord.objects.get(deal=deal)
    assert thai.locator("[data-testid=contract-record-panel]").is_visible()
    holder.goto(deal_url)
    with holder.expect_download() as download_info:
        holder.locator("[data-testid=contract-record-panel] a[href$='/export/csv/']").click()
    download = download_info.value
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert len(rows) == 2
    exported = dict(zip(rows[0], rows[1], strict=True))
    assert str(deal.pk) in rows[1]
    assert any(PRICE in value.replace(",", "") for value in exported.values())
    # with its yuan value at the rate fixed at signing
    assert "922950.00" in rows[1]
    assert "TH" in rows[1]

    # the Thai user reads the deal and the record in Thai: no English or Chinese interface text
    content = [
        TITLE_ZH,
        TITLE_EN,
        technology.organization.name_zh,
        technology.organization.name_en,
        thai_org.name_en,
        thai_org.name_zh,
        centres["cn"].name_en,
        centres["th"].name_en,
        "086501X",
        "THB",
    ]
    record_url = f"{base}/registry/{record.pk}/"
    problems = foreign_interface_text(thai, deal_url, "th", content)
    problems += foreign_interface_text(thai, record_url, "th", content)
    assert not problems, "\n".join(problems)
    # the timeline too: what the platform wrote there (screening decisions, licence checks,
    # documents) reads in Thai although the holder and the reviewer worked in Chinese
    thai.goto(deal_url)
    written = [
        *content,
        *(users[key].full_name for key in ("holder", "reviewer", "centre-cn", "thai")),
        INTRODUCTION_NOTE,
        MILESTONE,
        PAYMENT_TERMS,
        INTENT_NUMBER,
        LICENCE_NUMBER,
        "Information processing technology",
        "intent.pdf",
        "licence.pdf",
        "c.pdf",
    ]
    for text in thai.locator("[data-testid=deal-timeline] li").all_inner_texts():
        bare = text
        for value in written:
            bare = bare.replace(value, " ")
        latin = [word for word in LATIN_WORD.findall(bare) if word not in latin_kept("th")]
        assert not HAN.search(bare) and not latin, f"not Thai on the timeline: {text!r}"

    screenshots(THAI_EMAIL, "deal-completed", deal_url)
    screenshots(THAI_EMAIL, "contract-record", record_url)


@pytest.fixture
def import_deal(db):
    """A German holder's technology, restricted from import into China, licensed to the demo
    enterprise in Zhejiang (a technology import), in negotiation with its terms set."""
    from tests.factories import OrganizationFactory, UserFactory

    if not Category.objects.filter(code="1.1").exists():
        call_command("load_taxonomy", verbosity=0)
    users = seed_accounts()
    seller = OrganizationFactory(name_en="Rhein Umwelttechnik GmbH", region="DE", credit_code="")
    holder = UserFactory(
        email="holder-de@demo.example", roles=["holder"], organization=seller, password=None
    )
    holder.set_password(DEMO_PASSWORD)
    holder.save()
    entry = ControlEntry.objects.create(
        catalogue="import",
        code="990101X",
        level="restricted",
        name_zh="半再生重整技术",
        name_en="Semi-regenerative reforming technology",
        revision="2007",
    )
    technology = Technology.objects.create(
        organization=seller,
        title_zh="半再生催化重整装置",
        title_en="Semi-regenerative catalytic reformer",
        summary_zh="炼油重整工艺。",
        description_zh="工艺包。",
        category=Category.objects.get(code="1.1"),
        trl=8,
        transaction_modes=["license"],
        status="published",
        published_at=timezone.now(),
    )
    classification_declare(technology=technology, user=holder, entry=entry)
    classification_review(technology=technology, user=users["reviewer"], action="confirm")
    return Deal.objects.create(
        technology=technology,
        seller=seller,
        buyer=users["enterprise"].memberships.first().organization,
        stage="negotiation",
        deal_type="license",
        price=Decimal("1500000"),
        currency="CNY",
        payment_terms="签约后付 50%，验收后付 50%。",
        opened_by=users["enterprise"],
    )


def test_an_import_waits_for_the_buyers_checked_import_licence_intent_letter(
    open_as, live_server, import_deal, tmp_path
):
    base = live_server.url
    deal_url = f"{base}/exchange/deals/{import_deal.pk}/"
    letter = tmp_path / "import-intent.pdf"
    letter.write_bytes(PDF)

    # the Chinese buyer sees the import screening and is refused binding terms, entry named
    buyer = open_as(base, "enterprise@demo.example", language="en")
    buyer.goto(deal_url)
    panel = buyer.locator("[data-testid=export-screening]")
    assert panel.get_attribute("data-direction") == "import"
    assert "Import restricted: licence required" in panel.inner_text()
    assert "The buyer attaches the licence-intent letter" in panel.inner_text()
    act(buyer, "draft_agreement")
    assert stage(buyer) == "negotiation"
    assert "Import of this technology is restricted (entry 990101X" in (
        buyer.locator(".alert-danger").first.inner_text()
    )

    # the foreign seller may not attach the importer's documents
    seller = open_as(base, "holder-de@demo.example", language="en")
    seller.goto(deal_url)
    attach(seller, "import_licence_intent", letter, "intent")
    assert "Only the buyer's members attach" in seller.locator(".alert-danger").first.inner_text()

    # the buyer attaches the import licence-intent letter, a reviewer checks it
    buyer.goto(deal_url)
    attach(buyer, "import_licence_intent", letter, "技术进口许可意向书")
    reviewer = open_as(base, "reviewer@demo.example", language="en")
    reviewer.goto(deal_url)
    check_licence_document(reviewer, "import-intent.pdf", "JK-YX-2026-01")
    requirement = reviewer.locator("[data-requirement=licence_intent]")
    assert requirement.locator(".bi-check-circle").count() == 1

    # binding terms go through, and the timeline says why, in the reader's language
    buyer.goto(deal_url)
    act(buyer, "draft_agreement")
    assert stage(buyer) == "agreement_drafted"
    timeline = buyer.locator("[data-testid=deal-timeline]").inner_text()
    assert "Technology import licence-intent letter no. JK-YX-2026-01 accepted" in timeline
    assert "Passed: Restricted entry 990101X" in timeline
