"""Need translations: the API, the page, a need written in Vietnamese only, and outsiders."""

import pytest
from django.urls import reverse

from exchange.choices import NeedStatus
from exchange.models import Need, NeedEvent, NeedTranslation
from exchange.search import apply_search
from tests.exchange.conftest import NEED_FIELDS, future
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/needs/"
VIETNAMESE = {
    "title": "Công nghệ xử lý nước thải hữu cơ nồng độ cao",
    "description": "Nhà máy của chúng tôi thải ra 800 tấn nước thải mỗi ngày.",
}


def test_members_translate_and_everyone_reads_a_published_need(
    api_client_for, api_client, enterprise, make_need
):
    need = make_need(NeedStatus.PUBLISHED)
    response = api_client_for(enterprise).put(
        f"{URL}{need.pk}/translations/vi/", VIETNAMESE, format="json"
    )
    assert response.status_code == 201, response.data
    assert response.data["origin"] == "own"
    body = api_client.get(f"{URL}{need.pk}/").data
    assert body["original_language"] == "zh-hans"
    assert body["translations"][0]["title"] == VIETNAMESE["title"]
    assert "original_text" not in body
    assert api_client.get(f"{URL}{need.pk}/translations/").data[0]["language"] == "vi"
    assert NeedEvent.objects.filter(need=need, action="translate").exists()
    # the translated words find the need
    assert list(apply_search(Need.objects.all(), "Công nghệ xử lý")) == [need]


def test_outsiders_cannot_write_or_read_a_draft_needs_translations(
    api_client_for, api_client, make_need, stranger
):
    draft = make_need(NeedStatus.DRAFT)
    NeedTranslation.objects.create(need=draft, language="vi", title="Bản nháp")
    for client in (api_client, api_client_for(stranger)):
        assert client.get(f"{URL}{draft.pk}/translations/").status_code == 404
        assert client.get(f"{URL}{draft.pk}/translations/vi/").status_code == 404
    published = make_need(NeedStatus.PUBLISHED)
    outsider = api_client_for(stranger)
    response = outsider.post(
        f"{URL}{published.pk}/translations/", {"language": "fr", "title": "X"}, format="json"
    )
    assert response.status_code == 403
    assert not NeedTranslation.objects.filter(need=published).exists()


def test_a_broker_drafts_and_the_enterprise_confirms(api_client_for, enterprise, make_need):
    need = make_need(NeedStatus.PUBLISHED)
    broker = UserFactory(roles=["broker"], organization=OrganizationFactory())
    response = api_client_for(broker).post(
        f"{URL}{need.pk}/translations/", {"language": "th", "title": "ความต้องการ"}, format="json"
    )
    assert response.status_code == 201
    assert response.data["origin"] == "draft"
    other_broker = UserFactory(roles=["broker"], organization=OrganizationFactory())
    response = api_client_for(other_broker).delete(f"{URL}{need.pk}/translations/th/")
    assert response.status_code == 403
    response = api_client_for(enterprise).post(f"{URL}{need.pk}/translations/th/confirm/")
    assert response.data["origin"] == "own"


def test_bad_input_is_400(api_client_for, enterprise, make_need):
    need = make_need()
    client = api_client_for(enterprise)
    base = f"{URL}{need.pk}/translations/"
    assert client.post(base, {"language": "xx", "title": "X"}, format="json").status_code == 400
    assert client.put(f"{base}vi/", {"title": ""}, format="json").status_code == 400
    assert client.get(f"{base}nope/").status_code == 400
    assert client.post(base, {"language": "vi", "title": "A"}, format="json").status_code == 201
    response = client.post(base, {"language": "vi", "title": "B"}, format="json")
    assert response.status_code == 400
    assert "language" in response.data


def test_a_need_written_in_vietnamese_only(api_client_for, enterprise, api_client):
    body = {
        **NEED_FIELDS,
        "title_zh": "",
        "title_en": "",
        "description_zh": "",
        "description_en": "",
        "original_language": "vi",
        "deadline": future().isoformat(),
    }
    client = api_client_for(enterprise)
    response = client.post(URL, body, format="json")
    assert response.status_code == 400
    assert "original_text" in response.data
    assert not Need.objects.exists()
    response = client.post(URL, {**body, "original_text": VIETNAMESE}, format="json")
    assert response.status_code == 201, response.data
    need = Need.objects.get()
    assert need.original_language == "vi"
    assert need.title == VIETNAMESE["title"]
    assert response.data["title_zh"] == ""
    # Chinese or English text is still required when the original is one of them
    response = client.post(URL, {**body, "original_language": "en"}, format="json")
    assert response.status_code == 400
    assert "title_zh" in response.data


def test_need_page_shows_the_translation_and_the_original(client, make_need):
    need = make_need(NeedStatus.PUBLISHED)
    NeedTranslation.objects.create(
        need=need, language="th", title="ความต้องการเทคโนโลยี", description="บำบัดน้ำเสีย"
    )
    url = reverse("exchange:need_detail", args=[need.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="th").content.decode()
    assert "ความต้องการเทคโนโลยี" in page
    assert 'data-testid="translated-label"' in page
    original = client.get(url + "?original=1", HTTP_ACCEPT_LANGUAGE="th").content.decode()
    assert need.title_zh in original
    assert 'data-testid="show-translation"' in original


def test_need_translation_page_for_members_only(client, enterprise, make_need, stranger):
    need = make_need(NeedStatus.PUBLISHED)
    manage = reverse("exchange:need_translations", args=[need.pk])
    client.force_login(stranger)
    assert client.get(manage).status_code == 404
    client.force_login(enterprise)
    assert client.get(manage).status_code == 200
    response = client.post(
        manage, {"new": "1", "language": "ar", "t-new-title": "حاجة تقنية", "action": "save"}
    )
    assert response.status_code == 302
    assert NeedTranslation.objects.get(need=need).title == "حاجة تقنية"


def test_the_need_form_takes_a_need_written_in_thai_only(client, enterprise, enterprise_org):
    client.force_login(enterprise)
    body = {
        "organization": enterprise_org.pk,
        "original_language": "th",
        "region": "CN-ZJ",
        "deadline": future().isoformat(),
        "currency": "CNY",
    }
    response = client.post(reverse("exchange:need_create"), body, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "give the title and the description in Thai" in response.content.decode()
    assert not Need.objects.exists()
    response = client.post(
        reverse("exchange:need_create"),
        {**body, "original_title": "ความต้องการ", "original_description": "บำบัดน้ำเสีย"},
    )
    assert response.status_code == 302
    need = Need.objects.get()
    assert (need.original_language, need.title_zh, need.title) == ("th", "", "ความต้องการ")


def test_match_documents_read_the_translations(make_need):
    from matching.documents import need_document

    need = make_need(NeedStatus.PUBLISHED)
    NeedTranslation.objects.create(need=need, language="vi", title="Xử lý nước thải")
    from exchange.services.needs import need_translations_reindex

    need_translations_reindex(need)
    need.refresh_from_db()
    assert "Xử lý nước thải" in need_document(need).description
