"""What other apps read of the programmes: their entries in the learning library, and the programmes section
of the board report and the QI portfolio.

The board section is plain JSON-ready data (a published report keeps it as it was): for each programme past
scoping, its stage, teams enrolled against planned, the next learning session and each standard measure's
aggregate chart with its icons, from the nightly run.

Two queries whatever the number of programmes, teams or points. `at`: the programmes as they stood then (their
stage from the `StageMove` history, the teams enrolled by then); the teams planned and the aggregate charts keep
no history, so they are read as they are (the charts as the last nightly run drew them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from workspace.library_sources import LibraryEntry

from .models import Enrolment, LearningSession, MeasureTemplate, Programme, Stage, StageMove

STAGE_LABELS = dict(Stage.choices)
READ_NOW = "the teams planned and the aggregate charts (from the last nightly run)"


def _count(qs) -> Coalesce:
    """A count of `qs` (already narrowed to one programme) as a subquery: no join that multiplies rows."""
    counted = qs.order_by().values("programme").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def board_section(as_of: dt.date, directorate_id: int | None = None, *,
                  at: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The programmes a board reads (every one past scoping; for a directorate, those its teams take part in):
    those delivering first, then recruiting, in design, and evaluated last."""
    enrolled = Enrolment.objects.filter(programme=OuterRef("pk"), enrolled_on__lte=as_of)
    upcoming = LearningSession.objects.filter(programme=OuterRef("pk"), date__gte=as_of).order_by("date", "number")
    qs = (Programme.objects.select_related("lead", "priority")
          .annotate(enrolled=_count(enrolled),
                    next_date=Subquery(upcoming.values("date")[:1]),
                    next_title=Subquery(upcoming.values("title")[:1]),
                    next_number=Subquery(upcoming.values("number")[:1])))
    if at is None:
        qs = qs.exclude(stage=Stage.SCOPE)
    else:
        then = StageMove.objects.filter(programme=OuterRef("pk"), at__lte=at).order_by("-at", "-pk")
        qs = qs.annotate(stage_then=Subquery(then.values("to_stage")[:1])).filter(
            stage_then__isnull=False).exclude(stage_then=Stage.SCOPE)
    if directorate_id:
        mine = enrolled.filter(project__directorate_id=directorate_id)
        qs = qs.annotate(from_directorate=_count(mine)).filter(from_directorate__gt=0)
    programmes = list(qs.order_by("title"))
    if not programmes:
        return []

    charts: dict[int, list[dict[str, Any]]] = {p.pk: [] for p in programmes}
    for t in (MeasureTemplate.objects.filter(programme__in=programmes).select_related("aggregate")
              .order_by("programme_id", "order", "pk")):
        agg = getattr(t, "aggregate", None)
        charts[t.programme_id].append({
            "id": f"programme-{t.programme_id}-{t.pk}", "name": f"{t.name} (all teams)",
            "chart_label": t.get_chart_type_display(), "improvement_label": t.get_improvement_display(),
            "figure": agg.figure if agg and not agg.error else None,
            "reading": agg.reading if agg else "",
            "variation_icon": agg.variation_icon if agg else "", "assurance_icon": agg.assurance_icon if agg else "",
            "teams": agg.teams if agg else 0, "error": agg.error if agg else "",
            "computed_on": agg.computed_at.date().isoformat() if agg else None,
        })

    order = {Stage.DELIVER: 0, Stage.RECRUIT: 1, Stage.DESIGN: 2, Stage.EVALUATE: 3}
    rows = []
    for p in programmes:
        stage = p.stage if at is None else p.stage_then
        rows.append({
            "id": p.pk, "title": p.title, "topic": p.topic, "url": p.get_absolute_url(),
            "stage": stage, "stage_label": STAGE_LABELS.get(stage, stage),
            "stage_number": [s.value for s in Stage].index(stage) + 1, "stages": len(Stage),
            "lead": p.lead.name, "priority": str(p.priority) if p.priority_id else "",
            "planned": p.planned_teams, "enrolled": p.enrolled,
            "from_directorate": getattr(p, "from_directorate", None),
            "next_session": ({"date": p.next_date.isoformat(), "title": p.next_title or
                              f"Learning session {p.next_number}"} if p.next_date else None),
            "outcome_label": p.get_outcome_display() if stage == Stage.EVALUATE and p.outcome else "",
            "charts": charts[p.pk],
        })
    rows.sort(key=lambda r: (order.get(r["stage"], 99), r["title"].lower()))
    return rows



LIBRARY_ENTRIES = 6


def library_entries(query: str = "", outcome: str = "") -> list[LibraryEntry]:
    """Evaluated programmes with their learning written up, for the learning library (one query): matched on
    title, topic, aim or learning, word by word, and on the programme's outcome."""
    qs = (Programme.objects.filter(stage=Stage.EVALUATE).exclude(learning="").select_related("lead")
          .annotate(teams=_count(Enrolment.objects.filter(programme=OuterRef("pk")))))
    for word in query.split():
        qs = qs.filter(Q(title__icontains=word) | Q(topic__icontains=word) | Q(aim__icontains=word)
                       | Q(learning__icontains=word))
    if outcome:
        qs = qs.filter(outcome=outcome)
    return [LibraryEntry(kind="Improvement programme", title=p.title, url=p.get_absolute_url(),
                         outcome_label=p.get_outcome_display() if p.outcome else "Evaluated",
                         learning=p.learning,
                         meta=f"{p.teams} team{'s' if p.teams != 1 else ''} · led by {p.lead.name}",
                         closed_on=p.updated_at.date())
            for p in qs.order_by("-updated_at")[:LIBRARY_ENTRIES]]
