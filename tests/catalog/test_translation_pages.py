"""Translations in the browser: the reader's language, the translated label, the original one
click away, right-to-left text, and the holder's management page."""

import pytest
from django.urls import reverse

from catalog.choices import TechnologyStatus
from catalog.models import TechnologyTranslation
from tests.catalog.conftest import make_technology
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _detail(client, technology, language, query=""):
    url = reverse("catalog:technology_detail", args=[technology.pk]) + query
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_reader_gets_their_language_marked_translated_and_the_original_a_click_away(client, owner):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    TechnologyTranslation.objects.create(
        technology=technology,
        language="ar",
        title="معالجة المياه العادمة",
        summary="مفاعل لاهوائي",
        origin="draft",
    )
    page = _detail(client, technology, "ar")
    assert "معالجة المياه العادمة" in page
    assert 'data-testid="translated-label"' in page
    assert 'dir="rtl"' in page
    assert "?original=1" in page
    original = _detail(client, technology, "ar", "?original=1")
    assert technology.title_zh in original
    assert "معالجة المياه العادمة" not in original
    assert 'data-testid="show-translation"' in original
    # the original's readers see no label
    chinese = _detail(client, technology, "zh-hans")
    assert 'data-testid="translated-label"' not in chinese
    assert technology.title_zh in chinese


def test_label_names_the_original_language_and_who_translated(client, owner):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    TechnologyTranslation.objects.create(
        technology=technology, language="fr", title="Traitement anaérobie", origin="draft"
    )
    page = _detail(client, technology, "en")
    # English readers: the holder's own English columns, a holder's translation of the Chinese
    assert technology.title_en in page
    assert "Translated from Chinese (holder&#x27;s translation)" in page
    page = _detail(client, technology, "fr")
    assert "Traitement anaérobie" in page
    # the summary the draft leaves empty falls back to the original text
    assert technology.summary_zh in page


def test_translations_of_a_draft_listing_are_not_shown_to_outsiders(client, owner, stranger):
    technology = make_technology(owner)
    TechnologyTranslation.objects.create(technology=technology, language="fr", title="Secret")
    client.force_login(stranger)
    url = reverse("catalog:technology_detail", args=[technology.pk])
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="fr").status_code == 404
    manage = reverse("catalog:technology_translations", args=[technology.pk])
    assert client.get(manage).status_code == 404
    response = client.post(manage, {"language": "fr", "t-fr-title": "Volé", "action": "save"})
    assert response.status_code == 404
    assert TechnologyTranslation.objects.get().title == "Secret"


def test_a_stranger_cannot_manage_a_published_listings_translations(client, owner, stranger):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    client.force_login(stranger)
    manage = reverse("catalog:technology_translations", args=[technology.pk])
    assert client.get(manage).status_code == 404
    response = client.post(manage, {"new": "1", "language": "fr", "t-new-title": "X"})
    assert response.status_code == 404
    assert not TechnologyTranslation.objects.exists()


def test_holder_adds_edits_and_deletes_from_the_management_page(client, owner):
    technology = make_technology(owner)
    client.force_login(owner)
    manage = reverse("catalog:technology_translations", args=[technology.pk])
    page = client.get(manage, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Thai" in page and 'value="th"' in page
    assert '<option value="zh-hans">' not in page  # the original is edited in the listing itself
    response = client.post(
        manage, {"new": "1", "language": "th", "t-new-title": "การบำบัด", "action": "save"}
    )
    assert response.status_code == 302
    row = TechnologyTranslation.objects.get()
    assert (row.language, row.origin, row.author) == ("th", "own", owner)
    response = client.post(
        manage, {"language": "th", "t-th-title": "การบำบัดน้ำ", "t-th-summary": "สรุป"}
    )
    assert response.status_code == 302
    assert TechnologyTranslation.objects.get().summary == "สรุป"
    response = client.post(manage, {"language": "th", "action": "delete"})
    assert response.status_code == 302
    assert not TechnologyTranslation.objects.exists()


def test_errors_are_form_errors_and_nothing_typed_is_lost(client, owner):
    technology = make_technology(owner)
    client.force_login(owner)
    manage = reverse("catalog:technology_translations", args=[technology.pk])
    response = client.post(
        manage,
        {"new": "1", "language": "th", "t-new-title": "", "t-new-summary": "ข้อความที่พิมพ์ไว้"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "ข้อความที่พิมพ์ไว้" in page
    assert "This field is required." in page
    response = client.post(manage, {"language": "klingon", "t-new-title": "x"})
    assert response.status_code == 302
    assert not TechnologyTranslation.objects.exists()


def test_broker_drafts_and_the_holder_confirms_in_the_browser(client, owner):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    broker = UserFactory(roles=["broker"], organization=OrganizationFactory())
    client.force_login(broker)
    assert 'data-testid="propose-translation"' in _detail(client, technology, "en")
    manage = reverse("catalog:technology_translations", args=[technology.pk])
    client.post(manage, {"new": "1", "language": "ru", "t-new-title": "Очистка"})
    assert TechnologyTranslation.objects.get().origin == "draft"
    client.force_login(owner)
    page = client.get(manage).content.decode()
    assert 'data-testid="confirm-draft"' in page
    assert client.post(manage, {"language": "ru", "action": "confirm"}).status_code == 302
    assert TechnologyTranslation.objects.get().origin == "own"
    page = _detail(client, technology, "ru")
    assert "Очистка" in page


def test_mixed_scripts_do_not_break_the_page(client, owner):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    TechnologyTranslation.objects.create(
        technology=technology, language="fr", title="\u202eمعالجة water 水 очистка\u202c"
    )
    response = client.get(
        reverse("catalog:technology_detail", args=[technology.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 200


def test_the_listing_form_takes_a_listing_written_in_thai_only(client, owner):
    from catalog.models import Technology
    from tests.catalog.test_pages import form_data

    client.force_login(owner)
    thai_only = form_data(title_zh="", summary_zh="", original_language="th")
    response = client.post(
        reverse("catalog:technology_create"), thai_only, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "give the title and the summary in Thai" in response.content.decode()
    assert not Technology.objects.exists()
    thai_only.update(original_title="เทคโนโลยีกู้คืนความร้อน", original_summary="ผลิตไฟฟ้า")
    assert client.post(reverse("catalog:technology_create"), thai_only).status_code == 302
    technology = Technology.objects.get()
    assert technology.original_language == "th"
    page = _detail(client, technology, "th")
    assert "เทคโนโลยีกู้คืนความร้อน" in page
    assert 'data-testid="translated-label"' not in page
    # a Chinese reader gets the original, Thai, there being no Chinese version
    assert "เทคโนโลยีกู้คืนความร้อน" in _detail(client, technology, "zh-hans")
