"""`make backup` / `make restore`: a backup restored into a fresh database holds the same rows
and the same uploaded files."""

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection

from tests.factories import OrganizationFactory, UserFactory

REPO_ROOT = Path(__file__).resolve().parents[2]


def _url(database: str) -> str:
    settings = connection.settings_dict
    user = quote(settings["USER"] or "postgres")
    password = f":{quote(settings['PASSWORD'])}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or settings.get("OPTIONS", {}).get("host", "")
    port = settings["PORT"] or ""
    if host.startswith("/"):
        url = f"postgresql://{user}{password}@/{database}?host={quote(host, safe='/')}"
        return url + (f"&port={port}" if port else "")
    return f"postgresql://{user}{password}@{host}:{port or 5432}/{database}"


def _run(script: str, *args: str, database_url: str, media_root: Path) -> str:
    env = {**os.environ, "DATABASE_URL": database_url, "MEDIA_ROOT": str(media_root)}
    result = subprocess.run(
        [sys.executable, f"scripts/{script}", *args],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database_with_the_same_data(tmp_path):
    # given: committed rows and an uploaded file
    organization = OrganizationFactory(name_en="Backed-up Organisation")
    UserFactory(email="restored@example.com", organization=organization)
    media = tmp_path / "media"
    (media / "deals" / "1").mkdir(parents=True)
    (media / "deals" / "1" / "contract.pdf").write_bytes(b"%PDF-1.4 backup test")
    source_url = _url(connection.settings_dict["NAME"])
    fresh = f"gte_restore_{uuid.uuid4().hex[:8]}"
    fresh_url = _url(fresh)
    restored_media = tmp_path / "restored-media"
    try:
        # when
        _run("backup.py", "--to", str(tmp_path / "backup"), database_url=source_url,
             media_root=media)  # fmt: skip
        output = _run("restore.py", str(tmp_path / "backup"), "--create", "--yes",
                      database_url=fresh_url, media_root=restored_media)  # fmt: skip
        # then
        assert "row counts match" in output
        with psycopg.connect(fresh_url) as restored:
            names = restored.execute(
                "SELECT name_en FROM accounts_organization WHERE id = %s", [organization.pk]
            ).fetchone()
            users = restored.execute(
                "SELECT count(*) FROM accounts_user WHERE email = 'restored@example.com'"
            ).fetchone()
        assert names == ("Backed-up Organisation",)
        assert users == (1,)
        restored_file = restored_media / "deals" / "1" / "contract.pdf"
        assert restored_file.read_bytes() == b"%PDF-1.4 backup test"
    finally:
        with psycopg.connect(_url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
