"""The six interface languages on the server side: the language a page is served in, right to left
for Arabic, the switcher, and what a reader sees where a catalogue has a gap."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.timesince import timesince

from tests.factories import UserFactory

NEW_LANGUAGES = ["ru", "fr", "ar", "th"]


def test_the_interface_offers_six_languages_each_in_its_own_name():
    assert settings.LANGUAGES == [
        ("zh-hans", "简体中文"),
        ("en", "English"),
        ("ru", "Русский"),
        ("fr", "Français"),
        ("ar", "العربية"),
        ("th", "ไทย"),
    ]
    assert settings.LANGUAGE_CODE == "zh-hans"


@pytest.mark.django_db
@pytest.mark.parametrize("language", NEW_LANGUAGES)
def test_a_page_is_served_in_the_readers_language(client, language):
    # when a visitor whose browser asks for the language opens the home page
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE=language)
    # then the page is in that language, and the switcher names all six in their own names
    page = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}"' in page
    for code, name in settings.LANGUAGES:
        assert f'<option value="{code}"' in page
        assert f">{name}</option>" in page
    with translation.override(language):
        assert translation.gettext("Green Technology Exchange") in page
    assert translation.gettext("Green Technology Exchange") != "Green Technology Exchange"


@pytest.mark.django_db
def test_an_arabic_page_is_right_to_left_with_bootstraps_rtl_build(client):
    # when the page is read in Arabic
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    # then it is right to left and loads the RTL stylesheet instead of the LTR one
    assert '<html lang="ar" dir="rtl">' in page
    assert "vendor/bootstrap/css/bootstrap.rtl.min.css" in page
    assert "vendor/bootstrap/css/bootstrap.min.css" not in page
    # and the other languages are left to right
    for language in ["zh-hans", "en", "ru", "fr", "th"]:
        other = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert 'dir="ltr"' in other
        assert "vendor/bootstrap/css/bootstrap.min.css" in other


@pytest.mark.django_db
def test_the_switcher_keeps_the_choice_and_the_users_preferred_language(client):
    # given a signed-in user reading Chinese
    user = UserFactory(preferred_language="zh-hans")
    client.force_login(user)
    # when they pick Thai in the switcher
    response = client.post(reverse("set_language"), {"language": "th", "next": "/"})
    # then the next page is Thai and their e-mails follow the choice
    assert response.status_code == 302
    assert '<html lang="th"' in client.get("/").content.decode()
    user.refresh_from_db()
    assert user.preferred_language == "th"


def test_a_gap_in_a_catalogue_reads_in_english_not_in_the_default_chinese():
    # given a form error Django translates into Chinese but its Thai catalogue lacks
    msgid = "Enter a valid integer."
    with translation.override("zh-hans"):
        assert translation.gettext(msgid) != msgid
    # then a Thai reader sees the English original, never the Chinese
    with translation.override("th"):
        assert translation.gettext(msgid) == msgid


def test_how_long_ago_reads_in_every_language():
    # given something waiting for 34 minutes
    now = datetime.datetime(2026, 12, 3, 12, 0)
    earlier = now - datetime.timedelta(minutes=34)
    expected = {
        "zh-hans": "34\xa0分钟",
        "en": "34\xa0minutes",
        "ru": "34\xa0минуты",
        "fr": "34\xa0minutes",
        "ar": "34\xa0دقيقة",
        "th": "34\xa0นาที",
    }
    for language, text in expected.items():
        with translation.override(language):
            assert timesince(earlier, now) == text, language
