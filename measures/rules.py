"""Who may read a measure, change its data, and change its definition."""

from __future__ import annotations

import rules

from organisation.rules import is_improvement_advisor, is_qi_admin
from projects.rules import can_view as can_view_project
from projects.rules import can_work_on as can_work_on_project


@rules.predicate
def can_view_measure(user, measure) -> bool:
    if not getattr(user, "is_authenticated", False) or measure is None:
        return False
    return measure.project_id is None or can_view_project(user, measure.project)


@rules.predicate
def can_enter_data(user, measure) -> bool:
    """Project measures: whoever works on the project. Team indicators: the team's own people,
    Improvement Advisors and the QI department. Whole System Measures: the owner and the QI department."""
    if not getattr(user, "is_authenticated", False) or measure is None:
        return False
    if measure.project_id:
        return can_work_on_project(user, measure.project)
    if is_qi_admin(user):
        return True
    if measure.team_id:
        return user.team_id == measure.team_id or is_improvement_advisor(user)
    return measure.owner_id == user.pk


@rules.predicate
def can_edit_measure(user, measure) -> bool:
    """The definition: a project's measures by whoever works on it; team and Whole System Measures by the
    QI department; Improvement Advisors may edit any."""
    if not getattr(user, "is_authenticated", False) or measure is None:
        return False
    if is_improvement_advisor(user) or is_qi_admin(user):
        return True
    return measure.project_id is not None and can_work_on_project(user, measure.project)


def can_add_measure_to(user, *, project=None, team=None) -> bool:
    if project is not None:
        return bool(can_work_on_project(user, project))
    return bool(is_qi_admin(user) or is_improvement_advisor(user))


rules.add_perm("measures.view_measure", can_view_measure)
rules.add_perm("measures.enter_data", can_enter_data)
rules.add_perm("measures.edit_measure", can_edit_measure)
rules.add_perm("measures.configure_spc", is_qi_admin)
