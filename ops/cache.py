"""Trust-wide figures that many pages show and that need not be exact to the second.

Each is computed at most once a minute per server process (or once a minute for all of
them when REDIS_URL gives a shared cache), and carries the time it was counted so the
page can say so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.utils import timezone

FIGURES_SECONDS = 60


def figures(key: str, compute: Callable[[], dict[str, Any]], seconds: int = FIGURES_SECONDS) -> dict[str, Any]:
    """`compute()` (a dict), remembered for `seconds`, with `counted_at` added."""
    cache_key = f"figures:{key}"
    value = cache.get(cache_key)
    if value is None:
        value = {**compute(), "counted_at": timezone.now()}
        cache.set(cache_key, value, seconds)
    return value
