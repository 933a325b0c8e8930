"""The demo trust's project workspaces (seed_demo step 30).

For every approved project without a driver diagram: its first aim version, a driver diagram on the
project's topic, PDSA cycles chained since approval, monthly progress scores (mostly rising; some stuck
or missing, so the attention flags have something to show), closure requests, and stories for the
completed ones. Written in bulk, a batch of projects at a time, so `seed_demo --scale 250` stays fast.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef

from organisation.seeding import DemoContext, moment
from projects.models import APPROVED_STATUSES, EventKind, Project, ProjectEvent, ProjectStatus, Stage

from .models import (
    ActDecision,
    AimVersion,
    ChangeIdea,
    ClosureOutcome,
    ClosureRequest,
    Driver,
    PDSACycle,
    ProgressScore,
    ReviewOutcome,
    Story,
    StoryKind,
)
from .services import derived_idea_status

S = ProjectStatus
BATCH = 800


@dataclass(frozen=True)
class Topic:
    measure: str  # what the team counts, in words
    drivers: list[tuple[str, list[str]]]  # primary driver → its secondary drivers
    ideas: list[tuple[str, str, list[int]]]  # change idea, description, indexes into the flat secondary list
    patient: str  # a patient's story, in their words


TOPICS: dict[str, Topic] = {
    "violence": Topic(
        "incidents of violence and aggression",
        [("A calm, predictable ward day", ["Evening activities people want to join", "Clear information about what happens when"]),
         ("Spotting distress early", ["A short safety huddle every shift", "Knowing each person's triggers and what helps"]),
         ("Staff skilled and supported", ["De-escalation skills refreshed on the ward", "A debrief after every incident"])],
        [("Safety huddle at 10:00 and 18:00", "Five minutes, standing, at the nurses' station: who is unsettled, who needs what.", [2]),
         ("Evening activity timetable designed with patients", "Chosen at the community meeting, posted on the board every Monday.", [0, 1]),
         ("Calm boxes: sensory kits on each corridor", "Weighted blankets, music, stress balls, picked by people who use them.", [0, 3]),
         ("Personal safety plans written with each patient", "What upsets me, what helps me, in my own words, reviewed weekly.", [3, 2]),
         ("Ten-minute debrief after every incident", "Staff and, when ready, the patient: what happened, what we would do differently.", [5, 4])],
        "I used to dread the evenings: nothing to do and everyone on edge. Now there's a film night and a cooking group, "
        "and the nurse asks me each morning how I'm doing and what would help. Last time I felt myself getting angry "
        "I used the calm box and talked to someone instead of kicking off. I felt listened to."),
    "restraint": Topic(
        "uses of physical restraint",
        [("Fewer moments of crisis", ["Early warning of rising distress", "Less waiting and fewer blanket rules"]),
         ("Alternatives tried first", ["A shared de-escalation plan for each person", "Safe spaces away from the main lounge"]),
         ("Learning from every restraint", ["Debrief with the patient within 24 hours", "Weekly review of the data with the team"])],
        [("Safewards 'Know each other' board", "Staff and patients share a little about themselves: interests, a favourite film.", [0]),
         ("Review of ward rules with patients", "Every blanket rule questioned at the community meeting; keep only what keeps people safe.", [1]),
         ("De-escalation plan in every care plan", "Written with the person in their first 72 hours and read at every handover.", [2, 0]),
         ("Quiet room reopened as a comfort room", "Soft lighting, music, open door; anyone can ask to use it.", [3]),
         ("Post-restraint debrief with the patient", "A named nurse offers a conversation within a day: what would have helped?", [4, 5])],
        "When I was restrained it was the worst day of my stay. This time, when things got too much, a nurse I knew took "
        "me to the comfort room and we talked. Afterwards she asked what had helped, and it's written in my plan now."),
    "physical": Topic(
        "admissions with a full physical health check within 72 hours",
        [("Checks happen at the right time", ["A clear owner for each check on each shift", "Equipment ready and working"]),
         ("People want the check", ["Explaining why it matters", "Offering it again when people are more settled"]),
         ("Results lead to action", ["Abnormal results flagged to the doctor", "Follow-up booked before discharge"])],
        [("Physical health check on the admission checklist", "The admitting nurse ticks it off, or writes why not and when to retry.", [0]),
         ("Daily 'who still needs a check' list at handover", "Printed from the record at 08:00 and 20:00.", [0, 3]),
         ("Equipment trolley checked every morning", "ECG machine, bloods kit, scales: a named healthcare assistant owns it.", [1]),
         ("Leaflet on why the check matters, written with service users", "Plain words, one page, given at admission.", [2]),
         ("Flag for abnormal results in the handover sheet", "Red text, with the action and who owns it.", [4, 5])],
        "Nobody had ever explained why they wanted my blood pressure and bloods. This time a support worker sat with me, "
        "showed me the leaflet, and came back the next day when I felt better. They found my sugar was high and I'm now "
        "seeing the diabetes nurse."),
    "falls": Topic(
        "falls",
        [("Knowing who is at risk", ["Risk assessed on admission and after any change", "Risk shown at the bedside"]),
         ("Safer surroundings", ["Clear, well-lit routes at night", "Footwear and aids within reach"]),
         ("Help when it is needed", ["Regular checks for those most at risk", "Toileting offered before it is urgent"])],
        [("Falls risk reviewed at every handover", "The three people most at risk named and discussed.", [0]),
         ("Bedside 'falls symbol' for people at risk", "Agreed with patients, so any staff member knows.", [1, 0]),
         ("Night lights along the route to the toilet", "Motion-sensor lights fitted by estates after a night walkround.", [2]),
         ("Non-slip socks and a footwear check", "Offered on admission and checked on the morning round.", [3]),
         ("Intentional rounding every hour at night", "Comfort, toileting, reach: a nurse asks and records.", [4, 5])],
        "I fell twice in my first week and lost my confidence. The nurses put a light by my bed and came round every hour "
        "at night to ask if I needed the toilet. I haven't fallen since, and I walk to the lounge on my own again."),
    "waiting": Topic(
        "weeks waited for a first appointment",
        [("Right referrals, first time", ["Clear referral criteria for GPs", "Advice and guidance before referral"]),
         ("Flow through triage", ["Daily triage instead of weekly", "One-stop assessment clinics"]),
         ("Capacity matched to demand", ["Appointment slots planned from demand data", "Fewer unused slots"])],
        [("Referral criteria one-pager for GPs", "Written with two local practices, with a number to ring for advice.", [0, 1]),
         ("Daily triage huddle", "Fifteen minutes, one clinician, every referral read the day it arrives.", [2]),
         ("One-stop assessment clinic on Tuesdays", "Assessment and first plan in one visit.", [3]),
         ("Weekly demand and capacity review", "Referrals in vs slots offered, plotted on a run chart every Friday.", [4, 5]),
         ("Text reminders and a cancellation list", "Short-notice slots offered to people waiting longest.", [5])],
        "I was told I'd wait three months. Then someone rang to say there was a slot on Tuesday because someone had "
        "cancelled. I was seen, assessed and had a plan the same day. It made such a difference not to be left waiting."),
    "missed": Topic(
        "missed appointments",
        [("People know and remember", ["Reminders in the way people prefer", "Clear letters in plain words"]),
         ("Appointments that fit people's lives", ["Choice of time and place", "Easy to change rather than miss"]),
         ("Following up kindly", ["A call after a missed appointment", "Understanding why people miss"])],
        [("Text reminder two days before", "With a number to rebook, sent automatically from the system.", [0]),
         ("Appointment letters rewritten with service users", "Shorter, friendlier, what to expect and how to change it.", [1]),
         ("Evening clinic once a week", "For people who work or care for others.", [2]),
         ("Rebook by text", "Reply CHANGE and the admin team rings back the same day.", [3, 0]),
         ("Call within a day of a missed appointment", "To ask how the person is and rebook, not to tell them off.", [4, 5])],
        "I kept missing appointments because the letters came too late and I couldn't get through on the phone. Now I get "
        "a text and can just reply to change it. When I did miss one, someone rang to check I was OK."),
    "pressure": Topic(
        "pressure ulcers acquired in our care",
        [("Skin checked and risk known", ["Skin inspection at every visit for people at risk", "Risk reassessed when things change"]),
         ("Pressure relieved", ["The right mattress and cushion in place", "Repositioning understood by carers"]),
         ("Early action on damage", ["Category 1 damage acted on the same day", "Tissue viability advice within 48 hours"])],
        [("SSKIN bundle at every visit", "Surface, skin, keep moving, incontinence, nutrition: five checks, recorded.", [0]),
         ("Equipment delivered within 24 hours", "A direct line to the equipment service for urgent orders.", [2]),
         ("Repositioning chart and teaching for family carers", "A picture-based chart left in the home.", [3, 1]),
         ("Photo and same-day plan for any redness", "Shared with the tissue viability nurse through the record.", [4, 5])],
        "Mum was in bed most of the day and her heels were getting sore. The nurse showed me how to move her and left a "
        "chart with pictures. The new mattress came the next day. Her skin has healed and she's much more comfortable."),
    "joy": Topic(
        "staff who would recommend the team as a place to work",
        [("Feeling valued", ["Thanks said and seen", "Voice in decisions"]),
         ("Time to do a good job", ["Fewer interruptions", "Less duplicated paperwork"]),
         ("Looking after each other", ["Breaks actually taken", "Space to talk after hard days"])],
        [("'What matters to you?' conversations", "Each team member asked, answers themed and shared at the team meeting.", [0, 1]),
         ("Thank-you board and Friday shout-outs", "Anyone can add a thank-you; three read out every Friday.", [0]),
         ("Protected admin hour", "No meetings or calls 14:00–15:00 on Wednesdays.", [2, 3]),
         ("Break buddies", "Pairs cover each other so everyone gets a break.", [4]),
         ("Monthly 'what went well' huddle", "Twenty minutes, tea and cake, one good thing each.", [5, 1])],
        ""),
    "hiring": Topic(
        "days from advert to start",
        [("A quick, clear advert", ["Job descriptions ready to go", "Adverts approved the same week"]),
         ("Fast shortlisting and interviews", ["Interview dates fixed before the advert closes", "Shortlisting within three days"]),
         ("Pre-employment checks without delay", ["Checks started at offer", "Candidates kept informed"])],
        [("Library of approved job descriptions", "Managers pick one and edit, rather than start from scratch.", [0]),
         ("Weekly vacancy approval panel", "Every request decided within five working days.", [1]),
         ("Interview date in the advert", "Managers book the panel before the advert goes live.", [2, 3]),
         ("Checks tracker shared with managers", "One sheet showing where each new starter's checks are.", [4, 5])],
        ""),
    "medicines": Topic(
        "missed or delayed doses",
        [("Medicines available when due", ["Stock checked before each round", "Pharmacy orders on time"]),
         ("An uninterrupted round", ["Do-not-disturb tabard on the round", "Phones held by another nurse"]),
         ("Missed doses noticed and acted on", ["Chart checked at handover", "Reasons recorded and reviewed"])],
        [("Red tabard: do not disturb on the drug round", "Staff and patients know to wait unless it's urgent.", [2, 3]),
         ("Stock check an hour before the round", "Any gap ordered straight away.", [0, 1]),
         ("Missed-dose check at handover", "The nurse in charge scans the charts for blanks.", [4, 5])],
        "I used to get my evening tablets late and then couldn't sleep. Now the nurse doing the round wears a red tabard "
        "and people leave them to it. My tablets come on time."),
    "ward_life": Topic(
        "people reporting a good day on the ward",
        [("Things to do that matter", ["Activities chosen by the people on the ward", "Staff free to join in"]),
         ("Rest and sleep", ["A quieter night", "Checks that do not wake people"]),
         ("Being heard", ["A weekly community meeting", "Feedback acted on and shown"])],
        [("Activity timetable chosen at the community meeting", "Planned each Monday and posted by the lounge.", [0]),
         ("Weekend activity lead on every shift", "A named member of staff who runs one activity each afternoon.", [1]),
         ("Quiet hours from 23:00", "Lights dimmed, TV off in the lounge, soft-soled shoes.", [2]),
         ("Observation checks with a torch that does not wake people", "Red-light torches tested on nights.", [3]),
         ("'You said, we did' board", "Every suggestion from the community meeting with what happened to it.", [4, 5])],
        "Weekends used to be empty. Now there's something every afternoon: gardening, a quiz, a film. I look forward to "
        "Saturdays now, and I sleep better because the nights are quieter."),
    "carers": Topic(
        "care plans with a carer involved",
        [("Carers known to the team", ["Carer recorded at first contact", "Consent to share discussed early"]),
         ("Carers invited and able to come", ["Meetings at times that suit", "Remote joining offered"]),
         ("Carers' views in the plan", ["A carer section in every plan", "Carers' own needs assessed"])],
        [("Carer question at triage", "Who supports you? Can we talk to them?", [0, 1]),
         ("Care plan meetings offered in the evening or by video", "The carer picks the time.", [2, 3]),
         ("Carer section in the care plan template", "Their view, in their words.", [4]),
         ("Carers' assessment offered at every review", "With a leaflet on local carer support.", [5])],
        "For years I only heard about my son's plans afterwards. This time they asked me to join the meeting by video in "
        "the evening, and what I said is written in the plan. I finally feel part of his care."),
    "prescriptions": Topic(
        "repeat prescriptions needing correction",
        [("Right request, first time", ["Clear ways for patients to order", "Requests checked on receipt"]),
         ("Accurate issuing", ["Medication reviews up to date", "A second check for high-risk drugs"])],
        [("Online ordering promoted at the front desk", "Reception staff help people sign up.", [0]),
         ("Receipt check by the prescription clerk", "Anything unusual queried before it reaches the GP.", [1]),
         ("Medication review reminders in the record", "A flag when a review is overdue.", [2]),
         ("Pharmacist second check for high-risk drugs", "Warfarin, lithium, methotrexate.", [3])],
        ""),
    "generic": Topic(
        "the team's main measure",
        [("Shared understanding of the problem", ["Process mapped with staff and service users", "Data seen every week"]),
         ("Reliable everyday practice", ["Standard work agreed", "Reminders built into the day"]),
         ("People involved and heard", ["Service users' ideas tested first", "Staff time protected for improvement"])],
        [("Weekly data huddle at the team meeting", "The run chart on the wall, five minutes, what does it show?", [1]),
         ("Standard checklist for the key step", "Agreed by the team, kept short.", [2, 3]),
         ("Service-user suggestion box reviewed monthly", "Ideas tested first if they are small.", [4]),
         ("Protected improvement hour each week", "The team meets to plan the next PDSA.", [5, 0])],
        ""),
}
KEYWORDS = [("violence", "violence"), ("restraint", "restraint"), ("restrictive", "restraint"),
            ("physical health", "physical"), ("health check", "physical"), ("falls", "falls"),
            ("waiting", "waiting"), ("time to hire", "hiring"), ("hire", "hiring"), ("agency", "hiring"),
            ("missed appointment", "missed"), ("pressure ulcer", "pressure"), ("joy", "joy"),
            ("enjoying", "joy"), ("missed doses", "medicines"), ("medicines", "medicines"),
            ("activity", "ward_life"), ("sleep", "ward_life"), ("carers", "carers"),
            ("prescription", "prescriptions")]


def _topic_words(project) -> str:
    """The title without its team name: 'Reducing inpatient falls on Rowan Ward' -> 'Reducing inpatient falls'."""
    title = re.sub(rf"\s*\b(on|in|at|for everyone admitted to|for|of)\s+(the\s+)?{re.escape(project.team.name)}('s)?",
                   "", project.title)
    return title.strip(" :-") or project.title


def topic_for(title: str) -> Topic:
    lowered = title.lower()
    for word, key in KEYWORDS:
        # Whole words only: "hire" must not match "Westshire".
        if re.search(rf"\b{re.escape(word)}", lowered):
            return TOPICS[key]
    return TOPICS["generic"]


# Chains of act decisions for an idea's cycles; the last may be left open on a running project.
CHAINS = [["adapt", "adapt", "adopt"], ["adapt", "adopt"], ["adopt"], ["abandon"], ["adapt", "adopt", "adopt"]]
CYCLE_DAYS = 14


def _cycle_text(idea: str, measure: str, team: str, n: int, decision: str) -> dict:
    scope = ["one nurse on one shift", "all day shifts for a week", "every shift for two weeks, weekends included"]
    step = scope[min(n - 1, 2)]
    plan = {
        "what": f"Try “{idea}” with {step}." if n == 1 else f"Run the adapted version of “{idea}” on {step}.",
        "who": "The shift coordinator, with a healthcare assistant" if n == 1 else "Everyone on shift",
        "where": team,
        "question": f"Can we do this reliably on a busy shift, and does it make a difference to {measure}?",
        "prediction": ["It will be done on most shifts but forgotten when we are short-staffed.",
                       "It will be done on at least 8 shifts in 10 and staff will find it useful.",
                       "It will become routine, and the run chart will start to move."][min(n - 1, 2)],
        "data_to_collect": f"A tally of whether it happened each shift, {measure} from the incident system, and "
                           f"a one-line comment from staff.",
    }
    done = {
        "what_happened": ["It happened on 4 of 6 shifts; twice it was dropped when the ward was busy.",
                          "It happened on 11 of 14 shifts. Night staff asked to join in.",
                          "It happened on 26 of 28 shifts without reminders."][min(n - 1, 2)],
        "problems": ["Nobody owned it when the coordinator was on a break.", "The form was too long for a busy shift.",
                     "Bank staff did not know about it."][min(n - 1, 2)],
        "observations": "Patients noticed and asked about it; two said it helped them feel safer.",
    }
    study = {
        "results": [f"Too early to see a change in {measure}; done 67% of the time.",
                    f"Done 79% of the time; {measure} lower than the baseline median for two weeks.",
                    "Done 93% of the time; six points below the median on the run chart."][min(n - 1, 2)],
        "learning": {"adapt": "The prediction was right about busy shifts: it needs a named owner and a shorter form.",
                     "adopt": "Better than we predicted: it is quick, staff like it and it fits the routine.",
                     "abandon": "It took longer than we thought and added little; the time is better spent elsewhere."}[
            decision],
    }
    act = {"act_decision": decision,
           "next_steps": {"adapt": "Give it a named owner on each shift, shorten the form, and test on more shifts.",
                          "adopt": "Add it to the ward's standard work and the induction for bank staff.",
                          "abandon": "Stop, and put the time into the safety huddle instead."}[decision]}
    return {**plan, **done, **study, **act}


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    out, month = [], start.replace(day=1)
    while month <= end:
        out.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return out


def seed_workspaces(ctx: DemoContext) -> None:
    has_drivers = Driver.objects.filter(project=OuterRef("pk"))
    # Projects a demo forum approved: not ones brought in from an old portfolio, which arrive as they were.
    approved_here = ProjectEvent.objects.filter(project=OuterRef("pk"), kind=EventKind.DECISION, to_status=S.ACTIVE)
    todo = list(Project.objects.filter(status__in=APPROVED_STATUSES, approved_on__isnull=False)
                .filter(Exists(approved_here)).exclude(Exists(has_drivers)).select_related("team").order_by("pk"))
    if not todo:
        ctx.out("workspaces: nothing to add")
        return
    for start in range(0, len(todo), BATCH):
        _write(ctx, todo[start:start + BATCH])
    ctx.out(f"workspaces: {len(todo)} projects, {PDSACycle.objects.count()} PDSA cycles, "
            f"{ProgressScore.objects.count()} progress scores")


@transaction.atomic
def _write(ctx: DemoContext, projects: list[Project]) -> None:
    today, rng = ctx.today, ctx.rng
    # The chair who approved each project reviews its closure.
    chairs = dict(ProjectEvent.objects.filter(kind=EventKind.DECISION, to_status=S.ACTIVE, project__in=projects)
                  .values_list("project_id", "by_id"))

    def at(day: dt.date, hour: int = 16) -> dt.datetime:
        return moment(day, hour, rng.randint(0, 59))

    with_aim = set(AimVersion.objects.filter(project__in=projects).values_list("project_id", flat=True))
    aims = [AimVersion(project=p, version=1, what=p.aim_what, how_much=p.aim_how_much, by_when=p.aim_by_when,
                       statement=p.aim_statement, reason="The aim the forum approved.", created_by_id=p.lead_id,
                       created_at=at(p.approved_on, 17)) for p in projects if p.pk not in with_aim]
    AimVersion.objects.bulk_create(aims, batch_size=2000)

    topics = {p.pk: topic_for(p.title) for p in projects}
    primaries = [Driver(project=p, text=text, order=i + 1)
                 for p in projects for i, (text, _) in enumerate(topics[p.pk].drivers)]
    Driver.objects.bulk_create(primaries, batch_size=2000)
    primary_iter = iter(primaries)
    secondaries, flat = [], {}
    for p in projects:
        flat[p.pk] = []
        for _, children in topics[p.pk].drivers:
            parent = next(primary_iter)
            for j, text in enumerate(children):
                d = Driver(project=p, parent=parent, text=text, order=j + 1)
                secondaries.append(d)
                flat[p.pk].append(d)
    Driver.objects.bulk_create(secondaries, batch_size=2000)

    # Change ideas, with their PDSA cycles planned first so each idea is written with its derived status.
    ideas, idea_plans = [], []
    rounds: list[list[tuple]] = [[], [], []]
    for p in projects:
        topic = topics[p.pk]
        # Understanding the problem: ideas are not drawn yet beyond the first two.
        count = 2 if p.stage == Stage.UNDERSTAND else len(topic.ideas)
        for i, (title, description, drivers) in enumerate(topic.ideas[:count]):
            idea = ChangeIdea(project=p, title=title, description=description, order=i + 1,
                              created_at=at(p.approved_on + dt.timedelta(days=7 + i * 5), 11))
            planned = _plan_cycles(p, i, rng, today)
            running = p.status in (S.ACTIVE, S.CLOSURE_REQUESTED)
            idea.status = derived_idea_status([
                "" if running and begins + dt.timedelta(days=CYCLE_DAYS) > today - dt.timedelta(days=4) else decision
                for _, decision, begins in planned])
            for n, decision, begins in planned:
                rounds[n - 1].append((p, idea, n, decision, begins))
            ideas.append(idea)
            idea_plans.append((idea, [flat[p.pk][k] for k in drivers if k < len(flat[p.pk])]))
    ChangeIdea.objects.bulk_create(ideas, batch_size=2000)
    Through = ChangeIdea.secondary_drivers.through
    links = [Through(changeidea_id=idea.pk, driver_id=d.pk) for idea, ds in idea_plans for d in ds]
    Through.objects.bulk_create(links, batch_size=4000)

    # One round of cycles at a time, so each can point at the cycle it builds on.
    previous: dict[int, PDSACycle] = {}
    for batch in rounds:
        cycles = []
        for p, idea, n, decision, begins in batch:
            fields = _cycle_text(idea.title, topics[p.pk].measure, p.team.name, n, decision)
            running = p.status in (S.ACTIVE, S.CLOSURE_REQUESTED)
            finished = begins + dt.timedelta(days=CYCLE_DAYS)
            if running and finished > today - dt.timedelta(days=4):
                # Still under way: planned and perhaps done, not yet studied.
                fields = {k: fields[k] for k in ("what", "who", "where", "question", "prediction", "data_to_collect")}
                done_on = None
            else:
                done_on = finished
            cycles.append(PDSACycle(change_idea=idea, number=n, builds_on=previous.get(idea.pk), planned_start=begins,
                                    planned_end=finished, done_on=done_on, created_by_id=p.lead_id,
                                    created_at=at(begins - dt.timedelta(days=2), 10), **fields))
        PDSACycle.objects.bulk_create(cycles, batch_size=2000)
        previous.update((c.change_idea_id, c) for c in cycles)

    ProgressScore.objects.bulk_create(_scores(projects, today, rng, at), batch_size=4000)
    closures, stories = _closures_and_stories(projects, topics, chairs, today, at)
    ClosureRequest.objects.bulk_create(closures, batch_size=2000)
    Story.objects.bulk_create(stories, batch_size=2000)


def _plan_cycles(p: Project, i: int, rng, today: dt.date) -> list[tuple[int, str, dt.date]]:
    """(number, act decision, start) for the cycles of the project's i-th change idea, none in the future."""
    if p.stage in (Stage.UNDERSTAND, "") or (p.stage == Stage.STRATEGY and i > 0):
        return []
    if i >= 4 and p.stage == Stage.TEST:
        return []
    chain = CHAINS[(p.pk + i) % len(CHAINS)]
    if p.stage == Stage.STRATEGY:
        chain = chain[:1]
    start = p.approved_on + dt.timedelta(days=35 + i * 21 + rng.randint(0, 6))
    end_of_work = p.closed_on or today
    planned = []
    for n, decision in enumerate(chain, start=1):
        begins = start + dt.timedelta(days=(n - 1) * (CYCLE_DAYS + 5))
        if begins > end_of_work - dt.timedelta(days=3):
            break
        planned.append((n, decision, begins))
    return planned


