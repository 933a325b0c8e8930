"""The steps of the nightly job. Each app registers its own in AppConfig.ready,
so this layer never imports the apps above it."""

from __future__ import annotations

from collections.abc import Callable

Step = Callable[[], dict | None]
_steps: dict[str, Step] = {}


def register(name: str, step: Step) -> None:
    _steps[name] = step


def steps() -> dict[str, Step]:
    return dict(_steps)
