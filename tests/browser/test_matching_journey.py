import pytest

from accounts.demo import DEMO_PASSWORD, seed_accounts
from exchange.services import need_review
from matching.models import MatchingRun
from matching.services import matching_run_execute
from tests.browser.conftest import sign_in
from tests.matching.conftest import make_need, make_technology

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_published_need_gets_explained_matches_and_the_broker_sees_the_lead(
    page, live_server, monkeypatch, settings
):
    # given the demo cast, a published Chinese technology and an English need awaiting review
    settings.MATCHING_STRONG_SCORE = 40
    users = seed_accounts()
    holder_org = users["holder"].memberships.first().organization
    enterprise_org = users["enterprise"].memberships.first().organization
    technology = make_technology(
        holder_org,
        title_zh="垃圾填埋场渗滤液碟管式反渗透处理技术",
        summary="采用碟管式反渗透处理高浓度垃圾渗滤液，出水达标排放。",
        description="适用于COD 5000-20000 mg/L、氨氮2000 mg/L的渗滤液，处理规模100-500吨/天。",
        keywords=["渗滤液", "反渗透", "填埋场"],
        modes=("service",),
        price="2000000",
    )
    need = make_need(
        enterprise_org,
        title_en="Landfill leachate treatment capacity is not enough",
        description="Our landfill produces 450 tonnes per day of leachate with COD 10000 mg/L "
        "and ammonia 2000 mg/L; we need extra reverse osmosis capacity within three months.",
        trl_min=7,
        budget="5000000",
        modes=("service",),
        status="submitted",
    )
    # when the reviewer publishes the need, the run is queued after the commit; the test plays
    # the worker by calling the same service the Celery task calls
    monkeypatch.setattr("matching.tasks.execute_matching_run.delay", lambda run_id: None)
    need_review(need=need, user=users["reviewer"], decision="approve")
    run = MatchingRun.objects.get(need=need)
    matching_run_execute(run_id=run.pk)

    # then the enterprise sees the ranked, explained match on its need page
    sign_in(page, live_server.url, "enterprise@demo.example", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/exchange/needs/{need.pk}/")
    row = page.locator("[data-testid=match-row]").first
    row.wait_for()
    assert technology.title_zh in row.inner_text()
    row.locator("summary").click()
    assert "跨语言" in row.inner_text()

    # and the broker sees the lead and opens an introduction from it
    page.context.clear_cookies()
    sign_in(page, live_server.url, "broker@demo.example", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/matching/leads/")
    lead = page.locator("[data-testid=lead-row]", has_text=technology.title_zh)
    lead.wait_for()
    lead.locator("[data-testid=open-introduction]").click()
    # the form opens with the lead chosen; nothing is sent before the broker confirms
    page.wait_for_url(lambda url: "/exchange/introductions/?" in url)
    form = page.locator("[data-testid=introduction-form]")
    assert form.locator("select[name=technology]").input_value() == str(technology.pk)
