"""Everything that changes a workspace: one function per act, each recorded.

Upper apps hook in without this app importing them:
- on_closure_requested(callback): forums put a closure request on the next agenda;
- on_cycles_changed(callback): measures redraw a project's charts, which mark its PDSA cycles;
- workspace.panels.register(...): measures add charts to "How will we know?".
And they read: needing_attention(), attention_reasons(), published_stories().
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from notifications.services import notify
from projects.models import (
    APPROVED_STATUSES,
    EventKind,
    Involvement,
    MemberRole,
    Project,
    ProjectMember,
    ProjectStatus,
    Stage,
)
from projects.services import TransitionError, record_event, transition

from .diagram import FONT, DriverNode, IdeaNode, driver_diagram_svg
from .models import (
    IHI_SCALE,
    ActDecision,
    AimVersion,
    ChangeIdea,
    ClosureOutcome,
    ClosureRequest,
    Driver,
    IdeaStatus,
    InvolvementOverride,
    PDSACycle,
    ProgressScore,
    ReviewOutcome,
    Story,
    first_of_month,
)


class WorkspaceError(Exception):
    """A change the workspace refuses, with a message a person can act on."""


RUNNING_STATUSES = (ProjectStatus.ACTIVE, ProjectStatus.CLOSURE_REQUESTED)
CLOSED_STATUSES = (ProjectStatus.COMPLETED, ProjectStatus.STOPPED)

# What the organisation expects at each stage of its sequence of improvement.
STAGE_EXPECTATIONS: dict[str, str] = {
    Stage.UNDERSTAND: "Map the process, listen to service users and staff, and collect baseline data so the "
                      "team agrees what the problem really is.",
    Stage.STRATEGY: "Agree the aim (how much, by when), build the driver diagram, and choose outcome, process "
                    "and balancing measures.",
    Stage.TEST: "Run small PDSA cycles on change ideas, one after another, and watch the measures each week.",
    Stage.IMPLEMENT: "Make the changes that worked part of everyday work: standard work, training, rotas.",
    Stage.SUSTAIN: "Hand the changes to the service, keep the measures running, and share the learning with "
                   "other teams.",
}
STAGE_ORDER = [s.value for s in Stage]


# --- Driver diagram --------------------------------------------------------------------------------

def driver_diagram(title: str, aim: str, drivers: Iterable[Driver], ideas: Iterable[ChangeIdea], *,
                   font: str = FONT) -> str:
    """The project's driver diagram as SVG, from its drivers and change ideas as loaded (each idea's
    secondary drivers prefetched): the workspace page and the storyboard draw the same one."""
    primaries = {d.pk: DriverNode(d.pk, d.text) for d in drivers if d.parent_id is None}
    for d in drivers:
        if d.parent_id in primaries:
            primaries[d.parent_id].children.append(DriverNode(d.pk, d.text))
    nodes = [IdeaNode(i.pk, i.title, [d.pk for d in i.secondary_drivers.all()], i.status) for i in ideas]
    return driver_diagram_svg(aim, list(primaries.values()), nodes, title=f"Driver diagram: {title}", font=font)


# --- Aim -------------------------------------------------------------------------------------------

def aim_statement(what: str, how_much: str, by_when: dt.date | None) -> str:
    when = f" by {by_when:%-d %B %Y}" if by_when else ""
    return f"{what.strip().rstrip('.')} {how_much.strip()}{when}".strip()


def ensure_aim(project: Project, *, by=None) -> AimVersion:
    """The current aim; on first opening it is copied from the idea the forum approved."""
    current = project.aim_versions.order_by("-version").first()
    if current is not None:
        return current
    return AimVersion.objects.create(
        project=project, version=1, what=project.aim_what, how_much=project.aim_how_much,
        by_when=project.aim_by_when, statement=project.aim_statement, reason="The aim the forum approved.",
        created_by=by or project.lead, created_at=timezone.now())


def change_aim(project: Project, *, what: str, how_much: str, by_when: dt.date | None, reason: str,
               by) -> AimVersion:
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).first()
        ensure_aim(project, by=by)
        latest = project.aim_versions.aggregate(n=Max("version"))["n"] or 0
        version = AimVersion.objects.create(project=project, version=latest + 1, what=what, how_much=how_much,
                                            by_when=by_when, statement=aim_statement(what, how_much, by_when),
                                            reason=reason, created_by=by)
        record_event(project, kind=EventKind.NOTE, by=by, summary=f"Aim revised (version {version.version})",
                     detail=f"{version.statement}\n\nWhy: {reason}")
    return version


# --- Stage -----------------------------------------------------------------------------------------

def set_stage(project: Project, stage: str, *, by, note: str = "") -> None:
    if stage not in STAGE_ORDER:
        raise WorkspaceError("Choose one of the stages of the sequence of improvement.")
    if project.status not in RUNNING_STATUSES:
        raise WorkspaceError("The project is closed; its stage is part of the record.")
    if stage == project.stage:
        return
    with transaction.atomic():
        previous = Stage(project.stage).label if project.stage else "not set"
        project.stage = stage
        project.save(update_fields=["stage", "updated_at"])
        record_event(project, kind=EventKind.NOTE, by=by, summary=f"Stage: {Stage(stage).label}",
                     detail=f"Moved from {previous}." + (f"\n{note}" if note else ""))


# --- Driver diagram --------------------------------------------------------------------------------

def _next_order(qs: QuerySet) -> int:
    return (qs.aggregate(n=Max("order"))["n"] or 0) + 1


def add_driver(project: Project, *, text: str, parent: Driver | None = None) -> Driver:
    if parent is not None and (parent.project_id != project.pk or parent.parent_id is not None):
        raise WorkspaceError("A secondary driver hangs off a primary driver of the same project.")
    siblings = Driver.objects.filter(project=project, parent=parent)
    return Driver.objects.create(project=project, parent=parent, text=text.strip(), order=_next_order(siblings))


def rename_driver(driver: Driver, text: str) -> Driver:
    driver.text = text.strip()
    driver.save(update_fields=["text"])
    return driver


def reparent_driver(driver: Driver, parent: Driver) -> Driver:
    """Move a secondary driver under another primary driver (it goes to the end of that list)."""
    if driver.parent_id is None:
        raise WorkspaceError("Only a secondary driver can move to another primary driver.")
    if parent.parent_id is not None or parent.project_id != driver.project_id or parent.pk == driver.pk:
        raise WorkspaceError("Choose a primary driver of the same project.")
    if parent.pk == driver.parent_id:
        return driver
    driver.parent = parent
    driver.order = _next_order(Driver.objects.filter(project_id=driver.project_id, parent=parent))
    driver.save(update_fields=["parent", "order"])
    return driver


def _swap(item, siblings: QuerySet, direction: str) -> None:
    """Swap `item` with its neighbour above or below; orders are renumbered so ties cannot stick."""
    with transaction.atomic():
        rows = list(siblings.select_for_update().order_by("order", "pk"))
        index = next(i for i, row in enumerate(rows) if row.pk == item.pk)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(rows):
            rows[index], rows[other] = rows[other], rows[index]
        for n, row in enumerate(rows, start=1):
            row.order = n
        type(item).objects.bulk_update(rows, ["order"])


def move_driver(driver: Driver, direction: str) -> None:
    _swap(driver, Driver.objects.filter(project_id=driver.project_id, parent_id=driver.parent_id), direction)


def remove_driver(driver: Driver, *, by) -> None:
    """Remove a driver and (for a primary) its secondary drivers. Change ideas stay, unlinked from them."""
    with transaction.atomic():
        kind = "primary" if driver.parent_id is None else "secondary"
        record_event(driver.project, kind=EventKind.NOTE, by=by, summary=f"Removed the {kind} driver “{driver.text}”")
        driver.delete()


def add_change_idea(project: Project, *, title: str, description: str = "",
                    secondary_drivers: Iterable[Driver] = ()) -> ChangeIdea:
    secondary_drivers = list(secondary_drivers)
    if any(d.project_id != project.pk or d.parent_id is None for d in secondary_drivers):
        raise WorkspaceError("A change idea hangs off secondary drivers of the same project.")
    with transaction.atomic():
        idea = ChangeIdea.objects.create(project=project, title=title.strip(), description=description,
                                         order=_next_order(ChangeIdea.objects.filter(project=project)))
        idea.secondary_drivers.set(secondary_drivers)
    return idea


def update_change_idea(idea: ChangeIdea, *, title: str, description: str,
                       secondary_drivers: Iterable[Driver]) -> ChangeIdea:
    secondary_drivers = list(secondary_drivers)
    if any(d.project_id != idea.project_id or d.parent_id is None for d in secondary_drivers):
        raise WorkspaceError("A change idea hangs off secondary drivers of the same project.")
    with transaction.atomic():
        renamed = idea.title != title.strip()
        idea.title, idea.description = title.strip(), description
        idea.save(update_fields=["title", "description"])
        idea.secondary_drivers.set(secondary_drivers)
        if renamed and idea.cycles.exists():  # the charts label each cycle with its idea's title
            _cycles_changed(idea.project_id)
    return idea


def move_change_idea(idea: ChangeIdea, direction: str) -> None:
    _swap(idea, ChangeIdea.objects.filter(project_id=idea.project_id), direction)


def remove_change_idea(idea: ChangeIdea, *, by) -> None:
    with transaction.atomic():
        cycles = idea.cycles.count()
        record_event(idea.project, kind=EventKind.NOTE, by=by, summary=f"Removed the change idea “{idea.title}”",
                     detail=f"With its {cycles} PDSA cycle{'s' if cycles != 1 else ''}." if cycles else "")
        idea.delete()
        if cycles:
            _cycles_changed(idea.project_id)


# --- PDSA cycles -----------------------------------------------------------------------------------

PLAN_FIELDS = ("what", "who", "planned_start", "planned_end", "where", "question", "prediction", "data_to_collect")
DO_FIELDS = ("what_happened", "problems", "observations", "done_on")
STUDY_FIELDS = ("results", "learning")
ACT_FIELDS = ("act_decision", "next_steps")
CYCLE_FIELDS = PLAN_FIELDS + DO_FIELDS + STUDY_FIELDS + ACT_FIELDS
# What a chart shows of a cycle: its number and change idea (fixed) and the day it is drawn on.
CHARTED_FIELDS = {"done_on", "planned_start"}

_cycle_callbacks: list = []


def on_cycles_changed(callback) -> None:
    """Register `callback(project_id)`, called when what the project's charts show of its PDSA cycles changes
    (a cycle started, moved in time or removed, its change idea renamed)."""
    if callback not in _cycle_callbacks:
        _cycle_callbacks.append(callback)


def _cycles_changed(project_id: int) -> None:
    for callback in _cycle_callbacks:
        callback(project_id)


def derived_idea_status(decisions: list[str]) -> str:
    """A change idea's status from its cycles' act decisions, in cycle order ("" = not decided yet).

    No cycles: not yet tested. The latest cycle still open: testing. Otherwise the latest decision
    speaks: adopt, adapt (the next cycle will test the adapted change) or abandon.
    """
    if not decisions:
        return IdeaStatus.NOT_TESTED
    latest = decisions[-1]
    return {ActDecision.ADOPT: IdeaStatus.ADOPTED, ActDecision.ADAPT: IdeaStatus.ADAPTED,
            ActDecision.ABANDON: IdeaStatus.ABANDONED}.get(latest, IdeaStatus.TESTING)


def refresh_idea_status(idea: ChangeIdea) -> str:
    decisions = list(idea.cycles.order_by("number").values_list("act_decision", flat=True))
    status = derived_idea_status(decisions)
    if status != idea.status:
        idea.status = status
        idea.save(update_fields=["status"])
    return status


def prefill_from(previous: PDSACycle) -> dict:
    """A new cycle building on an earlier one starts from its plan and what it decided to do next."""
    return {
        "what": previous.next_steps or previous.what, "who": previous.who, "where": previous.where,
        "question": previous.question, "data_to_collect": previous.data_to_collect,
        "prediction": "", "planned_start": timezone.localdate(),
    }


def start_cycle(idea: ChangeIdea, *, by, builds_on: PDSACycle | None = None, **plan) -> PDSACycle:
    if builds_on is not None and builds_on.change_idea_id != idea.pk:
        raise WorkspaceError("A cycle builds on an earlier cycle of the same change idea.")
    unknown = set(plan) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"not plan fields: {sorted(unknown)}")
    with transaction.atomic():
        # Lock the idea so two team members starting a cycle at once get numbers 3 and 4, not 3 twice.
        ChangeIdea.objects.select_for_update().filter(pk=idea.pk).first()
        number = (idea.cycles.aggregate(n=Max("number"))["n"] or 0) + 1
        plan.setdefault("planned_start", timezone.localdate())
        cycle = PDSACycle.objects.create(change_idea=idea, number=number, builds_on=builds_on, created_by=by, **plan)
        refresh_idea_status(idea)
        _cycles_changed(idea.project_id)
    return cycle


def save_cycle(cycle: PDSACycle, *, by, **fields) -> PDSACycle:
    """Save whatever the team has filled in so far; an act decision updates the change idea's status."""
    unknown = set(fields) - set(CYCLE_FIELDS)
    if unknown:
        raise TypeError(f"not cycle fields: {sorted(unknown)}")
    with transaction.atomic():
        decided_before = PDSACycle.objects.filter(pk=cycle.pk).values_list("act_decision", flat=True).first()
        for name, value in fields.items():
            setattr(cycle, name, value)
        cycle.save(update_fields=[*fields, "updated_at"])
        refresh_idea_status(cycle.change_idea)
        if CHARTED_FIELDS & set(fields):
            _cycles_changed(cycle.change_idea.project_id)
        if cycle.act_decision and cycle.act_decision != decided_before:
            record_event(cycle.change_idea.project, kind=EventKind.NOTE, by=by,
                         summary=f"PDSA {cycle.number} on “{cycle.change_idea.title}”: "
                                 f"{cycle.get_act_decision_display().lower()}",
                         detail=cycle.learning)
    return cycle


