"""What capability adds to other apps' pages through their panel seams."""

from __future__ import annotations

from organisation.rules import is_qi_admin

from .services import trained_in, training_record


def profile_context(person, viewer) -> dict | None:
    """A person's own training record on their profile (and for the QI department on their page)."""
    if viewer.pk != person.pk and not is_qi_admin(viewer):
        return None
    return {"record": training_record(person), "own": viewer.pk == person.pk}


def team_context(project, user) -> dict | None:
    """How many of the project team are trained, and in what (one query)."""
    members = getattr(project, "current_members", None)
    if members is None:
        members = list(project.members.filter(left_on__isnull=True))
    ids = [m.person_id for m in members]
    if not ids:
        return None
    trained = trained_in(ids)
    courses: dict[str, int] = {}
    for names in trained.values():
        for name in names:
            courses[name] = courses.get(name, 0) + 1
    return {"trained_count": len(trained), "team_size": len(ids), "courses": sorted(courses.items())}
