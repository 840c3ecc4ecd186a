"""Matching through the database: latency per need and full re-match throughput.

In a throw-away PostgreSQL database (every migration applied) it loads 10,000 and then 100,000
synthetic published technologies (variations of the dev split's listings: shuffled sentences
plus a random vocabulary tail, stored with catalog's search vector and matching's profiles) and
measures, for the dev split's needs:
  * production path: candidates from the GIN index + loading + rerank (what a run does before
    writing), and a whole need run (including the Match upsert);
  * brute force in the same run: Python scoring (rank()) of every technology, terms preloaded;
  * re-match throughput (needs per second) of the production run with one and two worker
    processes.
Every figure is printed with its target and met / not met: one need p95 <= 250 ms at 500,000
technologies (<= 200 ms below that), re-match throughput >= 20 needs/s with two workers, and
production p95 / brute-force p95 <= 0.1 (the brute force is timed in the same run).
Run:  make bench   (or DATABASE_URL=... REDIS_URL=... python benchmarks/matching_latency.py)
Options: --sizes 10000 100000 [500000] --needs 45 --throughput-needs 90
         --keep-database NAME  load into (and keep) a named database; a later run reuses the
                               technologies already there (loading 500,000 takes ~25 minutes)
         --profile FILE        cProfile of the production path and of a batched re-match
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime
import functools
import multiprocessing
import os
import random
import statistics
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from _common import machine_description, percentile

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.utils import timezone  # noqa: E402

import catalog.search  # noqa: E402
import matching.engine.index  # noqa: E402
from accounts.models import Organization  # noqa: E402
from catalog.models import Category, Technology  # noqa: E402
from exchange.models import Need  # noqa: E402
from matching.choices import RunSubject, RunTrigger  # noqa: E402
from matching.documents import (  # noqa: E402
    TECHNOLOGY_FIELDS,
    need_document,
    technology_document,
)
from matching.engine import need_terms, rank  # noqa: E402
from matching.engine.evaluation import load_split  # noqa: E402
from matching.evaluation import isolated_database, published_need_create  # noqa: E402
from matching.models import TechnologyMatchProfile  # noqa: E402
from matching.services import (  # noqa: E402
    RUN_BATCH_SIZE,
    matching_run_create,
    matching_run_execute,
    matching_runs_execute,
    rank_technologies_for_need,
)
from matching.statistics import corpus_statistics, corpus_statistics_invalidate  # noqa: E402
from textanalysis import analyze as real_analyze  # noqa: E402

DEV_SPLIT = Path(os.environ.get("MATCHING_DEV_SPLIT", "/work/shared/matching-eval/dev"))
BATCH = 2000


SENTENCE_BREAK = "\u3002\n"


@functools.lru_cache(maxsize=100_000)
def _cached_piece(text: str) -> tuple[str, ...]:
    return tuple(real_analyze(text))


def _set_up_analyze(text: str, use_glossary: bool = True) -> list[str]:
    # Analysing 100,000 synthetic descriptions would dominate the set-up; they are built from a
    # pool of sentences, so the analysis is cached per sentence (set-up only, not measured).
    if not use_glossary:
        return real_analyze(text, use_glossary=False)
    tokens: list[str] = []
    for piece in (text or "").split("\n"):
        if piece.strip():
            tokens.extend(_cached_piece(piece))
    return tokens


def _synthetic_rows(count: int, start: int, organizations, categories, seed: int):
    split = load_split(DEV_SPLIT)
    random_state = random.Random(seed + start)
    base = split.technologies
    sentences = [
        sentence
        for technology in base
        for sentence in technology.description.replace("\u3002", SENTENCE_BREAK).splitlines()
        if sentence.strip()
    ]
    filler = [f"型号{n:05d}" for n in range(5000)]
    now = timezone.now()
    for number in range(start, start + count):
        template = base[number % len(base)]
        chinese = template.language == "zh"
        description = "\n".join(random_state.sample(sentences, 3) + random_state.sample(filler, 3))
        price = random_state.choice([None, 3e5, 1e6, 5e6, 2e7])
        technology = Technology(
            organization=organizations[number % len(organizations)],
            title_zh=template.title if chinese else "",
            title_en="" if chinese else template.title,
            summary_zh=template.summary if chinese else "",
            summary_en="" if chinese else template.summary,
            # The engine reads public text only (matching.documents): the synthetic
            # description is the listing's public application scope.
            application_scope=description,
            category=categories.get(template.category) or next(iter(categories.values())),
            keywords=list(template.keywords),
            trl=random_state.randint(3, 9),
            transaction_modes=list(template.transaction_modes),
            asking_price=None if price is None else Decimal(str(price)),
            region=template.region or "CN",
            status="published",
            published_at=now,
        )
        technology.search_vector = catalog.search.technology_search_vector(technology)
        yield technology


def load_technologies(count: int, start: int) -> float:
    started = time.perf_counter()
    catalog.search.analyze = _set_up_analyze
    matching.engine.index.analyze = _set_up_analyze
    try:
        organizations = list(Organization.objects.filter(name_en__startswith="Benchmark holder"))
        if not organizations:
            organizations = [
                Organization.objects.create(
                    name_en=f"Benchmark holder {n}",
                    kind="university",
                    region="CN-JS",
                    verification_status="verified" if n % 2 else "unverified",
                )
                for n in range(200)
            ]
        categories = {c.code: c for c in Category.objects.filter(parent__isnull=False)}
        batch: list[Technology] = []
        for technology in _synthetic_rows(count, start, organizations, categories, seed=7):
            batch.append(technology)
            if len(batch) >= BATCH:
                _save_batch(batch)
                batch = []
        if batch:
            _save_batch(batch)
    finally:
        catalog.search.analyze = real_analyze
        matching.engine.index.analyze = real_analyze
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_technology; ANALYZE matching_technologymatchprofile")
    corpus_statistics(refresh=True)
    return time.perf_counter() - started


def loaded_technologies() -> int:
    return Technology.objects.filter(organization__name_en__startswith="Benchmark holder").count()


@contextlib.contextmanager
def benchmark_database(name: str | None) -> Iterator[str]:
    """A throw-away database, or with `name` a kept one (created and migrated if missing)."""
    if name is None:
        with isolated_database() as database:
            yield database
        return
    database = settings.DATABASES["default"]
    database["TEST"] = {**(database.get("TEST") or {}), "NAME": name}
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=True)
    corpus_statistics_invalidate()
    yield name


def _save_batch(batch: list[Technology]) -> None:
    from matching.services import _technology_profile_row

    created = Technology.objects.bulk_create(batch)
    TechnologyMatchProfile.objects.bulk_create(
        [_technology_profile_row(t, technology_document(t)) for t in created]
    )


def create_needs(count: int) -> list[int]:
    split = load_split(DEV_SPLIT)
    enterprise = Organization.objects.filter(name_en="Benchmark enterprise").first()
    if enterprise is not None:
        ids = list(
            Need.objects.filter(organization=enterprise).order_by("pk").values_list("pk", flat=True)
        )
        if len(ids) >= count:
            return ids[:count]
        Need.objects.filter(organization=enterprise).delete()
    else:
        enterprise = Organization.objects.create(
            name_en="Benchmark enterprise", kind="enterprise", region="CN-ZJ"
        )
    deadline = timezone.localdate() + datetime.timedelta(days=365)
    ids = []
    for number in range(count):
        item = split.needs[number % len(split.needs)]
        need = published_need_create(
            item, organization=enterprise, deadline=deadline, published_at=timezone.now()
        )
        ids.append(need.pk)
    return ids


LATENCY_TARGET_MS = {500_000: 250.0}
LATENCY_TARGET_DEFAULT_MS = 200.0
THROUGHPUT_TARGET = 20.0
RATIO_TARGET = 0.1


def _timed(function, *args, **kwargs) -> float:
    started = time.perf_counter()
    function(*args, **kwargs)
    return (time.perf_counter() - started) * 1000


def measure_latency(need_ids: list[int], brute_needs: int) -> dict[str, float]:
    needs = [Need.objects.get(pk=pk) for pk in need_ids]
    documents = [need_document(need) for need in needs]
    rank_technologies_for_need(documents[0])  # warm caches (statistics, categories)
    production = [_timed(rank_technologies_for_need, document) for document in documents]
    # A need run in the worker: its ranking (lexical + semantic candidates, rerank) is the
    # answer; the Match upsert follows in the same worker, timed apart.
    ranking: list[float] = []
    store: list[float] = []
    for need in needs:
        run = matching_run_create(
            subject=RunSubject.NEED, subject_id=need.pk, trigger=RunTrigger.MANUAL
        )
        total = _timed(matching_run_execute, run_id=run.pk)
        run.refresh_from_db()
        ranking.append(run.candidate_ms + run.scoring_ms)
        store.append(max(0.0, total - ranking[-1]))

    # Brute force: every technology scored in Python, documents and terms loaded beforehand.
    stats = corpus_statistics()
    profiles = dict(TechnologyMatchProfile.objects.values_list("technology_id", "terms"))
    all_documents = [technology_document(t) for t in Technology.objects.only(*TECHNOLOGY_FIELDS)]
    terms = {str(pk): value for pk, value in profiles.items()}
    brute = [
        _timed(
            rank,
            document,
            all_documents,
            stats,
            need_terms_cache=need_terms(document),
            technology_terms_cache=terms,
        )
        for document in documents[:brute_needs]
    ]
    return {
        "production_p50": statistics.median(production),
        "production_p95": percentile(production, 0.95),
        "ranking_p50": statistics.median(ranking),
        "ranking_p95": percentile(ranking, 0.95),
        "store_p50": statistics.median(store),
        "store_p95": percentile(store, 0.95),
        "brute_p50": statistics.median(brute),
        "brute_p95": percentile(brute, 0.95),
        "brute_runs": len(brute),
        "needs": len(production),
    }


def _worker(need_ids: list[int], batched: bool) -> None:
    connections.close_all()
    if batched:
        for start in range(0, len(need_ids), RUN_BATCH_SIZE):
            runs = [
                matching_run_create(
                    subject=RunSubject.NEED, subject_id=need_id, trigger=RunTrigger.MANUAL
                )
                for need_id in need_ids[start : start + RUN_BATCH_SIZE]
            ]
            matching_runs_execute(run_ids=[run.pk for run in runs])
    else:
        for need_id in need_ids:
            run = matching_run_create(
                subject=RunSubject.NEED, subject_id=need_id, trigger=RunTrigger.MANUAL
            )
            matching_run_execute(run_id=run.pk)
    connections.close_all()


def measure_throughput(need_ids: list[int], workers: int, *, batched: bool) -> float:
    """Needs per second of `workers` processes (forked after the statistics and the semantic
    index are warm in this one, as Celery's prefork children share the parent's)."""
    connections.close_all()
    shares = [need_ids[index::workers] for index in range(workers)]
    context = multiprocessing.get_context("fork")
    started = time.perf_counter()
    processes = [context.Process(target=_worker, args=(share, batched)) for share in shares]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
        if process.exitcode:
            raise RuntimeError(f"worker exited with {process.exitcode}")
    return len(need_ids) / (time.perf_counter() - started)


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def _load() -> str:
    return "load " + ", ".join(f"{value:.2f}" for value in os.getloadavg())


def report_size(size: int, need_ids: list[int], arguments) -> None:
    latency = measure_latency(need_ids[: arguments.needs], arguments.brute_needs)
    target = LATENCY_TARGET_MS.get(size, LATENCY_TARGET_DEFAULT_MS)
    ratio = latency["production_p95"] / latency["brute_p95"]
    print(
        f"  match one need (candidates + rerank), {latency['needs']} needs: "
        f"p50 {latency['production_p50']:.1f} ms, p95 {latency['production_p95']:.1f} ms "
        f"(target p95 <= {target:.0f} ms: {_verdict(latency['production_p95'] <= target)}; "
        f"{_load()})"
    )
    print(
        f"  need run in the worker: ranking incl. semantic candidates p50 "
        f"{latency['ranking_p50']:.1f} ms, p95 {latency['ranking_p95']:.1f} ms; then the "
        f"Match upsert + run bookkeeping p50 {latency['store_p50']:.1f} ms, "
        f"p95 {latency['store_p95']:.1f} ms (outside the ranking)"
    )
    print(
        f"  brute force (rank() of every technology, {latency['brute_runs']} needs): "
        f"p50 {latency['brute_p50']:.0f} ms, p95 {latency['brute_p95']:.0f} ms ({_load()})"
    )
    print(
        f"  production p95 / brute-force p95 = {ratio:.4f} "
        f"(target <= {RATIO_TARGET}: {_verdict(ratio <= RATIO_TARGET)})"
    )
    needs = need_ids[: arguments.throughput_needs]
    for batched in (False, True):
        label = f"batched by {RUN_BATCH_SIZE}" if batched else "one run at a time"
        for workers in (1, 2):
            rate = measure_throughput(needs, workers, batched=batched)
            verdict = (
                f" (target >= {THROUGHPUT_TARGET:.0f}: {_verdict(rate >= THROUGHPUT_TARGET)})"
                if batched and workers == 2
                else ""
            )
            print(
                f"  full re-match of {len(needs)} needs, {label}, {workers} worker(s): "
                f"{rate:.1f} needs/s{verdict} ({_load()})"
            )


def profile(need_ids: list[int], path: str) -> None:
    """cProfile of the production path (one need at a time) and of one batched re-match."""
    documents = [need_document(Need.objects.get(pk=pk)) for pk in need_ids]
    rank_technologies_for_need(documents[0])
    profiler = cProfile.Profile()
    profiler.enable()
    for document in documents:
        rank_technologies_for_need(document)
    profiler.disable()
    profiler.dump_stats(path + ".need")
    runs = [
        matching_run_create(subject=RunSubject.NEED, subject_id=pk, trigger=RunTrigger.MANUAL)
        for pk in need_ids[:RUN_BATCH_SIZE]
    ]
    profiler = cProfile.Profile()
    profiler.enable()
    matching_runs_execute(run_ids=[run.pk for run in runs])
    profiler.disable()
    profiler.dump_stats(path + ".batch")
    print(f"  profiles written to {path}.need and {path}.batch")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--needs", type=int, default=45)
    parser.add_argument("--brute-needs", type=int, default=5)
    parser.add_argument("--throughput-needs", type=int, default=90)
    parser.add_argument("--keep-database", metavar="NAME")
    parser.add_argument("--load-only", action="store_true")
    parser.add_argument("--profile", metavar="FILE")
    arguments = parser.parse_args()
    print(machine_description(f"PostgreSQL {connection.cursor().connection.info.server_version}"))
    with benchmark_database(arguments.keep_database) as database:
        print(f"database {database}")
        need_ids = create_needs(max(arguments.needs, arguments.throughput_needs))
        loaded = loaded_technologies()
        for size in sorted(arguments.sizes):
            if loaded > size:
                print(f"\n{size:,}: skipped, the kept database holds {loaded:,} technologies")
                continue
            seconds = load_technologies(size - loaded, loaded) if size > loaded else 0.0
            loaded = size
            print(f"\n{size:,} published technologies (loaded in {seconds:.0f} s; {_load()})")
            if arguments.load_only:
                continue
            if arguments.profile:
                profile(need_ids[: arguments.needs], arguments.profile)
                continue
            report_size(size, need_ids, arguments)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
