"""The demo trust's QI portfolio (seed_demo step 20): projects in every state, with the forum
meetings, decisions, minutes, allocations and history that put them there.

Rows are written in bulk with their real historical dates, so the same code builds the
45 projects of the demo and the thousands of `seed_demo --scale 250`. A directorate
that already has projects is left alone, which makes the step idempotent.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from itertools import cycle

from django.db import transaction
from django.utils import timezone

from coaching.models import Allocation, AllocationKind
from coaching.services import refresh_loads
from organisation.models import (
    AnnualPriority,
    Directorate,
    DirectorateKind,
    LivedExperience,
    Role,
    RoleAssignment,
    StrategicObjective,
    Team,
    TeamKind,
    User,
)
from organisation.seeding import DemoContext, moment
from projects.models import (
    EventKind,
    Involvement,
    MemberRole,
    Project,
    ProjectEvent,
    ProjectMember,
    ProjectStatus,
    Stage,
)

from .models import AgendaItem, AgendaKind, Attendance, Decision, Forum, Meeting, Outcome

S = ProjectStatus
# (title, problem, aim what, how much, objective index or None, priority index or None)
IDEAS = {
    TeamKind.WARD: [
        ("Reducing violence and aggression on {team}", "Physical assaults on staff and patients have risen to about 9 a month, mostly in the evenings.", "Reduce incidents of physical violence", "by 40%", 1, 0),
        ("Fewer restraints: reducing restrictive practice on {team}", "Restraint is used around 14 times a month; service users describe it as frightening and it injures staff.", "Reduce the use of physical restraint", "by 50%", 1, 0),
        ("Physical health checks for everyone admitted to {team}", "Only 55% of people admitted have a full physical health check within 72 hours.", "Complete physical health checks within 72 hours of admission", "for 95% of admissions", 0, 2),
        ("Reducing inpatient falls on {team}", "Falls average 6 a month, two with harm in the last quarter.", "Reduce falls", "by 30%", 1, None),
        ("Safer medicines: reducing missed doses on {team}", "An audit found 1 in 12 doses missed or delayed without a recorded reason.", "Reduce missed or delayed doses", "to under 2%", 1, None),
        ("Meaningful activity at weekends on {team}", "Service users say weekends are empty; incidents peak on Saturday afternoons.", "Offer at least two therapeutic activities each weekend day", "on 90% of weekends", None, None),
        ("Better sleep on {team}", "Night-time noise and checks disturb sleep; 60% report poor sleep in our survey.", "Increase the share of patients reporting a good night's sleep", "from 40% to 70%", 1, None),
    ],
    TeamKind.COMMUNITY: [
        ("Reducing waiting times for a first appointment in {team}", "People wait a median of 11 weeks for a first appointment.", "Reduce the median wait for a first appointment", "to 4 weeks", 1, 1),
        ("Fewer missed appointments in {team}", "One appointment in five is missed, wasting clinical time and delaying care.", "Reduce the rate of missed appointments", "from 20% to 10%", 3, None),
        ("Involving carers in care planning in {team}", "Carers tell us they hear about care plans last, if at all.", "Involve a carer in the care plan", "for 80% of people who have one", 1, None),
        ("Reducing pressure ulcers in {team}'s caseload", "Category 2+ pressure ulcers acquired in our care average 5 a month.", "Reduce pressure ulcers acquired in our care", "by 50%", 1, None),
        ("Staff enjoying work in {team}", "The staff survey shows low scores for feeling valued and having time to do a good job.", "Increase the share of staff who would recommend the team as a place to work", "from 48% to 70%", 2, 3),
    ],
    TeamKind.GP_PRACTICE: [
        ("Annual health checks for people with learning disabilities at {team}", "Only 58% of people on our learning disability register had a health check last year.", "Increase annual health checks", "to 85%", 0, 2),
        ("Reducing repeat prescription errors at {team}", "About 3% of repeat prescriptions need correcting after issue.", "Reduce repeat prescription errors", "to under 1%", 3, None),
    ],
    TeamKind.CORPORATE: [
        ("Reducing time to hire in {team}", "It takes 74 days on average from advert to start date.", "Reduce the time to hire", "to 45 days", 3, 3),
        ("Joy in work in {team}", "Team members report feeling rushed and unheard in our survey.", "Increase the share of the team who enjoy work most days", "from 35% to 60%", 2, 3),
        ("First-time fix at the {team} helpdesk", "Only 52% of calls are resolved at the first contact.", "Increase first-contact resolution", "to 75%", 3, None),
        ("Reducing agency spend in {team}", "Agency spend is 18% over plan this year.", "Reduce agency spend", "by 25%", 3, None),
    ],
}
IDEAS[TeamKind.OTHER] = IDEAS[TeamKind.COMMUNITY]

# Per directorate: the life of each project, in order. (status, stage, months ago the forum first saw it, extra)
LIVES = [
    (S.ACTIVE, Stage.TEST, 8, ""),
    (S.ACTIVE, Stage.STRATEGY, 3, ""),
    (S.ACTIVE, Stage.IMPLEMENT, 13, ""),
    (S.ACTIVE, Stage.UNDERSTAND, 1, "returned_first"),
    (S.SUBMITTED, "", 0, "new"),
    (S.SUBMITTED, "", 0, "deferred"),
    (S.RETURNED, "", 1, ""),
    (S.DRAFT, "", 0, ""),
    (S.COMPLETED, Stage.SUSTAIN, 20, ""),
    (S.DECLINED, "", 2, ""),
]
EXTRA_FOR_FIRST = [  # more variety in the first directorate, where the personas work
    (S.ACTIVE, Stage.SUSTAIN, 16, ""),
    (S.CLOSURE_REQUESTED, Stage.SUSTAIN, 14, ""),
    (S.SUBMITTED, "", 1, "resubmitted"),
    (S.STOPPED, Stage.TEST, 11, ""),
    (S.DRAFT, "", 0, ""),
]

FEEDBACK_RETURN = "Please sharpen the aim (how much, by when) and show how service users agreed this is the biggest opportunity."
REASON_DECLINE = "This overlaps the trust-wide programme already under way; please join that collaborative instead."
APPROVE_NOTE = "A clear problem, a measurable aim and the whole team behind it. Go ahead."


def seed_governance(ctx: DemoContext) -> None:
    today = ctx.today
    objectives = list(StrategicObjective.objects.order_by("order"))
    priorities = list(AnnualPriority.objects.filter(year=today.year).order_by("pk"))
    directorates = list(Directorate.objects.exclude(projects__isnull=False).order_by("pk"))
    _ensure_forums(ctx, today)
    if not directorates:
        ctx.out("governance: nothing to add")
        return
    people = _people_by_directorate(directorates)
    service_users = list(User.objects.filter(role_assignments__role=Role.SERVICE_USER).order_by("pk"))
    first = Directorate.objects.order_by("pk").first()
    # Each directorate's place in the trust (1, 2, …), not its id: a database that has had rows deleted (a test
    # run, a trust that removed a directorate) gives other ids, and the demo must come out the same.
    rank = {pk: i for i, pk in enumerate(Directorate.objects.order_by("pk").values_list("pk", flat=True), start=1)}
    batch: list[dict] = []
    for directorate in directorates:
        lives = LIVES + (EXTRA_FOR_FIRST if directorate.pk == first.pk else [])
        batch.extend(_plan_directorate(ctx, directorate, rank[directorate.pk], people[directorate.pk], lives,
                                       objectives, priorities, service_users))
        if len(batch) >= 3000:
            _write(batch, today)
            batch = []
    _write(batch, today)
    ctx.out(f"governance: {Project.objects.count()} projects, {Decision.objects.count()} decisions, "
            f"{Meeting.objects.count()} meetings")


def _ensure_forums(ctx: DemoContext, today: dt.date) -> None:
    missing = Directorate.objects.filter(forum__isnull=True)
    rules = cycle([(2, 1), (1, 3), (3, 2), (-1, 4), (4, 0)])  # (week, weekday): 2nd Tue, 1st Thu, ...
    Forum.objects.bulk_create([
        Forum(directorate=d, name=f"{d.name} QI forum", week_of_month=w, weekday=wd,
              location="Board room" if d.kind == DirectorateKind.CORPORATE else f"{d.name} meeting room")
        for d, (w, wd) in zip(missing, rules)
    ])
    # Every forum: monthly meetings for the last 24 months and the next one.
    existing = set(Meeting.objects.values_list("forum_id", "date"))
    meetings = []
    for forum in Forum.objects.all():
        day = _months_back(today, 24)
        while True:
            date = forum.meeting_date_on_or_after(day)
            if (forum.pk, date) not in existing:
                meetings.append(Meeting(forum=forum, date=date, starts_at=forum.starts_at, location=forum.location))
            if date >= today:
                break
            day = date + dt.timedelta(days=1)
    Meeting.objects.bulk_create(meetings, batch_size=2000)


def _months_back(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, 1)


def _people_by_directorate(directorates) -> dict:
    ids = [d.pk for d in directorates]
    out = {pk: {"chair": None, "sponsors": [], "coaches": [], "staff": defaultdict(list), "teams": []}
           for pk in ids}
    for a in RoleAssignment.objects.filter(directorate_id__in=ids, role__in=[Role.FORUM_CHAIR, Role.SPONSOR]) \
            .select_related("user").order_by("pk"):
        if a.role == Role.FORUM_CHAIR:
            out[a.directorate_id]["chair"] = out[a.directorate_id]["chair"] or a.user
        else:
            out[a.directorate_id]["sponsors"].append(a.user)
    coaches = (User.objects.filter(role_assignments__role=Role.COACH, directorate_id__in=ids)
               .order_by("pk").distinct())
    for c in coaches:
        out[c.directorate_id]["coaches"].append(c)
    for u in User.objects.filter(team__directorate_id__in=ids, role_assignments__role=Role.STAFF) \
            .exclude(role_assignments__role__in=[Role.BOARD, Role.QI_ADMIN, Role.IMPROVEMENT_ADVISOR, Role.FORUM_CHAIR,
                                                 Role.SPONSOR, Role.COACH]) \
            .select_related("team").order_by("pk").distinct():
        out[u.team.directorate_id]["staff"][u.team_id].append(u)
    for t in Team.objects.filter(directorate_id__in=ids).order_by("pk"):
        out[t.directorate_id]["teams"].append(t)
    return out


def _plan_directorate(ctx, directorate, rank, people, lives, objectives, priorities, service_users) -> list[dict]:
    rng = ctx.rng
    teams = [t for t in people["teams"] if people["staff"].get(t.pk)]
    if not teams or people["chair"] is None or not people["sponsors"] or not people["coaches"]:
        return []
    coach_cycle = cycle(people["coaches"])
    plans = []
    persona_staff = User.objects.filter(username="staff", team__directorate=directorate).first()
    used_titles = set()
    # A directorate of a scaled trust has tens of teams: one life story per four teams, about three projects per
    # team in two years (the source trust: 500 completed in five years), spread over the past meetings, so the
    # next meeting's agenda is full (a dozen or two new and deferred ideas) but not hundreds long.
    # Ideas still waiting for the forum (and closures to confirm) come from every fourth round only, and
    # only decided lives are moved further back: a running project keeps its age, so its progress scores
    # are not a long plateau that reads as "stuck" and fills the agenda with attention items.
    rounds = max(1, len(teams) // 4) if len(teams) > 8 else 1
    for r in range(rounds):
        for i, (status, stage, months_ago, extra) in enumerate(lives):
            if r and r % 4 and status in (S.SUBMITTED, S.CLOSURE_REQUESTED):
                continue
            if r and status in (S.COMPLETED, S.DECLINED, S.STOPPED, S.RETURNED):
                months_ago = min(23, months_ago + (r * 5) % 11)
            plans.append(_plan_one(rng, directorate, rank, people, teams, persona_staff if r == 0 else None, used_titles,
                                   objectives, priorities, service_users, coach_cycle,
                                   r * len(lives) + i, i, status, stage, months_ago, extra))
    return plans


def _plan_one(rng, directorate, rank, people, teams, persona_staff, used_titles, objectives, priorities, service_users,
              coach_cycle, n, i, status, stage, months_ago, extra) -> dict:
    team = teams[n % len(teams)]
    if persona_staff and i in (0, 6, 7):
        team = persona_staff.team  # the staff persona leads an active, a returned and a draft idea
    ideas = IDEAS[team.kind]
    for shift in range(len(ideas) + 1):
        title_t, problem, what, how_much, obj_i, pri_i = ideas[(i + rank + shift) % len(ideas)]
        title = title_t.format(team=team.name)
        if title not in used_titles:
            break
    else:
        title = f"{title} (second cycle)"
    used_titles.add(title)
    staff = people["staff"][team.pk]
    lead = persona_staff if persona_staff and team.pk == persona_staff.team_id and i in (0, 6, 7) else staff[0]
    if lead.is_demo_persona and persona_staff is None and len(staff) > 1:
        lead = staff[1]  # later rounds: the persona keeps the few projects a ward manager really leads
    involvement = [Involvement.FULL, Involvement.OCCASIONAL, Involvement.NONE][i % 3]
    su = [service_users[(n + rank) % len(service_users)]] if involvement != Involvement.NONE else []
    if involvement == Involvement.FULL and len(service_users) > 1:
        su.append(service_users[(n + rank + 3) % len(service_users)])
    if n == 0 and directorate.slug == "riverside-mh":
        su = [u for u in service_users if u.username == "serviceuser"] + su[:1]
    su = list({u.pk: u for u in su}.values())  # one membership per person
    aligned = rng.random() < 0.68  # about two-thirds aligned, as the source trust reports
    return {
        "directorate": directorate, "team": team, "lead": lead, "title": title, "problem": problem,
        "what": what, "how_much": how_much, "status": status, "stage": stage, "months_ago": months_ago,
        "extra": extra, "members": [m for m in staff[1:3] if m.pk != lead.pk], "service_users": su,
        "involvement": involvement, "objective": objectives[obj_i] if aligned and obj_i is not None else None,
        "priority": priorities[pri_i] if aligned and pri_i is not None and pri_i < len(priorities) else None,
        "chair": people["chair"], "sponsor": people["sponsors"][n % len(people["sponsors"])],
        "coach": next(coach_cycle), "rng_day": rng.randint(0, 20),
    }


def _meeting_for(meetings_by_forum: dict, forum_id: int, today: dt.date, months_ago: int) -> Meeting:
    meetings = meetings_by_forum[forum_id]
    past = [m for m in meetings if m.date < today]
    if months_ago == 0:
        return next(m for m in meetings if m.date >= today)
    return past[-min(months_ago, len(past))]


@transaction.atomic
def _write(plans: list[dict], today: dt.date) -> None:
    if not plans:
        return
    forums = {f.directorate_id: f for f in Forum.objects.filter(directorate__in={p["directorate"] for p in plans})}
    meetings_by_forum: dict[int, list[Meeting]] = defaultdict(list)
    for m in Meeting.objects.filter(forum__in=forums.values()).order_by("date"):
        meetings_by_forum[m.forum_id].append(m)

    def at(day: dt.date, hour: int = 15) -> dt.datetime:
        return moment(day, hour)

    projects = []
    for p in plans:
        forum = forums[p["directorate"].pk]
        first_meeting = _meeting_for(meetings_by_forum, forum.pk, today, p["months_ago"])
        p["forum"], p["meeting"] = forum, first_meeting
        created = first_meeting.date - dt.timedelta(days=20 + p["rng_day"])
        running = p["status"] in (S.ACTIVE, S.CLOSURE_REQUESTED)
        approved = p["status"] in (S.ACTIVE, S.CLOSURE_REQUESTED, S.COMPLETED, S.STOPPED)
        decision_meeting = first_meeting
        if p["extra"] == "returned_first":
            later = [m for m in meetings_by_forum[forum.pk] if first_meeting.date < m.date < today]
            decision_meeting = later[0] if later else first_meeting
        p["decision_meeting"] = decision_meeting
        aim_by = decision_meeting.date + dt.timedelta(days=365)
        projects.append(Project(
            title=p["title"], team=p["team"], directorate=p["directorate"], status=p["status"], stage=p["stage"],
            problem=p["problem"],
            why_it_matters="Staff raised it at our team meeting and service users described the same problem at "
                           "the community meeting; it affects people every day.",
            matters_to_staff=True, matters_to_service_users=p["involvement"] != Involvement.NONE,
            matters_to_carers=p["involvement"] == Involvement.FULL,
            aim_what=p["what"], aim_how_much=p["how_much"], aim_by_when=aim_by,
            condition_matters_most=p["status"] != S.DRAFT or p["rng_day"] % 2 == 0,
            condition_team_agreed=p["status"] != S.DRAFT, condition_whole_team=p["status"] != S.DRAFT,
            involvement=p["involvement"], lead=p["lead"], created_by=p["lead"],
            coach=p["coach"] if approved else None, sponsor=p["sponsor"] if approved else None,
            created_at=at(created, 10),
            submitted_at=at(first_meeting.date - dt.timedelta(days=7)) if p["status"] != S.DRAFT else None,
            approved_on=decision_meeting.date if approved else None,
            closed_on=(today - dt.timedelta(days=30)) if p["status"] in (S.COMPLETED, S.STOPPED) else None,
        ))
        p["running"] = running
        p["approved"] = approved
    Project.objects.bulk_create(projects, batch_size=1000)

    Through = Project.objects.model.objectives.through
    PThrough = Project.objects.model.priorities.through
    objective_links, priority_links, members, events, items, decisions, allocations, attendance = ([] for _ in range(8))
    attended = set()

    def decided(item, meeting, project, outcome, rationale, chair, when, summary, to_status=None, **extra):
        decisions.append((item, Decision(meeting=meeting, project=project, outcome=outcome, rationale=rationale,
                                         decided_by=chair, decided_at=when, **extra)))
        events.append(ProjectEvent(project=project, kind=EventKind.DECISION, by=chair, at=when, summary=summary,
                                   detail=rationale, from_status=S.SUBMITTED if to_status else "",
                                   to_status=to_status or ""))

    for p, project in zip(plans, projects):
        if p["objective"]:
            objective_links.append(Through(project_id=project.pk, strategicobjective_id=p["objective"].pk))
        if p["priority"]:
            priority_links.append(PThrough(project_id=project.pk, annualpriority_id=p["priority"].pk))
        joined = project.created_at.date()
        members.append(ProjectMember(project=project, person=p["lead"], role=MemberRole.LEAD, joined_on=joined))
        for m in p["members"]:
            members.append(ProjectMember(project=project, person=m, role=MemberRole.MEMBER, joined_on=joined))
        for su in p["service_users"]:
            role = MemberRole.CARER if su.lived_experience == LivedExperience.CARER else MemberRole.SERVICE_USER
            members.append(ProjectMember(project=project, person=su, role=role, joined_on=joined))
        events.append(ProjectEvent(project=project, kind=EventKind.STATUS, by=p["lead"], at=project.created_at,
                                   to_status=S.DRAFT, summary="Idea started as a draft"))
        if p["status"] == S.DRAFT:
            continue
        first, decided_at = p["meeting"], p["decision_meeting"]
        where = f"{p['forum'].name} on {first.date:%-d %b %Y}"
        events.append(ProjectEvent(project=project, kind=EventKind.STATUS, by=p["lead"], at=project.submitted_at,
                                   from_status=S.DRAFT, to_status=S.SUBMITTED, summary="Submitted to the QI forum"))
        chair = p["chair"]
        for meeting in {first, decided_at}:
            if (meeting.pk, chair.pk) not in attended:
                attended.add((meeting.pk, chair.pk))
                attendance.append(Attendance(meeting=meeting, person=chair, role=Attendance.AttendanceRole.CHAIR))
            if (meeting.pk, p["lead"].pk) not in attended:
                attended.add((meeting.pk, p["lead"].pk))
                attendance.append(Attendance(meeting=meeting, person=p["lead"],
                                             role=Attendance.AttendanceRole.PRESENTER))
        extra = p["extra"]
        if p["status"] == S.SUBMITTED and extra in ("new", ""):
            items.append(AgendaItem(meeting=first, project=project, kind=AgendaKind.NEW, added_at=project.submitted_at))
            continue
        if p["status"] == S.SUBMITTED and extra == "deferred":
            past = [m for m in _past(meetings_by_forum, p["forum"], today)][-1:]
            if past:
                item = AgendaItem(meeting=past[0], project=project, kind=AgendaKind.NEW, added_at=project.submitted_at)
                items.append(item)
                decided(item, past[0], project, Outcome.DEFER,
                        "Not enough time to discuss properly; first item next month.", chair, at(past[0].date, 16),
                        f"Deferred at {p['forum'].name} on {past[0].date:%-d %b %Y}")
            items.append(AgendaItem(meeting=first, project=project, kind=AgendaKind.DEFERRED,
                                    added_at=project.submitted_at))
            continue
        if p["status"] == S.SUBMITTED and extra == "resubmitted":
            item = AgendaItem(meeting=first, project=project, kind=AgendaKind.NEW, added_at=project.submitted_at)
            items.append(item)
            decided(item, first, project, Outcome.RETURN, FEEDBACK_RETURN, chair, at(first.date, 16),
                    f"Returned for more work at {where}", S.RETURNED)
            events.append(ProjectEvent(project=project, kind=EventKind.STATUS, by=p["lead"],
                                       at=at(first.date + dt.timedelta(days=12)), from_status=S.RETURNED,
                                       to_status=S.SUBMITTED, summary="Resubmitted to the QI forum"))
            upcoming = next(m for m in meetings_by_forum[p["forum"].pk] if m.date >= today)
            items.append(AgendaItem(meeting=upcoming, project=project, kind=AgendaKind.RESUBMITTED,
                                    added_at=at(first.date + dt.timedelta(days=12))))
            continue
        if extra == "returned_first" and decided_at.pk != first.pk:
            item = AgendaItem(meeting=first, project=project, kind=AgendaKind.NEW, added_at=project.submitted_at)
            items.append(item)
            decided(item, first, project, Outcome.RETURN, FEEDBACK_RETURN, chair, at(first.date, 16),
                    f"Returned for more work at {where}", S.RETURNED)
            events.append(ProjectEvent(project=project, kind=EventKind.STATUS, by=p["lead"],
                                       at=at(decided_at.date - dt.timedelta(days=7)), from_status=S.RETURNED,
                                       to_status=S.SUBMITTED, summary="Resubmitted to the QI forum"))
            kind = AgendaKind.RESUBMITTED
        else:
            kind = AgendaKind.NEW
        item = AgendaItem(meeting=decided_at, project=project, kind=kind, added_at=project.submitted_at)
        items.append(item)
        where = f"{p['forum'].name} on {decided_at.date:%-d %b %Y}"
        when = at(decided_at.date, 16)
        if p["status"] == S.RETURNED:
            decided(item, decided_at, project, Outcome.RETURN, FEEDBACK_RETURN, chair, when,
                    f"Returned for more work at {where}", S.RETURNED)
        elif p["status"] == S.DECLINED:
            decided(item, decided_at, project, Outcome.DECLINE, REASON_DECLINE, chair, when, f"Declined at {where}",
                    S.DECLINED)
        elif p["approved"]:
            for kind_, person in ((AllocationKind.COACH, p["coach"]), (AllocationKind.SPONSOR, p["sponsor"])):
                allocations.append(Allocation(project=project, kind=kind_, person=person, started_on=decided_at.date,
                                              reason=f"Approved at {where}", allocated_by=chair, created_at=when,
                                              ended_on=project.closed_on,
                                              ended_reason="Project closed" if project.closed_on else ""))
            events.append(ProjectEvent(project=project, kind=EventKind.ALLOCATION, by=chair, at=when,
                                       summary=f"QI coach: {p['coach'].name}, QI sponsor: {p['sponsor'].name} "
                                               f"(Approved at {where})"))
            decided(item, decided_at, project, Outcome.APPROVE, APPROVE_NOTE, chair, when, f"Approved at {where}",
                    S.ACTIVE, coach=p["coach"], sponsor=p["sponsor"])
            if p["status"] in (S.CLOSURE_REQUESTED, S.COMPLETED, S.STOPPED):
                closure_day = project.closed_on or (today - dt.timedelta(days=10))
                events.append(ProjectEvent(project=project, kind=EventKind.STATUS, by=p["lead"],
                                           at=at(closure_day - dt.timedelta(days=20)), from_status=S.ACTIVE,
                                           to_status=S.CLOSURE_REQUESTED if p["status"] != S.STOPPED else S.STOPPED,
                                           summary="Closure requested" if p["status"] != S.STOPPED
                                           else "Stopped: the ward closed for refurbishment"))
                if p["status"] == S.COMPLETED:
                    events.append(ProjectEvent(project=project, kind=EventKind.STATUS, by=chair, at=at(closure_day),
                                               from_status=S.CLOSURE_REQUESTED, to_status=S.COMPLETED,
                                               summary="Closure confirmed by the forum: aim met"))
    Through.objects.bulk_create(objective_links, batch_size=2000)
    PThrough.objects.bulk_create(priority_links, batch_size=2000)
    ProjectMember.objects.bulk_create(members, batch_size=2000)
    ProjectEvent.objects.bulk_create(events, batch_size=2000)
    AgendaItem.objects.bulk_create(items, batch_size=2000)
    for item, decision in decisions:
        decision.item = item
    Decision.objects.bulk_create([d for _, d in decisions], batch_size=2000)
    Allocation.objects.bulk_create(allocations, batch_size=2000)
    refresh_loads()  # bulk_create skips the allocation service, which keeps the coaches' counts
    Attendance.objects.bulk_create(attendance, batch_size=2000, ignore_conflicts=True)
    # The list is ordered by last activity: give each project the date of its latest event.
    latest = {}
    for e in events:
        if e.project_id not in latest or e.at > latest[e.project_id]:
            latest[e.project_id] = e.at
    Project.objects.bulk_update([Project(pk=pk, updated_at=when) for pk, when in latest.items()], ["updated_at"],
                                batch_size=1000)
    _minutes(meetings_by_forum, decisions, today)


def _past(meetings_by_forum, forum, today):
    return [m for m in meetings_by_forum[forum.pk] if m.date < today]


def _minutes(meetings_by_forum, decisions, today) -> None:
    by_meeting = defaultdict(list)
    for _, d in decisions:
        by_meeting[d.meeting_id].append(d)
    updates = []
    for meetings in meetings_by_forum.values():
        for m in meetings:
            if m.date >= today or m.minutes:
                continue
            ds = by_meeting.get(m.pk, [])
            lines = [f"The forum met on {m.date:%-d %B %Y}. Apologies were noted.",
                     f"{len(ds)} idea{'s' if len(ds) != 1 else ''} decided." if ds else "No new ideas this month; "
                     "the forum reviewed the progress of active projects and heard one team's story."]
            lines += [f"- {d.project.title}: {d.get_outcome_display().lower()}." for d in ds]
            lines.append("Actions: the QI department to circulate the slides; coaches to follow up with new teams.")
            m.minutes = "\n".join(lines)
            m.minutes_updated_at = dt.datetime.combine(m.date, dt.time(17, 0), tzinfo=timezone.get_current_timezone())
            updates.append(m)
    Meeting.objects.bulk_update(updates, ["minutes", "minutes_updated_at"], batch_size=1000)

