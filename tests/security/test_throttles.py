"""Rate limits: the `auth` scope on sign-in and registration, the `write` scope on every unsafe
API request. The real rates are high in tests (pyproject's env); each test sets a tiny one."""

import pytest
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(monkeypatch):
    def set_rates(**overrides):
        rates = dict(SimpleRateThrottle.THROTTLE_RATES)
        rates.update(overrides)
        # DRF reads the rates into the class once at import; patch the class, not the setting.
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)

    return set_rates


def test_the_token_endpoint_is_throttled_by_the_auth_scope(api_client, rates):
    # given
    rates(auth="3/minute")
    payload = {"email": "nobody@example.com", "password": "x"}
    # when
    statuses = [
        api_client.post("/api/v1/auth/token/", payload, format="json").status_code for _ in range(4)
    ]
    # then
    assert statuses == [400, 400, 400, 429]


def test_registration_is_throttled_by_the_auth_scope(api_client, rates):
    # given
    rates(auth="2/minute")
    # when
    statuses = [
        api_client.post("/api/v1/auth/register/", {}, format="json").status_code for _ in range(3)
    ]
    # then
    assert statuses == [400, 400, 429]


def test_unsafe_api_requests_are_throttled_by_the_write_scope_but_reads_are_not(
    api_client_for, rates
):
    # given
    rates(write="2/minute")
    client = api_client_for(UserFactory(roles=["holder"]))
    # when
    writes = [
        client.post("/api/v1/saved-searches/", {}, format="json").status_code for _ in range(3)
    ]
    reads = [client.get("/api/v1/technologies/").status_code for _ in range(3)]
    # then
    assert writes == [400, 400, 429]
    assert reads == [200, 200, 200]
    assert client.post("/api/v1/saved-searches/", {}, format="json").json()["code"] == "throttled"


def test_the_write_limit_counts_per_user(api_client_for, rates):
    # given
    rates(write="1/minute")
    first = api_client_for(UserFactory(roles=["holder"]))
    second = api_client_for(UserFactory(roles=["holder"]))
    first.post("/api/v1/saved-searches/", {}, format="json")
    # when
    response = second.post("/api/v1/saved-searches/", {}, format="json")
    # then
    assert response.status_code == 400
