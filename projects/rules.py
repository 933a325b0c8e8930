"""Who may see and change a project. Role predicates come from organisation.rules."""

from __future__ import annotations

import rules

from organisation.rules import (
    can_submit_ideas,
    chairs_directorate,
    is_improvement_advisor,
    is_qi_admin,
)

from .models import ProjectStatus


def _is_on_team(user, project) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.pk in (project.lead_id, project.created_by_id):
        return True
    # Views that show a project prefetch current members as `current_members`.
    members = getattr(project, "current_members", None)
    if members is not None:
        return any(m.person_id == user.pk for m in members)
    return project.members.filter(person=user, left_on__isnull=True).exists()


@rules.predicate
def is_on_team(user, project) -> bool:
    return project is not None and _is_on_team(user, project)


@rules.predicate
def is_project_coach_or_sponsor(user, project) -> bool:
    return project is not None and user.pk in (project.coach_id, project.sponsor_id, project.advisor_id)


@rules.predicate
def is_draft(user, project) -> bool:
    return project is not None and project.status == ProjectStatus.DRAFT


@rules.predicate
def is_editable_idea(user, project) -> bool:
    return project is not None and project.is_editable_idea


@rules.predicate
def chairs_projects_forum(user, project) -> bool:
    return project is not None and chairs_directorate(user, project.directorate_id)


can_view = ~is_draft | is_on_team | is_qi_admin
# The team (and QI admins) shape the idea until the forum has it; after approval the
# workspace (a later app) has its own, wider, edit rule.
can_edit_idea = is_editable_idea & (is_on_team | is_qi_admin)
can_work_on = is_on_team | is_project_coach_or_sponsor | is_improvement_advisor | is_qi_admin
can_discuss = can_view & (can_work_on | chairs_projects_forum)

rules.add_perm("projects.submit_idea", can_submit_ideas)
rules.add_perm("projects.view_project", can_view)
rules.add_perm("projects.edit_idea", can_edit_idea)
rules.add_perm("projects.work_on_project", can_work_on)
rules.add_perm("projects.decide_project", chairs_projects_forum)