# --- Monthly progress and attention ----------------------------------------------------------------

MISSING_AFTER_DAYS = 45
STUCK_MONTHS = 3
# A team holding 4.5 or 5.0 is sustaining results: unchanged is the point, not a worry.
STUCK_BELOW = Decimal("4.5")


def _add_months(month: dt.date, n: int) -> dt.date:
    year, m = divmod(month.year * 12 + month.month - 1 + n, 12)
    return dt.date(year, m + 1, 1)


def record_progress(project: Project, *, month: dt.date, score: Decimal, narrative: str, help_needed: str = "",
                    by, at: dt.datetime | None = None) -> ProgressScore:
    score = Decimal(score).quantize(Decimal("0.1"))
    if score not in IHI_SCALE:
        raise WorkspaceError("Scores run from 0.5 to 5.0 in steps of 0.5.")
    if project.status not in RUNNING_STATUSES:
        raise WorkspaceError("The project is closed; its progress scores are part of the record.")
    month = first_of_month(month)
    with transaction.atomic():
        rescored = project.progress_scores.filter(month=month).exists()
        row = ProgressScore.objects.create(project=project, month=month, score=score, narrative=narrative,
                                           help_needed=help_needed, recorded_by=by, recorded_at=at or timezone.now())
        record_event(project, kind=EventKind.NOTE, by=by,
                     summary=f"Progress {'re-scored' if rescored else 'scored'} for {month:%B %Y}: {score} "
                             f"({IHI_SCALE[score].lower()})", detail=narrative)
    return row


