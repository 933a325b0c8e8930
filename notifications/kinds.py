"""The kinds of notice the product sends, each registered by the app that sends it (in AppConfig.ready).

A kind says what the person hears of (its label, shown on their settings) and how it reaches them unless
they choose otherwise: in the app only, in the app and by e-mail at once, in the app and in a daily digest,
or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Delivery(models.TextChoices):
    IN_APP = "in_app", "In the portal only"
    IMMEDIATE = "immediate", "In the portal and by e-mail at once"
    DIGEST = "digest", "In the portal and in a daily e-mail digest"
    OFF = "off", "Not at all"


@dataclass(frozen=True)
class Kind:
    name: str  # stored on each notification, e.g. "forum_decision"
    label: str  # "Forum decisions on your ideas"
    default: str = Delivery.IN_APP
    order: int = 50


_kinds: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    _kinds[kind.name] = kind
    return kind


def get(name: str) -> Kind:
    """The kind called `name`; one no app registers (any more) reads as in-app only."""
    return _kinds.get(name) or Kind(name, name.replace("_", " ").capitalize())


def all_kinds() -> list[Kind]:
    return sorted(_kinds.values(), key=lambda k: (k.order, k.label))
