"""Locust users for benchmarks/load_test.py (not run by `make bench` on its own: leading `_`).

LOAD_FIXTURE names a JSON file written by load_test.py: published technology ids, the party's
deal ids, its session cookie and the search queries. Requests are grouped under one name per
endpoint, so the statistics are per endpoint, not per URL.

The throughput users (bare views, API lists) have no think time: each keeps one request in flight,
so 50 users saturate the server. The browsing user waits 1-3 s between pages, as a person does.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from urllib.parse import quote

from locust import FastHttpUser, between, constant, task

FIXTURE = json.loads(Path(os.environ["LOAD_FIXTURE"]).read_text(encoding="utf-8"))
TECHNOLOGY_IDS: list[int] = FIXTURE["technology_ids"]
DEAL_IDS: list[int] = FIXTURE["deal_ids"]
QUERIES: list[str] = FIXTURE["queries"]
PARTY_COOKIE = {"Cookie": FIXTURE["session_cookie"]}

BARE = "bare view /bench/bare/"
BARE_LIST = "bare list view /bench/needs/"
API_TECHNOLOGIES = "API /api/v1/technologies/?q="
API_NEEDS = "API /api/v1/needs/"
HOME = "page /"
CATALOGUE = "page /technologies/?q="
TECHNOLOGY = "page /technologies/<id>/"
NEEDS = "page /exchange/needs/"
DEAL = "page /exchange/deals/<id>/ (party)"
PAGES = (HOME, CATALOGUE, TECHNOLOGY, NEEDS, DEAL)


def _query() -> str:
    return quote(random.choice(QUERIES))


def _get(user: FastHttpUser, path: str, name: str, **kwargs) -> None:
    """A GET that fails unless it answers 200 with the expected content type."""
    expected = "application/json" if name.startswith(("API", "bare")) else "text/html"
    with user.client.get(path, name=name, catch_response=True, **kwargs) as response:
        content_type = response.headers.get("Content-Type", "") if response.headers else ""
        if response.status_code != 200:
            response.failure(f"HTTP {response.status_code}")
        elif not content_type.startswith(expected):
            response.failure(f"unexpected content type {content_type!r}")


class BareViewUser(FastHttpUser):
    """Django's floor: the full middleware stack and a tiny JsonResponse, no database."""

    wait_time = constant(0)

    @task
    def bare(self) -> None:
        _get(self, "/bench/bare/", BARE)


class BareListUser(FastHttpUser):
    """The need list API's data (count and first page) from a plain Django view, no DRF."""

    wait_time = constant(0)

    @task
    def bare_list(self) -> None:
        _get(self, "/bench/needs/", BARE_LIST)


class TechnologyApiUser(FastHttpUser):
    """DRF list with full-text search, as an anonymous API client."""

    wait_time = constant(0)

    @task
    def technologies(self) -> None:
        _get(self, f"/api/v1/technologies/?q={_query()}", API_TECHNOLOGIES)


class NeedApiUser(FastHttpUser):
    """DRF list of published needs, first page, as an anonymous API client."""

    wait_time = constant(0)

    @task
    def needs(self) -> None:
        _get(self, "/api/v1/needs/", API_NEEDS)


class BrowsingUser(FastHttpUser):
    """A visitor reading the main pages, API reads mixed in; deal pages signed in as a party."""

    wait_time = between(1, 3)

    @task(2)
    def home(self) -> None:
        _get(self, "/", HOME)

    @task(3)
    def catalogue(self) -> None:
        _get(self, f"/technologies/?q={_query()}", CATALOGUE)

    @task(3)
    def technology(self) -> None:
        _get(self, f"/technologies/{random.choice(TECHNOLOGY_IDS)}/", TECHNOLOGY)

    @task(2)
    def need_list(self) -> None:
        _get(self, "/exchange/needs/", NEEDS)

    @task(1)
    def deal(self) -> None:
        _get(self, f"/exchange/deals/{random.choice(DEAL_IDS)}/", DEAL, headers=PARTY_COOKIE)

    @task(1)
    def api_technologies(self) -> None:
        _get(self, f"/api/v1/technologies/?q={_query()}", API_TECHNOLOGIES)

    @task(1)
    def api_needs(self) -> None:
        _get(self, "/api/v1/needs/", API_NEEDS)
