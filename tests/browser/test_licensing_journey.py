"""The open-licence "Done when" journey in the browser: an enterprise finds a patent offered
under an open licence, takes it at the posted price, pays, and opens its certificate."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, seed_accounts
from catalog.models import Category, Technology, TechnologyPatent
from catalog.validators import patent_check_character
from licensing import services
from licensing.models import Licence
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def offer(db):
    if not Category.objects.filter(code="2.4").exists():
        # transactional tests flush the taxonomy the data migration loaded
        call_command("load_taxonomy", verbosity=0)
    users = seed_accounts()
    holder = users["holder"]
    technology = Technology.objects.create(
        organization=holder.memberships.first().organization,
        title_zh="内循环厌氧反应器处理高浓度有机废水",
        summary_zh="化工、制药高浓度有机废水厌氧处理。",
        description_zh="三相分离器与颗粒污泥驯化。",
        category=Category.objects.get(code="2.4"),
        trl=7,
        transaction_modes=["license"],
        region="CN-JS",
        status="published",
        published_at=timezone.now(),
    )
    digits = "201910000001"
    patent = TechnologyPatent.objects.create(
        technology=technology,
        number=f"ZL{digits}.{patent_check_character(digits)}",
        kind="invention_patent",
        status="granted",
    )
    return services.offer_create(
        user=holder,
        technology=technology,
        patent=patent,
        fee_kind="entry_fee_and_royalty",
        fixed_fee=Decimal("80000"),
        royalty_rate=Decimal("3"),
        currency="CNY",
        term_years=5,
        field_of_use="工业废水处理",
        territory="中国大陆",
    )


def test_enterprise_takes_an_open_licence_and_opens_its_certificate(page, live_server, offer):
    base = live_server.url
    sign_in(page, base, "enterprise@demo.example", DEMO_PASSWORD)
    # the catalogue's open-licence filter leads to the listing with its badge
    page.goto(f"{base}/technologies/?open_licence=true")
    assert page.get_by_test_id("result").count() == 1
    assert page.get_by_test_id("open-licence-badge").count() == 1
    # the workspace links to the open licences; the list to the offer
    page.goto(f"{base}/me/workspace/")
    page.get_by_test_id("open-licences-link").click()
    page.get_by_test_id("offer-row").get_by_role("link").first.click()
    posted = page.get_by_test_id("amount-due").inner_text()
    assert "8" in posted
    # accept the posted terms, then pay the posted price
    page.get_by_test_id("accept").click()
    page.wait_for_url(f"{base}/licences/*/")
    assert page.get_by_test_id("licence-amount-due").inner_text() == posted
    page.get_by_test_id("licence-pay").click()
    number = page.get_by_test_id("certificate-number").inner_text()
    licence = Licence.objects.get()
    assert licence.status == "licensed"
    assert licence.deal.certificate.number == number
    assert licence.deal.price == Decimal("80000")
    # the public verification page confirms the certificate
    page.get_by_test_id("verify-certificate").click()
    assert page.get_by_test_id("verdict").get_attribute("data-verdict") == "genuine"
    assert "内循环厌氧反应器" in page.get_by_test_id("certificate-facts").inner_text()
