"""Who may do what with WalkRounds and their actions. Executives are the people holding the board role."""

from __future__ import annotations

import rules

from organisation.models import Directorate, Role
from organisation.rules import directorates_with_role, is_board_member, is_improvement_advisor, is_qi_admin

from . import accreditation

is_executive = is_board_member


@rules.predicate
def on_walkround(user, walkround) -> bool:
    return walkround is not None and any(e.pk == user.pk for e in walkround.executives.all())


@rules.predicate
def on_team_of(user, record) -> bool:
    return record is not None and user.team_id is not None and user.team_id == record.team_id


@rules.predicate
def owns_action(user, action) -> bool:
    return action is not None and action.owner_id == user.pk


can_record_walkrounds = is_executive | is_qi_admin
can_plan_walkrounds = is_executive | is_qi_admin
can_see_walkround = is_executive | is_qi_admin | on_team_of
# The WalkRound's executives and the QI department follow it up; the team starts ideas from it.
can_follow_up = on_walkround | is_qi_admin
can_update_action = owns_action | is_qi_admin | rules.predicate(
    lambda user, action: action is not None and action.walkround is not None
    and on_walkround(user, action.walkround))
can_start_idea = on_team_of | on_walkround | is_qi_admin

rules.add_perm("assurance.record_walkround", can_record_walkrounds)
rules.add_perm("assurance.plan_walkrounds", can_plan_walkrounds)
rules.add_perm("assurance.view_walkround", can_see_walkround)
rules.add_perm("assurance.follow_up_walkround", can_follow_up)
rules.add_perm("assurance.update_action", can_update_action)
rules.add_perm("assurance.start_idea", can_start_idea)


# Accreditation


@rules.predicate
def is_accreditation_lead(user) -> bool:
    return accreditation.is_lead(user)


@rules.predicate
def is_assessor(user) -> bool:
    return accreditation.is_assessor(user)


@rules.predicate
def assesses(user, assessment) -> bool:
    return assessment is not None and any(a.pk == user.pk for a in assessment.assessors.all())


@rules.predicate
def is_published(user, assessment) -> bool:
    return assessment is not None and assessment.is_published


@rules.predicate
def is_draft_assessment(user, assessment) -> bool:
    return assessment is not None and not assessment.is_published


can_run_accreditation = is_accreditation_lead  # QI admins count as leads
can_see_accreditation = is_accreditation_lead | is_assessor | is_executive
can_see_trust_accreditation = is_accreditation_lead | is_executive
can_see_assessment = is_accreditation_lead | is_executive | (is_assessor & assesses) | (is_published & on_team_of)
# Assessors record only their own visits; leads any, until the report is published.
can_judge = is_draft_assessment & (is_accreditation_lead | (is_assessor & assesses))
can_publish = is_draft_assessment & is_accreditation_lead
can_start_idea_from_area = is_published & (on_team_of | is_accreditation_lead)


# Huddles and escalation (objects here are teams, directorates and escalations)


def _directorate_id(obj) -> int | None:
    return obj.pk if isinstance(obj, Directorate) else getattr(obj, "directorate_id", None)


@rules.predicate
def is_of_team(user, team) -> bool:
    return team is not None and user.team_id is not None and user.team_id == team.pk


@rules.predicate
def leads_directorate(user, obj) -> bool:
    """Chairs, co-chairs and sponsors of the directorate (of a team, an escalation or the directorate itself)."""
    directorate_id = _directorate_id(obj) if obj is not None else None
    return directorate_id is not None and directorate_id in directorates_with_role(
        user, Role.FORUM_CHAIR, Role.FORUM_CO_CHAIR, Role.SPONSOR)


@rules.predicate
def of_directorate(user, obj) -> bool:
    directorate_id = _directorate_id(obj) if obj is not None else None
    return directorate_id is not None and user.directorate_id == directorate_id


@rules.predicate
def owns_escalation(user, escalation) -> bool:
    return escalation is not None and escalation.owner_id == user.pk


@rules.predicate
def has_team(user) -> bool:
    return getattr(user, "team_id", None) is not None


can_record_huddle = is_of_team | is_qi_admin
can_see_huddles = is_of_team | leads_directorate | is_executive | is_qi_admin | is_improvement_advisor
can_update_escalation = owns_escalation | leads_directorate | is_qi_admin
can_see_directorate_quality = of_directorate | leads_directorate | is_executive | is_qi_admin | is_improvement_advisor
can_issue_board_links = is_qi_admin
