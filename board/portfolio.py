"""The QI portfolio in figures, for the board report and the live portfolio page.

Every function runs a fixed number of queries (aggregates; for a past moment's stages one row per running
project; never a query per project) whatever the size of the trust, and returns plain JSON-ready data, so a
published report can keep it as it was. `directorate_id` narrows every figure to one directorate.

`at`: read the projects as they stood at that moment, from their history, for a board report (None: as they
are now, for the live page). What has a history is reconstructed: status (the ProjectEvent row every
`projects.services.transition()` writes), stage (the "Stage: …" note `workspace.services.set_stage` writes),
progress scores (rows by `recorded_at`), closure reviews (`reviewed_at`) and forum decisions (`decided_at`).
What has none is read as it is now, and the figures say so (`READ_NOW`): a project's alignment and
service-user involvement, and coach capacity (who coaches and each coach's maximum teams).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from capability.services import training_reach
from coaching.services import coach_loads
from forums.models import Decision, Outcome
from programmes.figures import READ_NOW as PROGRAMMES_READ_NOW
from programmes.figures import board_section
from projects.models import EventKind, Involvement, Project, ProjectEvent, ProjectStatus, Stage
from workspace.models import IHI_SCALE, ClosureOutcome, ClosureRequest, ProgressScore

RUNNING = (ProjectStatus.ACTIVE, ProjectStatus.CLOSURE_REQUESTED)
CLOSED = (ProjectStatus.COMPLETED, ProjectStatus.STOPPED)
# The organisation's healthy balance (DOMAIN.md): shown as a reference line, never a target.
INTENDED_ALIGNED_SHARE = 2 / 3
# The source trust found projects with service users as full partners 2.8 times as likely to meet their aim.
SOURCE_TRUST_RATIO = 2.8
# Below this many closed projects in a group, a rate is mostly chance: the page says so.
SMALL_GROUP = 10
# What keeps no history, so is read as it is now even for a past moment: figure -> what of it.
READ_NOW = {"alignment": "alignment and service-user involvement", "aims": "service-user involvement",
            "coaching": "coaches and each coach's maximum teams", "programmes": PROGRAMMES_READ_NOW}
# How workspace.services.set_stage records a move: summary "Stage: <label>", detail "Moved from <label>.".
STAGE_NOTE, MOVED_FROM = "Stage: ", "Moved from "
STAGE_BY_LABEL = {s.label: s.value for s in Stage}


def add_months(month: dt.date, n: int) -> dt.date:
    y, m = divmod(month.year * 12 + month.month - 1 + n, 12)
    return dt.date(y, m + 1, 1)


def scoring_months(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """(the last complete month, the one before): teams score a month once it is over."""
    this = add_months(as_of.replace(day=1), -1)
    return this, add_months(this, -1)


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _projects(directorate_id: int | None):
    qs = Project.objects.all()
    return qs.filter(directorate_id=directorate_id) if directorate_id else qs


def _in_status(statuses, directorate_id: int | None, at: dt.datetime | None) -> QuerySet[Project]:
    """The projects in one of `statuses` now, or at `at` by their latest status change up to then (a project
    with none had not been started: every status change writes one)."""
    qs = _projects(directorate_id)
    if at is None:
        return qs.filter(status__in=statuses)
    latest = (ProjectEvent.objects.filter(project=OuterRef("pk"), at__lte=at).exclude(to_status="")
              .order_by("-at", "-pk").values("to_status")[:1])
    return qs.alias(status_then=Subquery(latest)).filter(status_then__in=statuses)


def _stage_notes(at: dt.datetime) -> dict[str, Subquery]:
    notes = ProjectEvent.objects.filter(project=OuterRef("pk"), kind=EventKind.NOTE, summary__startswith=STAGE_NOTE)
    return {"stage_then": Subquery(notes.filter(at__lte=at).order_by("-at", "-pk").values("summary")[:1]),
            "stage_moved_from": Subquery(notes.filter(at__gt=at).order_by("at", "pk").values("detail")[:1])}


def stage_then(current: str, note_then: str | None, moved_from: str | None) -> str:
    """A project's stage at a moment: the last stage it moved to by then; before its first move, the stage
    that move left; with no move recorded, the stage it has now (set when it was approved)."""
    if note_then:
        return STAGE_BY_LABEL.get(note_then.removeprefix(STAGE_NOTE), current)
    if moved_from and moved_from.startswith(MOVED_FROM):
        label = moved_from.splitlines()[0].removeprefix(MOVED_FROM).removesuffix(".")
        return STAGE_BY_LABEL.get(label, "" if label == "not set" else current)
    return current


def pct(n: int, d: int) -> float | None:
    return round(100 * n / d, 1) if d else None


def by_stage_and_directorate(directorate_id: int | None = None, at: dt.datetime | None = None) -> dict[str, Any]:
    """Running projects by directorate (rows) and stage of the sequence of improvement (columns)."""
    running = _in_status(RUNNING, directorate_id, at)
    if at is None:
        rows = list(running.values("directorate_id", "directorate__name", "stage").annotate(n=Count("pk"))
                    .order_by())
    else:  # a row per project: its stage then is read from its notes
        counted: dict[tuple, int] = defaultdict(int)
        for d_id, d_name, stage, note, moved in (running.annotate(**_stage_notes(at)).values_list(
                "directorate_id", "directorate__name", "stage", "stage_then", "stage_moved_from")):
            counted[(d_id, d_name, stage_then(stage, note, moved))] += 1
        rows = [{"directorate_id": d_id, "directorate__name": d_name, "stage": stage, "n": n}
                for (d_id, d_name, stage), n in counted.items()]
    stages = [(s.value, s.label) for s in Stage] + [("", "Stage not recorded")]
    table: dict[int, dict[str, Any]] = {}
    for r in rows:
        row = table.setdefault(r["directorate_id"], {"id": r["directorate_id"], "name": r["directorate__name"],
                                                     "counts": dict.fromkeys((s for s, _ in stages), 0)})
        row["counts"][r["stage"] or ""] += r["n"]
    used = [(s, label) for s, label in stages if s or any(t["counts"][""] for t in table.values())]
    out_rows = [{"id": t["id"], "name": t["name"], "counts": [t["counts"][s] for s, _ in used],
                 "total": sum(t["counts"].values())} for t in sorted(table.values(), key=lambda t: t["name"])]
    totals = [sum(r["counts"][i] for r in out_rows) for i in range(len(used))]
    return {"stages": [label for _, label in used], "stage_keys": [s for s, _ in used], "rows": out_rows,
            "totals": totals, "total": sum(totals)}


def progress_scores(as_of: dt.date, directorate_id: int | None = None, at: dt.datetime | None = None
                    ) -> dict[str, Any]:
    """How running projects scored on the IHI scale in the last complete month, against the month before.
    A month re-scored counts its latest score (at `at`: its latest recorded by then)."""
    month, previous = scoring_months(as_of)
    running = _in_status(RUNNING, directorate_id, at)
    scores: dict[dt.date, dict[int, Decimal]] = {month: {}, previous: {}}
    rows = ProgressScore.objects.filter(month__in=[month, previous], project__in=running.values("pk"))
    # At `at`: in recording order, so that the latest recorded by then is the one kept below.
    rows = rows.effective() if at is None else rows.filter(recorded_at__lte=at).order_by("recorded_at", "pk")
    for project_id, m, score in rows.values_list("project_id", "month", "score"):
        scores[m][project_id] = score
    n_running = running.count()
    scale = list(IHI_SCALE.items())
    now, before = scores[month], scores[previous]
    distribution = [{"score": f"{s:.1f}", "meaning": meaning,
                     "now": sum(1 for v in now.values() if v == s),
                     "before": sum(1 for v in before.values() if v == s)} for s, meaning in scale]
    both = [p for p in now if p in before]
    return {
        "month": month.isoformat(), "previous": previous.isoformat(),
        "month_label": f"{month:%B %Y}", "previous_label": f"{previous:%B %Y}",
        "running": n_running, "scored": len(now), "scored_before": len(before),
        "not_scored": max(n_running - len(now), 0),
        "distribution": distribution,
        "max": max([d["now"] for d in distribution] + [d["before"] for d in distribution] + [1]),
        "median": _median(now.values()), "median_before": _median(before.values()),
        "up": sum(1 for p in both if now[p] > before[p]),
        "same": sum(1 for p in both if now[p] == before[p]),
        "down": sum(1 for p in both if now[p] < before[p]),
        "at_least_4": sum(1 for v in now.values() if v >= 4),
    }


def _median(values) -> str | None:
    vals = sorted(values)
    if not vals:
        return None
    mid = len(vals) // 2
    m = vals[mid] if len(vals) % 2 else (vals[mid - 1] + vals[mid]) / 2
    return f"{m:.2f}".rstrip("0").rstrip(".")


def alignment_and_involvement(directorate_id: int | None = None, at: dt.datetime | None = None) -> dict[str, Any]:
    """The share of running projects aligned to a strategic objective or annual priority, and the share
    with service users as full partners. At `at`: of the projects running then, with their alignment and
    involvement as they are now (neither keeps a history)."""
    through_o = Project.objects.model.objectives.through.objects.filter(project_id=OuterRef("pk"))
    through_p = Project.objects.model.priorities.through.objects.filter(project_id=OuterRef("pk"))
    totals = _in_status(RUNNING, directorate_id, at).aggregate(
        n=Count("pk"),
        aligned=Count("pk", filter=Q(Exists(through_o)) | Q(Exists(through_p))),
        full=Count("pk", filter=Q(involvement=Involvement.FULL)),
        occasional=Count("pk", filter=Q(involvement=Involvement.OCCASIONAL)),
    )
    n = totals["n"]
    return {"running": n, "aligned": totals["aligned"], "aligned_pct": pct(totals["aligned"], n),
            "intended_pct": round(100 * INTENDED_ALIGNED_SHARE),
            "full": totals["full"], "full_pct": pct(totals["full"], n),
            "occasional": totals["occasional"], "occasional_pct": pct(totals["occasional"], n)}


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float] | None:
    """95% interval of a proportion (Wilson): honest about small groups."""
    if not n:
        return None
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return round(100 * max(centre - half, 0), 1), round(100 * min(centre + half, 1), 1)


def aims_met_by_involvement(directorate_id: int | None = None, at: dt.datetime | None = None) -> dict[str, Any]:
    """Of the closed projects (completed or stopped), how many met their aim, by service-user involvement.

    "Met" is a confirmed closure with the outcome aim met; partly met is counted apart, not as met. At `at`:
    the projects closed by then, closures confirmed by then, involvement as it is now."""
    confirmed = ClosureRequest.objects.confirmed().filter(project=OuterRef("pk"))
    if at is not None:
        confirmed = confirmed.filter(reviewed_at__lte=at)
    rows = {r["involvement"]: r for r in (
        _in_status(CLOSED, directorate_id, at).values("involvement").annotate(
            closed=Count("pk"),
            met=Count("pk", filter=Q(Exists(confirmed.filter(outcome=ClosureOutcome.AIM_MET)))),
            partly=Count("pk", filter=Q(Exists(confirmed.filter(outcome=ClosureOutcome.AIM_PARTLY_MET)))),
        ).order_by())}
    levels = []
    for level in Involvement:
        r = rows.get(level.value, {"closed": 0, "met": 0, "partly": 0})
        levels.append({"level": level.value, "label": {"none": "None", "occasional": "Occasional",
                                                        "full": "Full partners"}[level.value],
                       "closed": r["closed"], "met": r["met"], "partly": r["partly"],
                       "rate": pct(r["met"], r["closed"]), "interval": wilson(r["met"], r["closed"])})
    by = {lv["level"]: lv for lv in levels}
    ratio = None
    if by["full"]["rate"] and by["none"]["rate"]:
        ratio = round(by["full"]["rate"] / by["none"]["rate"], 1)
    small = [lv["label"] for lv in levels if lv["closed"] < SMALL_GROUP]
    return {"levels": levels, "ratio": ratio, "source_ratio": SOURCE_TRUST_RATIO, "small_groups": small,
            "small_threshold": SMALL_GROUP, "closed": sum(lv["closed"] for lv in levels)}


def coach_capacity(directorate_id: int | None = None) -> dict[str, Any]:
    """Coaching places used against places available (each coach's maximum teams), by the coaches'
    directorate."""
    rows: dict[str, dict[str, Any]] = defaultdict(lambda: {"id": None, "coaches": 0, "places": 0, "used": 0,
                                                           "full": 0})
    for load in coach_loads():
        d = load.coach.directorate
        if directorate_id and (d is None or d.pk != directorate_id):
            continue
        row = rows[d.name if d else "No directorate"]
        row["id"] = d.pk if d else None
        row["coaches"] += 1
        row["places"] += load.profile.max_teams
        row["used"] += load.teams
        row["full"] += int(load.at_capacity)
    out = [{"name": name, **r, "spare": max(r["places"] - r["used"], 0), "used_pct": pct(r["used"], r["places"])}
           for name, r in sorted(rows.items())]
    places, used = sum(r["places"] for r in out), sum(r["used"] for r in out)
    return {"rows": out, "places": places, "used": used, "used_pct": pct(used, places),
            "coaches": sum(r["coaches"] for r in out)}


def forum_decisions(as_of: dt.date, directorate_id: int | None = None, at: dt.datetime | None = None
                    ) -> dict[str, Any]:
    """Ideas approved, returned, declined (and deferred) at the forums in the quarter to date."""
    start = quarter_start(as_of)
    qs = Decision.objects.filter(decided_at__date__gte=start, decided_at__date__lte=as_of)
    if at is not None:
        qs = qs.filter(decided_at__lte=at)
    if directorate_id:
        qs = qs.filter(project__directorate_id=directorate_id)
    counts: dict[tuple[str, int], dict[str, int]] = defaultdict(lambda: dict.fromkeys(Outcome.values, 0))
    for name, forum_id, outcome, n in (qs.values_list("meeting__forum__directorate__name",
                                                      "meeting__forum__directorate_id", "outcome")
                                       .annotate(n=Count("pk")).order_by()):
        counts[(name, forum_id)][outcome] += n
    rows = [{"name": name, "id": forum_id, **c, "total": sum(c.values())}
            for (name, forum_id), c in sorted(counts.items(), key=lambda kv: (kv[0][0] or "", kv[0][1] or 0))]
    totals = {o: sum(r[o] for r in rows) for o in Outcome.values}
    return {"start": start.isoformat(), "end": as_of.isoformat(),
            "label": f"{start.day} {start:%B} – {as_of.day} {as_of:%B %Y}",
            "rows": rows, "totals": totals, "total": sum(totals.values())}


def figures(as_of: dt.date, directorate_id: int | None = None, *, at: dt.datetime | None = None) -> dict[str, Any]:
    """Everything the portfolio section shows, in a fixed number of queries (two of them for the programmes).
    `at`: the projects as they stood then (see the module's docstring); `state_at` and `current_on` say which
    date each figure is read at."""
    return {
        "as_of": as_of.isoformat(),
        "state_at": timezone.localtime(at).date().isoformat() if at is not None else None,
        "current_on": timezone.localdate().isoformat(),
        "read_now": READ_NOW if at is not None else {},
        "stages": by_stage_and_directorate(directorate_id, at),
        "progress": progress_scores(as_of, directorate_id, at),
        "alignment": alignment_and_involvement(directorate_id, at),
        "aims": aims_met_by_involvement(directorate_id, at),
        "coaching": coach_capacity(directorate_id),
        "decisions": forum_decisions(as_of, directorate_id, at),
        # Trust-wide only: the dosing plan's audiences are not split by directorate.
        "training": training_reach(as_of) if directorate_id is None else None,
        "programmes": board_section(as_of, directorate_id, at=at),
    }


def with_links(figures_now: dict[str, Any], directorate_id: int | None = None) -> dict[str, Any]:
    """The live figures (read now, `at` None) with, beside each count of projects, the project list filtered
    to exactly those projects (projects.filters.ProjectFilter): every figure leads to what it counts.
    A report's frozen figures get none: the list shows the projects as they are now."""
    mine = {"directorate": directorate_id} if directorate_id else {}

    def url(params: dict[str, Any], *, narrowed: bool = True) -> str:
        query = {**(mine if narrowed else {}), **params}
        return f"{reverse('projects:list')}?{urlencode({k: v for k, v in query.items() if v is not None})}"

    running = {"status": "running"}
    s = figures_now["stages"]
    keys = [k or "none" for k in s["stage_keys"]]
    for row in s["rows"]:
        row["links"] = [url({**running, "directorate": row["id"], "stage": k}) for k in keys]
        row["link"] = url({**running, "directorate": row["id"]})
    s["total_links"] = [url({**running, "stage": k}) for k in keys]
    s["total_link"] = url(running)

    p = figures_now["progress"]
    month, previous = p["month"], p["previous"]
    p["links"] = {
        "running": url(running),
        "scored": url({**running, "score_month": month, "score": "any"}),
        "not_scored": url({**running, "score_month": month, "score": "none"}),
        **{change: url({**running, "score_month": month, "score_change": change}) for change in ("up", "same", "down")},
    }
    for row in p["distribution"]:
        row["link_now"] = url({**running, "score_month": month, "score": row["score"]})
        row["link_before"] = url({**running, "score_month": previous, "score": row["score"]})

    a = figures_now["alignment"]
    a["links"] = {"running": url(running), "aligned": url({**running, "aligned_to": "any"}),
                  "full": url({**running, "involvement": Involvement.FULL}),
                  "occasional": url({**running, "involvement": Involvement.OCCASIONAL})}

    for level in figures_now["aims"]["levels"]:
        closed = {"status": "closed", "involvement": level["level"]}
        level["links"] = {"closed": url(closed), "met": url({**closed, "closure": ClosureOutcome.AIM_MET}),
                          "partly": url({**closed, "closure": ClosureOutcome.AIM_PARTLY_MET})}

    # Coach capacity is narrowed by the coaches' directorate, not the projects': its places used are the
    # running projects coached now by that directorate's coaches, wherever the projects are.
    for row in figures_now["coaching"]["rows"]:
        row["link"] = url({**running, "coached_from": row["id"]}, narrowed=False) if row["id"] else ""

    d = figures_now["decisions"]
    quarter = {"decided_from": d["start"], "decided_to": d["end"]}
    for row in d["rows"]:
        row["links"] = {o: url({"decision": o, **quarter, "forum": row["id"]}) for o in Outcome.values}
    d["total_links"] = {o: url({"decision": o, **quarter}) for o in Outcome.values}
    return figures_now
