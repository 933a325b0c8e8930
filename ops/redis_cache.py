"""Django's Redis cache, made safe to lose: with Redis down a read is a miss and a write is dropped.

Everything the portal caches can be worked out again from the database (trust-wide figures, navigation
bars, agenda cases), so a cache that cannot be reached must cost a page its speed, never the page. After a
failed call the cache is left alone for `PAUSE_SECONDS` in this process, so that a Redis that hangs
(rather than refusing at once) costs one connect timeout every few seconds, not one per call.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

PAUSE_SECONDS = 5.0
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class RedisCache(DjangoRedisCache):
    """settings.CACHES backend: `ops.redis_cache.RedisCache`, with the same LOCATION and OPTIONS as Django's."""

    def __init__(self, server: str, params: dict) -> None:
        super().__init__(server, params)
        self._paused_until = 0.0

    def _call(self, method: str, fallback: Any, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() < self._paused_until:
            return fallback
        try:
            return getattr(super(), method)(*args, **kwargs)
        except UNREACHABLE as exc:
            if not self._paused_until or time.monotonic() - self._paused_until > PAUSE_SECONDS:
                log.warning("cache unreachable (%s): serving without it", exc)
            self._paused_until = time.monotonic() + PAUSE_SECONDS
            return fallback

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout, version=version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, key, value, timeout, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), data, timeout, version=version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def clear(self):
        return self._call("clear", False)
