"""`make run`'s web server does not hoard database connections: runserver answers each keep-alive
client in a thread of its own, and idle clients must not each keep a PostgreSQL connection."""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "scripts"))

import devstack  # noqa: E402  (scripts/ is not a package on the path)

IDLE_CLIENTS = 12


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _test_database_url(application_name: str) -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    query = "&".join(filter(None, [parts.query, f"application_name={application_name}"]))
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"], query=query))


def _connections_of(application_name: str) -> int:
    with connection.cursor() as cursor:
        # Statistics views are a snapshot per transaction: this test runs in one.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
            [application_name],
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_idle_keep_alive_clients_hold_no_database_connection(tmp_path):
    # given make run's web server (its command and environment) on the test database
    application_name = "gte-devstack-" + secrets.token_hex(4)
    port = _free_port()
    environment = devstack.web_environment()
    environment.update(
        DEBUG="true",
        DATABASE_URL=_test_database_url(application_name),
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    )
    log_path = tmp_path / "runserver.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            devstack.runserver_command("127.0.0.1", port, reload=False),
            cwd=REPO_ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    clients: list[http.client.HTTPConnection] = []
    try:
        assert devstack.wait_until_serving(f"http://127.0.0.1:{port}/healthz", server), (
            log_path.read_text()
        )
        # when several clients each make a request that uses the database and stay connected
        for _ in range(IDLE_CLIENTS):
            client = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
            client.request("GET", "/healthz")
            response = client.getresponse()
            response.read()
            assert response.status == 200, log_path.read_text()
            assert response.getheader("Connection") != "close"  # kept alive
            clients.append(client)
        held = _connections_of(application_name)
    finally:
        for client in clients:
            client.close()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)
            server.wait(15)
    # then no idle client keeps a connection (with CONN_MAX_AGE=60 each of them held one)
    assert held == 0
    deadline = time.monotonic() + 10
    while _connections_of(application_name) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _connections_of(application_name) == 0
