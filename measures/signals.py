"""New special causes: an event when a snapshot's latest point shows a signal its previous snapshot did not,
notifications for the people who work with the measure (sent in the daily digest unless they choose
otherwise), and a hook for the apps above (forums put
the event on the directorate forum's next agenda) without measures importing them.

Not Django signals: the rendering calls `record_new_signals` explicitly.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from notifications.services import Notice, notify_each
from projects.models import ProjectMember

from .models import ChartSnapshot, Measure, SignalEvent

logger = logging.getLogger(__name__)

Callback = Callable[[SignalEvent], None]
_callbacks: list[Callback] = []


def on_new_signal(callback: Callback) -> None:
    """Register `callback(event)`, called after the event's transaction commits (from AppConfig.ready)."""
    if callback not in _callbacks:
        _callbacks.append(callback)


def _announce(event_ids: list[int]) -> None:
    events = list(SignalEvent.objects.filter(pk__in=event_ids).select_related(
        "measure", "measure__project", "measure__team"))
    for event in events:
        for callback in list(_callbacks):
            try:
                callback(event)
            except Exception:  # one listener's failure must not hide the event from the others
                logger.exception("signal callback %r failed for event %s", callback, event.pk)


def _is_new(latest: dict | None, previous: dict | None) -> bool:
    """A special cause on the latest point that the previous snapshot's latest point did not show. A shift that
    goes on month after month is one event; the first snapshot of a measure is its baseline, not news."""
    if not latest:
        return False
    if previous is None:
        return False
    before = previous.get("latest")
    return not before or (before["kind"], before["rule"]) != (latest["kind"], latest["rule"])


def record_new_signals(snapshots: Sequence[ChartSnapshot], previous: dict[int, dict | None]) -> list[SignalEvent]:
    """`previous`: measure id → the previous snapshot's latest_signal, for measures that had a snapshot."""
    new = [s for s in snapshots if s.measure_id in previous
           and _is_new(s.latest_signal, {"latest": previous[s.measure_id]})]
    if not new:
        return []
    events = []
    for s in new:
        sig = s.latest_signal
        event, created = SignalEvent.objects.get_or_create(
            measure_id=s.measure_id, period_start=dt.date.fromisoformat(sig["period"]), rule=sig["rule"][:120],
            defaults={"kind": sig["kind"]})
        if created:
            events.append(event)
    if events:
        notify(events)
        ids = [e.pk for e in events]
        transaction.on_commit(lambda: _announce(ids))
    return events


def recipients(measures: Sequence[Measure]) -> dict[int, set[int]]:
    """Who hears of a measure's signals: a project's lead, team and coach; a ward indicator's team; else
    the measure's owner."""
    out: dict[int, set[int]] = defaultdict(set)
    by_project: dict[int, list[Measure]] = defaultdict(list)
    by_team: dict[int, list[Measure]] = defaultdict(list)
    for m in measures:
        if m.project_id:
            by_project[m.project_id].append(m)
            out[m.pk].update(x for x in (m.project.lead_id, m.project.coach_id) if x)
        elif m.team_id:
            by_team[m.team_id].append(m)
        if m.owner_id and not m.project_id:
            out[m.pk].add(m.owner_id)
    for project_id, person_id in ProjectMember.objects.filter(project_id__in=by_project,
                                                              left_on__isnull=True).values_list("project_id",
                                                                                                 "person_id"):
        for m in by_project[project_id]:
            out[m.pk].add(person_id)
    if by_team:
        for team_id, user_id in get_user_model().objects.filter(team_id__in=by_team, is_active=True).values_list(
                "team_id", "pk"):
            for m in by_team[team_id]:
                out[m.pk].add(user_id)
    return out


SIGNAL_KIND = "spc_signal"


def notify(events: Sequence[SignalEvent]) -> None:
    measures = {m.pk: m for m in Measure.objects.filter(pk__in=[e.measure_id for e in events]).select_related(
        "project")}
    people = recipients(list(measures.values()))
    notices = []
    for e in events:
        m = measures[e.measure_id]
        notices.append(Notice(frozenset(people.get(m.pk, ())), key=f"signal:{e.pk}",
                              text=f"{m.name}: {e.get_kind_display().lower()} – {e.rule} ({e.period_start:%b %Y})",
                              url=reverse("measures:detail", args=[m.pk])))
    notify_each(notices, kind=SIGNAL_KIND)
