"""The scenario API: create, publish, apply (400 outside the window), award (409), lists."""

import datetime

import pytest
from django.utils import timezone

from programmes.models import PilotAgreement, ProgrammeEntry, Scenario, ScenarioList
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def payload(**overrides):
    now = timezone.now()
    return {
        "title": "长江某河段生态修复",
        "site": "某市某河段 3 km",
        "problem": "底泥重金属超标。",
        "capacity": "3 km 河段，一年试验期",
        "criteria": "修复效果与成本。",
        "region": "CN-JS",
        "industry": "2",
        "opens_at": (now - datetime.timedelta(days=1)).isoformat(),
        "closes_at": (now + datetime.timedelta(days=20)).isoformat(),
        **overrides,
    }


@pytest.fixture
def published_id(api_client_for, operator):
    api = api_client_for(operator)
    response = api.post("/api/v1/scenarios/", payload(), format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["allowed_actions"] == ["edit", "publish"]
    response = api.post(f"/api/v1/scenarios/{pk}/transition/", {"action": "publish"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    return pk


def test_anonymous_sees_published_scenarios_and_cannot_create(api_client, published_id):
    listing = api_client.get("/api/v1/scenarios/")
    assert [row["id"] for row in listing.json()["results"]] == [published_id]
    assert api_client.post("/api/v1/scenarios/", payload(), format="json").status_code in (401, 403)
    assert Scenario.objects.count() == 1


def test_a_holder_cannot_create_or_edit(api_client_for, holder, published_id):
    api = api_client_for(holder)
    assert api.post("/api/v1/scenarios/", payload(), format="json").status_code == 400
    response = api.patch(f"/api/v1/scenarios/{published_id}/", {"title": "x"}, format="json")
    assert response.status_code == 409
    assert Scenario.objects.get(pk=published_id).title == "长江某河段生态修复"


def test_operator_updates_own_scenario(api_client_for, operator, published_id):
    response = api_client_for(operator).patch(
        f"/api/v1/scenarios/{published_id}/", {"capacity": "5 km"}, format="json"
    )
    assert response.status_code == 200
    assert Scenario.objects.get(pk=published_id).capacity == "5 km"


def test_a_draft_is_404_for_others(api_client_for, operator, holder):
    response = api_client_for(operator).post("/api/v1/scenarios/", payload(), format="json")
    pk = response.json()["id"]
    assert api_client_for(holder).get(f"/api/v1/scenarios/{pk}/").status_code == 404
    assert (
        api_client_for(holder)
        .post(f"/api/v1/scenarios/{pk}/apply/", {"technology": 1}, format="json")
        .status_code
        == 404
    )


def test_apply_after_the_window_is_400_with_a_field_error(
    api_client_for, holder, technology, published_id
):
    Scenario.objects.filter(pk=published_id).update(
        opens_at=timezone.now() - datetime.timedelta(days=5),
        closes_at=timezone.now() - datetime.timedelta(seconds=1),
    )
    response = api_client_for(holder).post(
        f"/api/v1/scenarios/{published_id}/apply/", {"technology": technology.pk}, format="json"
    )
    assert response.status_code == 400
    assert "technology" in response.json()
    assert not ProgrammeEntry.objects.exists()


def test_apply_award_and_the_pilot_agreement(
    api_client_for, holder, technology, operator, published_id
):
    holder_api, operator_api = api_client_for(holder), api_client_for(operator)
    # given an application
    response = holder_api.post(
        f"/api/v1/scenarios/{published_id}/apply/", {"technology": technology.pk}, format="json"
    )
    assert response.status_code == 201
    entry_id = response.json()["id"]
    # award before closing: 409
    response = operator_api.post(
        f"/api/v1/scenarios/{published_id}/award/", {"entry": entry_id}, format="json"
    )
    assert response.status_code == 409
    operator_api.post(f"/api/v1/scenarios/{published_id}/transition/", {"action": "close"})
    # a holder may not award: 409, nothing recorded
    response = holder_api.post(
        f"/api/v1/scenarios/{published_id}/award/", {"entry": entry_id}, format="json"
    )
    assert response.status_code == 409
    assert not PilotAgreement.objects.exists()
    # when the operator awards
    response = operator_api.post(
        f"/api/v1/scenarios/{published_id}/award/",
        {"entry": entry_id, "starts_on": "2027-01-01"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["ends_on"] == "2027-07-01"
    # then the holder and the operator see the agreement; a stranger does not
    for api in (holder_api, operator_api):
        rows = api.get("/api/v1/pilot-agreements/").json()["results"]
        assert [row["technology"] for row in rows] == [technology.pk]
    stranger = UserFactory(roles=["holder"], organization=OrganizationFactory())
    assert api_client_for(stranger).get("/api/v1/pilot-agreements/").json()["results"] == []
    assert (
        holder_api.get(f"/api/v1/scenarios/{published_id}/").json()["pilot_agreement"]["site"]
        == "某市某河段 3 km"
    )


def test_unknown_scenario_is_404(api_client_for, holder):
    response = api_client_for(holder).post(
        "/api/v1/scenarios/999999/apply/", {"technology": 1}, format="json"
    )
    assert response.status_code == 404


def test_scenario_lists(api_client_for, api_client, operator, holder, published_id):
    body = {"title": "2026 年第四季度场景清单", "period": "2026 Q4", "scenarios": [published_id]}
    assert (
        api_client_for(holder).post("/api/v1/scenario-lists/", body, format="json").status_code
        == 400
    )
    response = api_client_for(operator).post("/api/v1/scenario-lists/", body, format="json")
    assert response.status_code == 201
    assert response.json()["scenario_count"] == 1
    again = api_client_for(operator).post("/api/v1/scenario-lists/", body, format="json")
    assert again.status_code == 400
    assert ScenarioList.objects.count() == 1
    assert api_client.get("/api/v1/scenario-lists/").json()["count"] == 1
