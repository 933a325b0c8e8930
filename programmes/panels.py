"""What programmes adds to a project's storyboard: a collaborative's team with no driver diagram of its own
works from its programme's theory of change, so its poster shows that one, named as the programme's."""

from __future__ import annotations

from workspace.diagram import PRINT_FONT

from . import reading
from .models import Enrolment


def storyboard_diagram_context(project, user) -> dict | None:
    """The programme's diagram for an enrolled team's storyboard (three queries; one when not enrolled)."""
    enrolment = (Enrolment.objects.filter(project=project).select_related("programme")
                 .order_by("-enrolled_on", "-pk").first())
    if enrolment is None:
        return None
    programme = enrolment.programme
    drivers, ideas = reading.driver_rows(programme)
    if not drivers:
        return None
    return {"programme": programme, "diagram": reading.diagram(programme, drivers, ideas, font=PRINT_FONT)}