def effective_scores(rows: Iterable[ProgressScore]) -> dict[dt.date, ProgressScore]:
    """Month → the score that counts (the latest recorded for that month)."""
    out: dict[dt.date, ProgressScore] = {}
    for row in sorted(rows, key=lambda r: (r.month, r.recorded_at, r.pk or 0)):
        out[row.month] = row
    return dict(sorted(out.items()))


def _reasons(*, status: str, approved_on: dt.date | None, last_recorded: dt.date | None,
             monthly: dict[dt.date, Decimal], today: dt.date) -> list[str]:
    if status != ProjectStatus.ACTIVE:
        return []
    reasons = []
    since = last_recorded or approved_on
    if since is not None and (today - since).days > MISSING_AFTER_DAYS:
        reasons.append(f"No progress score for {(today - since).days} days" if last_recorded
                       else f"No progress score since approval {(today - since).days} days ago")
    window = [_add_months(first_of_month(today), -n) for n in range(STUCK_MONTHS, 0, -1)]
    scores = [monthly.get(m) for m in window]
    if all(s is not None for s in scores) and len(set(scores)) == 1 and scores[0] < STUCK_BELOW:
        reasons.append(f"Score unchanged at {scores[0]} for {STUCK_MONTHS} months")
    return reasons


def attention_reasons(project: Project, today: dt.date, scores: Iterable[ProgressScore] | None = None) -> list[str]:
    """Why a running project needs the forum's attention (empty when it does not). Pass `scores`
    when they are already loaded, to save the query."""
    rows = list(project.progress_scores.all() if scores is None else scores)
    monthly = {m: r.score for m, r in effective_scores(rows).items()}
    last = max((r.recorded_at for r in rows), default=None)
    return _reasons(status=project.status, approved_on=project.approved_on,
                    last_recorded=timezone.localtime(last).date() if last else None, monthly=monthly, today=today)


