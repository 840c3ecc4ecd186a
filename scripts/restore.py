#!/usr/bin/env python3
"""Restore a backup made by scripts/backup.py into DATABASE_URL and MEDIA_ROOT.

    python scripts/restore.py BACKUP_DIRECTORY [--create] [--yes]

The target database is emptied first (pg_restore --clean --if-exists); --create creates it when
it does not exist. MEDIA_ROOT is replaced by the backed-up files. Afterwards the row counts are
compared with the backup's manifest and any difference is reported (exit status 1).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from backup import table_counts
from pgtools import client_binary, connection_args, media_root


def create_database(database_url: str) -> None:
    args, env, database = connection_args(database_url)
    run_env = {**os.environ, **env}
    exists = subprocess.run(
        [client_binary("psql"), "-X", "-tA", *args, "-d", "postgres", "-c",
         f"SELECT 1 FROM pg_database WHERE datname = '{database}'"],
        check=True, capture_output=True, text=True, env=run_env,
    ).stdout.strip()  # fmt: skip
    if exists != "1":
        subprocess.run([client_binary("createdb"), *args, database], check=True, env=run_env)


def restore(source: Path, database_url: str, *, create: bool = False) -> dict[str, tuple]:
    """Restore and return {table: (expected rows, restored rows)} for tables that differ."""
    if create:
        create_database(database_url)
    args, env, database = connection_args(database_url)
    subprocess.run(
        [client_binary("pg_restore"), "--clean", "--if-exists", "--no-owner", "--exit-on-error",
         *args, "-d", database, str(source / "database.dump")],
        check=True, env={**os.environ, **env},
    )  # fmt: skip
    media = media_root()
    with tempfile.TemporaryDirectory() as unpacked:
        with tarfile.open(source / "media.tar.gz") as archive:
            archive.extractall(unpacked, filter="data")
        if media.exists():
            shutil.rmtree(media)
        backed_up = Path(unpacked) / "media"
        if backed_up.exists():
            shutil.copytree(backed_up, media)
        else:
            media.mkdir(parents=True, exist_ok=True)
    expected = json.loads((source / "manifest.json").read_text())["tables"]
    restored = table_counts(database_url)
    return {
        table: (rows, restored.get(table))
        for table, rows in expected.items()
        if restored.get(table) != rows
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("backup", type=Path)
    parser.add_argument("--create", action="store_true", help="create the database if missing")
    parser.add_argument("--yes", action="store_true", help="do not ask before overwriting")
    options = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        raise SystemExit("DATABASE_URL is not set")
    if not options.yes and sys.stdin.isatty():
        answer = input(f"Replace the data of {connection_args(database_url)[2]}? [y/N] ")
        if answer.strip().lower() != "y":
            raise SystemExit("nothing restored")
    differences = restore(options.backup, database_url, create=options.create)
    if differences:
        for table, (expected, restored) in sorted(differences.items()):
            print(f"{table}: {expected} rows in the backup, {restored} restored")
        raise SystemExit(1)
    print(f"restored {options.backup} into {connection_args(database_url)[2]}: row counts match")


if __name__ == "__main__":
    main()
