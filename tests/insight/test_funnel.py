"""The public funnel: exact counts, conversions and medians from a small world, the broker's own
scope, the API and the page, matching efficiency."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from catalog.models import Category
from exchange.models import Deal, Introduction, Need
from insight import services
from matching.models import Match
from tests.factories import OrganizationFactory, UserFactory, api_token_for

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, tzinfo=SHANGHAI)


def make_need(organization, **fields) -> Need:
    values = {
        "title_zh": "高浓度有机废水厌氧处理",
        "description_zh": "每天 800 吨废水。",
        "region": "CN-ZJ",
        "status": "published",
        "published_at": at(1, 1),
        "deadline": datetime.date(2027, 6, 30),
        "category": Category.objects.get(code="2.4"),
        **fields,
    }
    return Need.objects.create(organization=organization, **values)


@pytest.fixture
def world(make_technology, buyer, seller):
    """Three matches, two introductions (brokers A and B), two deals (one from A's
    introduction, one without a broker); dates in January and February 2026."""
    broker_a = UserFactory(roles=["broker"], organization=OrganizationFactory(kind="intermediary"))
    broker_b = UserFactory(roles=["broker"], organization=OrganizationFactory(kind="intermediary"))
    need_1, need_2 = make_need(buyer), make_need(buyer, title_zh="污泥减量")
    need_3 = make_need(buyer, title_zh="无匹配需求", category=Category.objects.get(code="1.1"))
    tech_1, tech_2, tech_3 = (make_technology(title_zh=f"技术{n}") for n in range(3))
    Match.objects.create(need=need_1, technology=tech_1, score=72, created_at=at(1, 10))
    Match.objects.create(need=need_1, technology=tech_2, score=40, created_at=at(1, 12))
    Match.objects.create(need=need_2, technology=tech_3, score=65, created_at=at(2, 1))
    # an engine's strong score with a failed hard constraint is not strong
    Match.objects.create(
        need=need_3, technology=tech_2, score=90, demoted=True, created_at=at(3, 1)
    )
    intro_1 = Introduction.objects.create(
        broker=broker_a, technology=tech_1, need=need_1, enterprise=buyer,
        deal_type="license", created_at=at(1, 12),
    )  # fmt: skip
    Introduction.objects.create(
        broker=broker_b, technology=tech_3, need=need_2, enterprise=buyer,
        deal_type="license", created_at=at(2, 5),
    )  # fmt: skip
    Deal.objects.create(
        technology=tech_1, need=need_1, introduction=intro_1, broker=broker_a,
        seller=seller, buyer=buyer, deal_type="license", stage="completed",
        created_at=at(1, 14), signed_at=at(1, 24), completed_at=at(2, 3),
    )  # fmt: skip
    Deal.objects.create(
        technology=tech_2, seller=seller, buyer=buyer, deal_type="license",
        stage="contract_signed", created_at=at(2, 10), signed_at=at(2, 11),
    )  # fmt: skip
    services.statistics_refresh()
    return {"broker_a": broker_a, "broker_b": broker_b}


def counts(figures: dict) -> list[int]:
    return [step["count"] for step in figures["steps"]]


def test_the_funnel_counts_every_step_of_the_world(world, api_client):
    # when
    response = api_client.get("/api/v1/stats/funnel/", {"period": "month"})
    # then: all time, matches 4 (one demoted), introductions 2, deals 2, signed 2, completed 1
    assert response.status_code == 200
    data = response.json()
    assert counts(data["total"]) == [4, 2, 2, 2, 1]
    conversions = [row["conversion_percent"] for row in data["total"]["transitions"]]
    assert conversions == [50.0, 100.0, 100.0, 50.0]
    # medians: match→introduction (48 h, 96 h) 3 days; introduction→deal 48 h;
    # deal→signed (240 h, 24 h) 5.5 days; signed→completed 240 h
    assert [row["median_days"] for row in data["total"]["transitions"]] == [3.0, 2.0, 5.5, 10.0]
    by_month = {row["label"]: counts(row) for row in data["periods"]}
    assert by_month == {
        "2026-03": [1, 0, 0, 0, 0],
        "2026-02": [1, 1, 1, 1, 1],
        "2026-01": [2, 1, 1, 1, 0],
    }


def test_quarters_years_and_industries(world, api_client):
    quarter = api_client.get("/api/v1/stats/funnel/", {"period": "quarter"}).json()
    assert [(row["label"], counts(row)) for row in quarter["periods"]] == [
        ("2026 Q1", [4, 2, 2, 2, 1])
    ]
    year = api_client.get("/api/v1/stats/funnel/", {"period": "year"}).json()
    assert [row["label"] for row in year["periods"]] == ["2026"]
    assert [row["code"] for row in quarter["by_industry"]] == ["2"]
    industry = api_client.get("/api/v1/stats/funnel/", {"industry": "2"}).json()
    assert counts(industry["total"]) == [4, 2, 2, 2, 1]
    assert industry["industry"] == "2"


def test_bad_funnel_query_is_a_400_with_field_errors(world, api_client):
    response = api_client.get("/api/v1/stats/funnel/", {"period": "week", "industry": "99"})
    assert response.status_code == 400
    assert {"period", "industry"} <= set(response.json())


def test_a_broker_sees_only_their_own_work(world, api_client):
    # given broker A's token
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(world['broker_a'])}")
    # when
    mine = api_client.get("/api/v1/stats/funnel/", {"scope": "mine"}).json()
    # then: A's pair matched once, A's introduction, A's deal signed and completed; none of B's
    assert mine["scope"] == "mine"
    assert counts(mine["total"]) == [1, 1, 1, 1, 1]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(world['broker_b'])}")
    theirs = api_client.get("/api/v1/stats/funnel/", {"scope": "mine"}).json()
    assert counts(theirs["total"]) == [1, 1, 0, 0, 0]


def test_only_brokers_have_their_own_scope(world, api_client):
    assert api_client.get("/api/v1/stats/funnel/", {"scope": "mine"}).status_code == 403
    enterprise = UserFactory(roles=["enterprise"], organization=OrganizationFactory())
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(enterprise)}")
    assert api_client.get("/api/v1/stats/funnel/", {"scope": "mine"}).status_code == 403


def test_matching_efficiency_counts_needs_with_a_strong_match(world, api_client):
    data = api_client.get("/api/v1/stats/").json()
    efficiency = data["matching_efficiency"]
    # three active needs; need 1 (72) and need 2 (65) have a strong match, need 3 only a
    # demoted one
    assert efficiency["active_needs"] == 3
    assert efficiency["needs_with_strong_match"] == 2
    assert efficiency["percent"] == 66.7
    assert efficiency["strong_score"] == 60.0
    assert "60" in efficiency["definition"]
    assert {row["code"]: row["needs_with_strong_match"] for row in efficiency["by_industry"]} == {
        "1": 0,
        "2": 2,
    }
    # the existing contract fields are still there
    assert {"listings", "deals_by_stage", "conversion", "funnel"} <= set(data)
    assert counts(data["funnel"]["total"]) == [4, 2, 2, 2, 1]


def test_the_statistics_page_shows_the_funnel_table_and_chart(world, client):
    response = client.get(reverse("insight:statistics"), {"period": "month"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-chart="funnel"' in html and 'id="insight-funnel-data"' in html
    assert 'data-testid="funnel-count-matches">4<' in html
    assert 'data-testid="funnel-conversion-completed">50.0 %<' in html
    assert 'data-testid="funnel-median-signed">5.5<' in html
    assert 'data-period="2026-01-01"' in html
    assert 'data-testid="efficiency-definition"' in html


def test_the_page_refuses_a_bad_period_with_a_message(world, client):
    response = client.get(reverse("insight:statistics"), {"period": "week"})
    assert response.status_code == 400
    assert 'data-testid="funnel-form"' in response.content.decode()


def test_the_broker_page_shows_only_their_work(world, client):
    client.force_login(world["broker_b"])
    html = client.get(reverse("insight:broker_funnel")).content.decode()
    assert 'data-testid="funnel-count-introductions">1<' in html
    assert 'data-testid="funnel-count-deals">0<' in html


def test_the_broker_page_is_for_brokers(world, client):
    assert client.get(reverse("insight:broker_funnel")).status_code == 302
    client.force_login(UserFactory(roles=["enterprise"], organization=OrganizationFactory()))
    assert client.get(reverse("insight:broker_funnel")).status_code == 403
