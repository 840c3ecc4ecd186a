"""Statistics page latency at 100,000 technologies, 20,000 needs and 5,000 deals.

Creates a throw-away database `<DATABASE_URL's name>_insight_bench` on the same server, migrates
it, generates technologies and needs with generate_synthetic's code, bulk-creates deals
in every stage (some international, completed ones spread over two years, some with their own
impact figures), refreshes the summary tables once (timed), then requests the statistics page
and GET /api/v1/stats/ through the Django test client. The baseline, measured in the same run,
is computing the same aggregates live from the big tables (what the page would do without the
summary tables).
Run:  DATABASE_URL=postgres://... python benchmarks/insight_stats.py [--technologies 100000]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

from _common import ThrowAwayDatabase, percentile

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

STAGES = [
    ("inquiry", 20), ("negotiation", 15), ("agreement_drafted", 8), ("submitted_for_review", 5),
    ("approved", 4), ("returned", 3), ("rejected", 3), ("contract_signed", 8),
    ("in_execution", 9), ("completed", 15), ("cancelled", 10),
]  # fmt: skip


def _timed(function, repeat: int) -> list[float]:
    function()  # warm-up
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def _create_deals(count: int, seed: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from accounts.models import Organization
    from catalog.models import Technology
    from exchange.models import Deal
    from insight.models import DealImpact

    rng = random.Random(seed)
    technologies = list(
        Technology.objects.filter(status="published")
        .order_by("?")
        .values_list("pk", "organization_id")[: count * 2]
    )
    organizations = list(Organization.objects.values_list("pk", flat=True))
    stages = [stage for stage, weight in STAGES for _ in range(weight)]
    now = timezone.now()
    deals = []
    for index in range(count):
        technology_id, seller_id = technologies[index % len(technologies)]
        buyer_id = rng.choice([pk for pk in organizations[:8] if pk != seller_id])
        stage = rng.choice(stages)
        when = now - datetime.timedelta(days=rng.randrange(0, 730))
        signed = stage in ("contract_signed", "in_execution", "completed")
        deals.append(
            Deal(
                technology_id=technology_id,
                seller_id=seller_id,
                buyer_id=buyer_id,
                deal_type="license",
                price=Decimal(rng.randrange(100, 5000) * 1000),
                currency="CNY" if rng.random() < 0.9 else "USD",
                stage=stage,
                created_at=when - datetime.timedelta(days=30),
                signed_at=when if signed else None,
                completed_at=when if stage == "completed" else None,
                review_requested_at=when if stage == "submitted_for_review" else None,
            )
        )
    Deal.objects.bulk_create(deals, batch_size=2000)
    completed = list(Deal.objects.filter(stage="completed").values_list("pk", flat=True))
    DealImpact.objects.bulk_create(
        [
            DealImpact(
                deal_id=pk,
                deployments=rng.randint(1, 5),
                years=Decimal(rng.randint(1, 10)),
                baseline_tonnes=Decimal(800) if index % 2 else None,
                technology_tonnes=Decimal(300) if index % 2 else None,
            )
            for index, pk in enumerate(completed[: len(completed) // 10])
        ]
    )
    with connection.cursor() as cursor:
        # A third of the listings state avoided emissions and SDGs, as real listings do.
        cursor.execute(
            "UPDATE catalog_technology SET co2e_avoided_tonnes_per_year = (id % 500) + 10, "
            "co2e_method = 'synthetic', sdg_goals = ARRAY[(id % 17) + 1, 13] WHERE id % 3 = 0"
        )
        cursor.execute("VACUUM ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--technologies", type=int, default=100_000)
    parser.add_argument("--needs", type=int, default=20_000)
    parser.add_argument("--deals", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=50)
    arguments = parser.parse_args()

    database = ThrowAwayDatabase("insight_bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
    os.environ["STATIC_MANIFEST"] = "false"  # no collectstatic in a benchmark
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from catalog.models import Category
    from catalog.synthetic import generate_technologies
    from exchange.synthetic import generate_needs
    from insight import services

    try:
        call_command("migrate", verbosity=0)
        if not Category.objects.exists():
            call_command("load_taxonomy", verbosity=0)
        started = time.perf_counter()
        generate_technologies(arguments.technologies)
        generate_needs(arguments.needs)
        _create_deals(arguments.deals, seed=2026)
        generation = time.perf_counter() - started

        refresh_started = time.perf_counter()
        run = services.statistics_refresh()
        refresh_ms = (time.perf_counter() - refresh_started) * 1000
        assert run.status == "completed", run.error

        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")

        def page() -> None:
            response = client.get("/insight/statistics/", secure=True)
            assert response.status_code == 200, response.status_code

        def api() -> None:
            response = client.get("/api/v1/stats/", secure=True)
            assert response.status_code == 200, response.status_code

        def live_aggregates() -> None:
            # The same figures the page shows, aggregated from the live tables.
            now = None
            services._listing_rows(run, now)
            services._deal_rows(run, now)
            services._monthly_value_rows(run, now)
            services._conversion_rows(run, now)
            impacts = list(
                services.completed_deal_impacts(
                    default_deployments=run.default_deployments, default_years=run.default_years
                )
            )
            services._impact_rows(run, now, impacts)

        from django.core.cache import cache

        def page_first_after_refresh() -> None:
            cache.clear()  # as if the refresh could not warm the cache: render from the tables
            page()

        page_ms = _timed(page, arguments.repeat)
        cold_ms = _timed(page_first_after_refresh, arguments.repeat)
        api_ms = _timed(api, arguments.repeat)
        baseline_ms = _timed(live_aggregates, max(5, arguments.repeat // 5))
        print(
            f"insight statistics, {arguments.technologies:,} technologies, {arguments.needs:,} "
            f"needs, {arguments.deals:,} deals ({platform.machine()}, {os.cpu_count()} CPUs, "
            f"{platform.python_implementation()} {platform.python_version()}; data generated in "
            f"{generation:.0f} s)"
        )
        print(f"  refresh (summary tables)        {refresh_ms:8.0f} ms")
        for label, timings in (
            ("statistics page (summary)", page_ms),
            ("  cold cache (render from tables)", cold_ms),
            ("GET /api/v1/stats/ (summary)", api_ms),
            ("live aggregates baseline", baseline_ms),
        ):
            print(
                f"  {label:30s}  p50 {statistics.median(timings):7.1f} ms   "
                f"p95 {percentile(timings, 0.95):7.1f} ms"
            )
        ratio = statistics.median(page_ms) / statistics.median(baseline_ms)
        print(f"  ratio p50 page/live-baseline: {ratio:.3f}")
        worst = max(percentile(page_ms, 0.95), percentile(cold_ms, 0.95))
        verdict = "met" if worst <= 100 else "MISSED"
        print(f"  target p95 <= 100 ms (warm and cold cache): {verdict}")
    finally:
        database.drop()


if __name__ == "__main__":
    main()
