"""People read field names, never column names: the holder's history and review comments, and
the reviewer's "about the field" choice (#14 defect 2)."""

import re

import pytest
from django.urls import reverse

from catalog import services
from catalog.choices import TechnologyStatus
from catalog.forms import ReviewForm
from tests.catalog.conftest import make_technology
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

CODES = re.compile(
    r"\b(title_zh|title_en|summary_zh|summary_en|asking_price|economic_comparison)\b"
)


def visible_text(html: str) -> str:
    """The page without tags and attribute values (data-action keeps its code on purpose)."""
    return re.sub(r"<[^>]*>", " ", html)


def test_the_reviewer_chooses_a_field_by_its_name(settings):
    settings.LANGUAGE_CODE = "en"
    options = dict(ReviewForm().fields["field"].choices)
    assert options["summary_zh"] == "Summary (Chinese)"
    assert options["patents"] == "IP records"
    assert not [label for label in options.values() if CODES.search(str(label))]


def test_the_history_and_review_comments_name_fields(client, owner, reviewer):
    technology = make_technology(owner, status=TechnologyStatus.SUBMITTED)
    services.technology_review(
        user=reviewer,
        technology=technology,
        decision="return",
        comment="请补充",
        field_comments={"summary_zh": "补充日处理规模", "asking_price": "请给出报价依据"},
    )
    technology.refresh_from_db()
    services.technology_update(
        user=owner,
        technology=technology,
        data={
            "summary_zh": "内循环厌氧反应器，日处理500吨。",
            "economic_comparison": "投资回收期2年",
        },
    )
    client.login(email=owner.email, password=PASSWORD)
    for language, summary_label in (("zh-hans", "摘要（中文）"), ("en", "Summary (Chinese)")):
        client.cookies["django_language"] = language
        html = client.get(reverse("catalog:technology_manage", args=[technology.pk])).content
        text = visible_text(html.decode())
        assert not CODES.findall(text), CODES.findall(text)
        assert summary_label in text
