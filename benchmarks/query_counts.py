"""SQL queries per page and API list, for every demo role, on the demo data.

Creates a throw-away database `<DATABASE_URL's name>_querycount_bench` on the same server,
migrates it and loads the demo data (`seed_demo`), then signs in as each demo login (and as an
anonymous visitor) and walks the site breadth-first from the role's workspace: every same-site
GET link up to --pages pages per role, plus every API list under /api/v1/. For each address it
prints the status and the number of SQL queries. Run it on two commits with the same demo data
to compare: the same address must not need more queries.
Run:  DATABASE_URL=postgres://... python benchmarks/query_counts.py [--pages 60] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import time
from collections import deque
from pathlib import Path

from _common import ThrowAwayDatabase, cpu_model

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

API_LISTS = [
    "organizations", "role-grants", "categories", "technologies", "saved-searches", "needs",
    "demand-lists", "deals", "proposals", "introductions", "finance/products",
    "finance/applications", "finance/valuations", "finance/vouchers", "finance/programmes",
    "finance/money-requests", "experts", "evaluations", "programmes", "events", "challenges",
    "matches", "notifications", "stats",
]  # fmt: skip
SKIP = re.compile(r"(logout|sign-?out|/export|\.xlsx|\.csv|\.pdf|/download|/admin/|/static/|"
                  r"/media/|/i18n/|/api/|/schema|/docs|/files?/)")  # fmt: skip
LINK = re.compile(r'href="(/[^"#?]*)(?:\?[^"#]*)?"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=60, help="pages walked per role")
    parser.add_argument("--json", help="also write the figures to this file")
    arguments = parser.parse_args()

    database = ThrowAwayDatabase("querycount_bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Development settings, as tests use: static files without a collected manifest.
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    settings.ALLOWED_HOSTS = ["*"]
    logging.disable(logging.WARNING)  # refused and missing addresses are figures, not news
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", verbosity=0, stdout=quiet)
    seeded = time.perf_counter() - started
    print(f"machine: {cpu_model()}, {os.cpu_count()} CPUs; demo data seeded in {seeded:.1f} s")

    def count(client: Client, path: str) -> tuple[int, int, str]:
        reset_queries()  # the log keeps 9,000 queries at most: counts would stop growing
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, secure=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
        body = response.content.decode("utf-8", "replace") if response.status_code == 200 else ""
        return response.status_code, len(queries), body

    figures: dict[str, dict[str, list[int]]] = {}
    demo_emails = User.objects.filter(email__endswith="@demo.example").order_by("email")
    logins = [("anonymous", None)] + [
        (email, email) for email in demo_emails.values_list("email", flat=True)
    ]
    for label, email in logins:
        client = Client()
        if email:
            client.force_login(User.objects.get(email=email))
        rows: dict[str, list[int]] = {}
        start = "/me/" if email else "/"
        queue, seen = deque([start, "/"]), set()
        while queue and len(seen) < arguments.pages:
            path = queue.popleft()
            if path in seen or SKIP.search(path):
                continue
            seen.add(path)
            status, queries, body = count(client, path)
            rows[path] = [status, queries]
            queue.extend(link for link in LINK.findall(body) if link not in seen)
        for endpoint in API_LISTS:
            path = f"/api/v1/{endpoint}/"
            status, queries, _ = count(client, path)
            if status != 404:
                rows[path] = [status, queries]
        figures[label] = rows
        total = sum(queries for _, queries in rows.values())
        print(f"\n{label}: {len(rows)} addresses, {total} queries in all")
        for path, (status, queries) in rows.items():
            print(f"  {queries:4d}  {status}  {path}")
    if arguments.json:
        Path(arguments.json).write_text(json.dumps(figures, indent=1, ensure_ascii=False))
    database.drop()


if __name__ == "__main__":
    main()
