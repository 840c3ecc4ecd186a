"""The access-control matrix: every page and API endpoint of accounts, catalog, exchange,
matching, finance, programmes and insight × every demo role, aimed at the role's own
organisation's objects and at objects of an organisation the role does not belong to
(`*_outsider`), with the expected status.

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
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from tests.security.matrix_expected import EXPECTED
from tests.security.matrix_rows import ROWS
from tests.security.world import ROLES, demo_user

RECORD_PATH = os.environ.get("MATRIX_RECORD")
COVERED_APPS = (
    "accounts",
    "catalog",
    "exchange",
    "matching",
    "finance",
    "facilities",
    "programmes",
    "insight",
    "imports",
    "licensing",
    "registry",
    "exportcontrol",
    "currencies",
    "centres",
)
WATCHED_APPS = (*COVERED_APPS, "notifications")
KEY_MODELS = [
    ("role_grant", "accounts.RoleGrant"),
    ("expert_", "programmes.ExpertProfile"),
    ("evaluation_", "programmes.Evaluation"),
    ("screening", "programmes.Programme"),
    ("entry_technology_", "catalog.Technology"),
    ("event", "programmes.Event"),
    ("meeting", "programmes.Meeting"),
    ("challenge", "programmes.Challenge"),
    ("submission", "programmes.ChallengeSubmission"),
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
    ("duplicate_flag", "catalog.DuplicateFlag"),
    # --- records ---
    ("contract_record", "registry.ContractRecord"),
    ("exchange_rate", "currencies.ExchangeRate"),
    # --- licence ---
    ("open_licence_offer", "licensing.OpenLicenceOffer"),
    ("open_licence_enterprise", "licensing.Licence"),
    # --- facility ---
    ("facility_booking", "facilities.FacilityBooking"),
    ("facility", "facilities.Facility"),
    # --- centres ---
    ("referral", "centres.Referral"),
    ("transfer_centre", "accounts.Organization"),
    # --- scenes ---
    ("scenario_list", "programmes.ScenarioList"),
    ("scenario_", "programmes.Scenario"),
]
_recorded: dict[str, dict[str, int]] = {}


def _model_for(key: str):
    for prefix, label in KEY_MODELS:
        if key.startswith(prefix):
            return apps.get_model(label)
    return None


def _row_counts() -> dict[str, int]:
    """The row count of every watched model, in one query (it runs twice per write case)."""
    models = [model for app in WATCHED_APPS for model in apps.get_app_config(app).get_models()]
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT %s::text, COUNT(*) FROM {quote(model._meta.db_table)}" for model in models
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [model._meta.label for model in models])
        return dict(cursor.fetchall())


def _snapshot(keys: list[str], ids: dict, actor) -> dict:
    counts = _row_counts()
    rows = {}
    for key in keys:
        model = _model_for(key)
        if model is not None:
            rows[key] = list(model.objects.filter(pk=ids[key]).values())
    if actor is not None:
        rows["actor"] = list(type(actor).objects.filter(pk=actor.pk).values())
    return {"counts": counts, "rows": rows}


def _fill(value, ids: dict):
    """The request body with `{name}` replaced by ids: a value that is only a placeholder
    becomes the id itself, as a client would send it."""
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, ids) for item in value]
    if isinstance(value, str):
        whole = re.fullmatch(r"{(\w+)}", value)
        return ids[whole[1]] if whole else value.format(**ids)
    return value


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
    keys = re.findall(r"{(\w+)}", template + json.dumps(body))
    path = template.format(**world)
    body = _fill(body, world)
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
    # given: the URL patterns whose views live in the covered apps, in the form the rows use
    from django.urls import URLResolver, get_resolver, resolve

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
        if module.split(".")[0] in COVERED_APPS and "(?P<format>" not in route
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
    # a row also covers the pattern it resolves to (verbs such as /evaluations/<pk>/<verb>/)
    in_table |= {
        normalise(resolve(re.sub(r"{\w+}", "1", template.split("?")[0])).route)
        for _name, _method, template, _body in ROWS
    }
    # then
    assert len(routes) > 220
    assert sorted(routes - in_table) == []


def test_every_row_has_an_expectation_for_every_role():
    assert {name for name, *_ in ROWS} == set(EXPECTED)
    assert all(set(EXPECTED[name]) == set(ROLES) for name in EXPECTED)
