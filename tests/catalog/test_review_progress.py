"""The listing's review stepper (#14 item 12) on the manage page and in the API."""

import re

import pytest
from django.urls import reverse

from catalog import services
from catalog.choices import TechnologyStatus
from tests.catalog.conftest import make_technology
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_a_returned_listing_tells_the_holder_to_resubmit(client, owner, reviewer):
    technology = make_technology(owner, status=TechnologyStatus.SUBMITTED)
    services.technology_review(
        user=reviewer, technology=technology, decision="return", comment="请补充专利号"
    )
    client.login(email=owner.email, password=PASSWORD)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("catalog:technology_manage", args=[technology.pk])).content.decode()
    stepper = re.search(r'<nav class="stepper.*?</nav>', html, re.S).group(0)
    assert re.findall(r'data-status="(\w+)"', stepper) == ["draft", "returned", "published"]
    assert "Returned for changes" in stepper
    assert "Resubmit" in stepper and "by Holder" in stepper and "your turn" in stepper


def test_the_reviewer_sees_it_is_their_turn_in_the_api(api_client_for, owner, reviewer):
    technology = make_technology(owner, status=TechnologyStatus.SUBMITTED)
    body = api_client_for(reviewer).get(f"/api/v1/technologies/{technology.pk}/progress/").json()
    assert [step["state"] for step in body["steps"]] == ["done", "current", "upcoming"]
    assert {(a["action"], a["yours"]) for a in body["next_actions"]} == {("approve", True)}


def test_a_draft_has_no_progress_for_anyone_outside(api_client_for, owner):
    technology = make_technology(owner, status=TechnologyStatus.DRAFT)
    stranger = api_client_for(UserFactory(roles=["enterprise"]))
    assert stranger.get(f"/api/v1/technologies/{technology.pk}/progress/").status_code == 404
