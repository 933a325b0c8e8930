"""Panels that upper apps add to a person's profile page (their own) and person page (as others see it).

    from organisation.panels import register
    register("training", "capability/_profile_panel.html", training_context, order=10)

`context_fn(person, viewer)` returns the template's context (`person` is added), or None to show nothing:
each app decides who may see what it adds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    context_fn: Callable[[object, object], dict | None]
    order: int = 50


_panels: dict[str, Panel] = {}


def register(name: str, template: str, context_fn: Callable[[object, object], dict | None], order: int = 50) -> None:
    _panels[name] = Panel(name, template, context_fn, order)


def render_panels(request, person) -> list[SafeString]:
    out = []
    for panel in sorted(_panels.values(), key=lambda p: (p.order, p.name)):
        context = panel.context_fn(person, request.user)
        if context is not None:
            out.append(render_to_string(panel.template, {"person": person, **context}, request=request))
    return out
