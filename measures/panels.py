"""The measures panel in a project's workspace ("How will we know?"), registered in MeasuresConfig.ready."""

from __future__ import annotations

from .models import Measure, SignalEvent
from .rules import can_add_measure_to
from .services import load_summary


def project_panel_context(project, user) -> dict:
    """The project's measures with latest value, icons and a sparkline, its latest new signals; an add link."""
    measures = list(Measure.objects.filter(project=project, active=True).for_list())
    return {"measure_rows": load_summary(measures), "can_add_measure": can_add_measure_to(user, project=project),
            "signal_events": SignalEvent.objects.filter(measure__project=project).select_related("measure")[:5]}
