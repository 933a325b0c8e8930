"""New special causes: an event when a snapshot's latest point shows a signal its previous snapshot did not,
in-app notifications for the people who work with the measure, and a hook for the apps above (forums put
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
from django.utils import timezone

from ops.mail import send_templated
from projects.models import ProjectMember

from .models import ChartSnapshot, Measure, Notification, SignalEvent

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


def notify(events: Sequence[SignalEvent]) -> None:
    measures = {m.pk: m for m in Measure.objects.filter(pk__in=[e.measure_id for e in events]).select_related(
        "project")}
    people = recipients(list(measures.values()))
    now = timezone.now()
    rows = []
    for e in events:
        m = measures[e.measure_id]
        text = f"{m.name}: {e.get_kind_display().lower()} – {e.rule} ({e.period_start:%b %Y})"[:300]
        url = reverse("measures:detail", args=[m.pk])
        rows += [Notification(user_id=u, signal=e, text=text, url=url, created_at=now)
                 for u in sorted(people.get(m.pk, ()))]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)


def send_digest(now=None) -> int:
    """One e-mail per person listing their unread notifications not yet mailed; never one per chart."""
    now = now or timezone.now()
    sent = 0
    pending: dict[int, list[Notification]] = defaultdict(list)
    for n in Notification.objects.awaiting_digest().filter(created_at__lte=now).select_related("user").order_by(
            "user_id", "created_at"):
        pending[n.user_id].append(n)
    for items in pending.values():
        user = items[0].user
        with transaction.atomic():
            # Claim them first, so that a digest sent twice at once mails each notification once.
            claimed = Notification.objects.filter(pk__in=[n.pk for n in items], emailed_at__isnull=True).update(
                emailed_at=now)
            if not claimed:
                continue
            if user.email and user.is_active:
                sent += send_templated([user.email], "measures/email/signal_digest.txt",
                                       {"user": user, "notifications": items})
    return sent