def needing_attention(projects: QuerySet[Project], today: dt.date) -> QuerySet[Project]:
    """The running projects among `projects` whose progress is missing for more than 45 days, or whose
    score was the same in each of the last three months. Two subqueries, whatever the number of projects."""
    cutoff = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=MISSING_AFTER_DAYS), dt.time.min))
    latest_recorded = Subquery(ProgressScore.objects.filter(project=OuterRef("pk")).order_by("-recorded_at")
                               .values("recorded_at")[:1])
    this_month = first_of_month(today)
    stuck = (ProgressScore.objects.effective()
             .filter(month__gte=_add_months(this_month, -STUCK_MONTHS), month__lt=this_month)
             .values("project").annotate(n=Count("pk"), lo=Min("score"), hi=Max("score"))
             .filter(project__in=projects.values("pk"))  # only these projects' scores, not the whole table
             .filter(n=STUCK_MONTHS, lo=F("hi"), hi__lt=STUCK_BELOW).values("project"))
    missing = Q(last_recorded__lt=cutoff) | Q(last_recorded__isnull=True,
                                               approved_on__lt=today - dt.timedelta(days=MISSING_AFTER_DAYS))
    return (projects.filter(status=ProjectStatus.ACTIVE).annotate(last_recorded=latest_recorded)
            .filter(missing | Q(pk__in=stuck)))


