"""Who may change a project's workspace. Reading is open: approved projects are everyone's learning."""

from __future__ import annotations

import rules

from organisation.rules import is_improvement_advisor, is_qi_admin
from projects.rules import can_work_on, chairs_projects_forum, is_on_team, is_project_coach_or_sponsor


@rules.predicate
def leads_project(user, project) -> bool:
    return project is not None and getattr(user, "pk", None) == project.lead_id


# Moving the project through the sequence of improvement is for the people who steer it.
can_move_stage = leads_project | is_project_coach_or_sponsor | is_improvement_advisor | is_qi_admin
can_request_closure = leads_project | is_qi_admin
can_tell_story = is_on_team | is_qi_admin

rules.add_perm("workspace.edit", can_work_on)
rules.add_perm("workspace.move_stage", can_move_stage)
rules.add_perm("workspace.request_closure", can_request_closure)
rules.add_perm("workspace.review_closure", chairs_projects_forum)
rules.add_perm("workspace.tell_story", can_tell_story)
