"""An idea's case on a forum agenda (forums/_idea.html: aim, problem, conditions, alignment, team, history
at the forum) is the same for every reader, so it is rendered once and remembered per agenda item.

What is remembered is stamped with the project's own version (`Project.updated_at`, moved by every save
and every history event, see projects.services.record_event) and is used only while the stamp matches;
`forget()` drops it at once where the forum itself changes what a case shows (a decision). No other page's
cache is touched, and a miss costs what the page cost before: render that one case.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .models import AgendaItem, case_prefetches

KEEP_SECONDS = 60 * 60 * 24 * 7  # a person renamed after this week shows the new name on next render at the latest


def _key(item_pk: int) -> str:
    return f"forums:case:{item_pk}"


def _stamp(item: AgendaItem) -> str:
    return item.project.updated_at.isoformat()


def attach_cases(items: list[AgendaItem]) -> None:
    """Give each item `.case` (safe HTML): remembered ones as they are, the rest rendered (their team, alignment
    and history loaded in one go) and remembered."""
    if not items:
        return
    found = cache.get_many([_key(item.pk) for item in items])
    missing = []
    for item in items:
        hit = found.get(_key(item.pk))
        if hit and hit[0] == _stamp(item):
            item.case = mark_safe(hit[1])  # noqa: S308 - our own rendering of escaped template output
        else:
            missing.append(item)
    if not missing:
        return
    prefetch_related_objects([item.project for item in missing], *case_prefetches(prefix=""))
    fresh = {}
    for item in missing:
        html = render_to_string("forums/_idea.html", {"item": item})
        item.case = html
        fresh[_key(item.pk)] = (_stamp(item), str(html))
    cache.set_many(fresh, KEEP_SECONDS)


def forget(project_id: int) -> None:
    """Drop the remembered cases of every agenda item of this project (its history at the forum changed)."""
    cache.delete_many([_key(pk) for pk in AgendaItem.objects.filter(project_id=project_id)
                       .values_list("pk", flat=True)])
