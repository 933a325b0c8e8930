"""Demo capability building (seed_demo step 45): the dosing plan with this year's targets and real gaps,
eight yearly waves of the Improvement Leaders' Programme with the projects participants brought (the
eighth under way), about a thousand Pocket QI completions over four years, a coaching programme cohort
whose graduates joined the coach pool (a few still waiting for the QI department), a sponsor course, and
open cohorts to enrol on. Attendance is written in bulk; completion is worked out by the services from
each course's rule, as it is for a real cohort.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.hashers import make_password
from django.db.models import Count

from coaching.models import Supervision
from coaching.services import advisors
from organisation.demo import FIRST, LAST
from organisation.models import CoachProfile, ExternalOrganisation, Role, RoleAssignment, StaffGroup, Team, User
from organisation.seeding import DemoContext
from projects.models import Project, ProjectMember

from . import services
from .models import (
    Attendance,
    Audience,
    CoachProposal,
    Cohort,
    Course,
    CourseKind,
    DoseTarget,
    Enrolment,
    EnrolmentStatus,
    Route,
    Session,
)

GROUPS = [StaffGroup.NURSING] * 4 + [StaffGroup.CLINICAL_SUPPORT] * 3 + [StaffGroup.AHP] * 2 + [
    StaffGroup.ADMIN] * 2 + [StaffGroup.MEDICAL, StaffGroup.SCIENTIFIC, StaffGroup.ESTATES, StaffGroup.TRAINEE]
EXTRA_STAFF = 1200  # the staff in post beyond the people the governance demo needs, a few teams' worth each
PARTNERS = 40


def _audiences() -> dict[str, Audience]:
    specs = [
        ("all", "All staff", {}, "Everyone employed by the trust: an introduction at induction and Pocket QI."),
        ("members", "Project team members", {"roles": [Role.STAFF]}, "Staff who join an improvement project team."),
        ("leads", "Project leads", {"roles": [Role.STAFF]}, "Staff leading a QI project."),
        ("coaches", "QI coaches", {"roles": [Role.COACH]}, ""),
        ("sponsors", "QI sponsors", {"roles": [Role.SPONSOR]}, ""),
        ("ias", "Improvement Advisors", {"roles": [Role.IMPROVEMENT_ADVISOR]}, ""),
        ("board", "Executives and board", {"roles": [Role.BOARD]}, ""),
        ("lived", "Service users and carers", {"lived_experience": True}, ""),
        ("trainees", "Trainee doctors", {"staff_groups": [StaffGroup.TRAINEE]}, ""),
        ("partners", "External partners", {"partners": True}, "People from partner organisations on our projects."),
    ]
    out = {}
    for order, (key, name, fields, description) in enumerate(specs):
        out[key], _ = Audience.objects.get_or_create(name=name, defaults={"order": order, "description": description,
                                                                         **fields})
    return out


def _courses(a: dict[str, Audience]) -> dict[str, Course]:
    specs = [
        ("pocket", "Pocket QI", CourseKind.INTRODUCTION, "all", "One day", 1, 1, False,
         "The Model for Improvement, PDSA cycles and run charts in a day, for every member of staff."),
        ("ilp", "Improvement Leaders' Programme", CourseKind.LEADERS, "leads", "One day a month for five months", 5,
         4, True, "For project leads and team members, each bringing a real QI project approved at their forum."),
        ("coach", "QI coach programme", CourseKind.COACH, "coaches", "Six days over six months", 6, 5, False,
         "For staff who will coach project teams for 2–4 hours a week."),
        ("sponsor", "Sponsoring improvement", CourseKind.SPONSOR, "sponsors", "Half a day", 1, 1, False,
         "For senior managers who sponsor QI projects: removing barriers, asking about the data."),
        ("board", "Board QI development", CourseKind.BOARD, "board", "Two half days", 2, 2, False,
         "Reading SPC charts and asking what a team is learning."),
        ("lived", "QI for service users and carers", CourseKind.SERVICE_USER, "lived", "One day", 1, 1, False,
         "Joining a project team as an equal partner."),
    ]
    out = {}
    for key, name, kind, audience, length, sessions, minimum, project, summary in specs:
        out[key], _ = Course.objects.get_or_create(name=name, defaults={
            "kind": kind, "audience": a[audience], "length": length, "sessions": sessions, "min_sessions": minimum,
            "requires_project": project, "summary": summary})
    out["refresher"], _ = Course.objects.get_or_create(name="Pocket QI refresher", defaults={
        "kind": CourseKind.REFRESHER, "audience": a["all"], "length": "Two hours online", "sessions": 1,
        "min_sessions": 1, "refresher_of": out["pocket"], "summary": "For Pocket QI graduates of three years ago."})
    return out


def _targets(ctx: DemoContext, a, c) -> None:
    year = ctx.today.year
    rows = []
    for y in range(year - 3, year + 2):
        step = y - (year - 3)
        rows += [(a["all"], c["pocket"], y, 700 + 250 * step, None),
                 (a["leads"], c["ilp"], y, 160 + 40 * step, None),
                 (a["partners"], c["ilp"], y, 20 + 5 * step, None),
                 (a["coaches"], c["coach"], y, None, "0.5" if y < year else "0.8"),
                 (a["sponsors"], c["sponsor"], y, None, "0.6" if y < year else "0.9"),
                 (a["board"], c["board"], y, None, "1")]
    for audience, course, y, number, share in rows:
        DoseTarget.objects.get_or_create(audience=audience, course=course, year=y,
                                         defaults={"target_number": number, "target_share": share})


def _staff(ctx: DemoContext) -> tuple[list[User], list[User]]:
    """Staff in post with staff numbers and groups (a few leavers among them), and partners."""
    rng = ctx.rng
    teams = list(Team.objects.order_by("pk"))
    total = EXTRA_STAFF * min(ctx.scale, 1) + 100 * max(ctx.scale - 1, 0)
    password = make_password(None)
    names = [f"{first} {last}" for last in LAST for first in FIRST]
    rng.shuffle(names)
    users = [User(username=f"ld{i}", display_name=names[i % len(names)], job_title="Staff member",
                  team=teams[i % len(teams)], directorate_id=teams[i % len(teams)].directorate_id,
                  email=f"ld{i}@example.nhs.uk", staff_group=GROUPS[i % len(GROUPS)], staff_number=f"E{i:07d}",
                  left_on=ctx.today - dt.timedelta(days=rng.randint(10, 700)) if i % 19 == 0 else None,
                  password=password) for i in range(total)]
    users = User.objects.bulk_create(users, batch_size=2000)
    RoleAssignment.objects.bulk_create([RoleAssignment(user=u, role=Role.STAFF) for u in users], batch_size=2000)
    # Everyone the earlier steps made gets a staff group and number too.
    earlier = list(User.objects.filter(staff_number="", external_organisation__isnull=True, lived_experience="")
                   .exclude(username__startswith="ld").order_by("pk"))
    for i, u in enumerate(earlier):
        u.staff_group, u.staff_number = GROUPS[i % len(GROUPS)], f"P{u.pk:07d}"
    User.objects.bulk_update(earlier, ["staff_group", "staff_number"], batch_size=2000)
    orgs = list(ExternalOrganisation.objects.order_by("pk"))
    partners = User.objects.bulk_create([
        User(username=f"ldpartner{i}", display_name=names[-1 - i], job_title="Partner", password=password,
             external_organisation=orgs[i % len(orgs)], email=f"ldpartner{i}@example.org")
        for i in range(PARTNERS if orgs else 0)])
    return users, partners


def _cohort(course, name, first: dt.date, *, capacity, gap_days=30, facilitators=(), venue="Trust headquarters",
            online=False, open_=False) -> tuple[Cohort, list[Session]]:
    cohort = Cohort.objects.create(course=course, name=name, venue=venue, online=online, capacity=capacity,
                                   open_for_enrolment=open_)
    sessions = Session.objects.bulk_create([Session(cohort=cohort, number=n + 1,
                                                    date=first + dt.timedelta(days=gap_days * n))
                                            for n in range(course.sessions)])
    if facilitators:
        cohort.facilitators.set(facilitators)
    return cohort, sessions


def _fill(ctx, cohort, sessions, people, *, route=Route.SELF, miss=0.08, by=None) -> list[Enrolment]:
    """Enrol these people and mark every past session, most attending."""
    enrolments = Enrolment.objects.bulk_create([Enrolment(cohort=cohort, person=p, route=route,
                                                          status=EnrolmentStatus.ENROLLED) for p in people])
    marks = [Attendance(enrolment=e, session=s, attended=ctx.rng.random() > miss, recorded_by=by)
             for e in enrolments for s in sessions if s.date <= ctx.today]
    Attendance.objects.bulk_create(marks, batch_size=5000)
    return enrolments


def seed_capability(ctx: DemoContext) -> None:
    if Course.objects.exists():
        ctx.out("capability: nothing to add")
        return
    rng, today = ctx.rng, ctx.today
    people = ctx.data.get("people", {})
    ias = list(people.get("ias", [])) or list(User.objects.filter(role_assignments__role=Role.IMPROVEMENT_ADVISOR))
    admin = people.get("qiadmin")
    a = _audiences()
    c = _courses(a)
    _targets(ctx, a, c)
    staff, partners = _staff(ctx)
    in_post = [u for u in staff if u.left_on is None]

    # Pocket QI: a monthly cohort of about 25 over four years; about a thousand have completed it.
    pocket_people = staff[:]
    rng.shuffle(pocket_people)
    pocket_people = pocket_people[:int(len(pocket_people) * 0.88)]
    done_ids: list[int] = []
    month, i = 0, 0
    while i < len(pocket_people):
        day = today - dt.timedelta(days=30 * (48 - month) + 9)
        if day > today:
            break
        size = rng.randint(18, 30)
        cohort, sessions = _cohort(c["pocket"], f"{day.day} {day:%B %Y}", day, capacity=30,
                                   venue=["Riverside Centre", "Abbey Health Centre", "Online"][month % 3],
                                   online=month % 3 == 2, facilitators=[ias[month % len(ias)]] if ias else ())
        done_ids += [e.pk for e in _fill(ctx, cohort, sessions, pocket_people[i:i + size], by=admin)]
        i += size
        month += 1
    for n in range(2):  # open cohorts to enrol on
        day = today + dt.timedelta(days=20 + 30 * n)
        _cohort(c["pocket"], f"{day.day} {day:%B %Y}", day, capacity=30, open_=True,
                facilitators=[ias[n % len(ias)]] if ias else ())

    # Improvement Leaders' Programme: eight yearly waves; the eighth started three months ago.
    leads = {m.person_id: m.project_id for m in ProjectMember.objects.filter(left_on__isnull=True)
             .order_by("role", "pk")}
    project_people = [u for u in User.objects.filter(pk__in=list(leads)).exclude(is_demo_persona=True)
                      .order_by("pk")]
    pool = in_post[:]
    rng.shuffle(pool)
    aligned = set(Project.objects.aligned().values_list("pk", flat=True))
    wave_size, offset = 24, 0
    for wave in range(1, 9):
        start = dt.date(today.year - 8 + wave, 1, 15) if wave < 8 else today - dt.timedelta(days=95)
        cohort, sessions = _cohort(c["ilp"], f"Wave {wave}", start, capacity=30, facilitators=ias[:2])
        bringing = project_people[(wave - 1) * 3:(wave - 1) * 3 + 3]
        members = bringing + pool[offset:offset + wave_size - len(bringing) - 5] + partners[(wave - 1) * 5:wave * 5]
        offset += wave_size
        enrolments = _fill(ctx, cohort, sessions, members, route=Route.MANAGER, miss=0.1, by=ias[0] if ias else None)
        for e in enrolments:
            project_id = leads.get(e.person_id)
            if project_id:
                e.project_id = project_id
                if project_id not in aligned:
                    e.not_aligned_reason = "The team's own biggest problem, agreed with service users."
            if wave < 8:
                e.presented_on = sessions[-1].date if rng.random() > 0.07 else None
        Enrolment.objects.bulk_update(enrolments, ["project", "not_aligned_reason", "presented_on"])
        done_ids += [e.pk for e in enrolments]
    staff_person = people.get("staff")
    if staff_person is not None:  # the staff persona is on the current wave, bringing their project
        current = Cohort.objects.get(course=c["ilp"], name="Wave 8")
        Enrolment.objects.get_or_create(cohort=current, person=staff_person, defaults={"route": Route.SELF})
    _cohort(c["ilp"], "Wave 9", dt.date(today.year + 1, 1, 15), capacity=30, open_=True,
                           facilitators=ias[:2])

    # The coaching programme: one cohort last year; most graduates joined the coach pool.
    coach_cohort, sessions = _cohort(c["coach"], f"Coaches {today.year - 1}", today - dt.timedelta(days=400),
                                     capacity=16, facilitators=ias[:1])
    # From outside the personas' directorate, so that the coach persona stays its roomiest coach.
    home = staff_person.directorate_id if staff_person is not None else None
    trainees = [u for u in pool[offset:] if u.directorate_id != home][:14]
    coach_enrolments = _fill(ctx, coach_cohort, sessions, trainees, miss=0.03, by=ias[0] if ias else None)
    done_ids += [e.pk for e in coach_enrolments]

    # Sponsors and the board.
    sponsors = list(User.objects.filter(role_assignments__role=Role.SPONSOR).distinct().order_by("pk")[:40])
    cohort, sessions = _cohort(c["sponsor"], "Spring", today - dt.timedelta(days=200), capacity=40)
    done_ids += [e.pk for e in _fill(ctx, cohort, sessions, sponsors[: len(sponsors) * 2 // 3])]
    board = list(User.objects.filter(role_assignments__role=Role.BOARD).distinct().order_by("pk"))
    cohort, sessions = _cohort(c["board"], "Board development", today - dt.timedelta(days=120), capacity=20,
                               gap_days=14)
    done_ids += [e.pk for e in _fill(ctx, cohort, sessions, board[:4])]
    lived = list(User.objects.exclude(lived_experience="").order_by("pk"))
    cohort, sessions = _cohort(c["lived"], "Autumn", today - dt.timedelta(days=60), capacity=15)
    done_ids += [e.pk for e in _fill(ctx, cohort, sessions, lived[:6])]

    # Completion from each course's rule, as for any cohort; the coach graduates are proposed by it.
    for start in range(0, len(done_ids), 5000):
        services.refresh_completion(done_ids[start:start + 5000])
    supervision = []
    # The QI department shares the new coaches among the IAs by how many each already supervises (an IA
    # supervises ten to fifteen), starting from the one who facilitated the cohort.
    ias_all = list(advisors().order_by("pk"))
    supervising = dict(CoachProfile.objects.filter(supervisor__in=ias_all).values("supervisor")
                       .annotate(n=Count("pk")).values_list("supervisor", "n"))
    for proposal in CoachProposal.objects.select_related("person", "enrolment").order_by("pk")[:10]:
        supervisor = proposal.suggested_supervisor
        if ias_all and (supervisor is None or supervising.get(supervisor.pk, 0) >= 12):
            supervisor = min(ias_all, key=lambda ia: (supervising.get(ia.pk, 0), ia.pk))
        if supervisor is not None:
            supervising[supervisor.pk] = supervising.get(supervisor.pk, 0) + 1
        services.decide_proposal(proposal, by=admin, add=True, hours_per_week=2 + proposal.pk % 3, max_teams=2,
                                 supervisor=supervisor)
        if supervisor:  # supervised monthly since they joined the pool
            day = proposal.enrolment.completed_on + dt.timedelta(days=20)
            while day <= today:
                supervision.append(Supervision(advisor=supervisor, coach=proposal.person, date=day,
                                               notes="Supervision after the coach programme: the first team."))
                day += dt.timedelta(days=30)
    Supervision.objects.bulk_create(supervision)
    # A new coach co-facilitates the running wave beside the IAs: on the coaching pool that is one of their teams.
    graduate = CoachProposal.objects.filter(outcome="added").select_related("person").order_by("pk").first()
    if graduate is not None:
        Cohort.objects.get(course=c["ilp"], name="Wave 8").facilitators.add(graduate.person)
    services.refresh_facilitation()  # the cohorts above were given facilitators directly
    ctx.out(f"capability: {Course.objects.count()} courses, {Cohort.objects.count()} cohorts, "
            f"{Enrolment.objects.completed().count()} completions, {Attendance.objects.count()} attendance marks, "
            f"{CoachProposal.objects.filter(outcome='added').count()} graduates joined the coach pool")
