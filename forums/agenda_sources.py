"""Extra sections of a forum meeting's agenda that other apps supply (in their AppConfig.ready), so this app
never imports them: e.g. huddle escalations left unresolved in the directorate. Each source is asked when the
agenda page is drawn and must cost a fixed number of queries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ExtraItem:
    title: str
    url: str = ""
    detail: str = ""


@dataclass(frozen=True)
class ExtraSection:
    key: str
    title: str
    blurb: str = ""
    items: list[ExtraItem] = field(default_factory=list)


Source = Callable[[object], ExtraSection | None]  # given the Meeting
_sources: list[Source] = []


def register(source: Source) -> None:
    if source not in _sources:
        _sources.append(source)


def sections_for(meeting) -> list[ExtraSection]:
    return [s for s in (source(meeting) for source in _sources) if s is not None and s.items]
