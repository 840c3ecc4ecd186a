"""A reviewer imports a real-shaped export on behalf of a verified organisation in Chromium:
upload, map the columns, watch the progress bar fill as a real Celery worker processes the run,
and read the counts; the records are that organisation's drafts."""

import pytest
from celery.contrib.testing.worker import start_worker
from playwright.sync_api import expect

from catalog.choices import TechnologyStatus
from catalog.models import Technology
from config.celery import app
from imports.models import ImportRun
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.factories import PASSWORD, OrganizationFactory, UserFactory
from tests.imports import realistic

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]

ROWS = 400  # four batches: the bar moves before it completes
RUN_WAIT_MS = 180_000


@pytest.fixture
def celery_worker():
    """A real worker in a thread of this process, consuming the broker in REDIS_URL."""
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


def test_a_reviewer_imports_for_an_organisation_and_watches_the_progress(
    page, live_server, celery_worker, tmp_path
):
    # given a verified holder organisation and a reviewer who is not one of its members
    organization = OrganizationFactory(name_zh="太湖环境技术研究院", name_en="Taihu Institute")
    reviewer = UserFactory(roles=["reviewer"], email="reviewer@example.com")
    rows, _expected = realistic.realistic_rows(ROWS)
    export = tmp_path / "wipo-green-export.csv"
    export.write_bytes(realistic.csv_bytes(rows[1:]))
    sign_in(page, live_server.url, reviewer.email, PASSWORD)

    # when the reviewer uploads the file for that organisation
    page.goto(f"{live_server.url}/imports/new/")
    page.select_option("select[name=owner_organisation]", str(organization.pk))
    page.select_option("select[name=kind]", "technologies")
    page.fill("input[name=new_source_name]", "WIPO GREEN")
    page.set_input_files("input[name=file]", str(export))
    page.locator("form[enctype] button[type=submit]").click()
    page.wait_for_url("**/mapping/")
    run = ImportRun.objects.get()
    assert run.organization_id == organization.pk and run.on_behalf

    # and maps the columns and starts the run
    for index, column in enumerate(run.columns):
        if column in realistic.MAPPING:
            page.select_option(f"select[name=column-{index}]", realistic.MAPPING[column])
    page.locator("button[name=action][value=start]").click()
    page.wait_for_url(f"**/imports/{run.pk}/")

    # then the progress bar (polled by htmx) reaches 100 % and the counts are shown
    progress = page.get_by_test_id("import-progress")
    expect(progress.get_by_role("progressbar")).to_have_attribute(
        "aria-valuenow", "100", timeout=RUN_WAIT_MS
    )
    run.refresh_from_db()
    assert run.processed == run.total == len(rows) - 1  # the first generated row is the header
    assert run.created_count > 0 and run.failed_count > 0
    assert run.created_count + run.skipped_count + run.failed_count == run.total
    expect(page.get_by_test_id("count-created")).to_have_text(str(run.created_count))
    expect(page.get_by_test_id("count-failed")).to_have_text(str(run.failed_count))
    owner = page.get_by_test_id("run-owner")
    expect(owner).to_contain_text("太湖环境技术研究院")
    expect(owner).to_contain_text(str(reviewer))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "import-on-behalf-completed.png"), full_page=True)
    # the listings are the organisation's drafts
    made = Technology.objects.filter(organization=organization)
    assert made.count() == run.created_count
    assert set(made.values_list("status", flat=True)) == {TechnologyStatus.DRAFT}
    # and the run is in the reviewer's list of imports
    page.goto(f"{live_server.url}/imports/")
    expect(page.get_by_test_id("import-runs")).to_contain_text("太湖环境技术研究院")
