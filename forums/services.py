"""Meetings that always exist, agendas the system assembles, and decisions that are records."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from coaching.services import CapacityError, allocate
from notifications.services import notify
from ops.mail import render, send_templated
from organisation.models import Role, RoleAssignment
from projects.models import EventKind, Project, ProjectStatus
from projects.services import TransitionError, record_event, transition
from workspace.models import ClosureRequest, ProgressScore
from workspace.services import attention_reasons, needing_attention

from . import cases
from .models import AgendaItem, AgendaKind, Attendance, Decision, Forum, Meeting, Outcome


class AlreadyDecided(Exception):
    """Someone else decided this item first."""


def ensure_next_meeting(forum: Forum, today: dt.date | None = None) -> Meeting:
    """The forum's next meeting on or after today, created from its rule if it does not exist yet."""
    today = today or timezone.localdate()
    upcoming = forum.meetings.upcoming(today).first()
    if upcoming is not None:
        return upcoming
    date = forum.meeting_date_on_or_after(today)
    meeting, _ = Meeting.objects.get_or_create(
        forum=forum, date=date, defaults={"starts_at": forum.starts_at, "location": forum.location})
    return meeting


def forum_for(directorate) -> Forum:
    """Every directorate has one QI forum; one is made with the usual rule if the QI department has not yet."""
    forum, _ = Forum.objects.get_or_create(directorate=directorate, defaults={"name": f"{directorate.name} QI forum"})
    return forum


def meeting_after(meeting: Meeting) -> Meeting:
    return ensure_next_meeting(meeting.forum, meeting.date + dt.timedelta(days=1))


def add_submitted_idea_to_agenda(project: Project, *, resubmission: bool = False) -> AgendaItem:
    """Registered with projects.services.on_submitted: a submitted idea joins its forum's next meeting."""
    forum = forum_for(project.directorate)
    meeting = ensure_next_meeting(forum)
    kind = AgendaKind.RESUBMITTED if resubmission else AgendaKind.NEW
    item, created = AgendaItem.objects.get_or_create(meeting=meeting, project=project, kind=kind)
    if created:
        _tell_chairs(item, "A resubmitted idea" if resubmission else "A new idea")
    return item


def decide(item: AgendaItem, *, outcome: str, by, rationale: str, coach=None, sponsor=None, advisor=None,
           override_reason: str = "") -> Decision:
    """Record a chair's decision on an agenda item and move the project accordingly.

    Exactly one decision per item: the project row is locked and re-read, the
    item must still be undecided, and a unique constraint on Decision.item backs
    that up; the loser of a race gets AlreadyDecided. Approval allocates the coach
    and sponsor in the same transaction. E-mails go after commit.
    """
    if not item.is_decidable:
        raise TransitionError("Only ideas awaiting a decision can be decided.")
    if outcome == Outcome.APPROVE and (coach is None or sponsor is None):
        raise TransitionError("Approval needs a QI coach and a QI sponsor.")
    meeting = item.meeting
    try:
        with transaction.atomic():
            project = Project.objects.select_for_update().get(pk=item.project_id)
            if Decision.objects.filter(item=item).exists() or project.status != ProjectStatus.SUBMITTED:
                raise AlreadyDecided(_already_decided_message(item, project))
            decision = Decision.objects.create(
                item=item, meeting=meeting, project=project, outcome=outcome, rationale=rationale.strip(),
                decided_by=by, coach=coach, sponsor=sponsor, advisor=advisor,
                coach_override_reason=override_reason.strip() if outcome == Outcome.APPROVE else "")
            where = f"{meeting.forum.name} on {meeting.date:%-d %b %Y}"
            if outcome == Outcome.APPROVE:
                allocate(project, by=by, reason=f"Approved at {where}", coach=coach, sponsor=sponsor,
                         advisor=advisor, override_reason=override_reason)
                transition(project, ProjectStatus.ACTIVE, by=by, kind=EventKind.DECISION,
                           summary=f"Approved at {where}", detail=rationale)
            elif outcome == Outcome.RETURN:
                transition(project, ProjectStatus.RETURNED, by=by, kind=EventKind.DECISION,
                           summary=f"Returned for more work at {where}", detail=rationale)
            elif outcome == Outcome.DECLINE:
                transition(project, ProjectStatus.DECLINED, by=by, kind=EventKind.DECISION,
                           summary=f"Declined at {where}", detail=rationale)
            elif outcome == Outcome.DEFER:
                later = meeting_after(meeting)
                AgendaItem.objects.get_or_create(meeting=later, project=project, kind=AgendaKind.DEFERRED)
                record_event(project, kind=EventKind.DECISION, by=by,
                             summary=f"Deferred at {where} to {later.date:%-d %b %Y}", detail=rationale)
            else:
                raise TransitionError(f"Unknown outcome {outcome!r}.")
            _tell_decision(decision, project)
            transaction.on_commit(lambda: cases.forget(project.pk))  # its history at the forum changed
    except IntegrityError as exc:
        # Two chairs in the same instant on a database without row locks: the unique
        # constraint on Decision.item lets only one through.
        item.refresh_from_db()
        raise AlreadyDecided(_already_decided_message(item, Project.objects.get(pk=item.project_id))) from exc
    except CapacityError:
        raise
    return decision