def _scores(projects, today, rng, at) -> list[ProgressScore]:
    rows = []
    this_month = today.replace(day=1)
    for k, p in enumerate(projects):
        last_day = p.closed_on or today
        months = [m for m in _months(p.approved_on, last_day) if m < this_month or p.closed_on]
        if not months:
            continue
        # Every fifth running project has stalled at 2.0–2.5, every seventh stopped scoring two months ago:
        # the forum's "needs attention" list needs real examples.
        running = p.status == S.ACTIVE
        stuck = running and k % 5 == 2 and len(months) >= 4
        silent = running and k % 7 == 3 and len(months) >= 4
        if silent:
            months = months[:-2]
        final = {S.COMPLETED: Decimal("4.5"), S.STOPPED: Decimal("2.0"), S.CLOSURE_REQUESTED: Decimal("4.0")}.get(
            p.status, Decimal("3.5"))
        score = Decimal("1.0")
        for i, month in enumerate(months):
            if stuck and i >= len(months) - 4:
                score = min(score, Decimal("2.5"))
            elif i and i % 2 == 0 and score < final:
                score += Decimal("0.5")
            narrative = _narrative(score)
            help_needed = ("Protected time for the team to meet: two of our huddles were cancelled for staffing."
                           if stuck and i == len(months) - 1 else "")
            recorded = min(month + dt.timedelta(days=27 + rng.randint(0, 6)), last_day)
            rows.append(ProgressScore(project=p, month=month, score=score, narrative=narrative,
                                      help_needed=help_needed, recorded_by_id=p.lead_id, recorded_at=at(recorded)))
    return rows


