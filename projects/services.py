"""The project workflow. Every status change goes through transition()."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ops.cache import figures
from organisation.rules import is_qi_admin

from .models import (
    ALLOWED_TRANSITIONS,
    EventKind,
    MemberRole,
    Project,
    ProjectEvent,
    ProjectMember,
    ProjectStatus,
    Stage,
)


class TransitionError(Exception):
    """The project is not in a state that allows this move (often: someone else moved it first)."""


@dataclass(frozen=True)
class Transitioned:
    project: Project
    event: ProjectEvent


def transition(project: Project, to_status: str, *, by, summary: str, detail: str = "",
               kind: str = EventKind.STATUS, expected_from: str | None = None) -> Transitioned:
    """Move a project to `to_status`, guarded and recorded.

    The row is locked (select_for_update) and its status re-read inside the
    transaction, so two people acting at once cannot both move it: the second
    gets TransitionError. `expected_from` lets a caller insist on the status the
    person was looking at when they acted.
    """
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        current = locked.status
        if expected_from is not None and current != expected_from:
            raise TransitionError(f"This project is now “{locked.get_status_display()}”; nothing was changed.")
        if to_status not in ALLOWED_TRANSITIONS.get(current, set()):
            raise TransitionError(
                f"A project that is “{locked.get_status_display()}” cannot become "
                f"“{ProjectStatus(to_status).label}”."
            )
        locked.status = to_status
        now = timezone.now()
        fields = ["status", "updated_at"]
        if to_status == ProjectStatus.SUBMITTED:
            locked.submitted_at = now
            fields.append("submitted_at")
        elif to_status == ProjectStatus.ACTIVE and locked.approved_on is None:
            locked.approved_on = timezone.localdate()
            fields.append("approved_on")
        elif to_status in (ProjectStatus.COMPLETED, ProjectStatus.STOPPED):
            locked.closed_on = timezone.localdate()
            fields.append("closed_on")
        if to_status == ProjectStatus.ACTIVE and not locked.stage:
            locked.stage = Stage.UNDERSTAND
            fields.append("stage")
        locked.save(update_fields=fields)
        event = ProjectEvent.objects.create(project=locked, kind=kind, by=by, from_status=current,
                                            to_status=to_status, summary=summary[:300], detail=detail)
        for callback in _status_callbacks:
            callback(locked, from_status=current, to_status=to_status)
    project.refresh_from_db()
    return Transitioned(project, event)


def record_event(project: Project, *, kind: str, by, summary: str, detail: str = "") -> ProjectEvent:
    """A history row, and the project's last activity moves to it: `updated_at` is the project's version, which
    pieces remembered about it (a forum agenda's case of the idea) are stamped with."""
    event = ProjectEvent.objects.create(project=project, kind=kind, by=by, summary=summary[:300], detail=detail)
    project.updated_at = event.at
    Project.objects.filter(pk=project.pk).update(updated_at=event.at)
    return event


def create_idea(*, created_by, **fields) -> Project:
    """A new draft idea; its creator leads it and is its first team member."""
    priorities = fields.pop("priorities", ())
    objectives = fields.pop("objectives", ())
    with transaction.atomic():
        project = Project.objects.create(created_by=created_by, lead=fields.pop("lead", created_by), **fields)
        project.objectives.set(objectives)
        project.priorities.set(priorities)
        ProjectMember.objects.create(project=project, person=project.lead, role=MemberRole.LEAD,
                                     joined_on=timezone.localdate())
        record_event(project, kind=EventKind.STATUS, by=created_by, summary="Idea started as a draft")
    return project


def submit_idea(project: Project, *, by) -> Transitioned:
    """Send a draft or returned idea to its directorate forum. The forums app
    puts it on the next meeting's agenda (it listens through on_submitted)."""
    if not project.conditions_met:
        raise TransitionError("Confirm the three conditions before submitting the idea to the forum.")
    resubmission = project.status == ProjectStatus.RETURNED
    result = transition(project, ProjectStatus.SUBMITTED, by=by,
                        summary="Resubmitted to the QI forum" if resubmission else "Submitted to the QI forum")
    for callback in _submitted_callbacks:
        callback(result.project, resubmission=resubmission)
    return result


# The forums app registers here (AppConfig.ready) to put submitted ideas on an agenda,
# so this layer never imports it. This is an explicit call, not a Django signal.
_submitted_callbacks: list = []


def on_submitted(callback) -> None:
    if callback not in _submitted_callbacks:
        _submitted_callbacks.append(callback)


# Apps above (coaching keeps each coach's count of running projects) hear of every status change
# inside the transition's transaction.
_status_callbacks: list = []


def on_status_changed(callback) -> None:
    if callback not in _status_callbacks:
        _status_callbacks.append(callback)


_WORD = re.compile(r"[a-z0-9]+")
STOP_WORDS = set("""a an and are as at be by for from has have in into is it its of on or our that the their this to
we with will was were reduce reducing improve improving increase increasing project ward team service services
patients patient people staff""".split())  # noqa: SIM905


def keywords(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in STOP_WORDS}


def similar_projects(project: Project, *, user, limit: int = 5) -> list[tuple[Project, int]]:
    """Existing projects whose title or problem share words with this one: a light duplicate check.

    Candidates come from the database by any shared title word (a bounded query),
    then are ranked here by how many words they share.
    """
    words = keywords(project.title) | keywords(project.problem)
    title_words = sorted(keywords(project.title), key=len, reverse=True)[:6]
    if not title_words:
        return []
    match = Q()
    for word in title_words:
        match |= Q(title__icontains=word)
    candidates = (Project.objects.visible_to(user).exclude(pk=project.pk)
                  .exclude(status__in=[ProjectStatus.DRAFT, ProjectStatus.DECLINED])
                  .filter(match).select_related("team", "directorate")[:50])
    scored = []
    for other in candidates:
        shared = len(words & (keywords(other.title) | keywords(other.problem)))
        if shared >= 2:
            scored.append((other, shared))
    scored.sort(key=lambda item: -item[1])
    return scored[:limit]


def visible_count(user) -> int:
    """How many projects the person can see, without counting the whole portfolio on every list view:
    the trust-wide totals are remembered for a minute (ops.cache); the person's own drafts are counted fresh."""
    totals = figures("project-totals", lambda: {
        "all": Project.objects.count(), "not_draft": Project.objects.exclude(status=ProjectStatus.DRAFT).count()})
    if is_qi_admin(user):
        return totals["all"]
    return totals["not_draft"] + Project.objects.filter(status=ProjectStatus.DRAFT).involving(user).count()


def people_of(project: Project) -> set[int]:
    """The people a project's news reaches: lead, whoever started it, coach, sponsor, IA and the current team."""
    members = getattr(project, "current_members", None)  # pages that show a project prefetch them
    team = ([m.person_id for m in members] if members is not None else
            ProjectMember.objects.filter(project=project, left_on__isnull=True).values_list("person_id", flat=True))
    return {pk for pk in (project.lead_id, project.created_by_id, project.coach_id, project.sponsor_id,
                          project.advisor_id, *team) if pk}
