"""The footer's "service status" opens a page written for people (#14 item 15), which still
opens when the database is down; /healthz stays the machines' JSON."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from core import status
from core.tasks import record_worker_heartbeat

pytestmark = pytest.mark.django_db


def test_the_footer_links_to_the_status_page_and_the_page_names_each_part(client):
    record_worker_heartbeat()
    home = client.get("/").content.decode()
    assert 'href="/status/"' in home

    response = client.get("/status/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    html = response.content.decode()
    for words in ("服务状态", "数据库", "消息队列", "后台任务", "一切正常"):
        assert words in html
    for code in ("database", "broker", "worker"):
        assert f'data-testid="status-{code}"' in html
        assert f">{code}<" not in html

    english = client.get("/status/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Everything is working." in english
    assert "Background workers" in english


def test_the_page_renders_without_reading_the_database(
    client, monkeypatch, django_assert_num_queries
):
    # given a database that does not answer
    monkeypatch.setattr(status, "database_answers", lambda: False)
    # when someone opens the status page, nothing else needs the database
    with django_assert_num_queries(0):
        response = client.get("/status/", HTTP_ACCEPT_LANGUAGE="en")
    # then it says so in words, with a 503 for monitors
    assert response.status_code == 503
    html = response.content.decode()
    assert "The database does not answer" in html
    assert "Not working" in html


def test_a_worker_without_a_recent_heartbeat_is_delayed_but_the_health_check_stays_up(client):
    cache.delete(status.HEARTBEAT_KEY)
    page = client.get("/status/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200  # a late worker degrades, it does not take the site down
    assert "Delayed" in page.content.decode()
    health = client.get("/healthz").json()
    assert health["status"] == "ok"
    assert health["workers"] == "late"

    old = timezone.now() - status.HEARTBEAT_LATE_AFTER - datetime.timedelta(seconds=1)
    cache.set(status.HEARTBEAT_KEY, old.isoformat())
    assert client.get("/healthz").json()["workers"] == "late"

    record_worker_heartbeat()
    assert client.get("/healthz").json()["workers"] == "ok"
    assert (
        "Everything is working."
        in client.get("/status/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )


def test_a_broken_heartbeat_value_reads_as_no_heartbeat():
    cache.set(status.HEARTBEAT_KEY, "not a time")
    assert status.last_heartbeat() is None


def test_the_heartbeat_is_scheduled_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["core-worker-heartbeat"]
    assert entry["task"] == "core.tasks.record_worker_heartbeat"
    assert entry["schedule"] == 60.0


def test_every_page_names_the_icon_and_the_old_address_redirects_to_it(client):
    assert 'rel="icon" href="/static/favicon.svg"' in client.get("/").content.decode()
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