def _narrative(score: Decimal) -> str:
    return {
        Decimal("1.0"): "The team has met, agreed the charter and chosen the measures. Baseline data being collected.",
        Decimal("1.5"): "Process map done with staff and two service users; the driver diagram is drafted.",
        Decimal("2.0"): "First PDSA cycles planned and started; no change in the data yet.",
        Decimal("2.5"): "Several changes tested; the run chart has not moved yet and we are adapting.",
        Decimal("3.0"): "Modest improvement: a run of points below the baseline median.",
        Decimal("3.5"): "The run chart shows a shift; the changes are becoming routine.",
        Decimal("4.0"): "Significant improvement, holding for two months; handing over to the ward manager.",
        Decimal("4.5"): "Improvement sustained for three months after the team stepped back.",
        Decimal("5.0"): "Outstanding, sustained results; another ward is adopting the changes.",
    }.get(score, "Steady progress.")


def _closures_and_stories(projects, topics, chairs, today, at) -> tuple[list, list]:
    closures, stories = [], []
    for p in projects:
        if p.status not in (S.CLOSURE_REQUESTED, S.COMPLETED, S.STOPPED):
            continue
        topic = topics[p.pk]
        closure_day = p.closed_on or (today - dt.timedelta(days=10))
        requested = at(closure_day - dt.timedelta(days=20), 11)
        stopped = p.status == S.STOPPED
        outcome = ClosureOutcome.STOPPED if stopped else ClosureOutcome.AIM_MET
        request = ClosureRequest(
            project=p, outcome=outcome, requested_by_id=p.lead_id, requested_at=requested,
            results=(f"Baseline: {topic.measure} at the level described in the problem. The two changes we adopted "
                     f"held for three months; the run chart shows a sustained shift below the old median."
                     if not stopped else "Three cycles run before the ward closed; no change in the data yet."),
            learning=(f"Start small: one nurse, one shift. “{topic.ideas[0][0]}” made the biggest difference once it "
                      f"had a named owner on every shift; “{topic.ideas[-1][0]}” took longer to stick. Posting the run "
                      f"chart on the wall kept everyone interested." if not stopped else "The ward closed for refurbishment and the team dispersed. Next time, "
                      "check planned estate works before starting."),
            sustain_plan=("The ward manager owns the changes; the measure stays on the ward's monthly dashboard "
                          "and the coach checks in at three and six months." if not stopped else
                          "None: the team will restart on the new ward if the problem returns."),
            should_spread=not stopped)
        if p.status in (S.COMPLETED, S.STOPPED):
            request.review_outcome = ReviewOutcome.CONFIRMED
            request.reviewed_by_id = chairs.get(p.pk)
            request.reviewed_at = at(closure_day, 17)
            request.review_note = "Well done to the whole team." if not stopped else "Agreed; thank you for the learning."
        closures.append(request)
        if p.status == S.COMPLETED:
            if topic.patient:
                stories.append(Story(project=p, kind=StoryKind.PATIENT, title=f"“I felt listened to”: {p.team.name}",
                                     body=topic.patient, consent_confirmed=True, published=True,
                                     consent_note="Told to the project's service-user member, who agreed to it being "
                                                  "shared on the portal and at board.",
                                     created_by_id=p.lead_id, created_at=at(closure_day + dt.timedelta(days=5), 10)))
            stories.append(Story(
                project=p, kind=StoryKind.IMPROVEMENT, title=f"How {p.team.name} did it: {_topic_words(p)}",
                body=(f"The problem: {p.problem}\n\nWhat we tried: {', '.join(t for t, _, _ in topic.ideas[:3])}. "
                      f"We tested each one small, with PDSA cycles, and kept what worked.\n\nWhat changed: "
                      f"{p.aim_what.lower()} {p.aim_how_much}, and it has held. The service users on our team "
                      f"picked the change that made the biggest difference."),
                consent_confirmed=True, published=True, consent_note="The team agreed to share it.",
                created_by_id=p.lead_id, created_at=at(closure_day + dt.timedelta(days=6), 10)))
    return closures, stories


__all__ = ["seed_workspaces", "topic_for", "TOPICS", "ActDecision"]
