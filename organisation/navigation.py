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
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


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
    _entries_for.cache_clear()
    _menu_html.cache_clear()


@lru_cache(maxsize=1)
def _ordered() -> list[tuple[NavEntry, str]]:
    """Entries in menu order with their URLs, worked out once: the bar is drawn on every page."""
    return [(e, reverse(e.url_name)) for e in sorted(_entries.values(), key=lambda e: (e.order, e.label))]


def _visible(user) -> tuple[str, ...]:
    return tuple(e.url_name for e, _ in _ordered() if e.visible(user))


def entries_for(user) -> list[dict]:
    """Top-level items for this person: links, and groups with `children` (a lone child stands alone)."""
    return _entries_for(_visible(user))


@lru_cache(maxsize=512)
def _entries_for(visible: tuple[str, ...]) -> list[dict]:
    items: list[dict] = []
    groups: dict[str, dict] = {}
    shown = set(visible)
    for e, url in _ordered():
        if e.url_name not in shown:
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


def _link(css: str, link: dict, active: str) -> str:
    current = link["url_name"] == active
    return format_html('<a class="{}{}"{} href="{}" data-nav="{}">{}</a>', css, " active" if current else "",
                       mark_safe(' aria-current="page"') if current else "", link["url"], link["url_name"],
                       link["label"])


def menu_html(user, active: str) -> SafeString:
    """The bar's items as markup: the bar is on every page, and people holding the same roles see the same
    bar, so it is written once per set of visible entries and current page rather than through the template
    language on every view (a third of the layout's cost)."""
    return _menu_html(_visible(user), active or "")


@lru_cache(maxsize=2048)
def _menu_html(visible: tuple[str, ...], active: str) -> SafeString:
    parts = []
    for item in _entries_for(visible):
        if "children" in item:
            children = "".join(f"<li>{_link('dropdown-item', child, active)}</li>" for child in item["children"])
            parts.append(format_html(
                '<li class="nav-item dropdown"><a class="nav-link dropdown-toggle" href="#" role="button" '
                'data-bs-toggle="dropdown" aria-expanded="false" data-nav="{}">{}</a>'
                '<ul class="dropdown-menu">{}</ul></li>', item["url_name"], item["label"], mark_safe(children)))
        else:
            parts.append(format_html('<li class="nav-item">{}</li>', mark_safe(_link("nav-link", item, active))))
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped by format_html
