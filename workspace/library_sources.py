"""What upper apps add to the learning library beside closed projects: programmes registers its evaluated
programmes' learning, so the library is the one place to search what the trust has learnt, and this app never
imports them.

    from workspace.library_sources import register
    register("programmes", evaluated_programmes)

`source(query, outcome)` returns at most a handful of `LibraryEntry`, newest first, matching every word of
`query` and the closure outcome value `outcome` ("" for any), in a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class LibraryEntry:
    kind: str  # e.g. "Improvement programme"
    title: str
    url: str
    outcome_label: str
    learning: str
    meta: str  # a line of who, where and when
    closed_on: dt.date | None = None


Source = Callable[[str, str], list[LibraryEntry]]
_sources: dict[str, Source] = {}


def register(name: str, source: Source) -> None:
    _sources[name] = source


def unregister(name: str) -> None:
    _sources.pop(name, None)


def entries(query: str = "", outcome: str = "") -> list[LibraryEntry]:
    found = [e for name in sorted(_sources) for e in _sources[name](query, outcome)]
    return sorted(found, key=lambda e: e.closed_on or dt.date.min, reverse=True)
