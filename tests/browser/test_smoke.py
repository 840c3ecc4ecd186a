import pytest

from accounts.demo import DEMO_PASSWORD, seed_accounts
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_sign_in_and_switch_language(page, live_server):
    # given the demo accounts
    seed_accounts()
    # the home page renders in Chinese for a Chinese browser
    page.goto(live_server.url)
    assert page.locator("h1").inner_text() == "让绿色技术从实验室走进工厂"
    assert page.locator("link[href*='bootstrap.min.css']").count() == 1
    # a demo holder signs in and reaches the workspace
    sign_in(page, live_server.url, "holder@demo.example", DEMO_PASSWORD)
    assert "欢迎" in page.locator("h1").inner_text()
    assert "江南环境工程大学" in page.content()
    # switching the language to English changes the interface
    page.select_option("[data-testid=language-select]", "en")
    page.wait_for_load_state("load")
    page.locator("h1", has_text="Welcome").wait_for()
    assert "My organisations" in page.content()
    # and the choice sticks on the next page
    page.goto(live_server.url)
    assert page.locator("h1").inner_text() == (
        "Moving green technologies from laboratories into factories"
    )
