"""Read replica (#17 part 4): public searches, listings and statistics read from the replica,
everything else from the primary, and a user who just wrote reads from the primary.

The replica here is a second alias on the test database, configured as production configures
DATABASE_REPLICA_URL (read-only sessions, TEST MIRROR of default), with a connection of its own.
That connection does not see what a test writes inside its transaction, so it behaves like a
replica that has not replayed those writes yet: a read served by the primary finds them, a read
served by the replica does not, and CaptureQueriesContext on each alias shows which one served
the statement.
"""

import copy
import time

import pytest
from django.core import signing
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from rest_framework.test import APIClient

from catalog.choices import TechnologyStatus
from catalog.models import Category, SearchResultCache, Technology
from core import db, status
from tests.catalog.conftest import make_technology, technology_data

REPLICA = db.REPLICA_DB_ALIAS
pytestmark = pytest.mark.django_db(databases=[DEFAULT_DB_ALIAS, REPLICA])
API = "/api/v1/technologies/"
SEARCH_STATEMENT = "WITH every_match"  # the exact scan of catalog.selectors


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup, django_db_blocker):
    """A "replica" alias as config/settings.py builds it from DATABASE_REPLICA_URL."""
    replica = copy.deepcopy(connections.settings[DEFAULT_DB_ALIAS])  # the test database by now
    replica["TEST"] = {**replica["TEST"], "MIRROR": DEFAULT_DB_ALIAS}
    replica.setdefault("OPTIONS", {})["options"] = "-c default_transaction_read_only=on"
    connections.settings[REPLICA] = replica
    try:
        with override_settings(DATABASE_ROUTERS=["core.db.ReplicaRouter"]):
            yield
    finally:
        with django_db_blocker.unblock():
            connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]


class Served:
    """The statements each alias ran inside the block."""

    def __enter__(self):
        self.primary = CaptureQueriesContext(connections[DEFAULT_DB_ALIAS])
        self.replica = CaptureQueriesContext(connections[REPLICA])
        self.primary.__enter__()
        self.replica.__enter__()
        return self

    def __exit__(self, *exc):
        self.replica.__exit__(*exc)
        self.primary.__exit__(*exc)

    def on_primary(self, fragment: str) -> bool:
        return any(fragment in query["sql"] for query in self.primary.captured_queries)

    def on_replica(self, fragment: str) -> bool:
        return any(fragment in query["sql"] for query in self.replica.captured_queries)


def _old_pin_cookie(seconds_ago: int, monkeypatch) -> str:
    now = time.time()
    monkeypatch.setattr(signing.time, "time", lambda: now - seconds_ago)
    value = signing.get_cookie_signer(salt=db.PIN_COOKIE + db._PIN_SALT).sign("1")
    monkeypatch.undo()
    return value


# --- routing ---------------------------------------------------------------------------------


def test_the_replica_is_configured_and_read_only_selectors_are_told_to_use_it():
    assert db.replica_configured()
    assert db.read_replica() == REPLICA


def test_inside_a_transaction_reads_stay_on_the_primary():
    with transaction.atomic():
        assert db.read_replica() == DEFAULT_DB_ALIAS
    assert db.read_replica() == REPLICA


def test_an_object_read_from_the_replica_is_saved_to_the_primary_and_migrations_skip_it():
    # given a row as read from the (read-only) replica: Django remembers where it came from
    category = Category.objects.order_by("pk").first()
    category._state.db = REPLICA
    # when it is saved
    with Served() as served:
        category.save(update_fields=["sort_key"])
    # then the primary took the write (the replica would refuse it)
    assert served.on_primary("UPDATE")
    assert not served.replica.captured_queries
    assert router.db_for_write(Category, instance=category) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(REPLICA, "catalog") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "catalog") is True
    assert router.allow_relation(category, Category.objects.order_by("pk").first()) is True


# --- anonymous reads go to the replica ---------------------------------------------------------


def test_an_anonymous_search_is_read_from_the_replica(client, owner):
    # given a listing published on the primary that the replica has not replayed yet
    make_technology(owner, status=TechnologyStatus.PUBLISHED)
    # when someone searches the catalogue, page and API
    with Served() as served:
        page = client.get("/technologies/?q=废水")
        api = APIClient().get(API, {"q": "废水"})
    # then the search statement and the rows came from the replica, which has not seen it yet
    assert page.status_code == 200 and api.status_code == 200
    assert served.on_replica(SEARCH_STATEMENT)
    assert not served.on_primary(SEARCH_STATEMENT)
    assert api.json()["count"] == 0
    # the primary does have it: what a pinned reader gets
    assert Technology.objects.filter(status=TechnologyStatus.PUBLISHED).count() == 1


def test_the_public_need_list_and_the_statistics_are_read_from_the_replica(client):
    with Served() as served:
        assert client.get("/exchange/needs/").status_code == 200
        assert client.get("/insight/statistics/").status_code == 200
    assert served.on_replica('FROM "exchange_need"')
    assert not served.on_primary('FROM "exchange_need"')
    assert served.on_replica('FROM "insight_statisticsrun"')
    assert not served.on_primary('FROM "insight_statisticsrun"')


# --- read-your-own-writes -----------------------------------------------------------------------


