"""The one-page sheet (PDF) of a published listing (issue #14 item 10): public fields only, money
as the reader reads it, a draft's sheet is 404."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from catalog.choices import TechnologyStatus
from catalog.models import Technology
from catalog.sheet import technology_sheet_content
from tests.catalog.conftest import make_technology
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def sheet_text(technology, language="en") -> str:
    technology = Technology.objects.select_related("organization").get(pk=technology.pk)
    with translation.override(language):
        content = technology_sheet_content(technology=technology, url="https://x.example/t/1/")
        return "\n".join(
            [content.title, content.other_title, content.summary, content.url]
            + [f"{label}: {value}" for label, value in content.facts]
        )


def test_the_sheet_is_a_pdf_of_a_published_listing(client, owner):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    response = client.get(reverse("catalog:technology_sheet", args=[technology.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_sheet_says_title_holder_trl_offer_patents_and_impact_but_nothing_confidential(
    owner,
):
    # given a published listing with confidential description and performance figures
    technology = make_technology(
        owner,
        status=TechnologyStatus.PUBLISHED,
        co2e_avoided_tonnes_per_year="1250.0",
        co2e_method="Measured at two plants.",
        sdg_goals=[6, 13],
    )
    # when its sheet is made for an English reader
    text = sheet_text(technology)
    with translation.override("en"):
        holder = technology.organization.display_name
    # then the public facts are there, money grouped, SDGs by name
    assert "Anaerobic treatment of high-strength organic wastewater" in text
    assert holder in text
    assert "TRL 7" in text
    assert "CNY 800,000" in text
    assert "ZL202010123456.2" in text
    assert "1,250 t CO2e" in text
    assert "Clean water and sanitation" in text
    assert "https://x.example/t/1/" in text
    # and none of the confidential fields
    assert "three-phase separator" not in text
    assert "机密" not in text
    assert "容积负荷上限" not in text


def test_the_chinese_sheet_reads_money_in_wan(owner):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    assert "80 万元" in sheet_text(technology, "zh-hans")


def test_dates_are_in_the_site_time_zone(owner):
    # given a listing published at 02:22 on 1 December in Shanghai (18:22 UTC the day before)
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    shanghai = datetime(2026, 12, 1, 2, 22, tzinfo=ZoneInfo("Asia/Shanghai"))
    Technology.objects.filter(pk=technology.pk).update(published_at=shanghai)
    # then the sheet says 1 December
    assert "Dec. 1, 2026" in sheet_text(technology) or "December 1, 2026" in sheet_text(technology)


def test_a_drafts_sheet_is_404_even_to_its_holder(client, owner, stranger):
    draft = make_technology(owner)
    url = reverse("catalog:technology_sheet", args=[draft.pk])
    assert client.get(url).status_code == 404
    client.login(email=stranger.email, password=PASSWORD)
    assert client.get(url).status_code == 404
    client.logout()
    client.login(email=owner.email, password=PASSWORD)
    assert client.get(url).status_code == 404


def test_a_huge_summary_a_long_word_and_html_still_make_one_sheet(client, owner):
    technology = make_technology(
        owner,
        status=TechnologyStatus.PUBLISHED,
        title_en="<script>alert(1)</script> " + "x" * 180,
        summary_en="W" * 5000 + " " + "word " * 20000,
    )
    with translation.override("en"):
        response = client.get(
            reverse("catalog:technology_sheet", args=[technology.pk]), HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 200
    assert response.content.count(b"/Type /Page\n") == 1
    assert len(sheet_text(technology)) < 10_000
