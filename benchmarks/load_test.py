"""Load test: the main pages and API reads under 50 concurrent users, beside a bare Django view.

Data: a database `<DATABASE_URL's name>_load_bench` on the same server (LOAD_DATABASE_URL names
another), kept between runs: it is migrated, filled with generate_synthetic's technologies and
needs only up to the size asked for (a second run skips generation), and given one enterprise
user with deals (messages in each deal room) whose deal pages are read signed in as that party.
Never the DATABASE_URL database itself, which under `make bench` is the `make run` demo database.

Server: gunicorn (sync workers) on 127.0.0.1, production-shaped: DEBUG=false, a random
SECRET_KEY, ALLOWED_HOSTS=127.0.0.1. Settings are config.settings with one difference,
benchmarks/_load_settings.py switches ROOT_URLCONF to benchmarks/_load_urls.py, which adds the
bare view `/bench/bare/` (tiny JsonResponse, full middleware stack, no database) and the bare
list view `/bench/needs/` (GET /api/v1/needs/'s count and first page from the same queryset with
`.values()` and a JsonResponse, no DRF; the warm-up checks that both answer the same rows);
neither is a public URL of the site. Because the test speaks plain HTTP to loopback,
SECURE_SSL_REDIRECT is off; API throttling stays on (its cache round trip is measured) with
limits no 50 users reach, since all the simulated users share one address. Static files are
not requested.

Load: Locust (benchmarks/_locustfile.py, FastHttpUser) on the same machine, one phase after
another with the same users and duration each:
  1. bare view alone, no think time (saturates the server: the throughput floor of Django);
  2. bare list view alone, no think time (the need list's data without DRF);
  3. technology list API with a mixed Chinese/English `q` alone, no think time;
  4. need list API alone, no think time;
  5. browsing: home, catalogue search, technology detail, need list, the party's deal detail and
     both API reads, 1-3 s think time per user (the latency targets apply to this phase).
Phases 1-4 compare throughput under the same saturation; the target ratio is phase 3 or 4 /
phase 1; the need API / bare list view ratio (phase 4 / phase 2) is reported beside it: DRF's
overhead over plain Django for the same data.
Targets (issue #9): no failed request; p95 <= 300 ms for every page; each DRF list endpoint
>= 0.25 x the bare view's throughput. Missed targets are reported, not an error; a broken run
(server does not start, Locust crashes, no statistics) exits non-zero.

Run:  make bench   (or DATABASE_URL=... REDIS_URL=... python benchmarks/load_test.py)
Environment: LOAD_USERS (50), LOAD_SECONDS (60, per phase), LOAD_TECHNOLOGIES (100000),
LOAD_NEEDS (20000), LOAD_WORKERS (4 gunicorn workers), LOAD_DATABASE_URL.
"""

from __future__ import annotations

import csv
import json
import os
import platform
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from _common import cpu_model

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUERIES = [
    "废水",
    "余热回收",
    "光伏",
    "厌氧处理",
    "垃圾渗滤液",
    "烟气 脱硝",
    "储能",
    "二氧化碳捕集",
    "wastewater",
    "anaerobic",
    "waste heat",
    "membrane bioreactor",
    "carbon capture",
    "heat pump",
    "battery recycling",
    "chemical parks",
]
PARTY_EMAIL = "load-party@bench.example"
PARTY_DEALS = 12
MESSAGES_PER_DEAL = 3
DETAIL_SAMPLE = 5000
PAGE_P95_TARGET_MS = 300
API_RATIO_TARGET = 0.25

PHASES = [
    ("bare", "bare view alone, no think time", "BareViewUser"),
    ("bare_list", "bare list view (need API's data, no DRF) alone, no think time", "BareListUser"),
    ("technology_api", "technology list API alone, no think time", "TechnologyApiUser"),
    ("need_api", "need list API alone, no think time", "NeedApiUser"),
    ("browsing", "pages + API reads, 1-3 s think time", "BrowsingUser"),
]


class RunBroken(RuntimeError):
    """The run itself failed (not a missed target)."""


def _load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def _environment_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


def _database_urls() -> tuple[str, str, str]:
    """(URL of the load-test database, URL of the server's `postgres` database, its name)."""
    url = os.environ.get("LOAD_DATABASE_URL")
    if not url:
        base = os.environ.get("DATABASE_URL") or sys.exit(
            "DATABASE_URL is not set (make bench sets it)."
        )
        parts = urlsplit(base)
        url = urlunsplit(parts._replace(path="/" + parts.path.lstrip("/") + "_load_bench"))
    parts = urlsplit(url)
    return url, urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")


