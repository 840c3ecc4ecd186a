"""Mixed load: 20 holders publishing at once while 50 users search (issue 17, parts 3 and 5).

Creates a throw-away database `<DATABASE_URL's name>_catalog_mixed_bench` on the same server,
migrates it and bulk-generates the catalogue (generate_synthetic's code, as catalog_search.py
does). Then, in one run and on the same data, each for `--seconds`:

  1. search alone, steady state: `--searchers` threads (one database connection each) search as
     the catalogue page does (catalog.selectors technology_search: count, first page, facets)
     with catalog_search.py's 50 queries, nothing written;
  2. search alone, after a change: the same, each search preceded by a bump of the search
     generation (what a publish does to every cached search);
  3. 1 publisher: technology_review(decision="approve") through the real service, as
     catalog_publish.py does;
  4. `--publishers` publishers at once, nobody searching;
  5. mixed: `--publishers` publishers and `--searchers` searchers at once.

During the mixed run a separate connection samples pg_stat_activity (wait events of this
database's active sessions) and the lock requests not granted (pg_locks), every 50 ms. Before the
runs, the statements of one publish are captured and every row-locking statement (UPDATE,
DELETE, SELECT ... FOR UPDATE) is listed by table with how its rows are chosen, to show whether
any row is shared by every publish (a counter, the organisation's row). Celery tasks go to an
in-memory broker (no worker runs).
Run:  DATABASE_URL=postgres://... python benchmarks/catalog_mixed_load.py [--technologies 100000]
      [--publishers 20] [--searchers 50] [--seconds 15]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from _common import (
    ThrowAwayDatabase,
    benchmark_reviewer,
    machine_description,
    percentile,
    prepare_catalogue,
    publish_concurrently,
)
from catalog_search import PAGE, QUERIES

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SAMPLE_SECONDS = 0.05
ACTIVE_SESSIONS_SQL = """
    SELECT coalesce(wait_event_type, 'CPU'), coalesce(wait_event, 'running')
    FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active'
"""
WAITING_LOCKS_SQL = """
    SELECT lock.locktype, coalesce(lock.relation::regclass::text, ''), lock.mode,
           left(regexp_replace(activity.query, '\\s+', ' ', 'g'), 70)
    FROM pg_locks AS lock JOIN pg_stat_activity AS activity ON activity.pid = lock.pid
    WHERE NOT lock.granted AND activity.datname = current_database()
