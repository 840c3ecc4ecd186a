"""What every benchmark script reports with its figures (imported as `_common`: the scripts run
as `python benchmarks/<name>.py`, so their folder is first on sys.path)."""

import os
import platform
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of `values` (fraction 0.95 for p95)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


class ThrowAwayDatabase:
    """`<DATABASE_URL's name>_<suffix>` on the same server: created empty (dropped first if a
    previous run left it), DATABASE_URL pointed at it for the Django set-up that follows, and
    dropped again by `drop()`.

    With `keep`, a database left by an earlier kept run is reused as it is (`reused` is True) and
    `drop()` leaves it in place, so a large data set is generated once for several runs."""

    def __init__(self, suffix: str, *, keep: bool = False):
        import psycopg

        url = os.environ.get("DATABASE_URL") or sys.exit("DATABASE_URL is not set.")
        parts = urlsplit(url)
        self.name = f"{parts.path.lstrip('/')}_{suffix}"
        self.keep = keep
        self._admin_url = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(self._admin_url, autocommit=True) as admin:
            exists = admin.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [self.name]
            ).fetchone()
            self.reused = bool(keep and exists)
            if not self.reused:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
                admin.execute(f'CREATE DATABASE "{self.name}"')
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path="/" + self.name))

    def drop(self) -> None:
        import psycopg
        from django.db import connection

        connection.close()
        if self.keep:
            return
        with psycopg.connect(self._admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}"')


def machine_description(server: str) -> str:
    """The line naming the machine a benchmark ran on (CPU, load, Python, database server)."""
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"machine: {cpu_model()}, {os.cpu_count()} CPUs, load average {load}, "
        f"Python {platform.python_version()}, {server}"
    )