DECISION_KIND = "forum_decision"
AGENDA_KIND = "agenda_item"


def _tell_decision(decision: Decision, project: Project) -> None:
    """The idea's lead and whoever submitted it hear of the decision (by e-mail at once, unless they chose
    otherwise), in the same transaction as the decision."""
    subject, body = render("forums/email/decision.txt", {"decision": decision, "project": project})
    notify([project.lead_id, project.created_by_id], kind=DECISION_KIND, text=subject, body=body,
           url=project.get_absolute_url(), key=f"decision:{decision.pk}")


def _tell_chairs(item: AgendaItem, what: str) -> None:
    """The forum's chair and co-chairs hear of what arrives on their agenda (in the daily digest unless they
    chose otherwise)."""
    meeting = item.meeting
    notify([lead.user_id for lead in forum_leads(meeting.forum.directorate_id)], kind=AGENDA_KIND,
           text=f"{what} for {meeting.forum.name} on {meeting.date:%-d %b %Y}: {item.project.title}",
           url=reverse("forums:meeting", args=[meeting.pk]), key=f"agenda:{item.pk}")


def _already_decided_message(item: AgendaItem, project: Project) -> str:
    decision = Decision.objects.filter(item=item).select_related("decided_by").first()
    if decision is not None:
        return (f"{decision.decided_by.name} already recorded “{decision.get_outcome_display()}” for "
                f"“{project.title}” at {decision.decided_at:%H:%M}. Your decision was not recorded.")
    return f"“{project.title}” is now “{project.get_status_display()}”; your decision was not recorded."


def roll_over_undecided(forum: Forum, today: dt.date | None = None) -> int:
    """Ideas left undecided at a past meeting move to the next meeting as deferred items."""
    today = today or timezone.localdate()
    next_meeting = ensure_next_meeting(forum, today)
    left = (AgendaItem.objects.filter(meeting__forum=forum, meeting__date__lt=today, kind__in=[
        AgendaKind.NEW, AgendaKind.RESUBMITTED, AgendaKind.DEFERRED], decision__isnull=True,
        project__status=ProjectStatus.SUBMITTED).values_list("project_id", flat=True).distinct())
    already = set(next_meeting.items.values_list("project_id", flat=True))
    new = [AgendaItem(meeting=next_meeting, project_id=pid, kind=AgendaKind.DEFERRED,
                      note="Not reached at the last meeting") for pid in set(left) - already]
    AgendaItem.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def closure_note(closure) -> str:
    return f"Closure requested: {closure.get_outcome_display()}"


def add_closure_to_agenda(closure) -> AgendaItem:
    """Registered with workspace.services.on_closure_requested: the chair confirms closures at the forum."""
    meeting = ensure_next_meeting(forum_for(closure.project.directorate))
    item, created = AgendaItem.objects.get_or_create(
        meeting=meeting, project=closure.project, kind=AgendaKind.CLOSURE,
        defaults={"note": closure_note(closure)})
    if created:
        _tell_chairs(item, "A closure request")
    return item


def add_enrolment_to_agenda(project: Project, *, programme_title: str) -> AgendaItem:
    """A project a programme enrolled (approved by the programme, not by the forum) goes on its directorate
    forum's next agenda for information only."""
    meeting = ensure_next_meeting(forum_for(project.directorate))
    item, _ = AgendaItem.objects.get_or_create(
        meeting=meeting, project=project, kind=AgendaKind.PROGRAMME,
        defaults={"note": f"Joined the programme “{programme_title}”"[:300]})
    return item


def add_pending_closures(forum: Forum, today: dt.date) -> int:
    """Closure requests not yet on an agenda (e.g. imported) join the next meeting."""
    meeting = ensure_next_meeting(forum, today)
    pending = (ClosureRequest.objects.pending().filter(project__directorate_id=forum.directorate_id)
               .exclude(project__agenda_items__meeting=meeting, project__agenda_items__kind=AgendaKind.CLOSURE))
    items = [AgendaItem(meeting=meeting, project_id=c.project_id, kind=AgendaKind.CLOSURE,
                        note=closure_note(c)) for c in pending]
    AgendaItem.objects.bulk_create(items, ignore_conflicts=True)
    return len(items)


def add_attention_items(forum: Forum, today: dt.date) -> int:
    """Active projects whose progress is stale go on the next agenda, with the reasons."""
    meeting = ensure_next_meeting(forum, today)
    stale = list(needing_attention(Project.objects.filter(directorate_id=forum.directorate_id), today)
                 .exclude(agenda_items__meeting=meeting, agenda_items__kind=AgendaKind.STALE))
    scores: dict[int, list] = {}
    for score in ProgressScore.objects.filter(project__in=stale).order_by("month", "recorded_at"):
        scores.setdefault(score.project_id, []).append(score)
    items = [AgendaItem(meeting=meeting, project=p, kind=AgendaKind.STALE,
                        note=" ".join(attention_reasons(p, today, scores.get(p.pk, [])))[:300]) for p in stale]
    AgendaItem.objects.bulk_create(items, ignore_conflicts=True)
    return len(items)


