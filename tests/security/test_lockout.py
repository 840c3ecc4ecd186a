"""Brute-force lock-out (django-axes): 10 failed sign-ins for one email from one IP lock that
pair for 15 minutes, in the browser form and the token API alike."""

import pytest
from django.urls import reverse

from audit.choices import AuditKind
from audit.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

LOGIN_URL = "/accounts/login/"
TOKEN_URL = "/api/v1/auth/token/"
pytestmark = pytest.mark.django_db


def _fail_form(client, email, times, ip="203.0.113.7") -> list[int]:
    return [
        client.post(
            LOGIN_URL, {"login": email, "password": "wrong-password"}, REMOTE_ADDR=ip
        ).status_code
        for _ in range(times)
    ]


def test_the_sign_in_form_locks_an_email_after_ten_failures_even_with_the_right_password(
    client, settings
):
    # given
    user = UserFactory(roles=["holder"])
    statuses = _fail_form(client, user.email, 10)
    assert statuses == [200] * 9 + [429]  # the form with an error, then the lock
    # when
    response = client.post(
        LOGIN_URL, {"login": user.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.7"
    )
    # then
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode() or (
        "登录失败次数过多" in response.content.decode()
    )
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(kind=AuditKind.LOCKED_OUT, actor_email=user.email).exists()


def test_nine_failures_do_not_lock_and_a_success_resets_the_counter(client):
    # given
    user = UserFactory(roles=["holder"])
    assert _fail_form(client, user.email, 9) == [200] * 9
    # when
    response = client.post(
        LOGIN_URL, {"login": user.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.7"
    )
    # then
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_lock_is_per_email_and_ip_so_another_address_may_still_sign_in(client):
    # given
    user = UserFactory(roles=["holder"])
    _fail_form(client, user.email, 10, ip="203.0.113.7")
    # when
    response = client.post(
        LOGIN_URL, {"login": user.email, "password": PASSWORD}, REMOTE_ADDR="198.51.100.20"
    )
    # then
    assert response.status_code == 302


def test_the_token_api_locks_after_ten_failures_and_answers_429_json(api_client):
    # given
    user = UserFactory(roles=["enterprise"])
    statuses = [
        api_client.post(
            TOKEN_URL, {"email": user.email, "password": "nope"}, format="json"
        ).status_code
        for _ in range(10)
    ]
    assert statuses == [400] * 9 + [429]
    # when
    response = api_client.post(
        TOKEN_URL, {"email": user.email, "password": PASSWORD}, format="json"
    )
    # then
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    assert "token" not in response.json()


def test_failures_in_the_form_and_the_api_add_up(client, api_client):
    # given
    user = UserFactory(roles=["holder"])
    _fail_form(client, user.email, 5, ip="127.0.0.1")
    for _ in range(5):
        api_client.post(TOKEN_URL, {"email": user.email.upper(), "password": "x"}, format="json")
    # when
    response = api_client.post(
        TOKEN_URL, {"email": user.email, "password": PASSWORD}, format="json"
    )
    # then
    assert response.status_code == 429


def test_force_login_in_tests_is_unaffected(client):
    # given
    user = UserFactory(roles=["holder"])
    client.force_login(user)
    # when
    response = client.get(reverse("accounts:workspace"))
    # then
    assert response.status_code == 200
