"""Every role check in the product starts here.

A person's roles are read once per request (one query) and cached on the user
object; the predicates below are combined by each app's own rules.py into
object permissions, and views ask `request.user.has_perm(...)` or use the
helpers here. Superusers count as QI admins.
"""

from __future__ import annotations

import rules

from .models import Role


def role_set(user) -> frozenset[tuple[str, int | None]]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_qi_role_set", None)
    if cached is None:
        cached = frozenset(user.role_assignments.values_list("role", "directorate_id"))
        user._qi_role_set = cached
    return cached


def has_role(user, role: str) -> bool:
    return any(r == role for r, _ in role_set(user))


def directorates_with_role(user, *roles: str) -> set[int]:
    return {d for r, d in role_set(user) if r in roles and d is not None}


@rules.predicate
def is_qi_admin(user) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active) or has_role(user, Role.QI_ADMIN)


@rules.predicate
def is_staff_member(user) -> bool:
    return has_role(user, Role.STAFF)


@rules.predicate
def is_service_user(user) -> bool:
    return has_role(user, Role.SERVICE_USER)


@rules.predicate
def is_coach(user) -> bool:
    return has_role(user, Role.COACH)


@rules.predicate
def is_improvement_advisor(user) -> bool:
    return has_role(user, Role.IMPROVEMENT_ADVISOR)


@rules.predicate
def is_sponsor(user) -> bool:
    return has_role(user, Role.SPONSOR)


@rules.predicate
def is_forum_chair(user) -> bool:
    """Chair or co-chair of any directorate's forum."""
    return bool(directorates_with_role(user, Role.FORUM_CHAIR, Role.FORUM_CO_CHAIR))


@rules.predicate
def is_board_member(user) -> bool:
    return has_role(user, Role.BOARD)


@rules.predicate
def chairs_directorate(user, directorate) -> bool:
    if directorate is None:
        return False
    directorate_id = getattr(directorate, "pk", directorate)
    return directorate_id in directorates_with_role(user, Role.FORUM_CHAIR, Role.FORUM_CO_CHAIR)


can_submit_ideas = is_staff_member | is_service_user | is_qi_admin
can_see_coaching = is_coach | is_improvement_advisor | is_qi_admin

rules.add_perm("organisation.manage", is_qi_admin)
rules.add_perm("organisation.view_directory", rules.is_authenticated)