# --- Team and involvement --------------------------------------------------------------------------

LIVED_EXPERIENCE_ROLES = (MemberRole.SERVICE_USER, MemberRole.CARER)


def involvement_from_team(members: Iterable[ProjectMember]) -> str:
    """One service user or carer on the team: occasional; two or more: full partners."""
    n = sum(1 for m in members if m.role in LIVED_EXPERIENCE_ROLES and m.left_on is None)
    return Involvement.FULL if n >= 2 else Involvement.OCCASIONAL if n == 1 else Involvement.NONE


def current_involvement(project: Project, members=None, overrides=None) -> tuple[str, InvolvementOverride | None]:
    """The level that counts and the override behind it (None when it follows the team)."""
    overrides = list(project.involvement_overrides.all() if overrides is None else overrides)
    latest = max(overrides, key=lambda o: (o.at, o.pk), default=None)
    if latest is not None and latest.level:
        return latest.level, latest
    members = project.members.filter(left_on__isnull=True) if members is None else members
    return involvement_from_team(members), None


def _sync_involvement(project: Project) -> None:
    # Project.involvement is what reports read; keep it equal to the level that counts now.
    level, _ = current_involvement(project)
    if level != project.involvement:
        project.involvement = level
        project.save(update_fields=["involvement", "updated_at"])


