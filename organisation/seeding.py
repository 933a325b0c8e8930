"""The demo trust is built by steps that each app registers (in AppConfig.ready),
so `seed_demo` can live in the bottom layer without importing the apps above it."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class DemoContext:
    scale: int
    rng: random.Random
    today: object
    out: Callable[[str], None] = print
    # Filled by earlier steps for later ones: directorates, teams, people by key.
    data: dict[str, object] = field(default_factory=dict)


Step = Callable[[DemoContext], None]
_steps: list[tuple[int, str, Step]] = []


def register(order: int, name: str, step: Step) -> None:
    if any(n == name for _, n, _ in _steps):
        return
    _steps.append((order, name, step))
    _steps.sort(key=lambda item: item[0])


def steps() -> list[tuple[int, str, Step]]:
    return list(_steps)
