"""Schemathesis against /api/schema/, authenticated as every demo role (and anonymous), over
EVERY operation of the API, with the checks that make the schema a promise:

- not_a_server_error: no 5xx, whatever is sent;
- status_code_conformance: every status answered is documented for the operation;
- content_type_conformance: every body has a documented content type;
- response_schema_conformance: every body matches its documented schema;
- negative_data_rejection: data the schema rules out (wrong types, out-of-range numbers,
  missing required fields, unknown enum values ...) is refused with a 4xx, never accepted.

Each operation gets up to FUZZ_EXAMPLES cases in each of three runs (default 2: the bounded
budget of `make test` and CI; `make fuzz` runs 50): positive (schema-valid), negative
(schema-violating), and (half as many) positive again with its integer path parameters set to
1, an id that exists, so that the bodies of detail operations are checked too. Every case is
sent once per role. Every failure is collected (not just the first), and a summary of the
counts is printed.

positive_data_acceptance is deliberately not run: it demands a 2xx/401/403/404/409 for every
schema-valid request, but a valid-looking request is still rightly a 400 here when it names a
row the caller may not see (VisiblePrimaryKeyRelatedField answers "Invalid pk" for another
organisation's row exactly as for a missing one, so ids cannot be probed), or breaks a rule
across fields or rows (an end before its start, a budget over the programme's, a duplicate
application) that a JSON schema cannot express. Accepting those would be the bug.
"""

import os
import time
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import checks
from schemathesis.generation import GenerationMode

from tests.security.world import ROLES as WORLD_ROLES
from tests.security.world import demo_user

# The seven roles of the issue, plus the programme operator (a platform role with a demo login).
ROLES = tuple(dict.fromkeys((*WORLD_ROLES, "operator")))
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2"))
# Schema-valid data, schema-violating data, and schema-valid data at ids that exist.
RUNS = ("positive", "negative", "existing ids")
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
]


@pytest.fixture
def keep_test_connection():
    """Calls through the WSGI app must not close the test's connection at request end (Django's
    test client does the same)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(world, db, keep_test_connection, settings):
    from config.wsgi import application

    # As deployed: with DEBUG on, Django answers an unmatched /api/ URL with its HTML debug
    # page instead of the API's JSON 404 (core.views.page_not_found).
    settings.DEBUG = False

    return schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def role_headers(world, db) -> dict[str, dict[str, str]]:
    from tests.factories import api_token_for

    headers = {"anonymous": {}}
    for role in ROLES[1:]:
        headers[role] = {"Authorization": f"Token {api_token_for(demo_user(role))}"}
    return headers


def _revokes_own_token(operation) -> int:
    """0 for most; then deleting a device, logout, and last logout-all."""
    for rank, prefix in enumerate(
        ("/api/v1/auth/tokens/{", "/api/v1/auth/logout/", "/api/v1/auth/logout-all/"), start=1
    ):
        if operation.path.startswith(prefix):
            return rank
    return 0


def _failures_of(error: BaseException) -> list[BaseException]:
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in _failures_of(inner)]
    return [error]


def _existing_ids(operation) -> dict[str, int] | None:
    """Integer path parameters set to 1, an id every seeded table has (random ids are nearly
    always 404, which would leave the documented bodies of detail operations unchecked)."""
    names = [
        parameter["name"]
        for parameter in operation.definition.raw.get("parameters", [])
        if parameter.get("in") == "path" and parameter.get("schema", {}).get("type") == "integer"
    ]
    return dict.fromkeys(names, 1) or None


def _fuzz_operation(operation, run_name, role_headers, stats, failures) -> None:
    mode = GenerationMode.NEGATIVE if run_name == "negative" else GenerationMode.POSITIVE
    path_parameters = _existing_ids(operation) if run_name == "existing ids" else None
    if run_name == "existing ids" and path_parameters is None:
        return

    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    @settings(
        max_examples=EXAMPLES if run_name != "existing ids" else max(1, EXAMPLES // 2),
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        stats["cases"] += 1
        for role in ROLES:
            headers = role_headers[role]
            response = case.call(headers=headers)
            stats["calls"] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (Exception, BaseExceptionGroup) as error:  # collect all: one run shows all
                for failure in _failures_of(error):
                    title = getattr(failure, "title", type(failure).__name__)
                    key = (operation.label, run_name, role, title)
                    if key not in failures:
                        failures[key] = (
                            f"{failure}"[:900]
                            + f"\n  status {response.status_code}; "
                            + case.as_curl_command(headers=headers)[:600]
                        )

    try:
        run()
    except Unsatisfiable:
        stats["not_negatable" if mode.is_negative else "unsatisfiable"] += 1
    stats[f"{run_name} runs"] += 1


@pytest.mark.fuzz
def test_every_api_operation_as_every_role(api_schema, role_headers):
    # given: the operations that revoke the caller's own token (logout, logout-all, deleting a
    # device) go last, so that every role keeps its token for the others
    operations = sorted(
        (result.ok() for result in api_schema.get_all_operations()), key=_revokes_own_token
    )
    stats: Counter = Counter()
    failures: dict[tuple[str, str, str, str], str] = {}
    started = time.monotonic()
    # when
    for operation in operations:
        for run_name in RUNS:
            try:
                _fuzz_operation(operation, run_name, role_headers, stats, failures)
            except (Exception, BaseExceptionGroup) as error:
                failures[(operation.label, run_name, "-", type(error).__name__)] = f"{error}"[:1500]
    # then
    by_check = Counter(title for (_, _, _, title) in failures)
    failing_operations = {label for (label, _, _, _) in failures}
    print(
        f"\nschemathesis: {len(operations)} operations x {len(ROLES)} roles "
        f"({', '.join(ROLES)}) x up to {EXAMPLES} examples of each run ({', '.join(RUNS)}); "
        f"{stats['cases']} cases, {stats['calls']} calls, "
        f"{stats['existing ids runs']} operations also at existing ids, "
        f"{stats['not_negatable']} operations without negatable input, "
        f"in {time.monotonic() - started:.0f}s; "
        f"{len(failures)} distinct failures in {len(failing_operations)} operations"
        + "".join(f"\n  {count:4d}  {title}" for title, count in by_check.most_common())
    )
    assert len(operations) >= 140
    assert stats["calls"] >= len(operations) * len(ROLES)
    assert failures == {}, "\n\n".join(
        f"{label} [{mode}, {role}] {title}\n{text}"
        for (label, mode, role, title), text in sorted(failures.items())
    )