def add_member(project: Project, *, person, role: str, organisation=None, joined_on: dt.date | None = None,
               by) -> ProjectMember:
    with transaction.atomic():
        if project.members.filter(person=person, left_on__isnull=True).exists():
            raise WorkspaceError(f"{person.name} is already on the team.")
        member = ProjectMember.objects.create(project=project, person=person, role=role, organisation=organisation,
                                              joined_on=joined_on or timezone.localdate())
        record_event(project, kind=EventKind.NOTE, by=by,
                     summary=f"{person.name} joined the team ({member.get_role_display().lower()})")
        _sync_involvement(project)
    return member


def remove_member(member: ProjectMember, *, by, left_on: dt.date | None = None) -> None:
    project = member.project
    if member.person_id == project.lead_id:
        raise WorkspaceError("The project lead stays on the team; the forum changes who leads a project.")
    with transaction.atomic():
        member.left_on = left_on or timezone.localdate()
        member.save(update_fields=["left_on"])
        record_event(project, kind=EventKind.NOTE, by=by, summary=f"{member.person.name} left the team")
        _sync_involvement(project)


def override_involvement(project: Project, *, level: str, reason: str, by) -> InvolvementOverride:
    """Set the involvement by hand (blank level: follow the team again). The reason is required."""
    if not reason.strip():
        raise WorkspaceError("Say why the involvement differs from what the team shows.")
    with transaction.atomic():
        row = InvolvementOverride.objects.create(project=project, level=level, reason=reason.strip(), by=by)
        label = Involvement(level).label if level else "following the team"
        record_event(project, kind=EventKind.NOTE, by=by, summary=f"Service-user involvement set: {label}",
                     detail=reason)
        _sync_involvement(project)
    return row


# --- Closure ---------------------------------------------------------------------------------------

_closure_callbacks: list = []


def on_closure_requested(callback) -> None:
    """Register `callback(closure_request)`, called after each closure request (forums: the next agenda)."""
    if callback not in _closure_callbacks:
        _closure_callbacks.append(callback)


def request_closure(project: Project, *, by, outcome: str, results: str, learning: str, sustain_plan: str,
                    should_spread: bool = False) -> ClosureRequest:
    with transaction.atomic():
        transition(project, ProjectStatus.CLOSURE_REQUESTED, by=by, expected_from=ProjectStatus.ACTIVE,
                   summary=f"Closure requested: {ClosureOutcome(outcome).label}", detail=learning)
        closure = ClosureRequest.objects.create(project=project, outcome=outcome, results=results, learning=learning,
                                                sustain_plan=sustain_plan, should_spread=should_spread,
                                                requested_by=by)
    for callback in _closure_callbacks:
        callback(closure)
    return closure


CLOSURE_REVIEW_KIND = "closure_review"


