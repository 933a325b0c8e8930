"""Who may do what with courses and cohorts, built from organisation's role predicates."""

from __future__ import annotations

from organisation.models import Role
from organisation.rules import directorates_with_role, is_board_member, is_qi_admin


def can_manage_courses(user) -> bool:
    return is_qi_admin(user)


def facilitates(user, cohort) -> bool:
    return cohort.facilitators.filter(pk=user.pk).exists()


def can_manage_cohort(user, cohort) -> bool:
    """QI admins, and the cohort's own facilitators: they edit it and record its attendance."""
    return is_qi_admin(user) or facilitates(user, cohort)


def nominating_directorates(user) -> set[int]:
    """The directorates whose staff a person may nominate: as their service's manager (sponsor) or as
    forum chair or co-chair."""
    return directorates_with_role(user, Role.SPONSOR, Role.FORUM_CHAIR, Role.FORUM_CO_CHAIR)


def can_nominate(user) -> bool:
    return is_qi_admin(user) or bool(nominating_directorates(user))


def can_see_dashboard(user) -> bool:
    return is_qi_admin(user) or is_board_member(user)
