"""The contract-record list (API and page) and the batch export answer in a constant number of
queries: the same for 2 records as for 12."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.permissions import forget_memberships


def _count(user, path, *, api: bool) -> tuple[int, object]:
    client = APIClient() if api else Client()
    if api:
        client.force_authenticate(user)
    else:
        client.force_login(user)
    forget_memberships(user=user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries), response


# session and user (pages), memberships, count, rows; the reviewer's page counts the queue too
PINNED = {
    ("/api/v1/contract-records/", "seller"): 3,
    ("/api/v1/contract-records/", "reviewer"): 3,
    ("/registry/", "seller"): 5,
    ("/registry/", "reviewer"): 6,
    ("/registry/export/csv/", "seller"): 3,
    ("/registry/export/csv/", "reviewer"): 3,
}


@pytest.mark.parametrize(
    ("path", "api", "rows"),
    [
        ("/api/v1/contract-records/", True, lambda r, n: r.json()["count"] == n),
        (
            "/registry/",
            False,
            lambda r, n: r.content.decode().count('data-testid="record-row"') == n,
        ),
        (
            "/registry/export/csv/",
            False,
            lambda r, n: len(r.content.decode("utf-8-sig").strip().splitlines()) == n + 1,
        ),
    ],
)
@pytest.mark.parametrize("user_name", ["seller", "reviewer"])
def test_constant_queries(make_record, request, path, api, rows, user_name):
    # given
    user = request.getfixturevalue(user_name)
    for _ in range(2):
        make_record()
    # when
    few, response = _count(user, path, api=api)
    assert rows(response, 2)
    for _ in range(10):
        make_record()
    many, response = _count(user, path, api=api)
    # then
    assert rows(response, 12)
    assert few == many == PINNED[(path, user_name)]
