"""Running a programme: its stages (one guarded move function), recruitment and enrolment, standard measures,
learning sessions, the change package and the nightly aggregate charts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from coaching.services import allocate
from forums.services import add_enrolment_to_agenda
from measures.charts import chart_for
from measures.models import RATIO_CHARTS, DataPoint, Measure, MeasureType, SPCConfig
from notifications.services import notify
from projects.models import EventKind, Project, ProjectStatus
from projects.services import create_idea, record_event, transition
from workspace.models import ChangeIdea

from .models import (
    ALLOWED_MOVES,
    Aggregate,
    Candidacy,
    EnrolledMeasure,
    Enrolment,
    ExecutiveSponsor,
    LearningSession,
    MeasureTemplate,
    PackageIdea,
    PackageLink,
    Programme,
    ProgrammeDriver,
    RecruitKind,
    RecruitStatus,
    SessionAttendance,
    Stage,
    StageMove,
    Wave,
)

RUNNING = (ProjectStatus.ACTIVE, ProjectStatus.CLOSURE_REQUESTED)
NEWS_KIND = "programme_news"


class ProgrammeError(Exception):
    """The programme is not in a state that allows this; the message says what to do."""


# --------------------------------------------------------------------------- creating and stages


def create_programme(*, by, title: str, topic: str, lead, sponsors: Iterable = (), priority=None, objective=None,
                     problem: str = "", baseline: str = "", aim: str = "", planned_teams: int = 0) -> Programme:
    with transaction.atomic():
        programme = Programme.objects.create(
            title=title, topic=topic, lead=lead, priority=priority,
            objective=objective or (priority.objective if priority is not None else None), problem=problem,
            baseline=baseline, aim=aim, planned_teams=planned_teams)
        set_sponsors(programme, sponsors)
        StageMove.objects.create(programme=programme, to_stage=Stage.SCOPE, by=by, note="Programme started")
    return programme


def set_sponsors(programme: Programme, people: Iterable) -> None:
    wanted = {p.pk for p in people}
    ExecutiveSponsor.objects.filter(programme=programme).exclude(person_id__in=wanted).delete()
    have = set(ExecutiveSponsor.objects.filter(programme=programme).values_list("person_id", flat=True))
    ExecutiveSponsor.objects.bulk_create(ExecutiveSponsor(programme=programme, person_id=pk)
                                         for pk in sorted(wanted - have))


@dataclass(frozen=True)
class Check:
    label: str
    done: bool


def checklist(programme: Programme, stage: str | None = None) -> list[Check]:
    """What must exist before the programme leaves `stage` (its current stage by default). Four queries."""
    stage = stage or programme.stage
    if stage == Stage.SCOPE:
        return [Check("A programme lead", bool(programme.lead_id)),
                Check("At least one executive sponsor", programme.executive_sponsors.exists()),
                Check("A problem statement", bool(programme.problem.strip())),
                Check("Baseline data", bool(programme.baseline.strip())),
                Check("An aim (how much, by when)", bool(programme.aim.strip()))]
    if stage == Stage.DESIGN:
        counts = Programme.objects.filter(pk=programme.pk).aggregate(
            drivers=Count("drivers", distinct=True), ideas=Count("package_ideas", distinct=True),
            templates=Count("templates", distinct=True), sessions=Count("sessions", distinct=True),
            waves=Count("waves", distinct=True))
        return [Check("A driver diagram with at least one primary driver", counts["drivers"] > 0),
                Check("A change package with at least one idea", counts["ideas"] > 0),
                Check("A measurement plan: at least one standard measure", counts["templates"] > 0),
                Check("A learning-session schedule: at least one session", counts["sessions"] > 0),
                Check("At least one wave of teams", counts["waves"] > 0),
                Check("The number of teams planned", programme.planned_teams > 0)]
    if stage == Stage.RECRUIT:
        return [Check("At least one team enrolled", programme.enrolments.exists()),
                Check("No application or invitation left undecided",
                      not programme.candidacies.filter(status=RecruitStatus.OPEN).exists())]
    if stage == Stage.DELIVER:
        held = programme.sessions.filter(date__lte=timezone.localdate()).exclude(shared="")
        return [Check("At least one learning session held, with what was shared", held.exists())]
    if stage == Stage.EVALUATE:
        return [Check("Every team's aim judged met or not",
                      not programme.enrolments.filter(outcome="").exists()),
                Check("The programme's outcome and learning written up",
                      bool(programme.outcome) and bool(programme.learning.strip()))]
    return []


def move_stage(programme: Programme, to_stage: str, *, by, note: str = "",
               expected_from: str | None = None) -> StageMove:
    """Move a programme to `to_stage`, guarded and recorded.

    The row is locked and its stage re-read, so two people acting at once cannot both move it. Moving on needs
    the current stage's checklist done; one step back (a plan that was not ready) needs a note saying why.
    """
    with transaction.atomic():
        locked = Programme.objects.select_for_update().get(pk=programme.pk)
        current = locked.stage
        if expected_from is not None and current != expected_from:
            raise ProgrammeError(f"This programme is now in “{locked.get_stage_display()}”; nothing was changed.")
        if to_stage not in ALLOWED_MOVES.get(current, set()):
            raise ProgrammeError(f"A programme in “{locked.get_stage_display()}” cannot move to "
                                 f"“{Stage(to_stage).label}”.")
        forward = Stage.values.index(to_stage) > Stage.values.index(current)
        if forward:
            missing = [c.label for c in checklist(locked) if not c.done]
            if missing:
                raise ProgrammeError("Before moving on, the programme needs: " + "; ".join(missing) + ".")
        elif not note.strip():
            raise ProgrammeError("Say why the programme goes back a stage.")
        locked.stage = to_stage
        locked.save(update_fields=["stage", "updated_at"])
        move = StageMove.objects.create(programme=locked, from_stage=current, to_stage=to_stage, by=by,
                                        note=note.strip()[:300])
        # Its executive sponsors and the teams taking part hear of it (the one who moved it knows).
        people = {*ExecutiveSponsor.objects.filter(programme=locked).values_list("person_id", flat=True),
                  *Enrolment.objects.filter(programme=locked).values_list("project__lead_id", flat=True),
                  locked.lead_id} - {getattr(by, "pk", None)}
        notify(people, kind=NEWS_KIND, key=f"programme-stage-{move.pk}", url=locked.get_absolute_url(),
               text=f"{locked.title} moved to “{Stage(to_stage).label}”" + (f": {move.note}" if move.note else "."))
    programme.refresh_from_db()
    return move


# --------------------------------------------------------------------------- theory of change and plan


def _next_order(qs) -> int:
    return (qs.aggregate(m=Max("order"))["m"] or 0) + 1


def add_driver(programme: Programme, *, text: str, parent: ProgrammeDriver | None = None) -> ProgrammeDriver:
    if parent is not None and (parent.programme_id != programme.pk or parent.parent_id is not None):
        raise ProgrammeError("A secondary driver hangs off one of this programme's primary drivers.")
    return ProgrammeDriver.objects.create(programme=programme, parent=parent, text=text.strip(),
                                          order=_next_order(programme.drivers.filter(parent=parent)))


def add_package_idea(programme: Programme, *, title: str, description: str = "",
                     drivers: Iterable[ProgrammeDriver] = ()) -> PackageIdea:
    if programme.package_ideas.filter(title__iexact=title.strip()).exists():
        raise ProgrammeError("The change package already has an idea of that name.")
    idea = PackageIdea.objects.create(programme=programme, title=title.strip(), description=description,
                                      order=_next_order(programme.package_ideas.all()))
    idea.drivers.set([d for d in drivers if d.programme_id == programme.pk])
    return idea


def add_template(programme: Programme, **fields) -> MeasureTemplate:
    """A standard measure; every team already enrolled gets its own measure from it at once."""
    with transaction.atomic():
        template = MeasureTemplate.objects.create(programme=programme, order=_next_order(programme.templates.all()),
                                                  **fields)
        for enrolment in programme.enrolments.select_related("project"):
            _measure_for(enrolment, template)
    return template


def _measure_for(enrolment: Enrolment, template: MeasureTemplate) -> EnrolledMeasure:
    existing = EnrolledMeasure.objects.filter(enrolment=enrolment, template=template).first()
    if existing is not None:
        return existing
    measure = Measure.objects.create(
        project=enrolment.project, name=template.name, definition=template.definition,
        numerator=template.numerator, denominator=template.denominator, measure_type=template.measure_type,
        period=template.period, chart_type=template.chart_type, improvement=template.improvement,
        target=template.target, unit=template.unit, multiplier=template.multiplier,
        collection=f"A standard measure of the programme “{enrolment.programme.title}”: every team collects "
                   "it the same way.")
    return EnrolledMeasure.objects.create(enrolment=enrolment, template=template, measure=measure)


def add_wave(programme: Programme, *, starts_on: dt.date) -> Wave:
    return Wave.objects.create(programme=programme, starts_on=starts_on,
                               number=(programme.waves.aggregate(m=Max("number"))["m"] or 0) + 1)


def schedule_session(programme: Programme, *, date: dt.date, title: str = "", agenda: str = "") -> LearningSession:
    number = (programme.sessions.aggregate(m=Max("number"))["m"] or 0) + 1
    session = LearningSession.objects.create(programme=programme, number=number, date=date,
                                             title=title or f"Learning session {number}", agenda=agenda)
    if date >= timezone.localdate():  # the teams taking part, their local sponsors and the lead hear of it
        teams = Enrolment.objects.filter(programme=programme).values_list("project__lead_id", "local_sponsor_id")
        people = {programme.lead_id, *(pk for pair in teams for pk in pair)}
        notify(people, kind=NEWS_KIND, key=f"programme-session-{session.pk}",
               text=f"{session} of {programme.title} on {date:%-d %B %Y}.", url=session.get_absolute_url())
    return session


def record_session(session: LearningSession, *, shared: str, attendance: Sequence[dict]) -> None:
    """What was shared and, per team, whether it came, who came and its plan for the next action period."""
    if session.date > timezone.localdate() and (shared.strip() or any(a["attended"] for a in attendance)):
        raise ProgrammeError("This session has not happened yet: record it on or after its date.")
    with transaction.atomic():
        session.shared = shared
        session.save(update_fields=["shared"])
        for row in attendance:
            SessionAttendance.objects.update_or_create(
                session=session, enrolment=row["enrolment"],
                defaults={"attended": row["attended"], "who": row.get("who", ""),
                          "next_plan": row.get("next_plan", "")})


# --------------------------------------------------------------------------- recruitment and enrolment


def propose(programme: Programme, *, team, by, kind: str, note: str = "", partner=None) -> Candidacy:
    """An invitation from the QI department, or a team's application. Only while the programme recruits (the
    QI department may invite during design too, ahead of opening)."""
    allowed = (Stage.DESIGN, Stage.RECRUIT) if kind == RecruitKind.INVITED else (Stage.RECRUIT,)
    if programme.stage not in allowed:
        raise ProgrammeError("Teams apply while the programme is recruiting." if kind == RecruitKind.APPLIED
                             else "Teams are invited while the programme is being designed or recruiting.")
    if Enrolment.objects.filter(programme=programme, project__team=team).exists():
        raise ProgrammeError(f"{team} already takes part in this programme.")
    if Candidacy.objects.filter(programme=programme, team=team, status=RecruitStatus.OPEN).exists():
        raise ProgrammeError(f"{team} is already invited or has applied; the QI department will decide.")
    return Candidacy.objects.create(programme=programme, team=team, kind=kind, note=note, by=by, partner=partner)


def decline(candidacy: Candidacy, *, by, note: str) -> Candidacy:
    if not note.strip():
        raise ProgrammeError("Say why, so the team knows.")
    with transaction.atomic():
        locked = Candidacy.objects.select_for_update().get(pk=candidacy.pk)
        if locked.status != RecruitStatus.OPEN:
            raise ProgrammeError("This has already been decided.")
        locked.status = RecruitStatus.DECLINED
        locked.decided_by, locked.decided_at, locked.decision_note = by, timezone.now(), note.strip()[:300]
        locked.save()
    return locked


def accept(candidacy: Candidacy, *, by, **enrol_args) -> Enrolment:
    with transaction.atomic():
        locked = Candidacy.objects.select_for_update().select_related("programme", "team").get(pk=candidacy.pk)
        if locked.status != RecruitStatus.OPEN:
            raise ProgrammeError("This has already been decided.")
        enrolment = enrol(locked.programme, team=locked.team, by=by, partner=locked.partner, **enrol_args)
        locked.status = RecruitStatus.ACCEPTED
        locked.decided_by, locked.decided_at = by, timezone.now()
        locked.save()
    return enrolment


def enrol(programme: Programme, *, team, by, coach, sponsor, lead=None, advisor=None, wave: Wave | None = None,
          project: Project | None = None, partner=None, override_reason: str = "") -> Enrolment:
    """A team joins through its own project: a new one (approved at once: the programme is the decision, so it
    goes to the directorate forum for information only) or an existing running project brought in with its
    history. The coach is allocated as the forum would (capacity counted, CapacityError when full); every
    standard measure gets the team's own copy."""
    if programme.stage not in (Stage.RECRUIT, Stage.DELIVER):
        raise ProgrammeError("Teams are enrolled while the programme is recruiting or delivering.")
    if project is not None:
        if project.team_id != team.pk:
            raise ProgrammeError("The project brought in must be the team's own.")
        if project.status not in RUNNING:
            raise ProgrammeError("Only a running project can be brought in; this one is "
                                 f"“{project.get_status_display()}”.")
        if Enrolment.objects.filter(programme=programme, project=project).exists():
            raise ProgrammeError("This project already takes part.")
    with transaction.atomic():
        brought_in = project is not None
        if project is None:
            lead = lead or by
            project = create_idea(
                created_by=by, lead=lead, team=team, title=f"{programme.topic[:1].upper()}{programme.topic[1:]} "
                                                            f"on {team.name}"[:200],
                problem=programme.problem or programme.topic, why_it_matters=(
                    f"Part of the {programme.title} programme"
                    + (f", delivering the annual priority “{programme.priority.name}”" if programme.priority_id
                       else "") + "."),
                aim_what=(programme.aim or programme.topic)[:300], aim_how_much="as the programme's aim sets",
                condition_matters_most=True, condition_team_agreed=True, condition_whole_team=True)
            if programme.priority_id:
                project.priorities.add(programme.priority_id)
            allocate(project, by=by, reason=f"Enrolled in {programme.title}", coach=coach, sponsor=sponsor,
                     advisor=advisor, override_reason=override_reason, notify=True)
            transition(project, ProjectStatus.SUBMITTED, by=by,
                       summary=f"Enrolled in the programme “{programme.title}”")
            transition(project, ProjectStatus.ACTIVE, by=by,
                       summary="Approved as part of the programme (to the forum for information)")
        else:
            if coach.pk != project.coach_id or sponsor.pk != project.sponsor_id or (
                    advisor is not None and advisor.pk != project.advisor_id):
                allocate(project, by=by, reason=f"Support for {programme.title}", coach=coach, sponsor=sponsor,
                         advisor=advisor, override_reason=override_reason)
            record_event(project, kind=EventKind.NOTE, by=by,
                         summary=f"Brought into the programme “{programme.title}”")
        enrolment = Enrolment.objects.create(programme=programme, project=project, wave=wave, local_sponsor=sponsor,
                                             partner=partner, brought_in=brought_in, enrolled_by=by)
        for template in programme.templates.all():
            _measure_for(enrolment, template)
        add_enrolment_to_agenda(project, programme_title=programme.title)
        notify([project.lead_id, sponsor.pk], kind=NEWS_KIND, key=f"programme-enrolment-{enrolment.pk}",
               text=f"{project.team} joined {programme.title}: its standard measures are on “{project.title}”.",
               url=programme.get_absolute_url())
    return enrolment