def _ensure_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')


def _prepare(*, technologies: int, needs: int) -> dict:
    """Migrate, top the data set up to size, set up the party; what the Locust users need."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from catalog.choices import TechnologyStatus
    from catalog.models import Technology
    from catalog.synthetic import generate_technologies
    from exchange.models import Deal, Need
    from exchange.synthetic import generate_needs

    call_command("migrate", verbosity=0)
    notes = []
    generated = False
    existing = Technology.objects.count()
    if existing < technologies:
        started = time.perf_counter()
        # Another seed per top-up, so a second batch is not a copy of the first.
        generate_technologies(technologies - existing, seed=2026 + existing)
        notes.append(
            f"{technologies - existing:,} technologies generated in "
            f"{time.perf_counter() - started:.1f} s"
        )
        generated = True
    existing = Need.objects.count()
    if existing < needs:
        started = time.perf_counter()
        generate_needs(needs - existing, seed=2026 + existing)
        notes.append(
            f"{needs - existing:,} needs generated in {time.perf_counter() - started:.1f} s"
        )
        generated = True
    if generated:
        with connection.cursor() as cursor:
            for table in ("catalog_technology", "exchange_need"):
                cursor.execute(f"VACUUM ANALYZE {table}")
    party, deal_ids = _party_with_deals()
    client = Client()
    client.force_login(party)
    cookie_name = settings.SESSION_COOKIE_NAME
    session_cookie = f"{cookie_name}={client.cookies[cookie_name].value}"
    technology_ids = list(
        Technology.objects.filter(status=TechnologyStatus.PUBLISHED)
        .order_by("?")
        .values_list("pk", flat=True)[:DETAIL_SAMPLE]
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        server = cursor.fetchone()[0].split(",")[0]
    return {
        "technology_ids": technology_ids,
        "deal_ids": deal_ids,
        "session_cookie": session_cookie,
        "queries": QUERIES,
        "server": server,
        "notes": notes or ["data set already at size: generation skipped"],
        "technologies": Technology.objects.count(),
        "published": Technology.objects.filter(status=TechnologyStatus.PUBLISHED).count(),
        "needs": Need.objects.count(),
        "deals": Deal.objects.count(),
    }


def _party_with_deals():
    """An enterprise user whose organisation buys in PARTY_DEALS deals (created once)."""
    from decimal import Decimal

    from accounts.choices import OrganizationType, Role, VerificationStatus
    from accounts.models import Organization, User
    from accounts.services import organization_create
    from catalog.choices import TechnologyStatus
    from catalog.models import Technology
    from core.validators import credit_code_check_character
    from exchange.models import Deal
    from exchange.services import deal_message_post, deal_open

    party = User.objects.filter(email=PARTY_EMAIL).first()
    if party is None:
        party = User.objects.create_user(
            PARTY_EMAIL, password=None, full_name="Load-test buyer", roles=[Role.ENTERPRISE]
        )
    organization = Organization.objects.filter(memberships__user=party).first()
    if organization is None:
        body = f"9133{990_000:013d}"  # outside the range catalog.synthetic uses
        organization = organization_create(
            user=party,
            name_zh="负载测试采购企业",
            name_en="Load-test buying enterprise",
            kind=OrganizationType.ENTERPRISE,
            region="CN-ZJ",
            credit_code=body + credit_code_check_character(body),
            verification_status=VerificationStatus.VERIFIED,
        )
    deals = Deal.objects.filter(buyer=organization)
    missing = PARTY_DEALS - deals.count()
    if missing > 0:
        candidates = (
            Technology.objects.filter(status=TechnologyStatus.PUBLISHED)
            .exclude(deals__buyer=organization)
            .exclude(transaction_modes=[])
            .order_by("pk")[:missing]
        )
        for number, technology in enumerate(candidates):
            deal = deal_open(
                user=party,
                technology=technology,
                deal_type=technology.transaction_modes[0],
                price=Decimal(200_000 + number * 10_000),
                note="负载测试询价 / load-test inquiry",
            )
            for index in range(MESSAGES_PER_DEAL):
                deal_message_post(
                    deal=deal,
                    user=party,
                    body=f"第{index + 1}条洽谈消息：请提供运行数据。Message {index + 1}: "
                    "please share operating data.",
                )
    return party, list(deals.values_list("pk", flat=True))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, headers: dict | None = None) -> int:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def _start_gunicorn(*, port: int, workers: int, environment: dict, log: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--timeout",
        "60",
        "--chdir",
        str(ROOT),
        "--error-logfile",
        str(log),
    ]
    server = subprocess.Popen(command, env=environment, cwd=ROOT, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RunBroken(f"gunicorn exited with {server.returncode}; see {log}")
        try:
            if _get(f"http://127.0.0.1:{port}/bench/bare/") == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    server.terminate()
    raise RunBroken("gunicorn did not answer within 60 s")


def _warm_up(base: str, fixture: dict, workers: int) -> None:
    """Each worker loads its templates and connections before anything is measured."""
    cookie = {"Cookie": fixture["session_cookie"]}
    query = quote(QUERIES[0])
    paths = [
        ("/", None),
        (f"/technologies/?q={query}", None),
        (f"/technologies/{fixture['technology_ids'][0]}/", None),
        ("/exchange/needs/", None),
        (f"/exchange/deals/{fixture['deal_ids'][0]}/", cookie),
        (f"/api/v1/technologies/?q={query}", None),
        ("/api/v1/needs/", None),
        ("/bench/needs/", None),
    ]
    for _ in range(workers * 2):
        for path, headers in paths:
            status = _get(base + path, headers)
            if status != 200:
                raise RunBroken(f"warm-up: GET {path} answered {status}")
    api, bare = (_get_json(base + path) for path in ("/api/v1/needs/", "/bench/needs/"))
    if (api["count"], api["results"]) != (bare["count"], bare["results"]):
        raise RunBroken("warm-up: /bench/needs/ does not answer the rows of /api/v1/needs/")


def _run_phase(
    *, user_class: str, base: str, users: int, seconds: int, prefix: Path, environment: dict
) -> list[dict]:
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(ROOT / "benchmarks" / "_locustfile.py"),
        "--headless",
        "--host",
        base,
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds}s",
        "--reset-stats",
        "--only-summary",
        "--csv",
        str(prefix),
        "--exit-code-on-error",
        "0",
        "--loglevel",
        "WARNING",
        user_class,
    ]
    finished = subprocess.run(
        command, env=environment, cwd=ROOT, capture_output=True, text=True, timeout=seconds + 120
    )
    stats = Path(f"{prefix}_stats.csv")
    if finished.returncode != 0 or not stats.exists():
        raise RunBroken(
            f"locust {user_class} exited with {finished.returncode}:\n{finished.stderr[-3000:]}"
        )
    with stats.open(encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["Name"] != "Aggregated"]
    if not rows:
        raise RunBroken(f"locust {user_class} recorded no request")
    errors: dict[str, list[str]] = {}
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        with failures.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                errors.setdefault(row["Name"], []).append(f"{row['Error']} x{row['Occurrences']}")
    return [_figures(row, errors.get(row["Name"], [])) for row in rows]


def _figures(row: dict, errors: list[str]) -> dict:
    return {
        "name": row["Name"],
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "rps": float(row["Requests/s"]),
        "p50": float(row["50%"]),
        "p95": float(row["95%"]),
        "errors": errors,
    }


def main() -> int:
    users = _environment_int("LOAD_USERS", 50)
    seconds = _environment_int("LOAD_SECONDS", 60)
    technologies = _environment_int("LOAD_TECHNOLOGIES", 100_000)
    needs = _environment_int("LOAD_NEEDS", 20_000)
    workers = _environment_int("LOAD_WORKERS", 4)

    bench_url, admin_url, name = _database_urls()
    _ensure_database(admin_url, name)
    # The server and this process share the database, the SECRET_KEY (the party's session is
    # signed with it) and the settings; only gunicorn's copy is the measured one.
    environment = {
        **os.environ,
        "DATABASE_URL": bench_url,
        "DJANGO_SETTINGS_MODULE": "benchmarks._load_settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_MANIFEST": "false",
        "THROTTLE_ANON": "1000000/minute",
        "THROTTLE_USER": "1000000/minute",
        "CACHE_KEY_PREFIX": "gte-load-bench",
        "LOG_LEVEL": "WARNING",
        # WhiteNoise warns that STATIC_ROOT is missing (collectstatic not run): no static file
        # is requested here.
        "PYTHONWARNINGS": "ignore:No directory at",
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(environment)
    import django

    django.setup()
    started = time.perf_counter()
    fixture = _prepare(technologies=technologies, needs=needs)
    preparation = time.perf_counter() - started
    from django.db import connections

    connections.close_all()

    results: dict[str, list[dict]] = {}
    server = None
    with tempfile.TemporaryDirectory(prefix="gte-load-") as directory:
        workdir = Path(directory)
        fixture_path = workdir / "fixture.json"
        fixture_path.write_text(json.dumps(fixture), encoding="utf-8")
        environment["LOAD_FIXTURE"] = str(fixture_path)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        log = workdir / "gunicorn.log"
        load_before = _load_average()
        try:
            server = _start_gunicorn(port=port, workers=workers, environment=environment, log=log)
            _warm_up(base, fixture, workers)
            for key, _title, user_class in PHASES:
                results[key] = _run_phase(
                    user_class=user_class,
                    base=base,
                    users=users,
                    seconds=seconds,
                    prefix=workdir / key,
                    environment=environment,
                )
        except (RunBroken, subprocess.TimeoutExpired) as error:
            print(f"load test broken: {error}", file=sys.stderr)
            if log.exists():
                print(log.read_text(encoding="utf-8")[-3000:], file=sys.stderr)
            return 1
        finally:
            if server is not None:
                server.terminate()
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()

    print(
        f"machine: {cpu_model()}, {os.cpu_count()} CPUs, load average {load_before} before, "
        f"{_load_average()} after; Python {platform.python_version()}, {fixture['server']}"
    )
    print(
        f"data: {fixture['technologies']:,} technologies ({fixture['published']:,} published), "
        f"{fixture['needs']:,} needs, {fixture['deals']} deals; "
        f"{'; '.join(fixture['notes'])}; preparation {preparation:.1f} s"
    )
    print(
        f"server: gunicorn {workers} sync workers on 127.0.0.1, DEBUG=false; load: Locust "
        f"FastHttpUser, same machine, {users} users per phase, {seconds} s per phase "
        f"(statistics reset once all users are running)"
    )
    print(
        f"{'endpoint':42} {'requests':>9} {'failures':>8} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7}"
    )
    for number, (key, title, _user_class) in enumerate(PHASES, start=1):
        print(f"-- phase {number}: {title}")
        for row in results[key]:
            print(
                f"{row['name']:42} {row['requests']:9,} {row['failures']:8,} {row['rps']:8.1f} "
                f"{row['p50']:7.0f} {row['p95']:7.0f}"
            )
            for error in row["errors"]:
                print(f"   failure {error}")

    failures = sum(row["failures"] for rows in results.values() for row in rows)
    pages = [row for row in results["browsing"] if row["name"].startswith("page")]
    slow_pages = [row for row in pages if row["p95"] > PAGE_P95_TARGET_MS]
    bare_rps = results["bare"][0]["rps"]
    verdict = {True: "met", False: "NOT met"}
    print("targets:")
    print(f"  0 failed requests: {verdict[failures == 0]} ({failures} failed)")
    print(
        f"  page p95 <= {PAGE_P95_TARGET_MS} ms: {verdict[not slow_pages]} (worst "
        f"{max(row['p95'] for row in pages):.0f} ms"
        + (f"; over: {', '.join(row['name'] for row in slow_pages)}" if slow_pages else "")
        + ")"
    )
    for key in ("technology_api", "need_api"):
        row = results[key][0]
        ratio = row["rps"] / bare_rps if bare_rps else 0.0
        print(
            f"  {row['name']} >= {API_RATIO_TARGET} x bare view: "
            f"{verdict[ratio >= API_RATIO_TARGET]} ({row['rps']:.1f} / {bare_rps:.1f} req/s "
            f"= {ratio:.2f})"
        )
    row, bare_list_rps = results["need_api"][0], results["bare_list"][0]["rps"]
    print(
        f"  (no target) {row['name']} / bare list view, same data without DRF: "
        f"{row['rps']:.1f} / {bare_list_rps:.1f} req/s "
        f"= {row['rps'] / bare_list_rps if bare_list_rps else 0.0:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
