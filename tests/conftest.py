import pytest
from rest_framework.test import APIClient

from catalog.taxonomy import load_taxonomy
from tests.factories import OrganizationFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_test_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The real sentence encoder loads once in its own integration test; the other tests match
    # lexically or pass a small fake (matching.embeddings.embedder_override).
    settings.MATCHING_EMBEDDINGS = False


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from currencies.selectors import forget_cached_rates

    cache.clear()
    # Today's exchange rates are kept for a minute per process: no test sees another's.
    forget_cached_rates()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def api_client_for():
    def make(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def organization(db):
    return OrganizationFactory()


@pytest.fixture
def owner(organization):
    return UserFactory(roles=["holder"], organization=organization)


@pytest.fixture
def member(organization):
    return UserFactory(roles=["holder"], organization=organization)


@pytest.fixture
def stranger(db):
    return UserFactory(roles=["holder"], organization=OrganizationFactory())


@pytest.fixture
def reviewer(db):
    return UserFactory(roles=["reviewer"])


DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


@pytest.fixture(autouse=True)
def _taxonomy_present(request):
    """The taxonomy comes from a data migration; a transactional test's flush removes it, so any
    test that touches the database gets it back first."""
    marker = request.node.get_closest_marker("django_db")
    fixtures = set(request.fixturenames)
    if marker is None and not fixtures & DATABASE_FIXTURES:
        return
    if marker is None:
        transactional = bool(fixtures & {"transactional_db", "live_server"})
        request.getfixturevalue("transactional_db" if transactional else "db")
    from catalog.models import Category

    if not Category.objects.exists():
        load_taxonomy(Category)