def link_idea(package_idea: PackageIdea, change_idea: ChangeIdea, *, by) -> PackageLink:
    if not Enrolment.objects.filter(programme_id=package_idea.programme_id,
                                    project_id=change_idea.project_id).exists():
        raise ProgrammeError("Only the change ideas of teams in the programme can be linked to its package.")
    link, _ = PackageLink.objects.get_or_create(package_idea=package_idea, change_idea=change_idea,
                                                defaults={"linked_by": by})
    return link


def evaluate_team(enrolment: Enrolment, *, outcome: str, outcome_note: str = "") -> None:
    enrolment.outcome, enrolment.outcome_note = outcome, outcome_note[:300]
    enrolment.save(update_fields=["outcome", "outcome_note"])


def evaluate(programme: Programme, *, outcome: str, learning: str) -> None:
    if programme.stage != Stage.EVALUATE:
        raise ProgrammeError("A programme is evaluated in its evaluate stage.")
    programme.outcome, programme.learning = outcome, learning
    programme.save(update_fields=["outcome", "learning", "updated_at"])


# --------------------------------------------------------------------------- the nightly aggregate


def _aggregate_points(template: MeasureTemplate, rows: Iterable[tuple]) -> list[DataPoint]:
    """One point a period across teams: numerators and denominators summed for proportions and rates, counts
    summed for c charts, the mean of the teams' values otherwise."""
    ratio = template.chart_type in RATIO_CHARTS
    by_period: dict[dt.date, list] = defaultdict(list)
    for period, value, num, den in rows:
        by_period[period].append((value, num, den))
    points = []
    for period in sorted(by_period):
        got = by_period[period]
        if ratio:
            pairs = [(n, d) for _, n, d in got if n is not None and d]
            if pairs:
                points.append(DataPoint(period_start=period, numerator=sum(n for n, _ in pairs),
                                        denominator=sum(d for _, d in pairs)))
        else:
            values = [v for v, _, _ in got if v is not None]
            if values:
                total = sum(values) if template.chart_type == "c" else sum(values) / len(values)
                points.append(DataPoint(period_start=period, value=total))
    return points