def nightly_meetings() -> dict:
    """Nightly: every forum has its next meeting with its agenda assembled, and nothing undecided is lost."""
    today = timezone.localdate()
    counts = {"forums": 0, "rolled_over": 0, "closure_requests": 0, "needing_attention": 0}
    for forum in Forum.objects.all():
        counts["forums"] += 1
        counts["rolled_over"] += roll_over_undecided(forum, today)
        counts["closure_requests"] += add_pending_closures(forum, today)
        counts["needing_attention"] += add_attention_items(forum, today)
    return counts


def save_minutes(meeting: Meeting, *, minutes: str, by) -> None:
    meeting.minutes = minutes
    meeting.minutes_updated_at = timezone.now()
    meeting.minutes_updated_by = by
    meeting.save(update_fields=["minutes", "minutes_updated_at", "minutes_updated_by"])


def meeting_reminders_due(today: dt.date):
    meetings = Meeting.objects.filter(date__gte=today, date__lte=today + dt.timedelta(days=7),
                                      reminder_sent_at__isnull=True).select_related("forum")
    return [m for m in meetings if (m.date - today).days <= m.forum.reminder_days]


def send_meeting_reminder(meeting: Meeting) -> int:
    """E-mail the chair and co-chair the agenda count; marks the meeting so it is sent once."""
    with transaction.atomic():
        claimed = Meeting.objects.filter(pk=meeting.pk, reminder_sent_at__isnull=True).update(
            reminder_sent_at=timezone.now())
        if not claimed:
            return 0
    chairs = RoleAssignment.objects.filter(directorate_id=meeting.forum.directorate_id,
                                           role__in=[Role.FORUM_CHAIR, Role.FORUM_CO_CHAIR]).select_related("user")
    counts = agenda_counts(meeting)
    return send_templated([a.user.email for a in chairs], "forums/email/reminder.txt",
                          {"meeting": meeting, "counts": counts, "total": sum(counts.values())})


def agenda_counts(meeting: Meeting) -> dict[str, int]:
    rows = meeting.items.filter(decision__isnull=True).values("kind").annotate(n=Count("pk"))
    return {AgendaKind(r["kind"]).label: r["n"] for r in rows}


def forum_leads(directorate_id: int) -> list:
    """The chair and co-chair(s) of a directorate's forum, chair first."""
    return list(RoleAssignment.objects.filter(directorate_id=directorate_id,
                                              role__in=[Role.FORUM_CHAIR, Role.FORUM_CO_CHAIR])
                .select_related("user").order_by("role", "user__display_name"))


def attendance_candidates(meeting: Meeting) -> list[tuple[object, str]]:
    """Who is expected in the room: chair, co-chairs, forum members, and the leads presenting ideas."""
    role_for = {Role.FORUM_CHAIR: Attendance.AttendanceRole.CHAIR,
                Role.FORUM_CO_CHAIR: Attendance.AttendanceRole.CO_CHAIR}
    people: dict[int, tuple[object, str]] = {}
    for lead in forum_leads(meeting.forum.directorate_id):
        people.setdefault(lead.user_id, (lead.user, role_for[lead.role]))
    for member in meeting.forum.members.filter(is_active=True).order_by("display_name"):
        people.setdefault(member.pk, (member, Attendance.AttendanceRole.MEMBER))
    for item in meeting.items.exclude(project__status=ProjectStatus.DRAFT).select_related("project__lead"):
        people.setdefault(item.project.lead_id, (item.project.lead, Attendance.AttendanceRole.PRESENTER))
    for row in meeting.attendance.select_related("person"):
        people.setdefault(row.person_id, (row.person, row.role))
    return list(people.values())


def record_attendance(meeting: Meeting, attendees: list[tuple[object, str]]) -> None:
    """Replace the meeting's attendance with the people ticked as present."""
    with transaction.atomic():
        meeting.attendance.exclude(person__in=[p for p, _ in attendees]).delete()
        for person, role in attendees:
            Attendance.objects.update_or_create(meeting=meeting, person=person,
                                                defaults={"role": role, "present": True})


def add_signal_to_agenda(event) -> AgendaItem | None:
    """Registered with measures.signals.on_new_signal: a new special cause in a project's data goes on the
    directorate forum's next agenda (ward indicators reach the ward team through notifications instead)."""
    project = event.measure.project
    if project is None or project.status not in (ProjectStatus.ACTIVE, ProjectStatus.CLOSURE_REQUESTED):
        return None
    advice = {"improvement": "consider implementation or spread", "concern": "consider what has changed"}
    note = f"{event.get_kind_display()} on {event.measure.name}"
    if event.kind in advice:
        note += f" — {advice[event.kind]}"
    meeting = ensure_next_meeting(forum_for(project.directorate))
    item, created = AgendaItem.objects.get_or_create(meeting=meeting, project=project, kind=AgendaKind.SIGNAL,
                                                     defaults={"note": note[:300]})
    if not created and event.measure.name not in item.note:
        item.note = f"{item.note}; {note}"[:300]
        item.save(update_fields=["note"])
    return item
