import pytest
from django.db.models import Count
from django.urls import reverse

from catalog.models import Technology
from exchange.models import Deal
from insight import services

pytestmark = pytest.mark.django_db


def test_stats_before_any_refresh_is_503(api_client):
    response = api_client.get("/api/v1/stats/")
    assert response.status_code == 503
    assert response.json()["code"] == "statistics_not_ready"


def test_stats_is_public_and_matches_the_models(demo, api_client):
    # when an anonymous client asks, in English
    response = api_client.get("/api/v1/stats/", HTTP_ACCEPT_LANGUAGE="en")
    # then
    assert response.status_code == 200
    body = response.json()
    published = Technology.objects.filter(status="published")
    assert body["listings"]["technologies"] == published.count()
    regions = {row["region"]: row["technologies"] for row in body["listings"]["by_region"]}
    live = dict(published.values_list("region").annotate(n=Count("pk")))
    assert {code: count for code, count in regions.items() if count} == live
    stages = {row["stage"]: row["count"] for row in body["deals_by_stage"]}
    assert stages == {
        **dict.fromkeys(stages, 0),
        **dict(Deal.objects.values_list("stage").annotate(n=Count("pk"))),
    }
    completed = Deal.objects.get(stage="completed")
    month = body["completed_value_by_month"][0]
    assert (month["currency"], float(month["value"])) == ("CNY", float(completed.price))
    impact = body["green_impact"]
    assert [figure["method"] for figure in impact["total"]] == ["stated_rate_defaults"]
    assert "platform defaults" in impact["total"][0]["method_label"]
    assert body["as_of"]
    scope = {row["scope"]: row["deals"] for row in body["deal_scope"]}
    assert scope == {"domestic": Deal.objects.count(), "international": 0}


def test_stats_labels_follow_the_language(make_deal, api_client):
    make_deal(stage="completed")
    services.statistics_refresh()
    chinese = api_client.get("/api/v1/stats/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    english = api_client.get("/api/v1/stats/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert chinese["deal_scope"][0]["label"] == "国内"
    assert english["deal_scope"][0]["label"] == "Domestic"


def test_stats_query_count_is_pinned(django_assert_num_queries, make_deal, api_client):
    for count in (5, 50):
        for _ in range(count - Deal.objects.count()):
            make_deal(stage="completed")
        services.statistics_refresh()
        # the run, categories, 7 tables, the funnel, matching efficiency and reasons
        with django_assert_num_queries(12):
            assert api_client.get("/api/v1/stats/").status_code == 200
        with django_assert_num_queries(1):
            assert api_client.get("/api/v1/stats/").status_code == 200


def test_stats_is_in_the_schema(api_client):
    schema = api_client.get(reverse("schema"), {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/stats/"]["get"]
    assert {"200", "503"} <= set(operation["responses"])
