"""A review decision is chosen, never defaulted: one click on "Decide" publishes nothing
(#14, 7b)."""

import re

import pytest
from django.urls import reverse

from catalog.choices import TechnologyStatus
from catalog.forms import ReviewForm
from tests.catalog.conftest import make_technology

pytestmark = pytest.mark.django_db


def selected_decision(page: str) -> str:
    select = re.search(r'<select name="decision".*?</select>', page, re.S).group(0)
    selected = re.findall(r'<option value="([^"]*)"[^>]*selected', select)
    return selected[0] if selected else re.search(r'<option value="([^"]*)"', select).group(1)


def test_the_review_form_starts_with_no_decision(client, owner, reviewer):
    # given a listing waiting for review
    make_technology(owner, status=TechnologyStatus.SUBMITTED)
    # when the reviewer opens the queue
    client.force_login(reviewer)
    page = client.get(reverse("catalog:review_queue")).content.decode()
    # then the decision starts empty, with a prompt to choose
    assert selected_decision(page) == ""
    assert "— choose a decision —" in page or "— 请选择审核决定 —" in page


def test_a_review_without_a_decision_changes_nothing(client, owner, reviewer):
    # given a submitted listing
    technology = make_technology(owner, status=TechnologyStatus.SUBMITTED)
    client.force_login(reviewer)
    # when the reviewer presses "Decide" without choosing
    response = client.post(
        reverse("catalog:technology_review", args=[technology.pk]), {"decision": "", "comment": ""}
    )
    # then nothing is published and the reviewer is told to choose
    assert response.status_code == 302
    technology.refresh_from_db()
    assert technology.status == TechnologyStatus.SUBMITTED


def test_returning_or_rejecting_needs_a_comment_in_the_form():
    for decision in ("return", "reject"):
        form = ReviewForm({"decision": decision, "comment": ""})
        assert not form.is_valid()
        assert "comment" in form.errors
    assert ReviewForm({"decision": "return", "comment": "", "field": "patents"}).is_valid() is False
    assert ReviewForm({"decision": "approve", "comment": ""}).is_valid()
    assert not ReviewForm({"decision": "", "comment": "x"}).is_valid()
