"""Django's Redis cache, answering like an empty cache while Redis is unreachable.

Everything the cache holds here can be recomputed (rendered statistics, corpus statistics,
holder standing) or may be forgotten for a while (API throttle and login rate counters), so a
Redis restart should slow pages down, not fail them with a 500. While Redis does not answer,
reads miss and writes are dropped (a deletion dropped then leaves the old entry until it
expires); after a failure the cache does not try again for
`RETRY_AFTER_SECONDS`, so an unreachable server costs one connection timeout, not one per call.
Rate limits are not enforced during that time.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5.0
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)  # includes "loading the dataset"


class DegradingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._retry_at = 0.0

    def _attempt(self, operation: str, fallback, call, *args):
        if time.monotonic() < self._retry_at:
            return fallback
        try:
            return call(*args)
        except UNAVAILABLE as error:
            self._retry_at = time.monotonic() + RETRY_AFTER_SECONDS
            logger.warning("cache unavailable, %s skipped: %s", operation, error)
            return fallback

    def get(self, key, default):
        return self._attempt("get", default, super().get, key, default)

    def get_many(self, keys):
        return self._attempt("get_many", {}, super().get_many, keys)

    def has_key(self, key):
        return self._attempt("has_key", False, super().has_key, key)

    def add(self, key, value, timeout):
        return self._attempt("add", False, super().add, key, value, timeout)

    def set(self, key, value, timeout):
        return self._attempt("set", None, super().set, key, value, timeout)

    def set_many(self, data, timeout):
        return self._attempt("set_many", None, super().set_many, data, timeout)

    def touch(self, key, timeout):
        return self._attempt("touch", False, super().touch, key, timeout)

    def delete(self, key):
        return self._attempt("delete", False, super().delete, key)

    def delete_many(self, keys):
        return self._attempt("delete_many", None, super().delete_many, keys)


class DegradingRedisCache(RedisCache):
    """`django.core.cache.backends.redis.RedisCache` that degrades to an empty cache while
    Redis is down (`incr` and `clear` still raise: they cannot pretend to have worked)."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = DegradingRedisCacheClient
