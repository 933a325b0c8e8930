"""Quality control: the huddle log, escalations to the directorate, and the ward's wall board behind a
revocable read-only link."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from forums.agenda_sources import ExtraItem, ExtraSection
from measures.models import Measure
from measures.services import load_summary
from notifications.services import notify
from organisation.models import Team, User
from projects.models import Project
from workspace.models import ProgressScore, score_meaning

from .models import (
    Action,
    BoardLink,
    Escalation,
    EscalationStatus,
    EscalationUpdate,
    Huddle,
    HuddleIssue,
    IssueOutcome,
)

ESCALATION_KIND = "huddle_escalation"
# An escalation still open after this many days goes on the directorate forum's agenda and is flagged.
ESCALATE_AFTER_DAYS = settings.ASSURANCE_ESCALATION_DAYS  # from the environment, 7 unless set
# The wall screen reloads itself this often; its "last seen" is written at most this often too.
REFRESH_SECONDS = 300


class HuddleError(Exception):
    pass


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_board_link(team: Team, *, label: str, by: User) -> tuple[BoardLink, str]:
    """A new wall-board link for the team; the secret is returned once and only its hash is kept."""
    secret = secrets.token_urlsafe(24)
    link = BoardLink.objects.create(team=team, label=label, secret_hash=_hash(secret), created_by=by)
    return link, secret


def revoke_board_link(link: BoardLink, *, by: User) -> None:
    BoardLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now(), revoked_by=by)


def link_for(secret: str) -> BoardLink | None:
    """The live link with this secret, or None (revoked or never issued); notes when the screen was last seen."""
    link = BoardLink.objects.live().select_related("team", "team__directorate").filter(
        secret_hash=_hash(secret)).first()
    if link is not None:
        now = timezone.now()
        if link.last_seen_at is None or (now - link.last_seen_at).total_seconds() > REFRESH_SECONDS:
            BoardLink.objects.filter(pk=link.pk).update(last_seen_at=now)
    return link


@dataclass
class ProjectProgress:
    title: str
    stage: str
    score: object
    meaning: str
    month: dt.date | None


def board(team: Team, today: dt.date | None = None) -> dict:
    """What the huddle board shows: no person's details, only the team's indicators, its open actions, its
    projects' latest progress and its last huddle. A fixed number of queries."""
    today = today or timezone.localdate()
    measures = list(Measure.objects.early_warning().active().filter(team=team).order_by("name"))
    indicators = load_summary(measures)
    actions = list(Action.objects.still_open().filter(team=team).only("description", "due", "status",
                                                                       "walkround_id", "assessment_id")[:12])
    latest = ProgressScore.objects.effective().filter(project=OuterRef("pk")).order_by("-month", "-recorded_at")
    projects = (Project.objects.active().filter(team=team)
                .annotate(score=Subquery(latest.values("score")[:1]), month=Subquery(latest.values("month")[:1]))
                .only("title", "stage").order_by("title"))
    progress = [ProjectProgress(p.title, p.get_stage_display(), p.score, score_meaning(p.score), p.month)
                for p in projects[:10]]
    last = Huddle.objects.filter(team=team).order_by("-date", "-pk").first()
    open_escalations = Escalation.objects.unresolved().filter(team=team).count()
    return {"team": team, "indicators": indicators, "actions": actions, "progress": progress, "last_huddle": last,
            "open_escalations": open_escalations, "today": today, "refresh_seconds": REFRESH_SECONDS}


@dataclass(frozen=True)
class NewIssue:
    description: str
    outcome: str
    owner: User | None = None


def record_huddle(*, team: Team, date: dt.date, attendance: int, issues: list[NewIssue], by: User) -> Huddle:
    """The huddle and its issues; each escalated issue goes to the team's directorate with its owner, who is
    told."""
    if any(i.outcome == IssueOutcome.ESCALATED and i.owner is None for i in issues):
        raise HuddleError("An escalated issue needs an owner in the directorate.")
    with transaction.atomic():
        huddle = Huddle.objects.create(team=team, date=date, attendance=attendance, recorded_by=by)
        for new in issues:
            issue = HuddleIssue.objects.create(huddle=huddle, description=new.description, outcome=new.outcome)
            if new.outcome == IssueOutcome.ESCALATED:
                escalation = Escalation.objects.create(issue=issue, team=team, directorate_id=team.directorate_id,
                                                       owner=new.owner)
                EscalationUpdate.objects.create(escalation=escalation, to_status=EscalationStatus.OPEN,
                                                owner=new.owner, by=by, note="Escalated from the huddle")
                notify([new.owner.pk], kind=ESCALATION_KIND, text=f"{team} escalated: {new.description}",
                       url=reverse("assurance:directorate", args=[team.directorate.slug]),
                       key=f"escalation-{escalation.pk}")
    return huddle


def update_escalation(escalation: Escalation, *, by: User, status: str, owner: User | None = None,
                      note: str = "") -> Escalation:
    """Resolve, reopen or hand on an escalation; each change is an EscalationUpdate row."""
    with transaction.atomic():
        locked = Escalation.objects.select_for_update().get(pk=escalation.pk)
        new_owner = owner or locked.owner
        if status == locked.status and new_owner.pk == locked.owner_id and not note:
            raise HuddleError("Nothing has changed: choose another status or owner, or add a note.")
        locked.status = status
        locked.resolved_at = timezone.now() if status == EscalationStatus.RESOLVED else None
        handed_on = new_owner.pk != locked.owner_id
        locked.owner = new_owner
        locked.save(update_fields=["status", "resolved_at", "owner"])
        EscalationUpdate.objects.create(escalation=locked, to_status=status, owner=new_owner, note=note[:300], by=by)
        if handed_on:
            notify([new_owner.pk], kind=ESCALATION_KIND, text=f"An escalation from {locked.team} is now yours: "
                   f"{locked.issue.description}", url=reverse("assurance:directorate",
                                                               args=[locked.directorate.slug]),
                   key=f"escalation-{locked.pk}-owner-{new_owner.pk}")
    return locked


def overdue_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(days=ESCALATE_AFTER_DAYS)


def escalations_for(directorate_id: int):
    return (Escalation.objects.unresolved().filter(directorate_id=directorate_id)
            .select_related("team", "team__directorate", "owner", "issue", "issue__huddle").order_by("raised_at", "pk"))


def agenda_escalations(meeting) -> ExtraSection | None:
    """The forum agenda's section of huddle escalations left unresolved past the set time (one query)."""
    overdue = list(escalations_for(meeting.forum.directorate_id).filter(raised_at__lt=overdue_cutoff())[:30])
    if not overdue:
        return None
    return ExtraSection("escalations", "Escalations from huddles, unresolved",
                        f"Raised at team huddles and still open after {ESCALATE_AFTER_DAYS} days.", [
                            ExtraItem(f"{e.team}: {e.issue.description}",
                                      reverse("assurance:directorate", args=[e.team.directorate.slug]),
                                      f"Owner {e.owner.name} · raised {timezone.localtime(e.raised_at):%-d %b %Y}")
                            for e in overdue])
