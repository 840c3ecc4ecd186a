"""While Redis is unreachable the cache behaves as an empty one: pages, the API and its throttles
keep answering instead of failing with a 500."""

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": UNREACHABLE_REDIS},
    }


def test_the_cache_answers_like_an_empty_one_while_redis_is_down(redis_down):
    # when
    stored = cache.set("answer", 42)
    # then
    assert stored is None
    assert cache.get("answer", "missing") == "missing"
    assert cache.get_many(["answer"]) == {}
    assert cache.add("answer", 42) is False
    assert cache.delete("answer") is False


@pytest.mark.parametrize("path", ["/", "/technologies/", "/api/v1/technologies/"])
def test_pages_and_the_api_answer_while_redis_is_down(redis_down, client, path):
    # when
    response = client.get(path)
    # then
    assert response.status_code == 200
