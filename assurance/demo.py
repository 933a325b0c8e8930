"""Demo assurance (seed_demo step 45): a year of weekly WalkRounds by the board's executives with some
actions overdue (one of them the `staff` persona's), next week's plans; two accreditation rounds on two
versions of the framework with awards moving; four weeks of huddles on four wards with escalations open.

Each part runs once: a second run finds its rows and adds nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from organisation.models import Role, Team, TeamKind, User
from organisation.seeding import DemoContext, moment

from . import services
from .accreditation import ACCREDITED_KINDS, add_months, new_version
from .accreditation import start_idea as start_area_idea
from .huddles import issue_board_link
from .models import (
    AccreditationRole,
    Action,
    ActionStatus,
    ActionUpdate,
    Assessment,
    AssessmentStatus,
    BoardLink,
    Escalation,
    EscalationStatus,
    EscalationUpdate,
    Framework,
    Huddle,
    HuddleIssue,
    IdeaLink,
    IssueOutcome,
    Judgement,
    PlannedWalkRound,
    Rating,
    WalkRound,
)
from .standards import install_default

PROUD = [
    "The new welcome pack: families say they understand the ward's routines from day one.",
    "Zero uses of seclusion for three months, after the team started the evening activity group.",
    "A student nurse led the redesign of the handover sheet and the whole team now uses it.",
    "Service users co-wrote the leaflet on leave and now give it out themselves.",
    "Waiting times for a first appointment are down from nine weeks to five.",
    "The team kept every clinic running through the winter with two vacancies.",
]
IMPROVE = [
    "Fewer falls at night: testing a low-stimulus hour before bed and better lighting in the corridors.",
    "Reducing missed appointments by texting people the day before, in their own language.",
    "Getting physical health checks done within a week of admission for everyone.",
    "Making ward rounds shorter and more useful, with the service user's own agenda first.",
    "Cutting the time from referral to first contact for carers' assessments.",
    "Fewer incidents of violence and aggression in the evenings, using the safety huddle data.",
]
BARRIERS = [
    "Agency staff on nights do not know the ward's falls checklist, and there is no induction for them.",
    "The electronic record logs people out every ten minutes, so notes are written at the end of the shift.",
    "Broken hoist in bathroom two has been reported four times and estates have not been out.",
    "No private room for phone calls with families: staff use the clinic room between medication rounds.",
    "Two band 6 vacancies for six months; the advert has not gone out because of a funding query.",
    "Referrals arrive by fax and e-mail and post, so some are found days late.",
]
CARE = [
    "A weekly reflective practice group, protected on the rota.",
    "Team lunch on Fridays and a wellbeing board in the staff room.",
    "Debriefs after every incident, led by the psychologist.",
    "Flexible shifts agreed for carers in the team; people say it has kept them here.",
    "Not well, honestly: the team says it is tired and the sickness rate is rising.",
]
ACTIONS = [
    "Estates to fix the hoist and confirm the date with the ward manager",
    "Write a one-page induction card for agency staff on nights",
    "Ask digital services to extend the time-out on ward computers",
    "Find a room for private calls with families",
    "Chase the funding decision on the two band 6 posts",
    "Set up a single referral inbox and stop the fax",
    "Share the welcome pack with the other wards on site",
]
ISSUES = [
    ("Short of one nurse on the late shift", IssueOutcome.RESOLVED),
    ("Ligature audit due this week", IssueOutcome.RESOLVED),
    ("Fridge temperature out of range in the clinic room", IssueOutcome.RESOLVED),
    ("Bed pressure: two people waiting in A&E for a bed", IssueOutcome.ESCALATED),
    ("Hoist still broken in bathroom two", IssueOutcome.ESCALATED),
    ("Pharmacy delivery late again", IssueOutcome.RESOLVED),
    ("Agency nurse did not arrive for the night shift", IssueOutcome.ESCALATED),
]


def seed_assurance(ctx: DemoContext) -> None:
    with transaction.atomic():
        walkrounds = _walkrounds(ctx)
        assessments = _accreditation(ctx)
        huddles = _huddles(ctx)
    ctx.out(f"assurance: {walkrounds} WalkRounds, {assessments} assessments, {huddles} huddles")


def _team_people(team_ids: list[int]) -> dict[int, list[int]]:
    people: dict[int, list[int]] = {}
    for pk, team_id in (User.objects.filter(team_id__in=team_ids, is_active=True, lived_experience="")
                        .order_by("pk").values_list("pk", "team_id")):
        people.setdefault(team_id, []).append(pk)
    return people


def _walkrounds(ctx: DemoContext) -> int:
    if WalkRound.objects.exists():
        return 0
    rng, today = ctx.rng, ctx.today
    executives = list(services.executives())
    if not executives:
        return 0
    # A few corporate teams are never visited, so the coverage page has something to show.
    teams = list(Team.objects.filter(active=True).exclude(kind=TeamKind.CORPORATE, name__in=[
        "Finance", "Estates and Facilities", "Digital and Informatics"]).order_by("pk"))
    staff = User.objects.filter(username="staff").first()
    people = _team_people([t.pk for t in teams])
    last: dict[int, dt.date | None] = {t.pk: None for t in teams}
    plans: list[tuple[Team, User, dt.date]] = []
    for week in range(52):
        day = today - dt.timedelta(days=7 * (52 - week) - rng.randint(0, 4))
        team = min(teams, key=lambda t: (last[t.pk] is not None, last[t.pk] or dt.date.min, (t.pk * 7919) % 101))
        if staff is not None and week == 49:
            team = next((t for t in teams if t.pk == staff.team_id), team)
        last[team.pk] = day
        plans.append((team, executives[week % len(executives)], day))
    rows = WalkRound.objects.bulk_create([
        WalkRound(team=team, date=day, proud_of=PROUD[i % len(PROUD)], working_to_improve=IMPROVE[i % len(IMPROVE)],
                  getting_in_the_way=BARRIERS[i % len(BARRIERS)], taking_care=CARE[i % len(CARE)],
                  recorded_by=executive, created_at=moment(day, 17))
        for i, (team, executive, day) in enumerate(plans)])
    through = WalkRound.executives.through
    links = [through(walkround_id=w.pk, user_id=executive.pk) for w, (_, executive, _) in zip(rows, plans)]
    # Some WalkRounds are done in pairs: the chief executive joins every eighth.
    links += [through(walkround_id=w.pk, user_id=executives[1].pk) for i, w in enumerate(rows)
              if i % 8 == 3 and len(executives) > 1 and plans[i][1].pk != executives[1].pk]
    through.objects.bulk_create(links)
    # Most were planned from the schedule a few weeks ahead; a few were fitted in when a visit fell through.
    PlannedWalkRound.objects.bulk_create([
        PlannedWalkRound(executive=executive, team=team, week_of=services.monday(day), walkround=w,
                         planned_by=executive, created_at=moment(day - dt.timedelta(days=21), 9))
        for i, (w, (team, executive, day)) in enumerate(zip(rows, plans)) if i % 13 != 0])

    actions = []
    for i, (w, (team, executive, day)) in enumerate(zip(rows, plans)):
        for j in range(1 + i % 2):
            in_team = people.get(team.pk) or [executive.pk]
            if j == 1:
                owner = executive.pk  # the executive takes one away too
            elif staff is not None and team.pk == staff.team_id:
                owner = staff.pk
            else:
                owner = in_team[i % len(in_team)]
            due = day + dt.timedelta(days=rng.choice([14, 21, 28, 42]))
            # Older actions are mostly done; every seventh is left open, and some of those are overdue now.
            closed = due < today - dt.timedelta(days=20) and (i + j) % 7 != 0
            status = ActionStatus.DONE if closed else ActionStatus.IN_PROGRESS if (i + j) % 3 == 0 else \
                ActionStatus.OPEN
            actions.append(Action(team=team, walkround=w, description=ACTIONS[(i + j) % len(ACTIONS)], owner_id=owner,
                                  due=due, status=status, closed_on=min(due, today) if closed else None,
                                  created_by=executive, created_at=moment(day, 17)))
    actions = Action.objects.bulk_create(actions)
    updates = []
    for a in actions:
        updates.append(ActionUpdate(action=a, to_status=ActionStatus.OPEN, by=a.created_by, note="Action agreed",
                                    at=a.created_at))
        if a.status != ActionStatus.OPEN:
            updates.append(ActionUpdate(action=a, from_status=ActionStatus.OPEN, to_status=a.status, by_id=a.owner_id,
                                        at=moment(a.closed_on or a.created_at.date() + dt.timedelta(days=5), 12)))
    ActionUpdate.objects.bulk_create(updates)
    latest = Action.objects.filter(owner=staff).order_by("-created_at").first() if staff else None
    if latest is not None:  # the staff persona's home page shows an overdue action
        Action.objects.filter(pk=latest.pk).update(due=today - dt.timedelta(days=6), status=ActionStatus.OPEN,
                                                   closed_on=None)
        ActionUpdate.objects.filter(action=latest).exclude(to_status=ActionStatus.OPEN).delete()
    for proposal in services.proposals(per_executive=1):
        for team, _ in proposal.teams:
            services.plan_walkround(executive=proposal.executive, team=team, week_of=today + dt.timedelta(days=7),
                                    by=proposal.executive)
    return len(rows)


def _accreditation(ctx: DemoContext) -> int:
    if Assessment.objects.exists():
        return 0
    rng, today = ctx.rng, ctx.today
    first = install_default(published_on=add_months(today, -36))
    second = Framework.objects.filter(name=first.name, version=2).first() or new_version(first)
    second.standards.filter(code="4.3").update(
        text="Food is good and meets cultural and dietary needs; drinks and snacks are there day and night.")
    Framework.objects.filter(pk=second.pk).update(published_on=add_months(today, -12))
    second.refresh_from_db()

    qiadmin = User.objects.filter(username="qiadmin").first()
    lead = qiadmin or User.objects.filter(role_assignments__role=Role.QI_ADMIN).first()
    if lead is not None:
        AccreditationRole.objects.get_or_create(user=lead, kind="lead")
    assessors = list(User.objects.exclude(lived_experience="").filter(is_active=True, external_organisation=None)
                     .order_by("pk")[:10])
    for person in assessors:
        AccreditationRole.objects.get_or_create(user=person, kind="assessor")
    if not assessors:
        return 0
    teams = list(Team.objects.filter(active=True, kind__in=ACCREDITED_KINDS).order_by("pk"))[:18]
    staff = User.objects.filter(username="staff").first()

    made = 0
    for round_no, framework, months_ago in ((1, first, 18), (2, second, 6)):
        standards = list(framework.standards.all())
        for i, team in enumerate(teams):
            if round_no == 2 and i % 6 == 5:
                continue  # not every team has been back yet
            visit = add_months(today, -months_ago) + dt.timedelta(days=7 * (i % 20))
            base = 17 + (i * 5) % 12
            met = base if round_no == 1 else min(30, base + rng.choice([-3, 1, 3, 4, 6]))
            if staff is not None and team.pk == staff.team_id:
                met = 19 if round_no == 1 else 25  # Willow Ward: Bronze, then Silver
            partly = min(30 - met, 3)
            award = framework.award_for(met)
            months = framework.months_valid_not_accredited if award == "none" else framework.months_valid
            chosen = [assessors[(i + k) % len(assessors)] for k in range(2)]
            assessment = Assessment.objects.create(
                team=team, framework=framework, visit_date=visit, status=AssessmentStatus.PUBLISHED, met=met,
                partly=partly, not_met=30 - met - partly, award=award, due_on=add_months(visit, months),
                report=_report(team, met, award), published_at=moment(visit + dt.timedelta(days=14), 11),
                published_by=lead, created_by=lead, created_at=moment(visit - dt.timedelta(days=20), 10))
            assessment.assessors.set(chosen)
            # Which standards fall short differs by team but leans on the same few: the Pareto has a head.
            common = ("4.1", "5.1", "1.5", "6.1")
            order = sorted(standards, key=lambda s, i=i: ((int(s.code.replace(".", "")) * (i + 3)) % 7
                                                          - (5 if s.code in common else 0), s.order))
            ratings = {s.pk: Rating.NOT_MET for s in order[:30 - met - partly]}
            ratings.update({s.pk: Rating.PARTLY for s in order[30 - met - partly:30 - met]})
            Judgement.objects.bulk_create([
                Judgement(assessment=assessment, standard=s, rating=ratings.get(s.pk, Rating.MET), by=chosen[0],
                          evidence=_evidence(ratings.get(s.pk, Rating.MET), s.code))
                for s in standards])
            made += 1
            if round_no == 1 and staff is not None and team.pk == staff.team_id:
                unmet = assessment.judgements.filter(rating=Rating.NOT_MET).select_related("standard", "assessment")
                judgement = unmet.first()
                if judgement and not IdeaLink.objects.filter(judgement=judgement).exists():
                    start_area_idea(judgement, lead=staff, by=staff)
    # One visit under way: the `serviceuser` persona is one of its assessors.
    serviceuser = User.objects.filter(username="serviceuser").first()
    draft_team = next((t for t in teams if not staff or t.pk != staff.team_id), None)
    if serviceuser is not None and draft_team is not None and lead is not None:
        AccreditationRole.objects.get_or_create(user=serviceuser, kind="assessor")
        draft = Assessment.objects.create(team=draft_team, framework=second, visit_date=today - dt.timedelta(days=2),
                                          created_by=lead)
        draft.assessors.set([serviceuser, assessors[-1]])
        Judgement.objects.bulk_create([Judgement(assessment=draft, standard=s, rating=Rating.MET, by=serviceuser,
                                                 evidence=_evidence(Rating.MET, s.code))
                                       for s in list(second.standards.all())[:12]])
        made += 1
    return made


def _report(team: Team, met: int, award: str) -> str:
    return (f"We visited {team.name} over a day and spoke with staff, people using the service and their carers.\n\n"
            f"{met} of the 30 standards were met. People told us staff are kind and know them well. Where the "
            "team fell short was mostly the evenings and weekends, and how carers are kept informed.\n\n"
            "Our areas for improvement are listed against each standard below; we look forward to coming back.")


def _evidence(rating: str, code: str) -> str:
    if rating == Rating.MET:
        return f"Everyone we asked about {code} gave examples; we saw it happen during the visit."
    if rating == Rating.PARTLY:
        return f"Some people described this ({code}), others did not; it depends on who is on shift."
    return f"Nobody we spoke with could describe this ({code}); two carers said they had asked for it."


def _huddles(ctx: DemoContext) -> int:
    if Huddle.objects.exists():
        return 0
    rng, today = ctx.rng, ctx.today
    staff = User.objects.filter(username="staff").first()
    wards = list(Team.objects.wards().filter(active=True).select_related("directorate").order_by("pk")[:4])
    if staff is not None and staff.team_id and staff.team_id not in {w.pk for w in wards}:
        wards = [staff.team, *wards[:3]]
    people = _team_people([w.pk for w in wards])
    count = 0
    for w_index, ward in enumerate(wards):
        owner_id = ward.directorate.service_director_id or ward.directorate.clinical_director_id
        recorder = (people.get(ward.pk) or [None])[0]
        for back in range(28, 0, -1):
            day = today - dt.timedelta(days=back)
            if day.weekday() >= 5:
                continue
            huddle = Huddle.objects.create(team=ward, date=day, attendance=rng.randint(6, 14), recorded_by_id=recorder,
                                           created_at=moment(day, 9, 30))
            count += 1
            for k in range(rng.choice([0, 1, 1, 2])):
                text, outcome = ISSUES[(back + k + w_index) % len(ISSUES)]
                if outcome == IssueOutcome.ESCALATED and not owner_id:
                    outcome = IssueOutcome.RESOLVED
                issue = HuddleIssue.objects.create(huddle=huddle, description=text, outcome=outcome)
                if outcome != IssueOutcome.ESCALATED:
                    continue
                raised = moment(day, 10)
                # Older escalations were mostly resolved; the ward's first two stay open past the set time.
                open_ = back < 6 or (back > 8 and not Escalation.objects.filter(team=ward).exists())
                escalation = Escalation.objects.create(
                    issue=issue, team=ward, directorate_id=ward.directorate_id, owner_id=owner_id, raised_at=raised,
                    status=EscalationStatus.OPEN if open_ else EscalationStatus.RESOLVED,
                    resolved_at=None if open_ else raised + dt.timedelta(days=2))
                EscalationUpdate.objects.create(escalation=escalation, to_status=EscalationStatus.OPEN,
                                                owner_id=owner_id, by_id=recorder, at=raised,
                                                note="Escalated from the huddle")
                if not open_:
                    EscalationUpdate.objects.create(escalation=escalation, to_status=EscalationStatus.RESOLVED,
                                                    owner_id=owner_id, by_id=owner_id, at=escalation.resolved_at,
                                                    note="Sorted with the site manager")
    qiadmin = User.objects.filter(username="qiadmin").first()
    if staff is not None and staff.team_id and qiadmin and not BoardLink.objects.filter(team_id=staff.team_id).exists():
        _, secret = issue_board_link(staff.team, label="Nurses' station (demo)", by=qiadmin)
        ctx.out(f"assurance: wall board of {staff.team} at /assurance/wall/{secret}/")
    return count

