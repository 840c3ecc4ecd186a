"""API tokens: one per device, expiring, revoked by logout and by a password change, listed and
revocable by their owner only (issue "Trust", item 8)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tokens.models import ApiToken
from tests.factories import PASSWORD, UserFactory, api_token_for

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "An0ther-strong-pass!"


def sign_in(user, *, device: str | None = None, user_agent: str = "pytest-client/1.0") -> str:
    payload = {"email": user.email, "password": PASSWORD}
    if device is not None:
        payload["device"] = device
    response = APIClient().post(
        "/api/v1/auth/token/", payload, format="json", HTTP_USER_AGENT=user_agent
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def client_with(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def me_status(token: str) -> int:
    return client_with(token).get("/api/v1/me/").status_code


def test_the_token_from_sign_in_works_and_carries_an_expiry():
    user = UserFactory()
    response = APIClient().post(
        "/api/v1/auth/token/", {"email": user.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expiry"}
    assert body["expiry"] is not None
    assert client_with(body["token"]).get("/api/v1/me/").json()["email"] == user.email


def test_signing_in_twice_gives_two_tokens_that_both_work():
    user = UserFactory()
    first, second = sign_in(user), sign_in(user)
    assert first != second
    assert me_status(first) == 200
    assert me_status(second) == 200
    assert ApiToken.objects.filter(user=user).count() == 2


def test_the_key_is_not_stored_in_clear():
    user = UserFactory()
    key = sign_in(user)
    stored = ApiToken.objects.get(user=user)
    assert key not in {stored.digest, stored.token_key}
    assert not ApiToken.objects.filter(digest=key).exists()


def test_logout_revokes_this_token_only():
    # given a user signed in on two devices
    user = UserFactory()
    laptop, phone = sign_in(user), sign_in(user)
    # when the laptop signs out
    response = client_with(laptop).post("/api/v1/auth/logout/")
    # then the laptop's token no longer works, the phone's still does
    assert response.status_code == 204
    assert me_status(laptop) == 401
    assert me_status(phone) == 200
    # and signing out again with the dead token is refused
    assert client_with(laptop).post("/api/v1/auth/logout/").status_code == 401


def test_logout_needs_a_token():
    assert APIClient().post("/api/v1/auth/logout/").status_code == 401


def test_logout_all_revokes_every_device_but_not_other_users():
    user, other = UserFactory(), UserFactory()
    laptop, phone = sign_in(user), sign_in(user)
    others = sign_in(other)
    response = client_with(phone).post("/api/v1/auth/logout-all/")
    assert response.status_code == 200
    assert response.json() == {"revoked": 2}
    assert me_status(laptop) == 401
    assert me_status(phone) == 401
    assert me_status(others) == 200


def test_browser_password_change_revokes_api_tokens(client):
    # given a user with API tokens on two devices and a browser session
    user = UserFactory()
    laptop, phone = sign_in(user), sign_in(user)
    other = sign_in(UserFactory())
    client.force_login(user)
    # when they change their password on the site
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    # then every token of theirs stops working, and nobody else's
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert me_status(laptop) == 401
    assert me_status(phone) == 401
    assert me_status(other) == 200
    assert not ApiToken.objects.filter(user=user).exists()


def test_password_reset_by_email_revokes_api_tokens(client, mailoutbox):
    # given a user with an API token who forgot the password
    user = UserFactory(email="forgot@example.com")
    token = sign_in(user)
    # when they reset it through the emailed link
    client.post(reverse("account_reset_password"), {"email": user.email})
    link = next(
        word for word in mailoutbox[-1].body.split() if "/accounts/password/reset/key/" in word
    )
    set_password_page = client.get(link, follow=True)
    assert set_password_page.status_code == 200
    response = client.post(
        set_password_page.redirect_chain[-1][0] if set_password_page.redirect_chain else link,
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    # then the password changed and the old token is dead
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert me_status(token) == 401


def test_a_password_set_outside_the_site_also_ends_the_tokens():
    # given a token, and a password changed where no allauth signal fires (admin, changepassword)
    user = UserFactory()
    old = sign_in(user)
    user.set_password(NEW_PASSWORD)
    user.save()
    # then the old token is refused and removed, and signing in with the new password works
    assert me_status(old) == 401
    assert not ApiToken.objects.filter(user=user).exists()
    response = APIClient().post(
        "/api/v1/auth/token/", {"email": user.email, "password": NEW_PASSWORD}, format="json"
    )
    assert response.status_code == 200
    assert me_status(response.json()["token"]) == 200


def test_tokens_survive_a_profile_change_and_a_secret_key_rotation(settings):
    user = UserFactory()
    token = sign_in(user)
    user.full_name = "新名字"
    user.save()
    assert me_status(token) == 200
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "rotated-" + settings.SECRET_KEY
    assert me_status(token) == 200


def test_an_expired_token_is_refused_and_removed():
    user = UserFactory()
    token = sign_in(user)
    ApiToken.objects.filter(user=user).update(expiry=timezone.now() - timedelta(seconds=1))
    assert me_status(token) == 401
    assert not ApiToken.objects.filter(user=user).exists()


def test_the_token_expires_after_the_configured_lifetime(settings):
    user = UserFactory()
    before = timezone.now()
    sign_in(user)
    expiry = ApiToken.objects.get(user=user).expiry
    lifetime = settings.REST_KNOX["TOKEN_TTL"]
    assert before + lifetime <= expiry <= timezone.now() + lifetime


def test_use_extends_the_expiry_up_to_the_maximum_age_and_records_last_use(settings):
    # given a token issued long ago, about to expire
    user = UserFactory()
    token = sign_in(user)
    row = ApiToken.objects.get(user=user)
    lifetime, max_age = settings.REST_KNOX["TOKEN_TTL"], settings.REST_KNOX["AUTO_REFRESH_MAX_TTL"]
    issued = timezone.now() - max_age + timedelta(hours=1)
    ApiToken.objects.filter(pk=row.pk).update(
        created=issued, expiry=timezone.now() + timedelta(minutes=5), last_used_at=None
    )
    # when it is used
    assert me_status(token) == 200
    # then its expiry moved on, but not past the maximum age, and the use is recorded
    row.refresh_from_db()
    assert row.expiry == issued + max_age
    assert row.expiry < timezone.now() + lifetime
    assert row.last_used_at is not None
    # and past the maximum age it is dead
    ApiToken.objects.filter(pk=row.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    assert me_status(token) == 401


def test_the_device_list_shows_own_tokens_without_keys():
    # given a user signed in on two devices and another user
    user, other = UserFactory(), UserFactory()
    laptop = sign_in(user, user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0")
    phone = sign_in(user, device="Field tablet")
    other_key = sign_in(other, device="Other's phone")
    # when the user lists their devices
    response = client_with(laptop).get("/api/v1/auth/tokens/")
    # then they see both of theirs, which one is this request's, and no key
    assert response.status_code == 200
    rows = response.json()
    assert {row["device"] for row in rows} == {
        "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
        "Field tablet",
    }
    assert [row["current"] for row in rows if row["device"] == "Field tablet"] == [False]
    assert [row["current"] for row in rows if row["device"].startswith("Mozilla")] == [True]
    assert set(rows[0]) == {"id", "device", "created", "expiry", "last_used_at", "current"}
    text = response.content.decode()
    for key in (laptop, phone, other_key):
        assert key not in text and key[:15] not in text
    assert "Other's phone" not in text


def test_anonymous_calls_stay_403_while_a_refused_token_is_401():
    # the API's convention for anonymous calls is unchanged
    assert APIClient().get("/api/v1/auth/tokens/").status_code == 403
    assert APIClient().post("/api/v1/auth/logout-all/").status_code == 403
    # a token that does not work is told so, with the scheme to use
    response = client_with("0" * 64).get("/api/v1/auth/tokens/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_revoking_one_of_own_devices(api_client_for):
    user = UserFactory()
    laptop, phone = sign_in(user), sign_in(user, device="phone")
    phone_id = ApiToken.objects.get(user=user, name="phone").pk
    response = client_with(laptop).delete(f"/api/v1/auth/tokens/{phone_id}/")
    assert response.status_code == 204
    assert me_status(phone) == 401
    assert me_status(laptop) == 200


def test_revoking_another_users_token_is_404_and_changes_nothing():
    # given a stranger's token
    user, stranger = UserFactory(), UserFactory()
    mine = sign_in(user)
    theirs = sign_in(stranger)
    their_id = ApiToken.objects.get(user=stranger).pk
    # when the user tries to delete it, or an id that does not exist
    assert client_with(mine).delete(f"/api/v1/auth/tokens/{their_id}/").status_code == 404
    assert client_with(mine).delete("/api/v1/auth/tokens/999999999/").status_code == 404
    assert client_with(mine).delete("/api/v1/auth/tokens/abc/").status_code == 404
    # then the stranger's token still works
    assert me_status(theirs) == 200
    assert ApiToken.objects.filter(user=stranger).count() == 1


def test_an_inactive_users_token_is_refused():
    user = UserFactory()
    token = api_token_for(user)
    user.is_active = False
    user.save()
    assert me_status(token) == 401


# --- the profile page ---------------------------------------------------------------------------


def test_the_profile_page_lists_own_devices_in_chinese_and_english(client):
    user, other = UserFactory(), UserFactory()
    sign_in(user, device="实验室平板")
    sign_in(user, user_agent="curl/8.9")
    sign_in(other, device="someone else's laptop")
    client.force_login(user)
    page = client.get(reverse("accounts:profile"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert page.status_code == 200
    assert "实验室平板" in text and "curl/8.9" in text
    assert "someone else's laptop" not in text
    assert text.count('data-testid="api-token"') == 2
    assert "退出所有设备" in text
    client.post(reverse("set_language"), {"language": "en"})
    english = client.get(reverse("accounts:profile")).content.decode()
    assert "Devices signed in to the API" in english and "Sign out everywhere" in english


def test_the_profile_page_revokes_one_device(client):
    user = UserFactory()
    keep, drop = sign_in(user, device="keep"), sign_in(user, device="drop")
    client.force_login(user)
    drop_id = ApiToken.objects.get(user=user, name="drop").pk
    response = client.post(reverse("accounts:api_token_revoke", args=[drop_id]))
    assert response.status_code == 302
    assert me_status(drop) == 401
    assert me_status(keep) == 200
    assert "drop" not in [row.name for row in ApiToken.objects.filter(user=user)]


def test_the_profile_page_cannot_revoke_another_users_device(client):
    user, stranger = UserFactory(), UserFactory()
    theirs = sign_in(stranger)
    client.force_login(user)
    their_id = ApiToken.objects.get(user=stranger).pk
    response = client.post(reverse("accounts:api_token_revoke", args=[their_id]))
    assert response.status_code == 404
    assert me_status(theirs) == 200


def test_the_profile_page_signs_out_everywhere(client):
    user, other = UserFactory(), UserFactory()
    first, second = sign_in(user), sign_in(user)
    others = sign_in(other)
    client.force_login(user)
    response = client.post(reverse("accounts:api_tokens_revoke_all"), follow=True)
    assert response.status_code == 200
    assert me_status(first) == 401 and me_status(second) == 401
    assert me_status(others) == 200
    assert 'data-testid="api-tokens-empty"' in response.content.decode()


def test_revoking_from_the_page_needs_sign_in_and_post(client):
    user = UserFactory()
    token = sign_in(user)
    token_id = ApiToken.objects.get(user=user).pk
    anonymous = client.post(reverse("accounts:api_token_revoke", args=[token_id]))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    client.force_login(user)
    assert client.get(reverse("accounts:api_tokens_revoke_all")).status_code == 405
    assert me_status(token) == 200


def test_the_nightly_sweep_purges_expired_tokens_only():
    user = UserFactory()
    live, dead = sign_in(user, device="live"), sign_in(user, device="dead")
    ApiToken.objects.filter(name="dead").update(expiry=timezone.now() - timedelta(minutes=1))
    from accounts.tokens.tasks import purge_expired_api_tokens

    assert purge_expired_api_tokens.apply(kwargs={"batch_size": 1}).get() == 1
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["live"]
    assert me_status(live) == 200
    assert me_status(dead) == 401


def test_an_authenticated_request_costs_one_token_query(django_assert_max_num_queries):
    # given a token used a moment ago (so neither expiry nor last use is written again)
    user = UserFactory()
    for _ in range(3):
        sign_in(user)
    token = sign_in(user)
    assert me_status(token) == 200
    client = client_with(token)
    # when it is used again: one query for the token and its user, one for /me/'s memberships
    with django_assert_max_num_queries(2):
        assert client.get("/api/v1/me/").status_code == 200


def test_beat_schedules_the_sweep(settings):
    from config.celery import app

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "accounts.tokens.tasks.purge_expired_api_tokens" in tasks
    app.loader.import_default_modules()
    assert "accounts.tokens.tasks.purge_expired_api_tokens" in app.tasks


def test_staff_see_tokens_in_the_admin_without_keys(admin_client):
    user = UserFactory(email="device-owner@example.com")
    key = sign_in(user, device="Field tablet")
    page = admin_client.get(reverse("admin:api_tokens_apitoken_changelist"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "device-owner@example.com" in text and "Field tablet" in text
    assert key not in text and key[:15] not in text
