"""Who may do what with a programme. The lead and the QI department manage it; executive sponsors and the
enrolled teams' local sponsors see it and comment; everyone signed in reads a programme once it is past scoping."""

from __future__ import annotations

from organisation.rules import is_qi_admin

from .models import Programme


def may_manage(user, programme: Programme) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        is_qi_admin(user) or user.pk == programme.lead_id)


def sponsors_of(programme: Programme) -> set[int]:
    ids = getattr(programme, "_sponsor_ids", None)
    if ids is None:
        ids = {*programme.executive_sponsors.values_list("person_id", flat=True),
               *programme.enrolments.exclude(local_sponsor=None).values_list("local_sponsor_id", flat=True)}
        programme._sponsor_ids = ids
    return ids


def may_comment(user, programme: Programme) -> bool:
    return may_manage(user, programme) or getattr(user, "pk", None) in sponsors_of(programme)


def may_read(user, programme: Programme) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return not programme.is_draft or may_manage(user, programme) or user.pk in sponsors_of(programme)
