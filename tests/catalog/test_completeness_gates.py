"""The completeness minimum holds at publication (a reviewer's approval) and when a published
listing is edited (the change is refused with what is missing named, nothing changed)."""

import pytest
from django.urls import reverse

from catalog import services
from catalog.choices import RevisionStatus, TechnologyStatus
from catalog.completeness import CompletenessBelowMinimum
from catalog.models import CatalogPolicy, Technology, TechnologyRevision
from tests.catalog.conftest import make_technology
from tests.catalog.test_pages import form_data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# The fixture listing scores 75 (tests/catalog/conftest.technology_data).
STRIPPED = {"advantages": "", "application_scope": "", "performance_figures": []}


def set_minimum(value: int) -> None:
    CatalogPolicy.objects.update_or_create(pk=1, defaults={"minimum_completeness": value})


@pytest.fixture
def submitted(owner):
    return make_technology(owner, status=TechnologyStatus.SUBMITTED)


def test_a_reviewer_cannot_approve_a_listing_below_the_minimum(reviewer, submitted):
    # given a submitted listing at 75 and a minimum raised to 80 since
    set_minimum(80)
    # when the reviewer approves it, then the approval is refused naming what is missing
    with pytest.raises(CompletenessBelowMinimum) as refused:
        services.technology_review(user=reviewer, technology=submitted, decision="approve")
    assert refused.value.purpose == CompletenessBelowMinimum.APPROVE
    assert "80%" in refused.value.messages[0] and refused.value.completeness.missing
    submitted.refresh_from_db()
    assert submitted.status == TechnologyStatus.SUBMITTED and submitted.published_at is None
    assert not submitted.events.filter(action="approve").exists()
    # returning it for the missing items is still possible
    services.technology_review(
        user=reviewer, technology=submitted, decision="return", comment="Add a picture."
    )
    submitted.refresh_from_db()
    assert submitted.status == TechnologyStatus.RETURNED


def test_a_listing_at_the_minimum_is_approved(reviewer, submitted):
    set_minimum(75)
    technology = services.technology_review(user=reviewer, technology=submitted, decision="approve")
    assert technology.status == TechnologyStatus.PUBLISHED


def test_the_review_page_says_why_the_approval_was_refused(client, reviewer, submitted):
    set_minimum(80)
    client.force_login(reviewer)
    response = client.post(
        reverse("catalog:technology_review", args=[submitted.pk]),
        {"decision": "approve", "comment": ""},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "75% complete; 80% is needed to publish it" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == TechnologyStatus.SUBMITTED


def test_the_api_refuses_the_approval_with_a_409_and_the_missing_items(
    api_client_for, reviewer, submitted
):
    set_minimum(80)
    response = api_client_for(reviewer).post(
        f"/api/v1/technologies/{submitted.pk}/review/", {"decision": "approve"}, format="json"
    )
    assert response.status_code == 409
    assert response.data["score"] == 75 and response.data["minimum"] == 80
    assert response.data["missing"] and all(item["label"] for item in response.data["missing"])
    submitted.refresh_from_db()
    assert submitted.status == TechnologyStatus.SUBMITTED


def test_the_holder_and_another_organisation_still_cannot_approve(api_client_for, owner, submitted):
    stranger = UserFactory(roles=["holder"])
    for user in (owner, stranger):
        response = api_client_for(user).post(
            f"/api/v1/technologies/{submitted.pk}/review/", {"decision": "approve"}, format="json"
        )
        assert response.status_code in (403, 404)
    submitted.refresh_from_db()
    assert submitted.status == TechnologyStatus.SUBMITTED


def test_an_edit_taking_a_published_listing_below_the_minimum_is_refused_in_the_api(
    api_client_for, owner, published
):
    before = Technology.objects.get(pk=published.pk)
    response = api_client_for(owner).patch(
        f"/api/v1/technologies/{published.pk}/", STRIPPED, format="json"
    )
    assert response.status_code == 400
    assert "Nothing was changed" in response.data["completeness"][0] or response.data["missing"]
    codes = {item["code"] for item in response.data["missing"]}
    assert {"value_statement", "performance"} <= codes
    published.refresh_from_db()
    assert published.advantages == before.advantages and published.status == before.status
    assert published.performance_figures.count() == 1
    assert not TechnologyRevision.objects.filter(technology=published).exists()
    assert not published.events.filter(action="propose_change").exists()


def test_an_edit_keeping_the_minimum_goes_to_review(api_client_for, owner, published):
    response = api_client_for(owner).patch(
        f"/api/v1/technologies/{published.pk}/", {"title_en": "A better title"}, format="json"
    )
    assert response.status_code == 200, response.data
    assert TechnologyRevision.objects.get(technology=published).status == RevisionStatus.SUBMITTED


def test_the_edit_page_refuses_the_change_naming_the_missing_items_and_keeps_the_values(
    client, owner, published
):
    client.force_login(owner)
    response = client.post(
        reverse("catalog:technology_edit", args=[published.pk]),
        form_data(title_zh="钢渣余热回收技术（新版）"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "the minimum. Nothing was changed." in content
    assert "One-line value statement" in content
    assert "钢渣余热回收技术（新版）" in content  # what was typed is kept
    assert not TechnologyRevision.objects.filter(technology=published).exists()
    published.refresh_from_db()
    assert published.title_zh == "高浓度有机废水厌氧处理技术"
