"""Helpers that move a project through the real workflow services (no shortcuts in the data)."""

from forums.models import AgendaItem, Outcome
from forums.services import decide
from projects.services import submit_idea

from .factories import ProjectFactory


def submitted_idea(**kwargs):
    project = ProjectFactory(**kwargs)
    submit_idea(project, by=project.lead)
    project.refresh_from_db()
    return project


def agenda_item(project) -> AgendaItem:
    return AgendaItem.objects.filter(project=project, decision__isnull=True).select_related("meeting").latest("pk")


def approved_project(*, chair, coach, sponsor, advisor=None, override_reason="", **kwargs):
    project = submitted_idea(**kwargs)
    decide(agenda_item(project), outcome=Outcome.APPROVE, by=chair, rationale="A clear aim; go ahead.",
           coach=coach, sponsor=sponsor, advisor=advisor, override_reason=override_reason)
    project.refresh_from_db()
    return project
