"""The demo trust's measures and data (seed_demo step 40).

Measures on approved projects (an outcome, a process and sometimes a balancing measure, named for the
project's topic), four early-warning indicators on every ward, and the board's Whole System Measures,
each with a realistic monthly series: stable, improving after a change (with a rebase phase), worsening,
or read against a frozen baseline. Rows go in with bulk inserts, so `--scale 250` stays within minutes.
Projects, wards and Whole System Measures that already have measures are left alone (idempotent).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from organisation.demo import OBJECTIVES, STRATEGY_PERIOD
from organisation.models import Role, StrategicObjective, Team, User
from organisation.seeding import DemoContext
from projects.models import Project

from . import periods
from .models import (
    Annotation,
    DataPoint,
    Domain,
    Measure,
    MeasurePhase,
    MeasureType,
    PhaseKind,
    SPCConfig,
    UploadBatch,
)

OUT, PRO, BAL = MeasureType.OUTCOME, MeasureType.PROCESS, MeasureType.BALANCING
UP, DOWN, NEUTRAL = "increase", "decrease", "neutral"


@dataclass(frozen=True)
class Spec:
    name: str
    kind: str
    chart: str
    improvement: str
    unit: str
    definition: str
    numerator: str = ""
    denominator: str = ""
    level: float = 10.0  # mean (i, c, run), proportion (p) or rate per unit of denominator (u)
    size: float = 100.0  # typical denominator
    spread: float = 0.1  # i/run: sd as a share of the level
    multiplier: float = 1
    target: float | None = None
    domain: str = ""


def _p(name, kind, improvement, level, size, definition, numerator, denominator, target=None, domain=""):
    return Spec(name, kind, "p", improvement, "%", definition, numerator, denominator, level, size, 0,
                100, target, domain)


def _c(name, kind, improvement, level, definition, unit="incidents", domain=""):
    return Spec(name, kind, "c", improvement, unit, definition, level=level, domain=domain)


def _i(name, kind, improvement, level, spread, unit, definition, target=None, domain=""):
    return Spec(name, kind, "i", improvement, unit, definition, level=level, spread=spread, target=target,
                domain=domain)


def _u(name, kind, improvement, rate, size, definition, numerator, denominator, unit="per 1,000 OBD",
       multiplier=1000, domain=""):
    return Spec(name, kind, "u", improvement, unit, definition, numerator, denominator, rate, size, 0, multiplier,
                None, domain)


# Keyword in a project's title -> its measures.
TOPICS: list[tuple[str, list[Spec]]] = [
    ("violence", [
        _c("Incidents of physical violence", OUT, DOWN, 9, "Physical assaults on staff or patients recorded on Datix."),
        _p("Shifts with a safety huddle", PRO, UP, 0.55, 60, "Shifts that start with a 10-minute safety huddle.",
           "Shifts with a huddle recorded", "Shifts in the month"),
        _p("Patients who feel safe on the ward", BAL, UP, 0.7, 25, "Community meeting survey: 'I feel safe here'.",
           "Patients answering yes", "Patients answering"),
    ]),
    ("restrain", [
        _c("Uses of physical restraint", OUT, DOWN, 14, "Every restraint recorded, any position or length.",
           unit="restraints"),
        _p("Incidents with a debrief within 72 hours", PRO, UP, 0.4, 14, "Restraints followed by a debrief with "
           "the patient and staff within 72 hours.", "Restraints with a debrief", "Restraints"),
    ]),
    ("physical health", [
        _p("Physical health check within 72 hours of admission", OUT, UP, 0.55, 30, "A full check (bloods, ECG, "
           "BMI, BP, smoking) completed within 72 hours.", "Admissions with a complete check", "Admissions",
           target=95),
        _p("Admissions with bloods taken on day one", PRO, UP, 0.5, 30, "Bloods taken on the day of admission.",
           "Admissions with bloods on day one", "Admissions"),
    ]),
    ("falls", [
        _u("Falls per 1,000 occupied bed days", OUT, DOWN, 0.009, 600, "Any fall, with or without harm.",
           "Falls", "Occupied bed days"),
        _p("Falls risk assessment within 24 hours", PRO, UP, 0.65, 25, "Multifactorial falls assessment within "
           "24 hours of admission.", "Assessments within 24 hours", "Admissions"),
        _i("Mean length of stay (days)", BAL, NEUTRAL, 34, 0.15, "days", "Mean length of stay of discharges."),
    ]),
    ("doses", [
        _p("Doses missed or delayed", OUT, DOWN, 0.08, 400, "Doses missed or given over an hour late without a "
           "recorded reason (weekly audit of 4 drug charts).", "Missed or delayed doses", "Doses audited",
           target=2),
        _p("Drug rounds without interruption", PRO, UP, 0.6, 40, "Drug rounds with the red tabard worn and no "
           "interruption.", "Uninterrupted rounds", "Rounds observed"),
    ]),
    ("activit", [
        _p("Weekend days with two therapeutic activities", OUT, UP, 0.5, 8, "Weekend days with at least two "
           "planned therapeutic activities.", "Weekend days with two activities", "Weekend days"),
        _c("Incidents on Saturday afternoons", BAL, DOWN, 5, "Datix incidents between 12:00 and 18:00 on Saturdays."),
    ]),
    ("sleep", [
        _p("Patients reporting a good night's sleep", OUT, UP, 0.4, 20, "Morning question: 'Did you sleep well?'.",
           "Patients answering yes", "Patients asked"),
        _p("Night checks done with a low-light torch", PRO, UP, 0.5, 50, "Observed night checks using the "
           "low-light torch.", "Checks with the torch", "Checks observed"),
    ]),
    ("waiting", [
        _i("Median wait for a first appointment (weeks)", OUT, DOWN, 11, 0.12, "weeks", "Median weeks from "
           "referral to first appointment for people seen in the month.", target=4),
        _p("Referrals triaged within 48 hours", PRO, UP, 0.6, 80, "Referrals triaged by a clinician within two "
           "working days.", "Referrals triaged in 48 hours", "Referrals"),
    ]),
    ("missed appointments", [
        _p("Appointments missed", OUT, DOWN, 0.2, 300, "Appointments where the person did not attend and did not "
           "cancel.", "Missed appointments", "Appointments booked"),
        _p("Text reminders sent", PRO, UP, 0.5, 300, "Appointments with a text reminder 48 hours before.",
           "Reminders sent", "Appointments booked"),
    ]),
    ("carers", [
        _p("Care plans with a carer involved", OUT, UP, 0.35, 40, "Care plans reviewed in the month that record "
           "the carer's involvement.", "Plans with carer involvement", "Plans reviewed"),
        _p("Carers identified at first contact", PRO, UP, 0.5, 40, "New referrals where a carer was asked about "
           "and recorded.", "Carers recorded", "New referrals"),
    ]),
    ("pressure ulcers", [
        _c("Category 2+ pressure ulcers acquired in our care", OUT, DOWN, 5, "Category 2 or worse, acquired on "
           "our caseload.", unit="ulcers"),
        _p("SSKIN bundle completed at each visit", PRO, UP, 0.6, 120, "Visits to at-risk patients with the SSKIN "
           "bundle recorded.", "Visits with SSKIN", "Visits to at-risk patients"),
    ]),
    ("staff", [
        _i("Staff who would recommend the team (%)", OUT, UP, 48, 0.08, "%", "Monthly pulse survey: would "
           "recommend as a place to work.", target=70),
        _p("Staff with a monthly supervision", PRO, UP, 0.6, 30, "Staff with a recorded supervision in the month.",
           "Staff supervised", "Staff in post"),
    ]),
    ("joy", [
        _i("Team members enjoying work most days (%)", OUT, UP, 35, 0.12, "%", "Monthly pulse survey question."),
        _c("Huddles held", PRO, UP, 12, "Weekly team huddles held in the month.", unit="huddles"),
    ]),
    ("health checks", [
        _p("Annual health checks for people with a learning disability", OUT, UP, 0.58, 90, "People on the "
           "learning disability register with a check in the last 12 months.", "People with a check",
           "People on the register", target=85),
        _p("Invitations followed up by phone", PRO, UP, 0.4, 30, "Invitations not answered within two weeks and "
           "then followed up by phone.", "Followed up", "Unanswered invitations"),
    ]),
    ("prescription", [
        _p("Repeat prescriptions needing correction", OUT, DOWN, 0.03, 1200, "Repeat prescriptions corrected after "
           "issue.", "Corrected prescriptions", "Repeat prescriptions issued"),
    ]),
    ("hire", [
        _i("Days from advert to start date", OUT, DOWN, 74, 0.1, "days", "Mean days from advert to start date for "
           "people starting in the month.", target=45),
        _i("Days from interview to offer", PRO, DOWN, 9, 0.2, "days", "Mean working days from interview to "
           "conditional offer."),
    ]),
    ("first-contact", [
        _p("Calls resolved at first contact", OUT, UP, 0.52, 900, "Helpdesk calls closed on the first call.",
           "Calls resolved first time", "Calls"),
        _i("Mean call handling time (minutes)", BAL, DOWN, 11, 0.08, "minutes", "Mean minutes per call."),
    ]),
    ("agency", [
        _i("Agency spend (£k)", OUT, DOWN, 180, 0.1, "£k", "Agency staff spend in the month, thousands of pounds."),
        _p("Shifts filled by the bank", PRO, UP, 0.6, 400, "Unfilled shifts offered to bank staff first and "
           "filled by them.", "Shifts filled by bank", "Shifts needing cover"),
    ]),
]
GENERIC = [
    _p("People who would recommend the service", OUT, UP, 0.75, 50, "Friends and Family Test: likely or very "
       "likely to recommend.", "Likely or very likely", "Responses"),
    _c("Incidents reported", BAL, NEUTRAL, 10, "All Datix incidents reported by the team."),
]

WARD_INDICATORS = [
    _u("Falls per 1,000 occupied bed days", OUT, DOWN, 0.008, 620, "Any fall on the ward, with or without harm.",
       "Falls", "Occupied bed days"),
    _c("Incidents of violence and aggression", OUT, DOWN, 8, "Physical assaults and aggression recorded on Datix."),
    _c("Uses of restraint", OUT, DOWN, 11, "Every use of physical restraint.", unit="restraints"),
    _i("Staffing fill rate (%)", PRO, UP, 93, 0.025, "%", "Planned nursing hours filled (day and night, registered "
       "and unregistered).", target=90),
]

WHOLE_SYSTEM = [
    _u("Inpatient violence per 1,000 OBD", OUT, DOWN, 0.011, 9000, "Physical violence on all inpatient wards.",
       "Incidents of physical violence", "Occupied bed days", domain=Domain.EXPERIENCE_OF_CARE),
    _p("Patient experience: % would recommend", OUT, UP, 0.86, 1500, "Friends and Family Test, all services.",
       "Likely or very likely to recommend", "Responses", target=90, domain=Domain.EXPERIENCE_OF_CARE),
    _i("Staff survey engagement score", OUT, UP, 6.9, 0.02, "score (0–10)", "Quarterly pulse engagement score, "
       "carried monthly.", domain=Domain.STAFF_EXPERIENCE),
    _i("Agency spend £k", OUT, DOWN, 1450, 0.06, "£k", "Agency staff spend, all directorates.", target=1200,
       domain=Domain.VALUE),
    _i("Time from referral to treatment (days)", OUT, DOWN, 48, 0.06, "days", "Median days from referral to a "
       "second contact, community mental health teams.", domain=Domain.POPULATION_HEALTH),
    _u("Premature mortality in SMI (per 100,000)", OUT, DOWN, 0.0009, 52000, "Deaths under 75 of people on the "
       "serious mental illness register.", "Deaths under 75", "People on the SMI register",
       unit="per 100,000", multiplier=100000, domain=Domain.POPULATION_HEALTH),
    _p("Physical health checks completed %", OUT, UP, 0.62, 2400, "People with SMI with all six checks in 12 months.",
       "People with all six checks", "People on the SMI register", target=75, domain=Domain.POPULATION_HEALTH),
    _u("Restrictive practice per 1,000 OBD", OUT, DOWN, 0.018, 9000, "Restraint, seclusion and rapid "
       "tranquillisation.", "Restrictive interventions", "Occupied bed days", domain=Domain.EXPERIENCE_OF_CARE),
    _i("Staff turnover %", OUT, DOWN, 13.5, 0.04, "%", "Rolling 12-month leavers as a share of staff in post.",
       target=12, domain=Domain.STAFF_EXPERIENCE),
    _p("Carers identified %", OUT, UP, 0.45, 1800, "New referrals with a carer identified and recorded.",
       "Carers recorded", "New referrals", domain=Domain.EXPERIENCE_OF_CARE),
    _c("Falls with harm", OUT, DOWN, 6, "Inpatient falls with moderate harm or worse.", unit="falls",
       domain=Domain.VALUE),
    _i("Length of stay (days)", BAL, NEUTRAL, 36, 0.07, "days", "Mean length of stay of adult acute discharges.",
       domain=Domain.VALUE),
    _p("Staff who feel able to make improvements %", OUT, UP, 0.58, 900, "Pulse survey: 'I am able to make "
       "improvements happen in my area of work'.", "Agree or strongly agree", "Responses", target=70,
       domain=Domain.STAFF_EXPERIENCE),
]

# The strategic objective each Whole System Measure tracks. Not always its Triple Aim domain's namesake (violence
# on the wards is as much staff experience as experience of care; waits are experience of care), and length of
# stay and the improvement-culture measure track no objective: the board's "by objective" view shows both.
POPULATION, EXPERIENCE, STAFF, VALUE = (name for name, _ in OBJECTIVES)
WHOLE_SYSTEM_OBJECTIVES = {
    "Inpatient violence per 1,000 OBD": STAFF,
    "Patient experience: % would recommend": EXPERIENCE,
    "Staff survey engagement score": STAFF,
    "Agency spend £k": VALUE,
    "Time from referral to treatment (days)": EXPERIENCE,
    "Premature mortality in SMI (per 100,000)": POPULATION,
    "Physical health checks completed %": POPULATION,
    "Restrictive practice per 1,000 OBD": EXPERIENCE,
    "Staff turnover %": STAFF,
    "Carers identified %": EXPERIENCE,
    "Falls with harm": VALUE,
}

PATTERNS = ("stable", "improving", "worsening", "baseline", "stable", "improving")
CHANGE_NOTES = ["New safety huddle at every handover", "Care plan template changed", "Daily review of the list",
                "Visual management board introduced", "Protected time for the task", "Reminder texts started"]


def seed_measures(ctx: DemoContext) -> None:
    SPCConfig.current()
    rng = np.random.default_rng(ctx.rng.randrange(2**32))
    last = periods.add_periods(ctx.today.replace(day=1), "month", -1)  # the last complete month
    qiadmin = (User.objects.filter(role_assignments__role=Role.QI_ADMIN).order_by("pk").values_list("pk", flat=True)
               .first())
    todo: list[tuple[Measure, Spec, int, str]] = []

    existing_system = set(Measure.objects.for_board().values_list("name", flat=True))
    for i, spec in enumerate(WHOLE_SYSTEM):
        if spec.name not in existing_system:
            todo.append((_measure(spec, owner_id=qiadmin), spec, 24, PATTERNS[i % len(PATTERNS)]))

    owners = dict(User.objects.filter(team__isnull=False).values("team_id").annotate(first=Min("pk"))
                  .values_list("team_id", "first"))
    wards = Team.objects.wards().exclude(measures__early_warning=True).order_by("pk").values_list("pk", flat=True)
    for ward_id in wards:
        for spec in WARD_INDICATORS:
            m = _measure(spec, owner_id=owners.get(ward_id))
            m.team_id, m.early_warning = ward_id, True
            todo.append((m, spec, 36, PATTERNS[int(rng.integers(len(PATTERNS)))]))

    projects = (Project.objects.approved().filter(measures__isnull=True).order_by("pk")
                .values_list("pk", "title", "lead_id", "approved_on"))
    for pk, title, lead_id, approved_on in projects:
        specs = _specs_for(title)
        if len(specs) > 2 and rng.random() < 0.5:
            specs = specs[:2]  # balancing measures only sometimes
        n = 24
        if approved_on:
            n = min(60, max(12, (last.year - approved_on.year) * 12 + last.month - approved_on.month + 13))
        for spec in specs:
            m = _measure(spec, owner_id=lead_id)
            m.project_id = pk
            todo.append((m, spec, n, "improving" if spec.kind == OUT and rng.random() < 0.6 else
                         PATTERNS[int(rng.integers(len(PATTERNS)))]))

    for start in range(0, len(todo), 2000):
        _write(todo[start:start + 2000], rng, last)
    _link_objectives()
    ctx.out(f"measures: {Measure.objects.count()} measures, {DataPoint.objects.count()} data points")


def _link_objectives() -> None:
    """Link the Whole System Measures that have no objective yet (a link already set is left alone), so a trust
    seeded before measures had objectives gets its links on the next run."""
    objectives = dict(StrategicObjective.objects.filter(strategy_period=STRATEGY_PERIOD).values_list("name", "pk"))
    names: dict[str, list[str]] = {}
    for measure, objective in WHOLE_SYSTEM_OBJECTIVES.items():
        names.setdefault(objective, []).append(measure)
    for objective, measures in names.items():
        if objective in objectives:
            # update(): the link is not a chart input, so the measures' chart snapshots stay fresh.
            Measure.objects.for_board().filter(name__in=measures, objective__isnull=True).update(
                objective_id=objectives[objective])


def _specs_for(title: str) -> list[Spec]:
    low = title.lower()
    for keyword, specs in TOPICS:
        if keyword in low:
            return specs
    return GENERIC


def _measure(spec: Spec, *, owner_id: int | None) -> Measure:
    return Measure(name=spec.name, definition=spec.definition, numerator=spec.numerator,
                   denominator=spec.denominator, collection="Collected monthly by the team from the electronic "
                   "record and Datix; checked by the ward manager.", measure_type=spec.kind, period="month",
                   chart_type=spec.chart, improvement=spec.improvement, target=spec.target, unit=spec.unit,
                   multiplier=spec.multiplier, owner_id=owner_id, domain=spec.domain)


@transaction.atomic
def _write(todo: list[tuple[Measure, Spec, int, str]], rng: np.random.Generator, last: dt.date) -> None:
    Measure.objects.bulk_create([m for m, *_ in todo], batch_size=1000)
    points: list[tuple] = []
    phases, notes = [], []
    ops = connection.ops
    entered_at = ops.adapt_datetimefield_value(timezone.now())
    for m, spec, n, pattern in todo:
        first = periods.add_periods(last, "month", -(n - 1))
        days = [periods.add_periods(first, "month", k) for k in range(n)]
        change = int(n * 0.55) if n >= 20 else None
        values, nums, dens = _series(spec, n, pattern if change else "stable", change or n, rng)
        for k, day in enumerate(days):
            day_value = ops.adapt_datefield_value(day)
            if spec.chart in ("p", "u"):
                points.append((m.pk, day_value, None, nums[k], dens[k], "", False, "", entered_at))
            else:
                points.append((m.pk, day_value, values[k], None, None, "", False, "", entered_at))
        if pattern == "improving" and change:
            note = CHANGE_NOTES[m.pk % len(CHANGE_NOTES)]
            phases.append(MeasurePhase(measure_id=m.pk, starts_on=days[change], kind=PhaseKind.REBASE,
                                       note=f"{note} – the change has held"))
            notes.append(Annotation(measure_id=m.pk, date=days[change], text=note))
        elif pattern == "baseline" and n >= 20:
            phases.append(MeasurePhase(measure_id=m.pk, starts_on=days[0], kind=PhaseKind.BASELINE, n_points=12,
                                       note="Baseline year before the project"))
    # Hundreds of thousands of rows at --scale 250: building model instances would cost most of the time.
    table = connection.ops.quote_name(DataPoint._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(points), 5000):
            cursor.executemany(
                f"INSERT INTO {table} (measure_id, period_start, value, numerator, denominator, comment, excluded, "
                "exclusion_reason, entered_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                points[start:start + 5000])
    MeasurePhase.objects.bulk_create(phases, batch_size=2000)
    Annotation.objects.bulk_create(notes, batch_size=2000)


def _series(spec: Spec, n: int, pattern: str, change: int, rng: np.random.Generator):
    """Values (i/c), or numerators and denominators (p/u), following the pattern."""
    better = {"increase": 1, "decrease": -1, "neutral": 1}[spec.improvement]
    shift = np.zeros(n)
    if pattern == "improving":
        shift[change:] = better * 0.3
    elif pattern == "worsening":
        shift = -better * np.clip(np.arange(n) - n * 0.6, 0, None) / n * 0.8
    level = spec.level * (1 + shift)
    if spec.chart == "p":
        p = np.clip(spec.level + shift * min(spec.level, 1 - spec.level), 0.01, 0.99)
        den = np.maximum(rng.normal(spec.size, spec.size * 0.12, n).round(), 5)
        num = rng.binomial(den.astype(int), p).astype(float)
        return None, num.tolist(), den.tolist()
    if spec.chart == "u":
        den = np.maximum(rng.normal(spec.size, spec.size * 0.06, n).round(), 1)
        num = rng.poisson(np.maximum(level, 0) * den).astype(float)
        return None, num.tolist(), den.tolist()
    if spec.chart == "c":
        return rng.poisson(np.maximum(level, 0.2)).astype(float).tolist(), None, None
    values = rng.normal(level, abs(spec.level) * spec.spread, n)
    if spec.unit == "%":
        values = np.clip(values, 0, 100)
    return [round(float(v), 1) for v in values], None, None


# --------------------------------------------------------------------------- data kept honest (step 42)

CORRECTION_COMMENT = "Recounted from Datix after the monthly validation"


def seed_data_care(ctx: DemoContext) -> None:
    """What keeping data honest looks like on the staff persona's first project measure: a value corrected
    (history kept), a stray period removed with its reason, the measure's first period and smallest value
    set, and an upload waiting to be confirmed with one row far outside the history. Idempotent."""
    from .services import PointInput, check_upload, remove_point, save_points
    from .uploads import read_table

    staff = User.objects.filter(username="staff").first()
    measure = (Measure.objects.filter(project__lead=staff, chart_type__in=("i", "c"), points__isnull=False)
               .order_by("pk").distinct().first()) if staff else None
    if measure is None or measure.point_changes.exists():
        return
    points = list(measure.points.order_by("period_start"))
    first, last = points[0], points[-1]
    fix = points[-3]
    save_points(measure, [PointInput(period_start=fix.period_start, value=(fix.value or 0) + 1,
                                     comment=CORRECTION_COMMENT)], by=staff)
    stray_day = first.period_start.replace(year=first.period_start.year - 10)
    save_points(measure, [PointInput(period_start=stray_day, value=last.value)], by=staff)
    remove_point(measure.points.get(period_start=stray_day), by=staff,
                 reason=f"Typed {stray_day.year} for {first.period_start.year}: the period was entered in error")
    Measure.objects.filter(pk=measure.pk).update(first_period=first.period_start, minimum=0)
    csv = (f"month,value,comment\n{periods.next_period(last.period_start, 'month'):%Y-%m-%d},"
           f"{int((last.value or 1) * 100)},from the ward's spreadsheet\n")
    batch = UploadBatch.objects.create(measure=measure, filename="ward-export.csv", uploaded_by=staff,
                                       rows=read_table(csv.encode(), "ward-export.csv"), total_rows=1)
    check_upload(batch)
    ctx.out(f"data care: a correction, a removal and an upload waiting on “{measure.name}”")
