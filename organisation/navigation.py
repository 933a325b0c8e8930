"""The navigation bar, assembled from entries each app registers in its AppConfig.ready.

Keeping a registry here lets upper apps add their pages without the bottom
layer importing them; each entry carries the predicate that decides who sees it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    visible: Callable[[object], bool]
    order: int = 50
    icon: str = ""


_entries: dict[str, NavEntry] = {}


def register(entry: NavEntry) -> None:
    _entries[entry.url_name] = entry


def entries_for(user) -> list[dict[str, str]]:
    return [
        {"label": e.label, "url": reverse(e.url_name), "url_name": e.url_name}
        for e in sorted(_entries.values(), key=lambda e: (e.order, e.label))
        if e.visible(user)
    ]
