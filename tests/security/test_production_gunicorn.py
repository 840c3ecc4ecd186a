"""The production shape really runs: gunicorn with config/gunicorn.py and production settings (DEBUG
off, HTTPS redirect on) answers the health check over plain HTTP inside the network, redirects an
ordinary page to HTTPS, and believes X-Forwarded-Proto only from FORWARDED_ALLOW_IPS."""

from __future__ import annotations

import contextlib
import http.client
import importlib.util
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
HOST = "gte.example"
START_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 15


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def migrated_database_url(db) -> str:
    """DATABASE_URL of this session's test database (migrated by pytest-django; `db` makes it
    set up). The server sees the schema and the migrations' data, not this test's transaction."""
    from django.db import connection

    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def _production_environment(database_url: str, **extra: str) -> dict[str, str]:
    from django.conf import settings

    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ.get("REDIS_URL") or settings.REDIS_URL,
        "CACHE_KEY_PREFIX": "gte-test-gunicorn",
        # collectstatic is the image's build step; pages here need no manifest.
        "STATIC_MANIFEST": "false",
        "PYTHONWARNINGS": "ignore:No directory at",
        "WEB_CONCURRENCY": "1",
        "LOG_LEVEL": "WARNING",
    }
    environment.update(extra)
    return environment


@contextlib.contextmanager
def running_gunicorn(environment: dict[str, str], log_path: Path) -> Iterator[int]:
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "config/gunicorn.py",
        # Loopback only, on a free port: the configuration's 0.0.0.0:$PORT is the container's.
        "--bind",
        f"127.0.0.1:{port}",
        "config.wsgi:application",
    ]
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            if server.poll() is not None:
                pytest.fail(f"gunicorn exited ({server.returncode}):\n{log_path.read_text()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not listen in time:\n{log_path.read_text()}")
            time.sleep(0.2)
        yield port
    finally:
        # The master and its workers: the process group this test started.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)
            server.wait(STOP_TIMEOUT_SECONDS)


def _get(port: int, path: str, **headers: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request("GET", path, headers={"Host": HOST, **headers})
        response = connection.getresponse()
        response.read()
        return response
    finally:
        connection.close()


def test_health_check_answers_over_plain_http_and_pages_redirect_to_https(
    migrated_database_url, tmp_path
):
    # given gunicorn with production settings and the default FORWARDED_ALLOW_IPS (loopback)
    environment = _production_environment(migrated_database_url)
    with running_gunicorn(environment, tmp_path / "gunicorn.log") as port:
        # when the health check asks over plain HTTP, with and without the proxy header
        plain = _get(port, "/healthz")
        forwarded = _get(port, "/healthz", **{"X-Forwarded-Proto": "https"})
        # and an ordinary page is asked for over plain HTTP, then through the trusted proxy
        page = _get(port, "/")
        page_through_proxy = _get(port, "/", **{"X-Forwarded-Proto": "https"})
        # and the container's own health check command runs
        healthcheck = subprocess.run(
            [sys.executable, "config/healthcheck.py"],
            cwd=REPO_ROOT,
            env={**environment, "PORT": str(port)},
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    # then the health check is served, not redirected
    assert plain.status == 200, (plain.status, plain.headers)
    assert forwarded.status == 200, (forwarded.status, forwarded.headers)
    assert healthcheck.returncode == 0, healthcheck.stdout + healthcheck.stderr
    # and a page over plain HTTP goes to HTTPS, while the proxy's HTTPS request is served
    assert page.status == 301
    assert page.headers["Location"] == f"https://{HOST}/"
    assert page_through_proxy.status == 200, (tmp_path / "gunicorn.log").read_text()
    assert "max-age=31536000" in page_through_proxy.headers["Strict-Transport-Security"]


def test_the_proxy_header_is_ignored_from_an_address_not_in_forwarded_allow_ips(
    migrated_database_url, tmp_path
):
    # given gunicorn that trusts only a proxy at 192.0.2.10, not the loopback client
    environment = _production_environment(migrated_database_url, FORWARDED_ALLOW_IPS="192.0.2.10")
    with running_gunicorn(environment, tmp_path / "gunicorn.log") as port:
        # when a client claims HTTPS itself
        spoofed = _get(port, "/", **{"X-Forwarded-Proto": "https"})
        health = _get(port, "/healthz", **{"X-Forwarded-Proto": "https"})
    # then the claim is ignored: the page still redirects, the health check still answers
    assert spoofed.status == 301
    assert spoofed.headers["Location"] == f"https://{HOST}/"
    assert health.status == 200


@pytest.mark.parametrize(
    ("allowed_hosts", "host"),
    [
        ("gte.example,www.gte.example", "gte.example"),
        (" .gte.example ", "gte.example"),  # a leading dot allows the domain itself
        ("*,gte.example", "gte.example"),
        ("*", "localhost"),
        ("", "localhost"),
    ],
)
def test_the_health_check_names_a_host_django_accepts(allowed_hosts, host):
    # the script the containers run, loaded from its file (it is not imported as config.*)
    script = REPO_ROOT / "config" / "healthcheck.py"
    spec = importlib.util.spec_from_file_location("healthcheck", script)
    healthcheck = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(healthcheck)
    assert healthcheck.health_host(allowed_hosts) == host
