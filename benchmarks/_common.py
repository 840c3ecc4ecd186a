"""What every benchmark script reports with its figures (imported as `_common`: the scripts run
as `python benchmarks/<name>.py`, so their folder is first on sys.path)."""

import os
import platform
import queue
import sys
import threading
import time
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


def prepare_catalogue(technologies: int) -> str:
    """Migrate the (throw-away) database, bulk-generate `technologies` (generate_synthetic's
    code), refresh the planner's statistics; the database server's version. Call after
    django.setup()."""
    from django.core.management import call_command
    from django.db import connection

    from catalog.synthetic import generate_technologies

    call_command("migrate", verbosity=0)
    generate_technologies(technologies)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE catalog_technology")
        cursor.execute("VACUUM ANALYZE catalog_technologysearchentry")
        cursor.execute("SELECT version()")
        return cursor.fetchone()[0].split(",")[0]


def benchmark_reviewer():
    """The reviewer whose approvals publish the technologies of a publish benchmark. The
    generated technologies carry only the summary fields (a completeness far below the default
    minimum), so the minimum a listing needs to be published is set to 0."""
    from accounts.choices import Role
    from accounts.models import User
    from catalog.models import CatalogPolicy

    CatalogPolicy.objects.update_or_create(
        pk=CatalogPolicy.SINGLETON_PK, defaults={"minimum_completeness": 0}
    )
    return User.objects.create_user(
        "publish-bench-reviewer@example.org",
        password=None,
        full_name="Publish benchmark reviewer",
        roles=[Role.REVIEWER],
    )


def publish_concurrently(
    *, reviewer, ids: list[int], threads: int, seconds: float | None = None
) -> tuple[float, list[float]]:
    """Publish `ids` through the real service (`technology_review(decision="approve")`) from
    `threads` threads at once, each with its own database connection, until every id is
    published or `seconds` have passed: wall seconds and each publish's latency (ms)."""
    from django.db import connection

    from catalog import services
    from catalog.choices import TechnologyStatus
    from catalog.models import Technology

    Technology.objects.filter(pk__in=ids).update(status=TechnologyStatus.SUBMITTED)
    work: queue.Queue[int] = queue.Queue()
    for pk in ids:
        work.put(pk)
    latencies: list[float] = []
    failures: list[BaseException] = []
    start_together = threading.Barrier(threads + 1)
    stop = threading.Event()

    def publisher() -> None:
        try:
            connection.ensure_connection()  # this thread's own connection
            start_together.wait()
            while not stop.is_set():
                try:
                    pk = work.get_nowait()
                except queue.Empty:
                    return
                started = time.perf_counter()
                services.technology_review(
                    user=reviewer, technology=Technology.objects.get(pk=pk), decision="approve"
                )
                latencies.append((time.perf_counter() - started) * 1000)
        except BaseException as error:  # reported below, after every thread ended
            failures.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=publisher) for _ in range(threads)]
    for worker in workers:
        worker.start()
    start_together.wait()
    started = time.perf_counter()
    if seconds is not None:
        threading.Timer(seconds, stop.set).start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise failures[0]
    published = Technology.objects.filter(pk__in=ids, status=TechnologyStatus.PUBLISHED)
    assert published.count() == len(latencies), "a publish did not publish its technology"
    return elapsed, latencies
