"""Every label on a Chinese form is Chinese: the introduction form's technology and need fields
were labelled with the bare field names ("Technology*", "Need")."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _labels(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>|\s+", " ", label).strip()
        for label in re.findall(r"<label[^>]*>(.*?)</label>", html, flags=re.S)
    ]


def test_the_chinese_introduction_form_labels_technology_and_need_in_chinese(client, broker):
    # given a broker on the Chinese site
    client.force_login(broker)
    # when the introduction form is shown
    html = client.get(reverse("exchange:introduction_list")).content.decode()
    labels = _labels(html)
    # then
    assert any(label.startswith("技术") for label in labels), labels
    assert any(label.startswith("需求") for label in labels), labels
    assert not [label for label in labels if re.search(r"\b(Technology|Need)\b", label)], labels
