"""What can carry a discussion: each app registers its model with who may read, who may write and who takes
part (hears of new comments), so this app never imports the apps above it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class Target:
    model: type[models.Model]
    can_read: Callable[[object, models.Model], bool]
    can_write: Callable[[object, models.Model], bool]
    participants: Callable[[models.Model], Iterable[int]]  # user ids who hear of every new comment
    select_related: tuple[str, ...] = ()


_targets: dict[str, Target] = {}


def label(model: type[models.Model]) -> str:
    return model._meta.label_lower  # "projects.project"


def register(target: Target) -> None:
    _targets[label(target.model)] = target


def get(name: str) -> Target | None:
    return _targets.get(name)


def for_object(obj: models.Model) -> Target:
    return _targets[label(type(obj))]
