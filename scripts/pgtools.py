"""Shared by backup.py and restore.py: read DATABASE_URL (TCP or the embedded server's socket
URL) into libpq arguments, and pick client binaries at least as new as the server."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

REPO_ROOT = Path(__file__).resolve().parent.parent


def connection_args(database_url: str) -> tuple[list[str], dict[str, str], str]:
    """(host/port/user arguments, extra environment, database name) for pg_dump & co."""
    url = urlparse(database_url)
    query = parse_qs(url.query)
    host = query.get("host", [None])[0] or (unquote(url.hostname) if url.hostname else None)
    port = query.get("port", [None])[0] or (str(url.port) if url.port else None)
    args: list[str] = []
    if host:
        args += ["-h", host]
    if port:
        args += ["-p", port]
    if url.username:
        args += ["-U", unquote(url.username)]
    env = {}
    if url.password:
        env["PGPASSWORD"] = unquote(url.password)
    return args, env, url.path.lstrip("/")


def _version(binary: str) -> tuple[int, ...]:
    output = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout
    match = re.search(r"(\d+)\.(\d+)", output)
    return tuple(int(part) for part in match.groups()) if match else (0,)


def client_binary(name: str) -> str:
    """The newest `name` among PATH and the embedded server's own binaries (pg_dump refuses to
    dump a server newer than itself)."""
    candidates = []
    on_path = shutil.which(name)
    if on_path:
        candidates.append(on_path)
    embedded = REPO_ROOT / ".venv" / "lib"
    for path in embedded.glob(f"python3*/site-packages/pgserver/pginstall/bin/{name}"):
        if os.access(path, os.X_OK):
            candidates.append(str(path))
    if not candidates:
        raise SystemExit(f"{name} not found: install postgresql-client or the pgserver wheel")
    return max(candidates, key=_version)


def media_root() -> Path:
    return Path(os.environ.get("MEDIA_ROOT") or REPO_ROOT / ".data" / "media")
