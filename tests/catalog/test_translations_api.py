"""Listing translations through the API: who may write, what outsiders may read, bad input."""

import pytest

from catalog.choices import TechnologyStatus
from catalog.models import Technology, TechnologyEvent, TechnologyTranslation
from tests.catalog.conftest import make_technology, technology_data
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/technologies/"

THAI = {
    "title": "การบำบัดน้ำเสียอินทรีย์เข้มข้นสูงแบบไม่ใช้ออกซิเจน",
    "summary": "เครื่องปฏิกรณ์แบบไม่ใช้ออกซิเจนสำหรับน้ำเสียโรงงานเคมี",
}


def test_owner_adds_reads_edits_and_deletes_a_translation(api_client_for, owner, api_client):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    holder = api_client_for(owner)
    response = holder.post(
        f"{URL}{technology.pk}/translations/", {"language": "th", **THAI}, format="json"
    )
    assert response.status_code == 201, response.data
    assert response.data["origin"] == "own"
    assert response.data["language_label"] == "泰语"  # the default interface language
    # anyone who may read the listing reads its translations, in the detail too
    listing = api_client.get(f"{URL}{technology.pk}/").data
    assert listing["original_language"] == "zh-hans"
    assert [row["language"] for row in listing["translations"]] == ["th"]
    assert api_client.get(f"{URL}{technology.pk}/translations/th/").data["title"] == THAI["title"]
    response = holder.patch(
        f"{URL}{technology.pk}/translations/th/", {"advantages": "ประหยัดพลังงาน"}, format="json"
    )
    assert response.status_code == 200, response.data
    assert response.data["title"] == THAI["title"]
    assert response.data["advantages"] == "ประหยัดพลังงาน"
    # the translated words find the listing and feed the match input
    technology.refresh_from_db()
    assert "ประหยัดพลังงาน" in technology.translated_text
    assert holder.delete(f"{URL}{technology.pk}/translations/th/").status_code == 204
    assert not TechnologyTranslation.objects.filter(technology=technology).exists()
    actions = list(
        TechnologyEvent.objects.filter(technology=technology).values_list("action", flat=True)
    )
    assert actions[-3:] == ["translate", "translate", "translation_delete"]


def test_put_creates_then_replaces(api_client_for, owner):
    technology = make_technology(owner)
    holder = api_client_for(owner)
    url = f"{URL}{technology.pk}/translations/fr/"
    assert holder.put(url, {"title": "Traitement anaérobie"}, format="json").status_code == 201
    response = holder.put(url, {"title": "Traitement anaérobie des eaux"}, format="json")
    assert response.status_code == 200
    assert TechnologyTranslation.objects.get(technology=technology).title.endswith("des eaux")


def test_broker_proposes_a_draft_the_holder_confirms(api_client_for, owner):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    broker = UserFactory(roles=["broker"], organization=OrganizationFactory())
    response = api_client_for(broker).put(
        f"{URL}{technology.pk}/translations/ru/", {"title": "Анаэробная очистка"}, format="json"
    )
    assert response.status_code == 201, response.data
    assert response.data["origin"] == "draft"
    response = api_client_for(owner).post(f"{URL}{technology.pk}/translations/ru/confirm/")
    assert response.status_code == 200
    assert response.data["origin"] == "own"
    # the holder's own text is no longer the broker's to change
    response = api_client_for(broker).patch(
        f"{URL}{technology.pk}/translations/ru/", {"title": "Другое"}, format="json"
    )
    assert response.status_code == 403
    assert TechnologyTranslation.objects.get(technology=technology).title == "Анаэробная очистка"


def test_a_stranger_cannot_add_edit_confirm_or_delete(api_client_for, owner, stranger):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    TechnologyTranslation.objects.create(technology=technology, language="th", title="เดิม")
    outsider = api_client_for(stranger)
    base = f"{URL}{technology.pk}/translations/"
    assert outsider.post(base, {"language": "fr", "title": "X"}, format="json").status_code == 403
    assert outsider.put(f"{base}th/", {"title": "ใหม่"}, format="json").status_code == 403
    assert outsider.delete(f"{base}th/").status_code == 403
    assert outsider.post(f"{base}th/confirm/").status_code == 403
    assert list(TechnologyTranslation.objects.values_list("language", "title")) == [("th", "เดิม")]


def test_anonymous_cannot_write(api_client, owner):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    response = api_client.post(
        f"{URL}{technology.pk}/translations/", {"language": "fr", "title": "X"}, format="json"
    )
    assert response.status_code == 403
    assert not TechnologyTranslation.objects.exists()


