"""A page says each thing once and in its reader's language: the Chinese challenge list printed
its title twice (揭榜挂帅 揭榜挂帅), the English expert form gave a Chinese example."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _heading(html: str) -> str:
    return re.sub(r"<[^>]+>|\s+", " ", re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1))


def test_the_chinese_challenge_list_titles_itself_once(client):
    html = client.get(reverse("programmes:challenge_list")).content.decode()
    assert _heading(html).split() == ["揭榜挂帅"]


def test_the_english_challenge_list_keeps_the_chinese_term_beside_its_title(client):
    html = client.get(
        reverse("programmes:challenge_list"), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert _heading(html).split()[-1] == "揭榜挂帅"
    assert "Open challenges" in _heading(html)


def test_the_english_expert_form_gives_an_english_example(client, holder):
    client.force_login(holder)
    html = client.get(
        reverse("programmes:expert_apply"), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "For example: professor, senior engineer." in html
    assert "教授" not in html


def test_the_chinese_expert_form_asks_for_the_professional_title(client, holder):
    client.force_login(holder)
    html = client.get(reverse("programmes:expert_apply")).content.decode()
    assert "职称" in html and "例如：教授、高级工程师。" in html
