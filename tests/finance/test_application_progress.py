"""The financing application's stepper (#14 item 12), on its page and in the API."""

import re

import pytest
from django.urls import reverse

from finance import services
from finance.choices import ApplicationStatus
from tests.factories import UserFactory
from tests.finance.conftest import make_product
from tests.finance.test_applications import URL, create_draft, transition

pytestmark = pytest.mark.django_db


def test_a_draft_shows_every_step_and_the_applicant_is_next(api_client_for, applicant, bank):
    client = api_client_for(applicant)
    draft = create_draft(client, make_product(bank))
    body = client.get(f"{URL}{draft.data['id']}/progress/").json()
    assert [step["status"] for step in body["steps"]] == list(services.APPLICATION_PATH)
    assert body["steps"][0]["state"] == "current"
    (submit,) = body["next_actions"]
    assert (submit["action"], submit["actors"], submit["yours"]) == (
        "submit",
        ["applicant"],
        True,
    )


def test_more_information_requested_is_a_detour_the_applicant_answers(
    api_client_for, applicant, financier, bank, client
):
    applicant_api = api_client_for(applicant)
    application_id = create_draft(applicant_api, make_product(bank)).data["id"]
    assert transition(applicant_api, application_id, "submit").status_code == 200
    financier_api = api_client_for(financier)
    assert transition(financier_api, application_id, "start_review").status_code == 200
    answer = transition(financier_api, application_id, "request_information", note="请补充报表")
    assert answer.status_code == 200
    body = financier_api.get(f"{URL}{application_id}/progress/").json()
    states = {step["status"]: step["state"] for step in body["steps"]}
    assert states[ApplicationStatus.INFORMATION_REQUESTED] == "attention"
    assert states[ApplicationStatus.SUBMITTED] == "done"
    assert [(a["action"], a["yours"]) for a in body["next_actions"]] == [("resubmit", False)]
    # the page, in English
    client.force_login(applicant)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("finance:application_detail", args=[application_id])).content
    stepper = re.search(r'<nav class="stepper.*?</nav>', html.decode(), re.S).group(0)
    assert "More information requested" in stepper
    assert "by Applicant" in stepper and "your turn" in stepper
    assert "information_requested" not in re.sub(r'data-status="\w+"', "", stepper)


def test_a_stranger_gets_no_progress(api_client_for, applicant, bank):
    draft = create_draft(api_client_for(applicant), make_product(bank))
    stranger = api_client_for(UserFactory(roles=["enterprise"]))
    assert stranger.get(f"{URL}{draft.data['id']}/progress/").status_code == 404
