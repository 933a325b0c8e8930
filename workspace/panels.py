"""Panels that upper apps (measures) add to the workspace's "How will we know?" section.

The measures app registers one from its AppConfig.ready, so this app never imports it:

    from workspace.panels import register
    register("measures", "measures/_workspace_panel.html", measures_context, order=10)

`context_fn(project, user)` returns the template's context (the project is added as `project`);
it returns None when the panel has nothing to show for this project. A panel with `section="team"` shows
in the team card instead (capability adds who on the team is trained).
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
    section: str = "measures"


@dataclass(frozen=True)
class PanelContent:
    panel: Panel
    context: dict


_panels: dict[str, Panel] = {}


def register(name: str, template: str, context_fn: Callable[[object, object], dict | None], order: int = 50,
             section: str = "measures") -> None:
    _panels[name] = Panel(name, template, context_fn, order, section)


def unregister(name: str) -> None:
    _panels.pop(name, None)


def panels_for(project, user, section: str = "measures") -> list[PanelContent]:
    out = []
    for panel in sorted((p for p in _panels.values() if p.section == section), key=lambda p: (p.order, p.name)):
        context = panel.context_fn(project, user)
        if context is not None:
            out.append(PanelContent(panel, {"project": project, **context}))
    return out


def render_panels(request, project, section: str = "measures") -> list[SafeString]:
    return [render_to_string(c.panel.template, c.context, request=request)
            for c in panels_for(project, request.user, section)]
