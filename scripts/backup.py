#!/usr/bin/env python3
"""Back up the database (pg_dump custom format) and the uploaded files (a tar of MEDIA_ROOT).

    python scripts/backup.py [--to DIRECTORY]

Writes DIRECTORY (default .data/backups/<UTC timestamp>/) with database.dump, media.tar.gz and
manifest.json (row counts per table, for checking a restore). Reads DATABASE_URL (a TCP URL or
the embedded server's socket URL) and MEDIA_ROOT from the environment.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pgtools import REPO_ROOT, client_binary, connection_args, media_root

COUNT_TABLES = """
SELECT format('%I.%I', schemaname, relname) FROM pg_stat_user_tables ORDER BY 1
"""


def table_counts(database_url: str) -> dict[str, int]:
    args, env, database = connection_args(database_url)
    psql = client_binary("psql")
    run_env = {**os.environ, **env}
    tables = subprocess.run(
        [psql, "-X", "-tA", *args, "-d", database, "-c", COUNT_TABLES],
        check=True, capture_output=True, text=True, env=run_env,
    ).stdout.split()  # fmt: skip
    if not tables:
        return {}
    query = " UNION ALL ".join(f"SELECT '{table}', count(*) FROM {table}" for table in tables)
    rows = subprocess.run(
        [psql, "-X", "-tA", "-F", "\t", *args, "-d", database, "-c", query],
        check=True, capture_output=True, text=True, env=run_env,
    ).stdout.splitlines()  # fmt: skip
    return {name: int(count) for name, count in (row.split("\t") for row in rows if row)}


def backup(database_url: str, target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    args, env, database = connection_args(database_url)
    dump = target / "database.dump"
    subprocess.run(
        [client_binary("pg_dump"), "-Fc", "--no-owner", *args, "-d", database, "-f", str(dump)],
        check=True,
        env={**os.environ, **env},
    )
    media = media_root()
    with tarfile.open(target / "media.tar.gz", "w:gz") as archive:
        if media.exists():
            archive.add(media, arcname="media")
    manifest = {
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "database": database,
        "tables": table_counts(database_url),
        "media_files": sum(1 for path in media.rglob("*") if path.is_file())
        if media.exists()
        else 0,
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = (
        REPO_ROOT
        / ".data"
        / "backups"
        / datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    )
    parser.add_argument("--to", type=Path, default=default)
    options = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        raise SystemExit("DATABASE_URL is not set")
    target = backup(database_url, options.to)
    manifest = json.loads((target / "manifest.json").read_text())
    print(
        f"backup written to {target}: {len(manifest['tables'])} tables, "
        f"{sum(manifest['tables'].values())} rows, {manifest['media_files']} uploaded files"
    )


if __name__ == "__main__":
    main()
