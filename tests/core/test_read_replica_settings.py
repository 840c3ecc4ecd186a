"""DATABASE_REPLICA_URL: unset, the platform runs on one database exactly as before; set, it
gets a read-only "replica" alias, the router and the pinning middleware (#17 part 4)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext

from core import db, status
from tests.catalog.conftest import technology_data

REPO_ROOT = Path(__file__).resolve().parents[2]

PRINT_DATABASES = """
import django, json
django.setup()
from django.conf import settings as s
from django.db import router
from catalog.models import Technology
print(json.dumps({
    "aliases": sorted(s.DATABASES),
    "replica": {k: s.DATABASES["replica"][k] for k in ("HOST", "NAME", "TEST", "OPTIONS")},
    "routers": s.DATABASE_ROUTERS,
    "middleware": "core.db.ReplicaPinningMiddleware" in s.MIDDLEWARE,
    "pin_seconds": s.REPLICA_PIN_SECONDS,
    "migrate_replica": router.allow_migrate("replica", "catalog", model_name="technology"),
    "write": router.db_for_write(Technology),
}))
"""


def test_with_a_replica_url_the_settings_add_a_read_only_replica_alias_and_the_router():
    # given a production-like environment naming a replica (parsed only, never connected to)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "true",
        "SECRET_KEY": "test-only",
        "DATABASE_URL": "postgres://gte:secret@primary.internal:5432/gte",
        "DATABASE_REPLICA_URL": "postgres://gte:secret@replica.internal:5432/gte",
        "REDIS_URL": "redis://redis.internal:6379/0",
    }
    # when the settings load
    result = subprocess.run(
        [sys.executable, "-c", PRINT_DATABASES],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    values = json.loads(result.stdout.strip().splitlines()[-1])
    # then
    assert values["aliases"] == ["default", "replica"]
    assert values["replica"]["HOST"] == "replica.internal"
    assert values["replica"]["TEST"]["MIRROR"] == "default"
    assert values["replica"]["OPTIONS"] == {"options": "-c default_transaction_read_only=on"}
    assert values["routers"] == ["core.db.ReplicaRouter"]
    assert values["middleware"] is True
    assert values["pin_seconds"] == 10
    assert values["migrate_replica"] is False
    assert values["write"] == "default"


@pytest.mark.django_db
def test_without_a_replica_there_is_one_alias_and_nothing_changes(client, owner):
    # given the suite's environment: DATABASE_REPLICA_URL unset
    assert list(settings.DATABASES) == [DEFAULT_DB_ALIAS]
    assert not getattr(settings, "DATABASE_ROUTERS", [])
    assert db.read_replica() == DEFAULT_DB_ALIAS
    # a write sets no pinning cookie (the middleware is not used) and search reads the primary
    client.force_login(owner)
    created = client.post(
        "/api/v1/technologies/", technology_data(), content_type="application/json"
    )
    assert created.status_code == 201
    assert db.PIN_COOKIE not in created.cookies
    with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary:
        listed = client.get("/api/v1/technologies/", {"q": "废水"})
    assert listed.json()["count"] == 1
    assert any("WITH every_match" in query["sql"] for query in primary.captured_queries)
    # the health check and the status page say nothing about a replica
    assert "replica" not in client.get("/healthz").json()
    assert [check.code for check in status.service_checks()] == ["database", "broker", "worker"]
    assert db.replica_state() is None
