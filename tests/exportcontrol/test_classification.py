"""Classifying a technology: the holder declares, a reviewer (not of the holder) confirms or
corrects; each step an event; strangers see nothing."""

import pytest
from django.core.exceptions import ValidationError

from core.workflow import TransitionNotAllowed
from exportcontrol.models import ClassificationEvent, ControlEntry, TechnologyClassification
from exportcontrol.selectors import listing_export_warning, technology_screening
from exportcontrol.services import classification_declare, classification_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(db):
    return ControlEntry.objects.create(
        code="086501X", level="restricted", name_zh="信息处理技术", revision="2023"
    )


@pytest.fixture
def other_entry(db):
    return ControlEntry.objects.create(
        code="086502X", level="restricted", name_zh="计算机通用软件编制技术", revision="2023"
    )


def test_holder_declares_and_reviewer_confirms(technology, holder, reviewer, entry):
    # when the holder declares an entry
    classification_declare(technology=technology, user=holder, entry=entry, note="算法")
    # then it waits for a reviewer
    assert technology_screening(technology=technology).outcome == "pending_review"
    # when a reviewer confirms
    classification_review(technology=technology, user=reviewer, action="confirm")
    # then the screening says restricted, and both steps are events
    assert technology_screening(technology=technology).outcome == "restricted"
    assert list(ClassificationEvent.objects.values_list("action", "entry_code")) == [
        ("declare", "086501X"),
        ("confirm", "086501X"),
    ]


def test_reviewer_corrects_with_a_reason(technology, holder, reviewer, entry, other_entry):
    classification_declare(technology=technology, user=holder, entry=None)
    with pytest.raises(ValidationError):
        classification_review(
            technology=technology, user=reviewer, action="correct", entry=other_entry
        )
    classification_review(
        technology=technology, user=reviewer, action="correct", entry=other_entry, note="并行"
    )
    classification = TechnologyClassification.objects.get()
    assert classification.entry == other_entry
    assert classification.status == "confirmed"


def test_holder_cannot_confirm_its_own_classification(technology, holder, entry):
    # given a holder member who is also a reviewer
    holder.roles = ["holder", "reviewer"]
    holder.save()
    classification_declare(technology=technology, user=holder, entry=entry)
    # when they try to confirm their own declaration
    with pytest.raises(TransitionNotAllowed):
        classification_review(technology=technology, user=holder, action="confirm")
    # then nothing changed
    assert TechnologyClassification.objects.get().status == "declared"
    assert ClassificationEvent.objects.count() == 1


def test_stranger_cannot_declare(technology, stranger, entry):
    with pytest.raises(TransitionNotAllowed):
        classification_declare(technology=technology, user=stranger, entry=entry)
    assert not ClassificationEvent.objects.exists()


def test_only_export_entries_in_force_can_be_declared(technology, holder):
    stale = ControlEntry.objects.create(
        code="999999X", level="restricted", name_zh="旧条目", revision="2008", is_active=False
    )
    with pytest.raises(ValidationError):
        classification_declare(technology=technology, user=holder, entry=stale)
    assert not ClassificationEvent.objects.exists()


def test_a_listing_offered_abroad_warns_the_holder(
    make_technology, holder, reviewer, entry, client
):
    technology = make_technology(target_regions=["CN-GD", "TH"])
    domestic = make_technology(target_regions=["CN-GD"])
    assert listing_export_warning(technology=technology).outcome == "unclassified"
    assert listing_export_warning(technology=domestic) is None
    classification_declare(technology=technology, user=holder, entry=entry)
    classification_review(technology=technology, user=reviewer, action="confirm")
    assert listing_export_warning(technology=technology).outcome == "restricted"
    client.force_login(holder)
    page = client.get(f"/technologies/{technology.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert 'data-testid="export-warning"' in page.text
    assert "086501X" in page.text
    assert 'data-testid="export-classification"' in page.text


def test_the_panel_is_hidden_from_other_users(make_technology, stranger, client):
    technology = make_technology(target_regions=["TH"])
    client.force_login(stranger)
    page = client.get(f"/technologies/{technology.pk}/")
    assert page.status_code == 200
    assert 'data-testid="export-classification"' not in page.text
    assert 'data-testid="export-warning"' not in page.text


def test_classification_in_the_browser(technology, holder, reviewer, entry, client):
    client.force_login(holder)
    response = client.post(
        f"/export-control/technologies/{technology.pk}/declare/", {"entry": entry.pk}
    )
    assert response.status_code == 302
    client.force_login(reviewer)
    response = client.post(
        f"/export-control/technologies/{technology.pk}/review/", {"action": "confirm"}
    )
    assert response.status_code == 302
    assert TechnologyClassification.objects.get().status == "confirmed"


def test_classification_api(technology, holder, reviewer, stranger, entry, api_client_for):
    base = f"/api/v1/technologies/{technology.pk}/export-classification/"
    # a stranger sees nothing of it
    assert api_client_for(stranger).get(base).status_code == 404
    assert api_client_for(stranger).post(base + "declare/", {"entry": "086501X"}).status_code == 404
    # the holder declares; a bad code is a 400
    bad = api_client_for(holder).post(base + "declare/", {"entry": "000000Q"}, format="json")
    assert bad.status_code == 400
    declared = api_client_for(holder).post(base + "declare/", {"entry": "086501X"}, format="json")
    assert declared.status_code == 200
    assert declared.json()["status"] == "declared"
    # the holder cannot review (409); the reviewer confirms
    own = api_client_for(holder).post(base + "review/", {"action": "confirm"}, format="json")
    assert own.status_code == 409
    confirmed = api_client_for(reviewer).post(
        base + "review/", {"action": "confirm"}, format="json"
    )
    assert confirmed.status_code == 200
    body = confirmed.json()
    assert body["outcome"] == "restricted"
    assert body["entry"]["code"] == "086501X"
    assert [event["action"] for event in body["history"]] == ["declare", "confirm"]


def test_not_listed_declaration_by_api(technology, holder, reviewer, api_client_for):
    base = f"/api/v1/technologies/{technology.pk}/export-classification/"
    response = api_client_for(holder).post(base + "declare/", {"entry": None}, format="json")
    assert response.status_code == 200
    response = api_client_for(reviewer).post(base + "review/", {"action": "confirm"}, format="json")
    assert response.json()["outcome"] == "free"