def test_a_holder_who_just_created_a_listing_finds_it_through_the_api_token_path(owner):
    # given a holder authenticated per request (no cookies kept, like a token client)
    writer = APIClient()
    writer.force_authenticate(owner)
    created = writer.post(API, technology_data(), format="json")
    assert created.status_code == 201
    # when the same user lists the catalogue from another client
    reader = APIClient()
    reader.force_authenticate(owner)
    with Served() as served:
        mine = reader.get(API, {"q": "废水"})
    # then the primary answered and the new draft is there
    assert [row["id"] for row in mine.json()["results"]] == [created.json()["id"]]
    assert served.on_primary(SEARCH_STATEMENT)
    assert not served.on_replica(SEARCH_STATEMENT)


def test_another_user_still_reads_from_the_replica_after_someone_elses_write(owner, stranger):
    writer = APIClient()
    writer.force_authenticate(owner)
    assert writer.post(API, technology_data(), format="json").status_code == 201
    other = APIClient()
    other.force_authenticate(stranger)
    with Served() as served:
        listed = other.get(API, {"q": "废水"})
    assert listed.json()["count"] == 0
    assert served.on_replica(SEARCH_STATEMENT)


def test_a_browser_that_just_wrote_is_pinned_by_its_cookie_until_it_expires(
    client, owner, monkeypatch
):
    # given a signed-in browser that creates a listing
    client.force_login(owner)
    created = client.post(API, technology_data(), content_type="application/json")
    assert created.status_code == 201
    cookie = created.cookies[db.PIN_COOKIE]
    assert cookie["max-age"] == 10 and cookie["httponly"]
    cache.clear()  # the cookie alone pins the browser
    # when it searches its listings right away, then it finds the new draft on the primary
    with Served() as served:
        mine = client.get(API, {"q": "废水"})
    assert [row["id"] for row in mine.json()["results"]] == [created.json()["id"]]
    assert not served.on_replica(SEARCH_STATEMENT)
    # and once the cookie is older than REPLICA_PIN_SECONDS it reads from the replica again
    client.cookies[db.PIN_COOKIE] = _old_pin_cookie(11, monkeypatch)
    with Served() as served:
        assert client.get(API, {"q": "废水"}).json()["count"] == 0
    assert served.on_replica(SEARCH_STATEMENT)


def test_a_refused_write_does_not_pin_and_a_forged_cookie_does_not_either(client, owner):
    client.force_login(owner)
    refused = client.post(API, technology_data(trl=0), content_type="application/json")
    assert refused.status_code == 400
    assert db.PIN_COOKIE not in refused.cookies
    client.cookies[db.PIN_COOKIE] = "1"  # not signed by the server
    with Served() as served:
        client.get(API, {"q": "废水"})
    assert served.on_replica(SEARCH_STATEMENT)


def test_the_write_request_itself_reads_from_the_primary(owner):
    holder = APIClient()
    holder.force_authenticate(owner)
    with Served() as served:
        assert holder.post(API, technology_data(), format="json").status_code == 201
    assert not served.replica.captured_queries


# --- the search cache stays on the primary ------------------------------------------------------


def test_a_cache_miss_read_from_the_replica_is_kept_only_if_the_replica_had_caught_up(
    client, settings, monkeypatch
):
    settings.CATALOG_SEARCH_CACHE_MIN_MATCHES = 0
    # a replica that cannot say it replayed the primary's changes (not a standby): served, not kept
    assert client.get("/technologies/?q=废水").status_code == 200
    assert not SearchResultCache.objects.exists()
    # a standby that has replayed past the primary's position when the generation was read
    positions = []

    def replayed(alias, position):
        positions.append((alias, position))
        return True

    monkeypatch.setattr("catalog.search_cache.read_from_replica_is_complete", replayed)
    assert client.get("/technologies/?q=废水").status_code == 200
    assert SearchResultCache.objects.count() == 1
    assert positions[0][0] == REPLICA and "/" in positions[0][1]  # an LSN read on the primary


def test_the_replay_check_asks_the_replica_and_refuses_an_alias_that_is_not_a_standby():
    position = connections[DEFAULT_DB_ALIAS].cursor()
    with position as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        lsn = cursor.fetchone()[0]
    assert db.read_from_replica_is_complete(REPLICA, lsn) is False
    assert db.read_from_replica_is_complete(REPLICA, None) is False


# --- health -------------------------------------------------------------------------------------


def test_the_health_check_reports_the_replica_without_failing_because_of_it(client, monkeypatch):
    # the test replica answers but is not a standby: nothing is being replayed
    health = client.get("/healthz").json()
    assert health["replica"] == {"state": "late", "lag_seconds": None}
    assert 'data-testid="status-replica"' in client.get("/status/").content.decode()

    monkeypatch.setattr(db, "replica_state", lambda: db.ReplicaState(True, 2.5))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["replica"] == {"state": "ok", "lag_seconds": 2.5}

    monkeypatch.setattr(db, "replica_state", lambda: db.ReplicaState(True, 120.0))
    assert client.get("/healthz").json()["replica"]["state"] == "late"

    monkeypatch.setattr(db, "replica_state", lambda: db.ReplicaState(False, None))
    response = client.get("/healthz")
    assert response.status_code == 200  # the primary still serves every write
    assert response.json()["replica"] == {"state": "down", "lag_seconds": None}
    page = client.get("/status/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 503
    assert "只读副本" in page.content.decode()


def test_the_replica_state_query_runs_on_the_replica():
    with Served() as served:
        state = db.replica_state()
    assert state == db.ReplicaState(answers=True, lag_seconds=None)
    assert served.on_replica("pg_last_xact_replay_timestamp()")
    assert [check.code for check in status.service_checks()][-1] == "replica"
