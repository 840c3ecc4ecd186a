"""A file the server would refuse is named beside its field before anything is sent, and
nothing typed is lost (#14 "Bad input": a 30 MB image gets a clear refusal)."""

import pytest
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, seed_accounts
from catalog.models import Category, Technology, TechnologyAttachment
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_30_megabyte_picture_is_refused_in_the_form_and_the_name_typed_stays(
    page, live_server, tmp_path
):
    if not Category.objects.filter(code="2.4").exists():
        from django.core.management import call_command

        call_command("load_taxonomy", verbosity=0)
    users = seed_accounts()
    technology = Technology.objects.create(
        organization=users["holder"].memberships.first().organization,
        title_zh="内循环厌氧反应器",
        summary_zh="高浓度有机废水厌氧处理。",
        category=Category.objects.get(code="2.4"),
        trl=7,
        transaction_modes=["license"],
        region="CN-JS",
        status="published",
        published_at=timezone.now(),
    )
    huge = tmp_path / "reactor.png"
    huge.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * (30 * 1024 * 1024))

    sign_in(page, live_server.url, "holder@demo.example", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/technologies/{technology.pk}/manage/")
    form = page.locator(f"form[action='/technologies/{technology.pk}/attachments/']")
    form.locator("input[name=confidential]").check()
    form.locator("input[type=file]").set_input_files(str(huge))
    feedback = form.locator(".js-upload-feedback")
    assert "reactor.png" in feedback.inner_text()
    assert "10 MB" in feedback.inner_text()

    form.locator("button[type=submit]").click()
    # the page stays as it was filled in, and nothing reached the server
    assert page.url.endswith(f"/technologies/{technology.pk}/manage/")
    assert form.locator("input[name=confidential]").is_checked()
    assert form.locator("input[type=file]").evaluate("input => input.files.length") == 1
    assert not TechnologyAttachment.objects.filter(technology=technology).exists()
