"""The development tooling in scripts/: embedded PostgreSQL/Redis and translation compiling."""

import gettext
import importlib.util
import sys
from pathlib import Path

import environ
import psycopg
import pytest
import redis

SCRIPTS_DIR = Path(__file__).resolve().parent.parent / "scripts"


def load_script(name: str):
    if str(SCRIPTS_DIR) not in sys.path:
        sys.path.insert(0, str(SCRIPTS_DIR))
    spec = importlib.util.spec_from_file_location(f"scripts_{name}", SCRIPTS_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


services = load_script("services")
compile_messages = load_script("compile_messages")


def test_socket_database_url_is_read_by_django_environ_as_a_socket_host():
    # given
    url = services.postgres_url("/srv/run/pg", 5432, "gte")

    # when
    config = environ.Env.db_url_config(url)

    # then
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "gte"
    assert config["OPTIONS"]["host"] == "/srv/run/pg"
    assert config["HOST"] == ""


def test_socket_database_url_keeps_a_non_default_port():
    assert environ.Env.db_url_config(services.postgres_url("/run/pg", 5433))["OPTIONS"] == {
        "host": "/run/pg",
        "port": 5433,
    }


def test_embedded_redis_starts_answers_and_stops(tmp_path, monkeypatch):
    # given
    monkeypatch.setenv("EMBEDDED_REDIS_PORT", "0")  # 0: any free port, not the shared 6390

    # when
    url, started = services.start_redis(tmp_path)
    try:
        client = redis.Redis.from_url(url)
        pong = client.ping()
        url_again, started_again = services.start_redis(tmp_path)
    finally:
        stopped = services.stop_redis(tmp_path)

    # then
    assert started
    assert pong is True
    assert (url_again, started_again) == (url, False)
    assert stopped
    with pytest.raises(redis.ConnectionError):
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()


def test_embedded_postgres_starts_creates_the_database_and_stops(tmp_path):
    # given
    data_dir = tmp_path / "data"
    data_dir.mkdir()

    # when
    url, started = services.start_postgres(data_dir, database="gte_infra_check")
    try:
        with psycopg.connect(url) as connection:
            database = connection.execute("SELECT current_database()").fetchone()[0]
    finally:
        stopped = services.stop_postgres(data_dir)

    # then
    assert started
    assert database == "gte_infra_check"
    assert stopped


def test_po_files_compile_to_mo_without_fuzzy_entries(tmp_path):
    # given
    catalogue_dir = tmp_path / "locale" / "en" / "LC_MESSAGES"
    catalogue_dir.mkdir(parents=True)
    (catalogue_dir / "django.po").write_text(
        'msgid ""\n'
        'msgstr ""\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n'
        "\n"
        'msgid "技术"\n'
        'msgstr "Technology"\n'
        "\n"
        "#, fuzzy\n"
        'msgid "需求"\n'
        'msgstr "Need"\n',
        encoding="utf-8",
    )

    # when
    catalogues = compile_messages.find_catalogues(tmp_path)
    compiled = compile_messages.compile_catalogues(catalogues)

    # then
    assert compiled == 1
    with open(catalogue_dir / "django.mo", "rb") as mo_file:
        translations = gettext.GNUTranslations(mo_file)
    assert translations.gettext("技术") == "Technology"
    assert translations.gettext("需求") == "需求"