def test_translations_of_a_draft_are_not_readable_by_outsiders(
    api_client_for, api_client, owner, stranger
):
    technology = make_technology(owner)  # a draft: its holder's only
    TechnologyTranslation.objects.create(technology=technology, language="th", title="ร่าง")
    for client in (api_client, api_client_for(stranger)):
        assert client.get(f"{URL}{technology.pk}/translations/").status_code == 404
        assert client.get(f"{URL}{technology.pk}/translations/th/").status_code == 404
    broker = UserFactory(roles=["broker"], organization=OrganizationFactory())
    response = api_client_for(broker).put(
        f"{URL}{technology.pk}/translations/fr/", {"title": "X"}, format="json"
    )
    assert response.status_code == 404
    assert api_client_for(owner).get(f"{URL}{technology.pk}/translations/").status_code == 200


def test_translations_hold_no_confidential_field(api_client, owner):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    TechnologyTranslation.objects.create(technology=technology, language="th", title="ไทย")
    row = api_client.get(f"{URL}{technology.pk}/translations/th/").data
    assert "description" not in row
    assert not any(name.startswith("description") for name in row)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"language": "xx", "title": "X"}, "language"),
        ({"language": "th", "title": ""}, "title"),
        ({"language": "th"}, "title"),
        ({"language": "th", "title": 5}, "title"),
        ({"language": "zh-hans", "title": "中文"}, "language"),  # the original's own columns
        ({"title": "no language"}, "language"),
        ({"language": "th", "title": "x" * 251}, "title"),
    ],
)
def test_bad_input_is_400_with_field_errors(api_client_for, owner, body, field):
    technology = make_technology(owner)
    response = api_client_for(owner).post(
        f"{URL}{technology.pk}/translations/", body, format="json"
    )
    assert response.status_code == 400, response.data
    assert field in response.data
    assert not TechnologyTranslation.objects.exists()


def test_duplicate_language_and_unknown_language_in_the_address_are_400(api_client_for, owner):
    technology = make_technology(owner)
    holder = api_client_for(owner)
    base = f"{URL}{technology.pk}/translations/"
    assert holder.post(base, {"language": "th", "title": "ก"}, format="json").status_code == 201
    response = holder.post(base, {"language": "th", "title": "ข"}, format="json")
    assert response.status_code == 400
    assert "language" in response.data
    for method in ("get", "put", "patch", "delete"):
        response = getattr(holder, method)(f"{base}klingon/", {"title": "x"}, format="json")
        assert response.status_code == 400, method
    assert holder.post(base, [1, 2], format="json").status_code == 400
    assert holder.patch(f"{base}fr/", {"title": "x"}, format="json").status_code == 404


def test_right_to_left_and_mixed_scripts_are_accepted(api_client_for, owner):
    technology = make_technology(owner)
    holder = api_client_for(owner)
    base = f"{URL}{technology.pk}/translations/"
    # an Arabic title in the French version, and every script at once with bidi controls
    response = holder.post(base, {"language": "fr", "title": "معالجة المياه"}, format="json")
    assert response.status_code == 201
    mixed = "水处理 water معالجة การบำบัด очистка \u202eevil\u202c \u200f"
    response = holder.post(base, {"language": "ar", "title": mixed}, format="json")
    assert response.status_code == 201
    assert response.data["direction"] == "rtl"


def test_a_listing_written_in_thai_only(api_client_for, owner, api_client):
    data = technology_data(
        title_zh="", title_en="", summary_zh="", summary_en="", original_language="th"
    )
    holder = api_client_for(owner)
    response = holder.post(URL, data, format="json")
    assert response.status_code == 400
    assert "original_text" in response.data
    response = holder.post(URL, {**data, "original_text": THAI}, format="json")
    assert response.status_code == 201, response.data
    technology = Technology.objects.get(pk=response.data["id"])
    assert technology.original_language == "th"
    assert technology.title == THAI["title"]
    assert THAI["summary"] in technology.translated_text
    # the original is the holder's: it may be changed, not deleted, and no one drafts it
    base = f"{URL}{technology.pk}/translations/th/"
    assert holder.delete(base).status_code == 400
    assert holder.patch(base, {"title": "ชื่อใหม่"}, format="json").status_code == 200


def test_existing_listings_keep_chinese_or_english_as_their_original(owner):
    english = make_technology(owner, title_zh="", summary_zh="")
    assert english.original_language == "en"
    assert make_technology(owner).original_language == "zh-hans"


def test_a_language_the_listing_itself_is_written_in_is_refused(api_client_for, owner, client):
    """The English columns are shown before any English row: a row would never be read."""
    technology = make_technology(owner, title_en="Anaerobic treatment of organic wastewater")
    response = api_client_for(owner).post(
        f"{URL}{technology.pk}/translations/",
        {"language": "en", "title": "Another English title"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "part of the listing itself" in str(response.data["language"])
    assert not TechnologyTranslation.objects.filter(technology=technology).exists()
    client.force_login(owner)
    page = client.get(f"/technologies/{technology.pk}/translations/").content.decode()
    # the add form's choices (the interface-language switcher's options carry lang="…")
    assert '<option value="en">' not in page
    assert '<option value="th">' in page
