#!/usr/bin/env python3
"""`make run`: the whole application on one machine, for development and demos.

1. PostgreSQL and Redis: the ones named by DATABASE_URL / REDIS_URL, else embedded ones
   (scripts/services.py).
2. migrate, compile the translations, load_taxonomy, seed_demo (all idempotent).
3. The web server (runserver on 127.0.0.1:$PORT, default 8000), a Celery worker and Celery beat,
   each in its own process group.

Ctrl-C (SIGINT) or SIGTERM stops the children and the embedded servers started here. When one
child dies, everything is stopped and the exit code is non-zero.

Environment: PORT (8000), DEVSTACK_HOST (127.0.0.1), DEVSTACK_RELOAD (1: runserver's autoreloader),
DEVSTACK_SKIP_SEED (1: skip load_taxonomy and seed_demo), CELERY_CONCURRENCY (2).

runserver runs with CONN_MAX_AGE=0 (see web_environment): it answers every keep-alive client in a
thread of its own, and with persistent connections each of those threads kept a PostgreSQL
connection open for as long as its client stayed connected.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import services

REPO_ROOT = services.REPO_ROOT
DEMO_PASSWORD = "demo-pass-2026"
DEMO_LOGINS = [
    ("holder@demo.example", "technology holder"),
    ("enterprise@demo.example", "enterprise with needs"),
    ("broker@demo.example", "broker"),
    ("financier@demo.example", "financier"),
    ("reviewer@demo.example", "platform reviewer"),
    ("admin@demo.example", "administrator (/admin/)"),
    ("operator@demo.example", "programme operator"),
    ("expert-water@demo.example", "verified expert (also -energy, -market, -campus)"),
]
STOP_GRACE_SECONDS = 10


class Stop(Exception):
    """Raised from the signal handler to leave the supervision loop."""


def log(message: str) -> None:
    print(f"[devstack] {message}", flush=True)


def truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def manage(*arguments: str) -> None:
    command = [sys.executable, "manage.py", *arguments]
    log("$ " + " ".join(command[1:]))
    result = subprocess.run(command, cwd=REPO_ROOT, env=services.child_environment(), check=False)
    if result.returncode != 0:
        raise SystemExit(f"[devstack] `manage.py {arguments[0]}` failed (exit {result.returncode})")


def compile_messages() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "compile_messages.py")],
        cwd=REPO_ROOT,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit("[devstack] compiling the translations failed")


def port_is_free(host: str, port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def runserver_command(host: str, port: int, *, reload: bool) -> list[str]:
    command = [sys.executable, "manage.py", "runserver", f"{host}:{port}"]
    if not reload:
        command.append("--noreload")
    return command


def web_environment() -> dict[str, str]:
    """runserver's environment: database connections closed after every request.

    runserver serves each client connection in a thread of its own, for as long as the client
    keeps it alive, and Django's persistent connections (CONN_MAX_AGE > 0) belong to a thread: every
    idle keep-alive client held a PostgreSQL connection. Scripted traffic reached 98 idle
    connections and "too many clients". With 0 only requests in progress hold one; gunicorn's
    fixed workers in production keep theirs (config/gunicorn.py).
    """
    environment = services.child_environment()
    environment["CONN_MAX_AGE"] = "0"
    return environment


def start_child(
    name: str, command: list[str], environment: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    log(f"starting {name}: {' '.join(command)}")
    # Own process group: the terminal's Ctrl-C reaches only this supervisor, which then stops
    # each group in order (runserver's reloader and Celery's pool processes included).
    return subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env=environment if environment is not None else services.child_environment(),
        start_new_session=True,
    )


def stop_children(children: dict[str, subprocess.Popen[bytes]]) -> None:
    for name, child in children.items():
        if child.poll() is None:
            log(f"stopping {name}")
        # The whole group, even when its leader is gone: pool or reloader processes may remain.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for name, child in children.items():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log(f"{name} did not stop in {STOP_GRACE_SECONDS}s; killing it")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
            child.wait()


def wait_until_serving(url: str, child: subprocess.Popen[bytes], timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and child.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except urllib.error.HTTPError:
            return True  # it answers; a 4xx/5xx here is the application's business
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    return False


def print_banner(url: str) -> None:
    width = max(len(email) for email, _ in DEMO_LOGINS)
    lines = [
        "",
        "=" * 64,
        f"  Green Technology Exchange is running at {url}",
        f"  API docs: {url}api/docs/   admin: {url}admin/",
        f"  Demo logins (password: {DEMO_PASSWORD}):",
        *[f"    {email.ljust(width)}  {role}" for email, role in DEMO_LOGINS],
        "  Press Ctrl-C to stop everything.",
        "=" * 64,
        "",
    ]
    print("\n".join(lines), flush=True)


def main() -> int:
    os.chdir(REPO_ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # A development run: DEBUG on (static files served, the dev SECRET_KEY accepted) unless the
    # caller says otherwise; mail goes to the console.
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("EMAIL_URL", "consolemail://")
    host = os.environ.get("DEVSTACK_HOST", "127.0.0.1")
    port = int(os.environ.setdefault("PORT", "8000"))
    if not port_is_free(host, port):
        log(f"port {port} on {host} is taken: stop what runs there or use `make run PORT=8001`")
        return 1

    def on_signal(signum: int, frame: object) -> None:
        raise Stop(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    info: dict[str, object] | None = None
    children: dict[str, subprocess.Popen[bytes]] = {}
    try:
        info = services.ensure_services()
        log(f"DATABASE_URL={info['DATABASE_URL']}")
        log(f"REDIS_URL={info['REDIS_URL']}")
        manage("migrate", "--noinput")
        compile_messages()
        if not truthy(os.environ.get("DEVSTACK_SKIP_SEED")):
            manage("load_taxonomy")
            manage("seed_demo")

        data_dir = Path(str(info["data_dir"]))
        runserver = runserver_command(
            host, port, reload=truthy(os.environ.get("DEVSTACK_RELOAD", "1"))
        )
        concurrency = os.environ.get("CELERY_CONCURRENCY", "2")
        celery = [sys.executable, "-m", "celery", "-A", "config"]
        children["web"] = start_child("web", runserver, web_environment())
        children["worker"] = start_child(
            "worker", [*celery, "worker", "--loglevel=INFO", f"--concurrency={concurrency}"]
        )
        children["beat"] = start_child(
            "beat",
            [
                *celery,
                "beat",
                "--loglevel=INFO",
                f"--schedule={data_dir / 'celerybeat-schedule'}",
            ],
        )
        url = f"http://{host}:{port}/"
        if wait_until_serving(url, children["web"]):
            print_banner(url)
        while True:
            for name, child in children.items():
                code = child.poll()
                if code is not None:
                    log(f"{name} exited with code {code}; stopping everything")
                    return 1
            time.sleep(0.5)
    except Stop as stop:
        log(f"received {stop}; shutting down")
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop_children(children)
        if info is not None:
            services.stop_services(info)
        log("stopped")


if __name__ == "__main__":
    sys.exit(main())
