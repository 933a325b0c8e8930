"""The demo trust is built by steps that each app registers (in AppConfig.ready),
so `seed_demo` can live in the bottom layer without importing the apps above it."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone


@dataclass
class DemoContext:
    scale: int
    rng: random.Random
    today: object
    out: Callable[[str], None] = print
    # Filled by earlier steps for later ones: directorates, teams, people by key.
    data: dict[str, object] = field(default_factory=dict)


def moment(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """That day at that time, or, when that is still to come (an idea heading for next month's meeting
    'submitted' a week before it), earlier today: nothing in the demo has happened in the future. Later
    hours stay later, so a project's history keeps its order."""
    when = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())
    return min(when, timezone.now() - dt.timedelta(hours=24 - hour, minutes=-minute))


Step = Callable[[DemoContext], None]
_steps: list[tuple[int, str, Step]] = []


def register(order: int, name: str, step: Step) -> None:
    if any(n == name for _, n, _ in _steps):
        return
    _steps.append((order, name, step))
    _steps.sort(key=lambda item: item[0])


def steps() -> list[tuple[int, str, Step]]:
    return list(_steps)
