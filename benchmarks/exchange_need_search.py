"""Need search latency: the public need list's search (stored tsvector, GIN) vs an ILIKE scan.

Creates a throw-away database `<DATABASE_URL's name>_exchange_bench` on the same server, migrates
it, bulk-generates published needs (generate_synthetic --needs code), and runs mixed Chinese and
English queries the way the need list does (count + first page of 20), against an ILIKE scan of
titles and descriptions measured in the same run.
Run:  DATABASE_URL=postgres://... python benchmarks/exchange_need_search.py [--needs 50000]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from _common import ThrowAwayDatabase, percentile

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

QUERIES = [
    "废水", "有机废水", "含盐废水", "锅炉余热", "污泥干化", "光伏组件回收", "废旧锂电池",
    "烟气脱硝", "氨氮", "资源化利用",
    "wastewater", "sludge drying", "waste heat", "lithium batteries", "VOC emissions",
    "photovoltaic", "denitrification", "ammonia", "recovery", "retrofit",
]  # fmt: skip
PAGE = 20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--needs", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()

    database = ThrowAwayDatabase("exchange_bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from exchange.models import Need
    from exchange.search import apply_search
    from exchange.synthetic import generate_needs

    try:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        generate_needs(arguments.needs)
        generation = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE exchange_need")
        public = Need.objects.filter(status__in=["published", "in_negotiation"])

        def ours(query: str) -> int:
            results = apply_search(public, query)
            list(results[:PAGE])
            return results.count()

        columns = ("title_zh", "title_en", "description_zh", "description_en")

        def baseline(query: str) -> int:
            words = query.split()
            where = " AND ".join(
                "(" + " OR ".join(f"{column} ILIKE %s" for column in columns) + ")" for _ in words
            )
            params = [f"%{word}%" for word in words for _ in columns]
            base = f"FROM exchange_need WHERE status IN ('published','in_negotiation') AND {where}"
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT id {base} ORDER BY published_at DESC LIMIT %s", [*params, PAGE]
                )
                cursor.fetchall()
                cursor.execute(f"SELECT count(*) {base}", params)
                return cursor.fetchone()[0]

        def measure(function) -> list[float]:
            timings = []
            for query in QUERIES:
                function(query)
                runs = []
                for _ in range(arguments.repeat):
                    start = time.perf_counter()
                    function(query)
                    runs.append((time.perf_counter() - start) * 1000)
                timings.append(statistics.median(runs))
            return timings

        ours_ms = measure(ours)
        base_ms = measure(baseline)
        ratio = percentile(ours_ms, 0.95) / percentile(base_ms, 0.95)
        print(
            f"exchange need search, {arguments.needs:,} needs ({platform.machine()}, "
            f"{os.cpu_count()} CPUs; generated at {arguments.needs / generation:,.0f}/s)"
        )
        for label, timings in (("tsvector+GIN", ours_ms), ("ILIKE baseline", base_ms)):
            print(
                f"  {label:15s} p50 {statistics.median(timings):7.1f} ms   "
                f"p95 {percentile(timings, 0.95):7.1f} ms"
            )
        print(f"  ratio p95 ours/baseline: {ratio:.3f}")
    finally:
        database.drop()


if __name__ == "__main__":
    main()
