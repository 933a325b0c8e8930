"""The measures panels in a project's workspace ("How will we know?") and in its storyboard (the key chart),
registered in MeasuresConfig.ready."""

from __future__ import annotations

from django.utils.safestring import mark_safe

from .models import Measure, SignalEvent
from .rendering import load_snapshot
from .rules import can_add_measure_to
from .services import load_summary
from .svgchart import measure_svg


def project_panel_context(project, user) -> dict:
    """The project's measures with latest value, icons and a sparkline, its latest new signals; an add link."""
    measures = list(Measure.objects.filter(project=project, active=True).for_list())
    return {"measure_rows": load_summary(measures), "can_add_measure": can_add_measure_to(user, project=project),
            "signal_events": SignalEvent.objects.filter(measure__project=project).select_related("measure")[:5]}


def storyboard_chart_context(project, user) -> dict:
    """The storyboard's key chart: the project's first outcome measure (else its first measure) drawn as a
    static SVG from its chart snapshot, with its Making Data Count icons and what the chart says."""
    measures = list(Measure.objects.filter(project=project, active=True).key_first().only(
        "pk", "name", "measure_type", "unit", "period", "updated_at", "project_id"))
    if not measures:
        return {"measure": None}
    measure = measures[0]
    snapshot = load_snapshot(measure)
    chart = ""
    if snapshot is not None and snapshot.figure:
        chart = measure_svg({"name": measure.name, "figure": snapshot.figure, "reading": snapshot.reading},
                            width=470, height=180)
    return {"measure": measure, "snapshot": snapshot, "others": len(measures) - 1,
            "chart": mark_safe(chart)}  # noqa: S308 - svgchart escapes every text it writes from the data
