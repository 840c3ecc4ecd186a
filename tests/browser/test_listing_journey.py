"""A listing as a reader meets it in Chromium (issue #14 item 10): pictures in the results and the
gallery (a placeholder, never a broken image, for a listing without), the dates, the green impact,
similar technologies loaded by htmx, the star with and without a round trip, the favourites page
and the one-page sheet; no sideways scroll in either language at 1366 and 390 px. Screenshots go
to test-artifacts/listing-*.png."""

import io

import pytest
from PIL import Image

from accounts.demo import DEMO_PASSWORD, seed_accounts
from catalog import services
from catalog.models import Technology
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.matching.conftest import make_technology

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BROKEN_IMAGES = """() => [...document.images]
  .filter((img) => img.complete && img.naturalWidth === 0).map((img) => img.src)"""
SIDEWAYS = "() => document.documentElement.scrollWidth - window.innerWidth"


class Upload(io.BytesIO):
    def __init__(self, name: str, content: bytes):
        super().__init__(content)
        self.name = name
        self.size = len(content)


def picture(colour) -> Upload:
    buffer = io.BytesIO()
    Image.new("RGB", (960, 640), colour).save(buffer, "PNG")
    return Upload("diagram.png", buffer.getvalue())


@pytest.fixture
def listings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    users = seed_accounts()
    holder = users["holder"]
    organization = holder.memberships.first().organization
    pictured = make_technology(
        organization,
        title_zh="垃圾填埋场渗滤液碟管式反渗透处理技术",
        summary="采用碟管式反渗透处理高浓度垃圾渗滤液，出水达标排放。",
        description="适用于COD 5000-20000 mg/L的渗滤液，处理规模100-500吨/天。",
        keywords=["渗滤液", "反渗透", "填埋场"],
        price="2000000",
    )
    Technology.objects.filter(pk=pictured.pk).update(
        co2e_avoided_tonnes_per_year="1250.0",
        co2e_method="按两座填埋场的实测能耗核算。",
        sdg_goals=[6, 12, 13],
        title_en="Disc-tube reverse osmosis for landfill leachate",
    )
    pictured.refresh_from_db()
    for colour in ((20, 120, 80), (40, 90, 160)):
        services.attachment_add(user=holder, technology=pictured, upload=picture(colour))
    twin = make_technology(
        organization,
        title_zh="垃圾渗滤液膜处理集成技术",
        summary="反渗透膜处理垃圾填埋场渗滤液，浓缩液回灌，出水达标。",
        keywords=["渗滤液", "反渗透", "膜处理"],
    )
    return {"pictured": pictured, "twin": twin, "users": users}


def check(page, where: str) -> None:
    assert page.evaluate(BROKEN_IMAGES) == [], where
    assert page.evaluate(SIDEWAYS) <= 0, f"{where} scrolls sideways"


def test_a_reader_sees_pictures_dates_impact_similar_listings_and_keeps_a_favourite(
    browser, live_server, listings
):
    pictured, twin = listings["pictured"], listings["twin"]
    ARTIFACTS.mkdir(exist_ok=True)
    # given anonymous readers in both languages on a laptop and a phone
    for locale, language in (("zh-CN", "zh"), ("en-US", "en")):
        for width, height in ((1366, 900), (390, 844)):
            context = browser.new_context(
                locale=locale, viewport={"width": width, "height": height}
            )
            page = context.new_page()
            page.set_default_timeout(15_000)
            # when they search the catalogue
            page.goto(f"{live_server.url}/technologies/")
            page.locator("[data-testid=result]").first.wait_for()
            # then the pictured listing shows its thumbnail, the other the placeholder
            assert page.locator("[data-testid=card-picture]").count() == 1
            assert page.locator("[data-testid=card-placeholder]").count() == 1
            assert page.locator("[data-testid=published-date]").count() == 2
            page.wait_for_function("() => [...document.images].every((img) => img.complete)")
            check(page, f"results {language} {width}")
            page.screenshot(
                path=str(ARTIFACTS / f"listing-results-{language}-{width}.png"), full_page=True
            )
            # and the detail page has the gallery, the impact with named SDGs and similar listings
            page.goto(f"{live_server.url}/technologies/{pictured.pk}/")
            assert page.locator("[data-testid=gallery] img").count() == 2
            impact = page.locator("[data-testid=green-impact]").inner_text()
            assert "1,250" in impact
            assert ("气候行动" if language == "zh" else "Climate action") in impact
            similar = page.locator("[data-testid=similar-item]").first
            similar.wait_for()
            assert twin.title_zh in similar.inner_text()
            page.wait_for_function("() => [...document.images].every((img) => img.complete)")
            check(page, f"detail {language} {width}")
            page.screenshot(
                path=str(ARTIFACTS / f"listing-detail-{language}-{width}.png"), full_page=True
            )
            context.close()

    # when an enterprise user stars the listing (htmx: no page load)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server.url, "enterprise@demo.example", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/technologies/{pictured.pk}/")
    star = page.locator("[data-testid=favourite-star]")
    assert star.get_attribute("aria-pressed") == "false"
    page.evaluate("window.__same_page = true")
    star.click()
    page.locator("[data-testid=favourite-star][aria-pressed=true]").wait_for()
    assert page.evaluate("window.__same_page") is True
    # then it is on the favourites page, reachable from the navigation
    page.goto(f"{live_server.url}/me/workspace/")
    assert page.locator("a[href='/technologies/favourites/']").count() >= 1
    page.goto(f"{live_server.url}/technologies/favourites/")
    assert pictured.title_zh in page.locator("[data-testid=favourite]").inner_text()
    check(page, "favourites zh 1366")
    page.screenshot(path=str(ARTIFACTS / "listing-favourites-zh-1366.png"), full_page=True)
    # and unstarring there removes it
    page.locator("[data-testid=favourite] [data-testid=favourite-star]").click()
    page.locator("[data-testid=favourite-star][aria-pressed=false]").wait_for()
    page.reload()
    assert page.locator("[data-testid=no-favourites]").count() == 1
    # and the one-page sheet is a PDF
    response = page.request.get(f"{live_server.url}/technologies/{pictured.pk}/sheet.pdf")
    assert response.status == 200
    assert response.body().startswith(b"%PDF")
    context.close()


def test_the_star_works_without_javascript(browser, live_server, listings):
    pictured = listings["pictured"]
    signed_in = browser.new_context(locale="en-US")
    sign_in(signed_in.new_page(), live_server.url, "enterprise@demo.example", DEMO_PASSWORD)
    context = browser.new_context(
        locale="en-US", java_script_enabled=False, storage_state=signed_in.storage_state()
    )
    signed_in.close()
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/technologies/?q=")
    page.locator("[data-testid=result]").first.wait_for()
    page.locator("[data-testid=result]", has_text=pictured.title_en).locator(
        "[data-testid=favourite-star]"
    ).click()
    page.wait_for_load_state()
    assert "/technologies/" in page.url
    starred = page.locator("[data-testid=result]", has_text=pictured.title_en)
    assert starred.locator("[data-testid=favourite-star]").get_attribute("aria-pressed") == "true"
    context.close()
