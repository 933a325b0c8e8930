"""The navigation bar, assembled from entries each app registers in its AppConfig.ready.

Keeping a registry here lets upper apps add their pages without the bottom
layer importing them; each entry carries the predicate that decides who sees it.
Entries sharing a `group` become one drop-down menu, placed where its first entry falls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from django.urls import reverse


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    visible: Callable[[object], bool]
    order: int = 50
    group: str = ""


_entries: dict[str, NavEntry] = {}


def register(entry: NavEntry) -> None:
    _entries[entry.url_name] = entry
    _ordered.cache_clear()


@lru_cache(maxsize=1)
def _ordered() -> list[tuple[NavEntry, str]]:
    """Entries in menu order with their URLs, worked out once: the bar is drawn on every page."""
    return [(e, reverse(e.url_name)) for e in sorted(_entries.values(), key=lambda e: (e.order, e.label))]


def entries_for(user) -> list[dict]:
    """Top-level items for this person: links, and groups with `children` (a lone child stands alone)."""
    items: list[dict] = []
    groups: dict[str, dict] = {}
    for e, url in _ordered():
        if not e.visible(user):
            continue
        link = {"label": e.label, "url": url, "url_name": e.url_name}
        if not e.group:
            items.append(link)
        elif e.group in groups:
            groups[e.group]["children"].append(link)
        else:
            groups[e.group] = {"label": e.group, "children": [link], "url_name": f"group:{e.group}"}
            items.append(groups[e.group])
    return [item["children"][0] if "children" in item and len(item["children"]) == 1 else item for item in items]


def flat_url_names(user) -> list[str]:
    return [child["url_name"] for item in entries_for(user) for child in item.get("children", [item])]
