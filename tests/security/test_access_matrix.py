"""The access-control matrix: every page and API endpoint of accounts, catalog, exchange,
matching and finance × every demo role, aimed at the role's own organisation's objects and at
objects of an organisation the role does not belong to (`*_outsider`), with the expected status.

A refused write (status >= 400) must change nothing: no row counts move and the target rows are
byte-for-byte the same. Other organisations' private objects are 404, never 403, so an id cannot
be probed; the `guess` rows aim at ids that belong to nobody the role may see.

Re-record after a deliberate change of rules: MATRIX_RECORD=/tmp/matrix.json pytest this file,
then review the differences before copying them into matrix_expected.py.
"""

from __future__ import annotations

import json
import os
import re

import pytest
from django.apps import apps
from django.test import Client
from rest_framework.test import APIClient

from tests.security.matrix_expected import EXPECTED
from tests.security.matrix_rows import ROWS
from tests.security.world import ROLES, demo_user

RECORD_PATH = os.environ.get("MATRIX_RECORD")
WATCHED_APPS = ("accounts", "catalog", "exchange", "matching", "finance", "notifications")
KEY_MODELS = [
    ("org_", "accounts.Organization"),
    ("tech_", "catalog.Technology"),
    ("need_", "exchange.Need"),
    ("document_deal", "exchange.Deal"),
    ("document", "exchange.DealDocument"),
    ("deal", "exchange.Deal"),
    ("proposal", "exchange.Proposal"),
    ("match", "matching.Match"),
    ("product", "finance.FinancingProduct"),
    ("application_", "finance.FinancingApplication"),
    ("valuation", "finance.Valuation"),
    ("voucher", "finance.Voucher"),
    ("programme", "finance.SupportProgramme"),
]
_recorded: dict[str, dict[str, int]] = {}


def _model_for(key: str):
    for prefix, label in KEY_MODELS:
        if key.startswith(prefix):
            return apps.get_model(label)
    return None


def _snapshot(keys: list[str], ids: dict, actor) -> dict:
    counts = {
        model._meta.label: model.objects.count()
        for app in WATCHED_APPS
        for model in apps.get_app_config(app).get_models()
    }
    rows = {}
    for key in keys:
        model = _model_for(key)
        if model is not None:
            rows[key] = list(model.objects.filter(pk=ids[key]).values())
    if actor is not None:
        rows["actor"] = list(type(actor).objects.filter(pk=actor.pk).values())
    return {"counts": counts, "rows": rows}


def _client(kind: str, user):
    if kind == "api":
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


CASES = [(row, role) for row in ROWS for role in ROLES]


@pytest.mark.parametrize(("row", "role"), CASES, ids=[f"{row[0]}-{role}" for row, role in CASES])
def test_access_matrix(world, db, row, role):
    # given
    name, method, template, body = row
    keys = re.findall(r"{(\w+)}", template)
    path = template.format(**world)
    user = demo_user(role)
    kind = "api" if path.startswith("/api/") else "page"
    client = _client(kind, user)
    before = _snapshot(keys, world, user) if method != "GET" else None
    # when
    request = getattr(client, method.lower())
    if kind == "api" and body is not None:
        response = request(path, body, format="json")
    elif body is not None:
        response = request(path, body)
    else:
        response = request(path)
    # then
    status = response.status_code
    if RECORD_PATH:
        _recorded.setdefault(name, {})[role] = status
        with open(RECORD_PATH, "w") as out:
            json.dump(_recorded, out, ensure_ascii=False, indent=1)
    else:
        assert status == EXPECTED[name][role], f"{method} {path} as {role}"
    assert status < 500
    if before is not None and status >= 400:
        assert _snapshot(keys, world, user) == before, "a refused write changed something"


def test_every_url_of_the_covered_apps_is_in_the_matrix():
    # given: the URL patterns whose views live in the five apps, in the form the rows use
    from django.urls import URLResolver, get_resolver

    def walk(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern, prefix + str(pattern.pattern))
            else:
                view = getattr(pattern.callback, "cls", pattern.callback)
                yield prefix + str(pattern.pattern), view.__module__

    def normalise(route: str) -> str:
        route = route.replace("^", "").replace("$", "")
        route = re.sub(r"\(\?P<\w+>[^)]*\)", "X", route)
        return re.sub(r"<[^>]+>", "X", route)

    routes = {
        normalise(route)
        for route, module in walk(get_resolver())
        if module.split(".")[0] in ("accounts", "catalog", "exchange", "matching", "finance")
        and "(?P<format>" not in route
    }
    # when
    in_table = {
        re.sub(r"{\w+}|(?<=/)\d+(?=/)", "X", template.split("?")[0].lstrip("/"))
        for _name, _method, template, _body in ROWS
    }
    in_table |= {
        re.sub(r"\.csv$|/xlsx/$", lambda m: ".X" if m[0] == ".csv" else "/X/", path)
        for path in in_table
    }
    # then
    assert len(routes) > 150
    assert sorted(routes - in_table) == []


def test_every_row_has_an_expectation_for_every_role():
    assert {name for name, *_ in ROWS} == set(EXPECTED)
    assert all(set(EXPECTED[name]) == set(ROLES) for name in EXPECTED)