"""
ROW_LOCKING = re.compile(
    r'^(UPDATE "(?P<updated>\w+)"|DELETE FROM "(?P<deleted>\w+)"|SELECT .* FROM "(?P<locked>\w+)"'
    r".* FOR (NO KEY )?UPDATE)",
    re.DOTALL,
)


class Searchers:
    """`count` threads, each with its own database connection, searching as the catalogue page
    does until stopped; every search's end time and latency (ms) is kept."""

    def __init__(self, count: int, *, after_a_change: bool = False):
        self.count = count
        self.after_a_change = after_a_change
        self.stop = threading.Event()
        self.timings: list[tuple[float, float]] = []
        self.failures: list[BaseException] = []
        self.threads = [
            threading.Thread(target=self._search, args=(number,), daemon=True)
            for number in range(count)
        ]

    def _search(self, number: int) -> None:
        from django.contrib.auth.models import AnonymousUser
        from django.db import connection

        from catalog.selectors import technology_facets, technology_search

        reader = AnonymousUser()
        position = number * 7  # every thread starts elsewhere in the query list
        try:
            while not self.stop.is_set():
                query = QUERIES[position % len(QUERIES)]
                position += 1
                if self.after_a_change:
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT nextval('catalog_search_generation')")
                started = time.perf_counter()
                search = technology_search(user=reader, params={"q": query})
                search.queryset.count()
                list(search.queryset[:PAGE])
                technology_facets(search=search)
                ended = time.perf_counter()
                self.timings.append((ended, (ended - started) * 1000))
        except BaseException as error:  # reported by join()
            self.failures.append(error)
        finally:
            connection.close()

    def start(self) -> Searchers:
        for thread in self.threads:
            thread.start()
        return self

    def join(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()
        if self.failures:
            raise self.failures[0]

    def latencies(self, since: float = 0.0, until: float = float("inf")) -> list[float]:
        return [ms for ended, ms in self.timings if since <= ended <= until]


class WaitSampler:
    """Samples the wait events of this database's active sessions and the lock requests not
    granted, on a connection of its own, until stopped."""

    def __init__(self, url: str):
        self.url = url
        self.stop = threading.Event()
        self.samples = 0
        self.session_samples = 0
        self.events: Counter[tuple[str, str]] = Counter()
        self.locks: Counter[tuple[str, str, str, str]] = Counter()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as sampler:
            while not self.stop.is_set():
                sessions = sampler.execute(ACTIVE_SESSIONS_SQL).fetchall()
                self.events.update(sessions)
                self.locks.update(sampler.execute(WAITING_LOCKS_SQL).fetchall())
                self.samples += 1
                self.session_samples += len(sessions)
                time.sleep(SAMPLE_SECONDS)

    def start(self) -> WaitSampler:
        self.thread.start()
        return self

    def join(self) -> None:
        self.stop.set()
        self.thread.join()


def row_locking_statements(statements: list[str]) -> Counter[str]:
    """`UPDATE table by its key columns` of every UPDATE, DELETE, SELECT ... FOR UPDATE and
    upsert (INSERT ... ON CONFLICT DO UPDATE); other INSERTs as `INSERT table` (new rows)."""
    found: Counter[str] = Counter()
    for sql in statements:
        inserted = re.match(r'^INSERT INTO "(\w+)"', sql)
        if inserted is not None:
            upsert = "ON CONFLICT" in sql and "DO UPDATE" in sql
            found[f"{'UPSERT' if upsert else 'INSERT'} {inserted[1]}"] += 1
            continue
        matched = ROW_LOCKING.match(sql)
        if matched is None:
            continue
        table = matched["updated"] or matched["deleted"] or matched["locked"]
        where = sql.rsplit(" WHERE ", 1)[-1] if " WHERE " in sql else "every row"
        keys = sorted(set(re.findall(r'"(\w+)"\."(\w+)" (?:=|IN)', where)))
        chosen = ", ".join(f"{column}" for _table, column in keys) or where[:60]
        found[f"{matched.group(1).split()[0]} {table} by {chosen}"] += 1
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--technologies", type=int, default=100_000)
    parser.add_argument("--publishers", type=int, default=20, help="concurrent publishers")
    parser.add_argument("--searchers", type=int, default=50, help="concurrent searchers")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each run")
    parser.add_argument("--pool", type=int, default=3000, help="technologies kept per publish run")
    arguments = parser.parse_args()

    database = ThrowAwayDatabase("catalog_mixed_bench")
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "false")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from catalog import services
    from catalog.choices import TechnologyStatus
    from catalog.models import Technology

    loads: dict[str, str] = {}

    def note_load(run: str) -> None:
        loads[run] = ", ".join(f"{value:.2f}" for value in os.getloadavg())

    try:
        server = prepare_catalogue(arguments.technologies)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('max_connections')::int, "
                "(SELECT count(*) FROM pg_stat_activity)"
            )
            max_connections, connections_in_use = cursor.fetchone()
        reviewer = benchmark_reviewer()
        ids = list(Technology.objects.order_by("-pk").values_list("pk", flat=True))
        if len(ids) < 3 * arguments.pool + 1:
            sys.exit("--technologies must be at least 3 x --pool + 1 (three publish runs)")
        batches = iter(
            ids[start : start + arguments.pool] for start in range(0, len(ids), arguments.pool)
        )
        # One publish on this thread's connection, for its statements.
        pk = ids.pop()
        Technology.objects.filter(pk=pk).update(status=TechnologyStatus.SUBMITTED)
        with CaptureQueriesContext(connection) as one_publish:
            services.technology_review(
                user=reviewer, technology=Technology.objects.get(pk=pk), decision="approve"
            )
        statements = [query["sql"] for query in one_publish.captured_queries]
        locking = row_locking_statements(statements)
        written = sorted({entry.split()[1] for entry in locking})
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tgrelid::regclass::text || ': ' || tgname FROM pg_trigger "
                "WHERE NOT tgisinternal AND tgrelid::regclass::text = ANY(%s) ORDER BY 1",
                [written],
            )
            triggers = [row[0] for row in cursor.fetchall()]

        searchers = Searchers(arguments.searchers).start()
        time.sleep(arguments.seconds)
        searchers.join()
        search_alone = searchers.latencies()
        note_load("search alone")
        searchers = Searchers(arguments.searchers, after_a_change=True).start()
        time.sleep(arguments.seconds)
        searchers.join()
        search_alone_cold = searchers.latencies()
        note_load("search alone, after a change")

        one = publish_concurrently(
            reviewer=reviewer, ids=next(batches), threads=1, seconds=arguments.seconds
        )
        note_load("1 publisher")
        many = publish_concurrently(
            reviewer=reviewer,
            ids=next(batches),
            threads=arguments.publishers,
            seconds=arguments.seconds,
        )
        note_load(f"{arguments.publishers} publishers")

        sampler = WaitSampler(os.environ["DATABASE_URL"]).start()
        searchers = Searchers(arguments.searchers).start()
        time.sleep(1)  # every searcher connected and searching
        window_start = time.perf_counter()
        mixed = publish_concurrently(
            reviewer=reviewer,
            ids=next(batches),
            threads=arguments.publishers,
            seconds=arguments.seconds,
        )
        window_end = time.perf_counter()
        searchers.join()
        sampler.join()
        search_mixed = searchers.latencies(window_start, window_end)
        note_load("mixed")
    finally:
        database.drop()

    print(machine_description(server))
    print(
        f"catalogue: {arguments.technologies:,} technologies; {len(QUERIES)} queries of "
        f"catalog_search.py, each search = count + first {PAGE} rows + facets "
        f"(technology_search, technology_facets); {arguments.seconds:g} s per run; "
        f"connections before the runs: {connections_in_use} of {max_connections}"
    )

    def search_line(label: str, timings: list[float], run: str) -> float:
        p50, p95 = percentile(timings, 0.5), percentile(timings, 0.95)
        print(
            f"  {label:<44} {len(timings):6,} searches  p50 {p50:8.1f} ms  p95 {p95:8.1f} ms"
            f"   (load {loads[run]})"
        )
        return p95

    print(f"search, {arguments.searchers} concurrent searchers:")
    alone_p95 = search_line("alone, steady state (baseline)", search_alone, "search alone")
    search_line(
        "alone, every search after a change", search_alone_cold, "search alone, after a change"
    )
    mixed_p95 = search_line(f"while {arguments.publishers} holders publish", search_mixed, "mixed")
    print(f"  p95 mixed / p95 alone (steady state): {mixed_p95 / alone_p95:.2f}")

    def publish_line(label: str, result: tuple[float, list[float]], run: str) -> float:
        elapsed, latencies = result
        rate = len(latencies) / elapsed
        timings = latencies or [float("nan")]
        print(
            f"  {label:<44} {len(latencies):6,} publishes {rate:7.1f} /s  "
            f"p50 {percentile(timings, 0.5):7.1f} ms  p95 {percentile(timings, 0.95):7.1f} ms"
            f"   (load {loads[run]})"
        )
        return rate

    print("publish (technology_review approve, one connection per publisher):")
    one_rate = publish_line("1 publisher (baseline)", one, "1 publisher")
    many_rate = publish_line(
        f"{arguments.publishers} publishers", many, f"{arguments.publishers} publishers"
    )
    mixed_rate = publish_line(
        f"{arguments.publishers} publishers + {arguments.searchers} searchers", mixed, "mixed"
    )
    print(
        f"  throughput {arguments.publishers} publishers / 1 publisher: "
        f"{many_rate / one_rate:.2f} (alone), {mixed_rate / one_rate:.2f} (under search load)"
    )
    print(f"rows written or locked by one publish ({len(statements)} statements):")
    for statement, count in sorted(locking.items()):
        print(f"  {count} x {statement}")
    print("  triggers on those tables: " + ("; ".join(triggers) or "none"))
    print(
        f"wait events during the mixed run ({sampler.samples} samples every "
        f"{SAMPLE_SECONDS * 1000:.0f} ms, {sampler.session_samples:,} active-session samples):"
    )
    for (kind, event), count in sampler.events.most_common(8):
        share = count / max(1, sampler.session_samples)
        print(f"  {kind + ':' + event:<32} {count:7,}  {share:6.1%}")
    waiting = sum(sampler.locks.values())
    print(f"lock requests waiting (summed over samples): {waiting:,}")
    for (locktype, relation, mode, query), count in sampler.locks.most_common(6):
        print(f"  {count:6,} {locktype} {relation} {mode}: {query}")


if __name__ == "__main__":
    main()
