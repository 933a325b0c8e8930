"""ops.redis_cache: with Redis down the cache is a miss, never an error page."""

import time

import pytest

from ops import redis_cache


@pytest.fixture
def cache():
    # Nothing listens on port 1: every call is refused at once, as with Redis stopped.
    return redis_cache.RedisCache("redis://127.0.0.1:1/13", {"OPTIONS": {"socket_connect_timeout": 0.5}})


def test_reads_are_misses_and_writes_are_dropped_when_redis_is_down(cache):
    assert cache.get("figures", "default") == "default"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.has_key("a") is False
    assert cache.set("a", 1) is None
    assert cache.add("a", 1) is False
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert cache.delete("a") is False
    assert cache.delete_many(["a"]) is None
    assert cache.touch("a") is False
    assert cache.clear() is False
    assert cache.get_or_set("n", 5) == 5  # computed, as on a miss


def test_after_a_failure_redis_is_left_alone_for_a_few_seconds(cache, monkeypatch):
    cache.get("a")
    calls = []
    monkeypatch.setattr(redis_cache.DjangoRedisCache, "get", lambda *a, **k: calls.append(a))
    assert cache.get("a", "miss") == "miss" and calls == []
    cache._paused_until = time.monotonic() - 1  # the pause is over: try Redis again
    cache.get("a")
    assert len(calls) == 1


def test_the_settings_use_it_when_a_cache_url_is_given():
    import importlib
    import os

    from qiportal import settings as project_settings

    os.environ["CACHE_URL"] = "redis://127.0.0.1:6379/13"
    try:
        reloaded = importlib.reload(project_settings)
        assert reloaded.CACHES["default"]["BACKEND"] == "ops.redis_cache.RedisCache"
    finally:
        del os.environ["CACHE_URL"]
        importlib.reload(project_settings)