def aggregate_chart_type(template: MeasureTemplate) -> str:
    # Rare-event charts (days or cases between events) do not add up across teams: read their mean as XmR.
    return "i" if template.chart_type in ("g", "t", "xbar", "s") else template.chart_type


def compute_aggregates(programme_ids: Sequence[int] | None = None) -> int:
    """Every template's aggregate chart, from its teams' data (two queries a programme, then one write each)."""
    config = SPCConfig.current()
    templates = MeasureTemplate.objects.filter(programme__stage__in=(Stage.RECRUIT, Stage.DELIVER, Stage.EVALUATE))
    if programme_ids is not None:
        templates = templates.filter(programme_id__in=programme_ids)
    templates = list(templates)
    links = defaultdict(list)
    for template_id, measure_id in EnrolledMeasure.objects.filter(template__in=templates).values_list(
            "template_id", "measure_id"):
        links[template_id].append(measure_id)
    rows = defaultdict(list)
    owner = {m: t for t, ms in links.items() for m in ms}
    for measure_id, period, value, num, den in DataPoint.objects.filter(
            measure_id__in=list(owner), excluded=False).values_list(
            "measure_id", "period_start", "value", "numerator", "denominator").iterator(chunk_size=5000):
        rows[owner[measure_id]].append((period, value, num, den))
    for template in templates:
        measure = Measure(name=f"{template.name} (all teams)", chart_type=aggregate_chart_type(template),
                          period=template.period, improvement=template.improvement, target=template.target,
                          unit=template.unit, multiplier=template.multiplier, measure_type=MeasureType.OUTCOME)
        out = chart_for(measure, _aggregate_points(template, rows[template.pk]), [], config)
        Aggregate.objects.update_or_create(template=template, defaults={
            "computed_at": timezone.now(), "teams": len(links[template.pk]), "figure": out.figure,
            "variation_icon": out.variation_icon or "", "assurance_icon": out.assurance_icon or "",
            "reading": out.reading, "latest_value": out.latest_value, "error": out.error})
    return len(templates)


def nightly_step() -> dict:
    return {"aggregates": compute_aggregates()}
