"""Sign-up and password reset answer alike for registered and unknown addresses; the owner of a
registered address is told by email (issue "Trust", item 9)."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tokens.models import ApiToken
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

KNOWN = "known@example.com"
NEW = "newcomer@example.com"
GOOD_PASSWORD = "a-Long-pass-2026"


def anonymised(text: str, *emails: str) -> str:
    for email in emails:
        text = text.replace(email, "<email>")
    # CSRF tokens differ between any two pages
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", text)


@pytest.fixture
def client_factory():
    """Separate browsers (each its own session)."""
    return Client


@pytest.fixture
def known_user():
    return UserFactory(email=KNOWN, full_name="原主人", roles=["enterprise"])


# --- the API ------------------------------------------------------------------------------------


def api_register(email: str, password: str = GOOD_PASSWORD, **extra):
    payload = {"email": email, "password": password, "roles": ["holder"], **extra}
    return APIClient().post(
        "/api/v1/auth/register/", payload, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )


def test_api_registration_answers_alike_for_a_registered_and_a_new_address(
    known_user, mailoutbox, django_capture_on_commit_callbacks
):
    # when someone registers with a registered address, and someone else with a new one
    with django_capture_on_commit_callbacks(execute=True):
        taken = api_register(KNOWN.upper(), full_name="Impostor")
    with django_capture_on_commit_callbacks(execute=True):
        fresh = api_register(NEW)
    # then both get the same answer, with no id, token or account data
    assert taken.status_code == fresh.status_code == 201
    assert set(taken.json()) == set(fresh.json()) == {"detail"}
    assert anonymised(taken.json()["detail"], KNOWN) == anonymised(fresh.json()["detail"], NEW)
    # and the registered account is untouched, no second one was made
    known_user.refresh_from_db()
    assert known_user.full_name == "原主人"
    assert known_user.roles == ["enterprise"]
    assert known_user.check_password(PASSWORD)
    assert User.objects.filter(email__iexact=KNOWN).count() == 1
    assert User.objects.filter(email=NEW).count() == 1
    # and each address is told by email: the owner that someone tried, the newcomer to confirm
    by_address = {message.to[0]: message for message in mailoutbox}
    assert set(by_address) == {KNOWN, NEW}
    assert "already exists" in by_address[KNOWN].body
    assert "/accounts/password/reset/" in by_address[KNOWN].body
    assert "/accounts/confirm-email/" in by_address[NEW].body


def test_api_registration_input_errors_are_the_same_for_both_addresses(known_user):
    taken = api_register(KNOWN, password="123")
    fresh = api_register(NEW, password="123")
    assert taken.status_code == fresh.status_code == 400
    assert taken.json() == fresh.json()
    assert set(taken.json()) == {"password"}
    assert not User.objects.filter(email=NEW).exists()


def test_a_new_api_account_then_signs_in_for_a_token(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert api_register(NEW).status_code == 201
    response = APIClient().post(
        "/api/v1/auth/token/", {"email": NEW, "password": GOOD_PASSWORD}, format="json"
    )
    assert response.status_code == 200
    assert ApiToken.objects.filter(user__email=NEW).count() == 1


def test_a_failed_takeover_attempt_gives_no_token(known_user):
    # the impostor's password does not become the account's
    api_register(KNOWN, password="Impostor-pass-2026")
    response = APIClient().post(
        "/api/v1/auth/token/", {"email": KNOWN, "password": "Impostor-pass-2026"}, format="json"
    )
    assert response.status_code == 400
    assert not ApiToken.objects.filter(user=known_user).exists()


# --- the browser --------------------------------------------------------------------------------


def browser_signup(client, email: str, **changes):
    data = {
        "email": email,
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
        "full_name": "刘工",
        "roles": ["enterprise"],
        **changes,
    }
    return client.post(reverse("account_signup"), data, HTTP_ACCEPT_LANGUAGE="zh-hans")


def test_browser_signup_answers_alike_for_a_registered_and_a_new_address(
    client_factory, known_user, mailoutbox
):
    taken_client, fresh_client = client_factory(), client_factory()
    # when one signs up with a registered address and the other with a new one
    taken = browser_signup(taken_client, KNOWN)
    fresh = browser_signup(fresh_client, NEW)
    # then both are sent to the same page, which reads the same
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"]
    taken_page = taken_client.get(taken["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans")
    fresh_page = fresh_client.get(fresh["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert taken_page.status_code == fresh_page.status_code == 200
    assert anonymised(taken_page.content.decode(), KNOWN) == anonymised(
        fresh_page.content.decode(), NEW
    )
    # and neither is signed in yet
    for browser in (taken_client, fresh_client):
        assert browser.get(reverse("accounts:workspace")).status_code == 302
    # and the registered account is untouched; the owner and the newcomer each got an email
    known_user.refresh_from_db()
    assert known_user.full_name == "原主人" and known_user.check_password(PASSWORD)
    assert User.objects.filter(email__iexact=KNOWN).count() == 1
    by_address = {message.to[0]: message for message in mailoutbox}
    assert set(by_address) == {KNOWN, NEW}
    assert "/accounts/password/reset/" in by_address[KNOWN].body
    assert "/accounts/confirm-email/" in by_address[NEW].body


def test_browser_signup_form_errors_do_not_depend_on_the_address(client_factory, known_user):
    taken = browser_signup(client_factory(), KNOWN, password2="something-else-2026")
    fresh = browser_signup(client_factory(), NEW, password2="something-else-2026")
    assert taken.status_code == fresh.status_code == 200
    assert anonymised(taken.content.decode(), KNOWN) == anonymised(fresh.content.decode(), NEW)


def test_the_newcomer_confirms_the_address_and_lands_in_the_workspace(client, mailoutbox):
    browser_signup(client, NEW)
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mailoutbox[-1].body).group(0)
    path = link.split("testserver", 1)[-1]
    assert client.get(path).status_code == 200
    response = client.post(path, follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("accounts:workspace")
    assert "欢迎，刘工" in response.content.decode()


def test_the_newcomer_may_also_sign_in_with_the_password(client):
    browser_signup(client, NEW)
    response = client.post(reverse("account_login"), {"login": NEW, "password": GOOD_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("accounts:workspace")).status_code == 200


def test_password_reset_answers_alike_for_a_registered_and_an_unknown_address(
    client_factory, known_user, mailoutbox
):
    known_client, unknown_client = client_factory(), client_factory()
    known = known_client.post(reverse("account_reset_password"), {"email": KNOWN})
    unknown = unknown_client.post(reverse("account_reset_password"), {"email": NEW})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    known_page = known_client.get(known["Location"]).content.decode()
    unknown_page = unknown_client.get(unknown["Location"]).content.decode()
    assert anonymised(known_page, KNOWN) == anonymised(unknown_page, NEW)
    by_address = {message.to[0]: message for message in mailoutbox}
    assert set(by_address) == {KNOWN, NEW}
    assert "/accounts/password/reset/key/" in by_address[KNOWN].body
    assert "/accounts/password/reset/key/" not in by_address[NEW].body


def test_repeated_api_registrations_do_not_flood_the_owner(
    known_user, mailoutbox, django_capture_on_commit_callbacks
):
    # when someone registers the same registered address three times in a row
    answers = []
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            answers.append(api_register(KNOWN))
    # then every answer is the same, and the owner got one email (allauth's per-address limit)
    assert {answer.status_code for answer in answers} == {201}
    assert len({answer.content for answer in answers}) == 1
    assert [message.to for message in mailoutbox] == [[KNOWN]]
