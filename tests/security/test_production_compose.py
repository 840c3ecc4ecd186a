"""docker-compose.yml and the Dockerfile describe a production shape that can run: the services'
environment makes valid production settings (object storage shared by the replicas), and the
health checks are the command the gunicorn test proves. Checked without a Docker daemon."""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("migrate", "web", "worker", "beat")
INTERPOLATION = re.compile(r"\$\$|\$\{(?P<name>\w+)(?:(?P<op>:-|:\?|-)(?P<arg>[^}]*))?\}")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's variable substitution: ${NAME}, ${NAME:-default}, ${NAME:?error}, $$."""

    def replace(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name", "op", "arg")
        if variables.get(name):
            return variables[name]
        if op == ":?":
            raise LookupError(f"{name}: {arg}")
        return arg or ""

    return INTERPOLATION.sub(replace, value)


def service_environment(compose: dict, service: str, variables: dict[str, str]) -> dict[str, str]:
    environment = compose["services"][service].get("environment", {})
    return {name: interpolate(str(value), variables) for name, value in environment.items()}


def test_compose_refuses_to_start_without_a_secret_key(compose):
    # when the web environment is resolved without SECRET_KEY, then compose stops with a message
    with pytest.raises(LookupError, match="SECRET_KEY"):
        service_environment(compose, "web", {})


def test_app_services_share_the_object_store_and_wait_for_its_bucket(compose):
    services = compose["services"]
    # given the MinIO server and its one-shot bucket creation
    assert "minio" in services
    assert services["minio"]["healthcheck"]["test"]
    init = services["minio-init"]
    assert init["depends_on"]["minio"]["condition"] == "service_healthy"
    script = init["command"][0]
    assert "mc mb --ignore-existing" in script
    assert "mc anonymous set none" in script  # private: no anonymous downloads
    for name in APP_SERVICES:
        # then every app container names the bucket and the endpoint on the compose network
        environment = service_environment(compose, name, {"SECRET_KEY": "x"})
        assert environment["AWS_STORAGE_BUCKET_NAME"] == "gte-media", name
        assert environment["AWS_S3_ENDPOINT_URL"] == "http://minio:9000", name
        # and the key minio-init gives the application
        init_environment = service_environment(compose, "minio-init", {})
        assert environment["AWS_ACCESS_KEY_ID"] == init_environment["APP_ACCESS_KEY"]
        assert environment["AWS_SECRET_ACCESS_KEY"] == init_environment["APP_SECRET_KEY"]
        assert environment["AWS_STORAGE_BUCKET_NAME"] == init_environment["BUCKET"]
        # and starts once the bucket exists and the servers answer
        depends_on = services[name]["depends_on"]
        assert depends_on["minio-init"]["condition"] == "service_completed_successfully", name
        assert depends_on["postgres"]["condition"] == "service_healthy", name
        assert depends_on["redis"]["condition"] == "service_healthy", name
        # and keeps no uploads on a container-local volume
        mounts = [str(volume) for volume in services[name].get("volumes", [])]
        assert not any("/app/media" in mount for mount in mounts), name


def test_every_named_volume_is_declared(compose):
    declared = set(compose.get("volumes", {}))
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = str(volume).split(":", 1)[0]
            if not source.startswith((".", "/")):
                assert source in declared, (name, volume)


def test_web_health_check_is_the_container_health_check_script(compose):
    web = compose["services"]["web"]
    assert web["healthcheck"]["test"] == ["CMD", "python", "config/healthcheck.py"]
    dockerfile = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert 'CMD ["python", "config/healthcheck.py"]' in dockerfile
    # and gunicorn runs with its configuration file, believing no proxy header from anywhere
    assert 'CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"]' in dockerfile
    assert "forwarded-allow-ips='*'" not in dockerfile
    assert "MEDIA_ROOT=/app/media" in dockerfile


def test_the_compose_environment_makes_valid_production_settings(compose):
    # given the web container's environment, as compose resolves it
    environment = service_environment(compose, "web", {"SECRET_KEY": secrets.token_urlsafe(50)})
    environment.update({"PATH": "/usr/bin:/bin", "HOME": "/tmp"})
    environment["PATH"] = str(Path(sys.executable).parent) + ":" + environment["PATH"]
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "from django.core.files.storage import default_storage as d; d._setup(); "
        "print(json.dumps({'storage': type(d._wrapped).__name__, "
        "'endpoint': d._wrapped.endpoint_url, 'debug': s.DEBUG, "
        "'database': s.DATABASES['default']['HOST'], 'redis': s.REDIS_URL, "
        "'replica': s.DATABASES['replica']['HOST'], 'routers': s.DATABASE_ROUTERS}))"
    )
    # when the settings import there (nothing is connected to)
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # then
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "storage": "S3Storage",
        "endpoint": "http://minio:9000",
        "debug": False,
        "database": "postgres",
        "redis": "redis://redis:6379/0",
        "replica": "postgres-replica",
        "routers": ["core.db.ReplicaRouter"],
    }


def test_the_replica_is_a_streaming_standby_of_the_primary_that_web_and_worker_read(compose):
    services = compose["services"]
    primary, replica = services["postgres"], services["postgres-replica"]
    # the primary writes replica-level WAL, has senders, and its first start creates the role,
    # slot and pg_hba line the replica connects with
    assert "wal_level=replica" in primary["command"]
    assert any("max_wal_senders" in part for part in primary["command"])
    init = "./deploy/postgres/primary-replication.sh:/docker-entrypoint-initdb.d/"
    assert any(str(volume).startswith(init) for volume in primary["volumes"])
    script = (REPO_ROOT / "deploy/postgres/primary-replication.sh").read_text(encoding="utf-8")
    assert "WITH REPLICATION LOGIN" in script and "pg_create_physical_replication_slot" in script
    assert "host replication" in script
    # the replica clones it with pg_basebackup -R into an empty data directory, then streams
    entrypoint = (REPO_ROOT / "deploy/postgres/replica-entrypoint.sh").read_text(encoding="utf-8")
    assert "pg_basebackup" in entrypoint and "--write-recovery-conf" in entrypoint
    assert 'if [ ! -s "$PGDATA/PG_VERSION" ]' in entrypoint
    assert replica["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "pg_is_in_recovery()" in replica["healthcheck"]["test"][1]
    assert primary["healthcheck"]["test"]
    replica_environment = service_environment(compose, "postgres-replica", {})
    primary_environment = service_environment(compose, "postgres", {})
    for name in ("REPLICATION_USER", "REPLICATION_PASSWORD", "REPLICATION_SLOT"):
        assert replica_environment[name] == primary_environment[name]
    assert replica_environment["PRIMARY_HOST"] == "postgres"
    # web and worker read from it once it is healthy; migrate and beat need only the primary
    for name in ("web", "worker"):
        environment = service_environment(compose, name, {"SECRET_KEY": "x"})
        assert "@postgres-replica:5432/gte" in environment["DATABASE_REPLICA_URL"], name
        assert services[name]["depends_on"]["postgres-replica"]["condition"] == "service_healthy"
    migrate = service_environment(compose, "migrate", {"SECRET_KEY": "x"})
    assert "DATABASE_REPLICA_URL" not in migrate
