"""Schemathesis against /api/schema/, authenticated as every demo role (and anonymous), over
every operation of the API: no 5xx, and status codes, content types and bodies as documented.

Bounded here (FUZZ_EXAMPLES per operation, default 2); `make fuzz` runs many more. Operations
of apps still being built (programmes, insight) are fuzzed by `make fuzz` only (FUZZ_ALL=1).
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import checks

from tests.security.world import ROLES, demo_user

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2"))
IN_PROGRESS = r"^/api/v1/(programmes|experts|evaluations|events|challenges|stats)"
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
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
def api_schema(world, db, keep_test_connection):
    from config.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    if not os.environ.get("FUZZ_ALL"):
        schema = schema.exclude(path_regex=IN_PROGRESS)
    return schema


@pytest.fixture
def role_headers(world, db) -> dict[str, dict[str, str]]:
    from tests.factories import api_token_for

    headers = {"anonymous": {}}
    for role in ROLES[1:]:
        headers[role] = {"Authorization": f"Token {api_token_for(demo_user(role))}"}
    return headers


def _fuzz_operation(operation, role_headers) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        for role in ROLES:
            response = case.call(headers=role_headers[role])
            case.validate_response(response, checks=CHECKS, headers=role_headers[role])

    run()


@pytest.mark.fuzz
def test_every_api_operation_as_every_role(api_schema, role_headers):
    # given
    operations = [result.ok() for result in api_schema.get_all_operations()]
    failures = {}
    # when
    for operation in operations:
        try:
            _fuzz_operation(operation, role_headers)
        except (Exception, BaseExceptionGroup) as error:  # collect all: one run shows every problem
            failures[operation.label] = f"{type(error).__name__}: {error}"[:1500]
    # then
    print(f"fuzzed {len(operations)} operations x {len(ROLES)} roles, {EXAMPLES} examples each")
    assert len(operations) > 80
    assert failures == {}, "\n\n".join(f"{label}\n{text}" for label, text in failures.items())
