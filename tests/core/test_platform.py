import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from catalog.models import Category

pytestmark = pytest.mark.django_db


def test_system_check_passes():
    call_command("check", fail_level="WARNING")


def test_no_missing_migrations():
    # given the models as they are
    out = io.StringIO()
    # when makemigrations is asked to detect changes
    call_command("makemigrations", check=True, dry_run=True, stdout=out)
    # then it finds none (the command exits non-zero otherwise)
    assert "No changes detected" in out.getvalue()


def test_taxonomy_is_loaded_by_migration_and_idempotent():
    # given the data migration has loaded the taxonomy
    before = Category.objects.count()
    # when the loader runs again
    call_command("load_taxonomy", stdout=io.StringIO())
    # then nothing is duplicated
    assert before == Category.objects.count() == 36
    assert Category.objects.get(code="2.4").parent.code == "2"


def test_categories_api_lists_the_tree(api_client):
    response = api_client.get("/api/v1/categories/")
    assert response.status_code == 200
    codes = [row["code"] for row in response.json()]
    assert codes[:2] == ["1", "1.1"]
    assert len(codes) == 36


def test_categories_api_filters_by_parent(api_client):
    response = api_client.get("/api/v1/categories/?parent=3")
    assert [row["code"] for row in response.json()] == ["3.1", "3.2", "3.3", "3.4"]


def test_category_detail_names_follow_the_language(api_client):
    zh = api_client.get("/api/v1/categories/2.4/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    en = api_client.get("/api/v1/categories/2.4/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert zh["name"] == "生产过程节水和废水处理及资源化利用"
    assert en["name"] == "Process water saving, wastewater treatment and reuse"


def test_home_page_in_chinese_by_default(client):
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "绿色技术交易平台" in body
    assert "节能环保产业" in body


def test_home_page_in_english_after_switching(client):
    # given a visitor who picks English in the language switcher
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    # when they open the home page
    body = client.get("/").content.decode()
    # then the interface and the categories are in English
    assert "Green Technology Exchange" in body
    assert "Energy saving and environmental protection" in body
    assert "绿色技术交易平台" not in body


def test_unknown_page_is_a_friendly_404(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "404" in response.content.decode()


def test_healthz_ok_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


def test_healthz_names_the_broker_when_it_is_down(client, monkeypatch):
    # given a broker that does not answer
    monkeypatch.setattr("core.status.broker_answers", lambda: False)
    # when the health check runs
    response = client.get("/healthz")
    # then it answers 503 and names what is down
    assert response.status_code == 503
    assert response.json()["down"] == ["broker"]


def test_openapi_schema_and_offline_swagger_ui(client):
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    assert "/api/v1/auth/token/" in schema.json()["paths"]
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "http://" not in docs.replace("http://testserver", "")
    assert "https://" not in docs
