"""Django's password messages on a Chinese page are Chinese. Django 5.2 changed the "too short"
message (%d instead of %(min_length)d) and its own zh_Hans catalogue still has the old one, so
the sign-up page said "This password is too short" in English."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_short_password_is_refused_in_chinese_on_the_chinese_sign_up_page(client):
    # when someone signs up on the Chinese site with a three-digit password
    response = client.post(
        reverse("account_signup"),
        {"email": "new@example.com", "password1": "123", "password2": "123"},
    )
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    # then every password message is Chinese
    assert response.status_code == 200
    assert "密码太短，至少需要 8 个字符。" in text
    assert "This password is too short" not in text


def test_the_english_sign_up_page_keeps_the_english_message(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "new@example.com", "password1": "123", "password2": "123"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "This password is too short" in response.content.decode()
