"""Concurrent publishes: the search generation as a sequence vs. the row-update trigger it replaced.

Every statement that changes a search entry bumps the search generation (catalog/search_cache.py).
Until migration 0008 the bump was `UPDATE catalog_searchgeneration SET value = value + 1` inside
the writer's transaction, so the row lock was held until that writer committed and concurrent
publishes queued behind each other. Now the trigger calls nextval() and takes a shared advisory
lock: no writer waits for another.

Creates a throw-away database `<DATABASE_URL's name>_catalog_publish_bench` on the same server,
migrates it and bulk-generates a background catalogue (generate_synthetic's code). Then, in the
same run and on the same data, N threads (one database connection each) publish technologies at
once through the real service (`technology_review(decision="approve")`: status compare-and-set,
history row, audit record, notifications, domain events), first with the current trigger, then
with the old row-update trigger put back ("baseline"), alternating for `--rounds` rounds; the
median round of each is reported. Celery tasks go to an in-memory broker (no worker runs).
Run:  DATABASE_URL=postgres://... python benchmarks/catalog_publish.py [--threads 8]
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import sys
from pathlib import Path

from _common import (
    ThrowAwayDatabase,
    benchmark_reviewer,
    machine_description,
    percentile,
    prepare_catalogue,
    publish_concurrently,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# The trigger function of migration 0006 (one row, updated in the writer's transaction).
ROW_UPDATE_BUMP = """
CREATE TABLE IF NOT EXISTS bench_row_generation (id integer PRIMARY KEY, value bigint NOT NULL);
INSERT INTO bench_row_generation (id, value) VALUES (1, 1) ON CONFLICT (id) DO NOTHING;
CREATE OR REPLACE FUNCTION catalog_search_generation_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO bench_row_generation (id, value) VALUES (1, 1)
    ON CONFLICT (id) DO UPDATE SET value = bench_row_generation.value + 1;
    RETURN NULL;
END $$;
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--technologies", type=int, default=20_000, help="background catalogue")
    parser.add_argument("--threads", type=int, default=8, help="concurrent publishers")
    parser.add_argument("--publishes", type=int, default=240, help="publishes per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per variant (median kept)")
    arguments = parser.parse_args()

    database = ThrowAwayDatabase("catalog_publish_bench")
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "false")
    import django

    django.setup()
    from django.db import connection

    from catalog.models import Technology

    # The trigger function migration 0008 installs (shared advisory lock + nextval).
    sequence_bump = importlib.import_module("catalog.migrations.0008_search_generation_sequence")
    current_bump = sequence_bump.FORWARD[sequence_bump.FORWARD.index("CREATE OR REPLACE") :]
    current_bump = current_bump[: current_bump.index("CREATE FUNCTION")]

    def install(variant: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(ROW_UPDATE_BUMP if variant == "baseline" else current_bump)

    def publish_round(reviewer, ids: list[int]) -> tuple[float, list[float]]:
        """Publish `ids` from `arguments.threads` threads at once: wall seconds, latencies (ms)."""
        return publish_concurrently(reviewer=reviewer, ids=ids, threads=arguments.threads)

    try:
        server = prepare_catalogue(arguments.technologies)
        reviewer = benchmark_reviewer()
        pool = list(
            Technology.objects.order_by("pk").values_list("pk", flat=True)[
                : arguments.publishes * arguments.rounds * 2
            ]
        )
        if len(pool) < arguments.publishes * arguments.rounds * 2:
            sys.exit("--technologies is too small for --publishes x --rounds x 2 variants")
        results: dict[str, list[tuple[float, list[float]]]] = {"current": [], "baseline": []}
        batches = iter(
            pool[start : start + arguments.publishes]
            for start in range(0, len(pool), arguments.publishes)
        )
        publish_round(reviewer, pool[-arguments.threads :])  # warm-up (connections, caches)
        for _round in range(arguments.rounds):
            for variant in ("current", "baseline"):
                install(variant)
                results[variant].append(publish_round(reviewer, next(batches)))
        install("current")
    finally:
        database.drop()

    def summary(variant: str) -> tuple[float, float, float]:
        """Median round's publishes per second, p50 and p95 latency over every round (ms)."""
        rates = [arguments.publishes / elapsed for elapsed, _ in results[variant]]
        latencies = [ms for _, round_latencies in results[variant] for ms in round_latencies]
        return statistics.median(rates), percentile(latencies, 0.5), percentile(latencies, 0.95)

    print(machine_description(server))
    print(
        f"catalogue: {arguments.technologies:,} technologies; {arguments.threads} threads publish "
        f"{arguments.publishes} technologies per round (technology_review approve), "
        f"{arguments.rounds} rounds per variant, alternating; median round kept"
    )
    current_rate, current_p50, current_p95 = summary("current")
    baseline_rate, baseline_p50, baseline_p95 = summary("baseline")
    for label, rate, p50, p95 in (
        ("sequence + shared advisory lock (0008)", current_rate, current_p50, current_p95),
        ("row-update trigger (0006, baseline)", baseline_rate, baseline_p50, baseline_p95),
    ):
        print(
            f"{label:<40} {rate:8.1f} publishes/s   latency p50 {p50:7.1f} ms   p95 {p95:7.1f} ms"
        )
    print(f"throughput ratio (current / baseline): {current_rate / baseline_rate:.2f}")


if __name__ == "__main__":
    main()