def review_closure(closure: ClosureRequest, *, by, confirm: bool, note: str = "") -> ClosureRequest:
    """The directorate's forum chair confirms the closure (the project completes or stops) or returns
    it to the team with a note (the project is active again)."""
    if not confirm and not note.strip():
        raise WorkspaceError("Tell the team what to do before they ask again.")
    with transaction.atomic():
        locked = ClosureRequest.objects.select_for_update().select_related("project").get(pk=closure.pk)
        if not locked.is_pending:
            raise TransitionError("This closure request has already been reviewed; nothing was changed.")
        project = locked.project
        if confirm:
            summary = ("Closure confirmed: stopped" if locked.outcome == ClosureOutcome.STOPPED
                       else f"Closure confirmed: {locked.get_outcome_display().split('– ')[-1]}")
            transition(project, locked.closes_as, by=by, summary=summary, detail=note,
                       expected_from=ProjectStatus.CLOSURE_REQUESTED)
        else:
            transition(project, ProjectStatus.ACTIVE, by=by, summary="Closure returned to the team", detail=note,
                       expected_from=ProjectStatus.CLOSURE_REQUESTED)
        locked.review_outcome = ReviewOutcome.CONFIRMED if confirm else ReviewOutcome.RETURNED
        locked.reviewed_by, locked.reviewed_at, locked.review_note = by, timezone.now(), note
        locked.save(update_fields=["review_outcome", "reviewed_by", "reviewed_at", "review_note"])
        verdict = "confirmed" if confirm else "returned to the team"
        notify([project.lead_id, locked.requested_by_id], kind=CLOSURE_REVIEW_KIND,
               text=f"Closure of “{project.title}” {verdict} by {by.name}",
               body=f"The closure request for “{project.title}” was {verdict} by {by.name}."
                    + (f"\n\nTheir note:\n{note}" if note.strip() else ""),
               url=project.get_absolute_url(), key=f"closure-review:{locked.pk}")
    closure.refresh_from_db()
    return closure


# --- Stories and the learning library -------------------------------------------------------------

def add_story(project: Project, *, by, kind: str, title: str, body: str, consent_confirmed: bool,
              consent_note: str = "", published: bool = True) -> Story:
    if project.status not in CLOSED_STATUSES:
        raise WorkspaceError("Stories are told once a project has closed.")
    if not consent_confirmed:
        raise WorkspaceError("Confirm that everyone in the story agreed to it being shared.")
    with transaction.atomic():
        story = Story.objects.create(project=project, kind=kind, title=title, body=body, consent_confirmed=True,
                                     consent_note=consent_note, published=published, created_by=by)
        record_event(project, kind=EventKind.NOTE, by=by, summary=f"{story.get_kind_display()} added: {title}")
    return story


def published_stories(limit: int = 3, kind: str | None = None) -> list[Story]:
    """The latest published stories, for the home page and the board report."""
    stories = Story.objects.published().for_list()
    if kind:
        stories = stories.filter(kind=kind)
    return list(stories[:limit])


def library(query: str = "", outcome: str = "") -> QuerySet[Project]:
    """Closed projects, newest first, matched on title, problem, learning, results or change idea titles."""
    confirmed = ClosureRequest.objects.confirmed().filter(project=OuterRef("pk")).order_by("-reviewed_at")
    projects = (Project.objects.filter(status__in=CLOSED_STATUSES).for_list()
                .annotate(outcome=Subquery(confirmed.values("outcome")[:1]),
                          learning=Subquery(confirmed.values("learning")[:1]))
                .order_by("-closed_on", "-pk"))
    for word in query.split():
        ideas = ChangeIdea.objects.filter(project=OuterRef("pk"), title__icontains=word)
        closures = ClosureRequest.objects.confirmed().filter(project=OuterRef("pk")).filter(
            Q(learning__icontains=word) | Q(results__icontains=word))
        projects = projects.filter(Q(title__icontains=word) | Q(problem__icontains=word) | Exists(ideas)
                                   | Exists(closures))
    if outcome:
        projects = projects.filter(outcome=outcome)
    return projects


__all__ = [
    "APPROVED_STATUSES", "WorkspaceError", "ensure_aim", "change_aim", "set_stage", "add_driver", "rename_driver",
    "reparent_driver", "move_driver", "remove_driver", "add_change_idea", "update_change_idea", "move_change_idea",
    "remove_change_idea", "start_cycle", "save_cycle", "prefill_from", "record_progress", "attention_reasons",
    "needing_attention", "add_member", "remove_member", "override_involvement", "on_closure_requested",
    "on_cycles_changed", "request_closure", "review_closure", "add_story", "published_stories", "library",
]
