"""What the programme pages show, read in a fixed number of queries however many teams, measures and points:
every team's chart comes from its nightly snapshot, the aggregate from the nightly run."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from django.db.models import Count, Max, Min, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from measures.charts import reading_of
from measures.models import DataPoint
from measures.sparkline import sparkline_svg
from projects.models import Project
from projects.services import keywords
from spc.fmt import fmt_number
from spc.icons import icon_svg
from workspace.diagram import FONT, DriverNode, IdeaNode, driver_diagram_svg
from workspace.models import ChangeIdea, IdeaStatus

from .models import EnrolledMeasure, Enrolment, MeasureTemplate, PackageIdea, PackageLink, Programme, ProgrammeDriver

SNAPSHOT_SHOWN = ("measure__snapshot__variation_icon", "measure__snapshot__assurance_icon",
                  "measure__snapshot__latest_value", "measure__snapshot__latest_period", "measure__snapshot__recent")


@dataclass(slots=True)
class Reading:
    """What the page shows of a team's nightly snapshot: read as values, 180 of them, not as model instances."""

    variation_icon: str
    assurance_icon: str
    latest_value: float | None
    latest_period: dt.date | None
    recent: list


def diagram(programme: Programme, drivers: list[ProgrammeDriver], ideas: list[PackageIdea], *,
            font: str = FONT) -> SafeString:
    """The theory of change drawn by the same pure function as every project's driver diagram (`font`:
    PRINT_FONT for a page WeasyPrint lays out)."""
    primaries = [DriverNode(d.pk, d.text, [DriverNode(c.pk, c.text) for c in drivers if c.parent_id == d.pk])
                 for d in drivers if d.parent_id is None]
    nodes = [IdeaNode(i.pk, i.title, [d.pk for d in i.drivers.all()], "") for i in ideas]
    svg = driver_diagram_svg(programme.aim or programme.topic, primaries, nodes,
                             title=f"Driver diagram: {programme.title}", font=font)
    return mark_safe(svg)  # noqa: S308 - built and escaped by workspace.diagram


@lru_cache(maxsize=4096)
def _sparkline(values: tuple, reading: str, label: str) -> str:
    """A team's sparkline changes only when the nightly run redraws its chart: the same values give the same
    drawing, so a process keeps the last few thousand rather than drawing 180 again on every view."""
    return sparkline_svg(list(values), reading=reading, width=160, height=40, label=label)


@lru_cache(maxsize=8)
def _url_prefix(name: str) -> str:
    """The URL called `name` up to the object's id (e.g. "/projects/"): one reverse for the process rather than
    one for each of 60 teams or 180 charts on every view."""
    return reverse(name, args=[0]).rsplit("0/", 1)[0]


def team_list(enrolments: list[Enrolment]) -> SafeString:
    """The overview's list of teams: each linked to its project, with its directorate, wave, partner and a link
    to its storyboard. Written here rather than in the template: 60 rows of a dozen lookups each."""
    project_prefix, storyboard_prefix = _url_prefix("projects:detail"), _url_prefix("workspace:storyboard")
    rows = []
    for e in enrolments:
        team = e.project.team.name
        extra = "".join(f" · {escape(str(part))}" for part in (e.wave, e.partner and f"with {e.partner}") if part)
        rows.append(format_html(
            '<li class="list-group-item"><a href="{}{}/">{}</a> <span class="text-muted">· {}{}</span> · '
            '<a href="{}{}/storyboard/" data-testid="team-storyboard">storyboard<span class="visually-hidden"> of '
            '{}</span></a></li>', project_prefix, e.project_id, team, e.project.directorate.name,
            mark_safe(extra), storyboard_prefix, e.project_id, team))  # noqa: S308 - its parts are escaped above
    return mark_safe("".join(rows))  # noqa: S308 - each row is escaped


@lru_cache(maxsize=64)
def _icon(name: str, size: int) -> str:
    """Icons are fixed drawings: one string per name and size for the whole process."""
    return icon_svg(name, size) if name else ""


@dataclass
class TeamChart:
    """One team's chart of one standard measure, from its nightly snapshot. The page shows 180 of these, so each
    writes its own markup in Python rather than through a dozen template lookups."""

    enrolment: Enrolment
    measure_id: int
    snapshot: Reading | None
    last_event: dt.date | None = None

    @property
    def reading(self) -> str:
        return reading_of(self.snapshot.variation_icon if self.snapshot else None)

    @cached_property
    def sparkline(self) -> SafeString:
        s = self.snapshot
        values = tuple(s.recent) if s else ()
        return mark_safe(_sparkline(values, self.reading,  # noqa: S308 - built and escaped by measures.sparkline
                                    f"{self.enrolment.project.team.name}: last {len(values)} values"))

    @property
    def days_since_event(self) -> int | None:
        if self.last_event is None:
            return None
        return (timezone.localdate() - self.last_event).days

    def icons(self, size: int) -> str:
        s = self.snapshot
        return (_icon(s.variation_icon, size) + _icon(s.assurance_icon, size)) if s else ""

    def cell(self, unit: str) -> SafeString:
        """The small multiple: team, sparkline, icons and latest value."""
        team = self.enrolment.project.team.name
        s = self.snapshot
        reading = (f'{self.icons(24)} {escape(fmt_number(s.latest_value, unit))}' if s
                   else '<span class="text-muted">No chart yet</span>')
        return format_html(
            '<div class="col"><div class="border rounded p-2 h-100 bg-white">'
            '<div class="small fw-semibold text-truncate" title="{}"><a href="{}">{}</a></div>{}'
            '<div class="d-flex align-items-center gap-1 small">{}</div></div></div>',
            team, f"{_url_prefix('measures:detail')}{self.measure_id}/", team, self.sparkline,
            mark_safe(reading))  # noqa: S308 - icons are fixed drawings, the number is escaped

    def safety_row(self, events: bool) -> SafeString:
        project, s = self.enrolment.project, self.snapshot
        days = self.days_since_event
        since = (format_html('<td class="text-end">{}</td>', days if days is not None else "none recorded")
                 if events else "")
        return format_html(
            '<tr><td>{}<div class="small text-muted">{}</div></td><td class="text-end">{}</td><td class="small">{}'
            '</td><td class="text-nowrap">{}</td><td>{}</td>{}</tr>',
            project.team.name, project.directorate.name, fmt_number(s.latest_value) if s else "",
            f"{s.latest_period:%b %Y}" if s and s.latest_period else "",
            mark_safe(self.icons(28)), self.sparkline, since)  # noqa: S308 - fixed drawings


@dataclass
class TemplateView:
    template: MeasureTemplate
    charts: list[TeamChart] = field(default_factory=list)

    @property
    def element_id(self) -> str:
        return f"aggregate-{self.template.pk}"

    @property
    def aggregate(self):
        return getattr(self.template, "aggregate", None)

    def cells(self) -> SafeString:
        unit = self.template.unit
        return mark_safe("".join(c.cell(unit) for c in self.charts))  # noqa: S308 - each cell is escaped

    def safety_table(self) -> SafeString:
        events = self.template.counts_events
        return mark_safe("".join(c.safety_row(events) for c in self.safety_rows()))  # noqa: S308 - escaped rows

    def safety_rows(self) -> list[TeamChart]:
        """Teams compared on this measure: the worst latest value first for lower-is-better measures."""
        decreasing = self.template.improvement == "decrease"
        with_value = [c for c in self.charts if c.snapshot and c.snapshot.latest_value is not None]
        rest = [c for c in self.charts if not (c.snapshot and c.snapshot.latest_value is not None)]
        with_value.sort(key=lambda c: c.snapshot.latest_value, reverse=decreasing)
        return with_value + rest


def results(programme: Programme) -> tuple[list[Enrolment], list[TemplateView]]:
    """Every team's chart for every standard measure: four queries whatever the numbers."""
    enrolments = list(programme.enrolments.for_overview())
    templates = list(MeasureTemplate.objects.filter(programme=programme).select_related("aggregate"))
    views = {t.pk: TemplateView(t) for t in templates}
    by_enrolment = {e.pk: e for e in enrolments}
    links = list(EnrolledMeasure.objects.filter(enrolment__programme=programme).values_list(
        "enrolment_id", "template_id", "measure_id", "measure__snapshot__measure_id", *SNAPSHOT_SHOWN))
    event_templates = {t.pk for t in templates if t.counts_events}
    last_events = {}
    event_measures = [link[2] for link in links if link[1] in event_templates]
    if event_measures:
        last_events = dict(DataPoint.objects.filter(measure_id__in=event_measures, excluded=False)
                           .filter(Q(numerator__gt=0) | Q(numerator__isnull=True, value__gt=0))
                           .values("measure_id").annotate(last=Max("period_start")).values_list("measure_id", "last"))
    for enrolment_id, template_id, measure_id, drawn, *shown in links:
        reading = Reading(*shown) if drawn else None  # no snapshot until the nightly run has drawn the chart
        views[template_id].charts.append(TeamChart(by_enrolment[enrolment_id], measure_id, reading,
                                                   last_events.get(measure_id)))
    order = {e.pk: i for i, e in enumerate(enrolments)}
    for view in views.values():
        view.charts.sort(key=lambda c: order[c.enrolment.pk])
    return enrolments, list(views.values())


# --------------------------------------------------------------------------- the change package matrix


@dataclass
class Cell:
    ideas: list[str] = field(default_factory=list)
    cycles: int = 0
    adopted: int = 0
    adapted: int = 0
    abandoned: int = 0
    first_tested: dt.date | None = None
    improved_after: bool = False

    @property
    def tested(self) -> bool:
        return bool(self.ideas)


def matrix(programme: Programme) -> tuple[list[PackageIdea], list[Enrolment], dict[tuple[int, int], Cell]]:
    """Package ideas × teams: where each was tested, how many cycles, what the teams decided, and whether the
    team's first standard measure shows special-cause improvement after the first test. Four queries."""
    ideas = list(programme.package_ideas.all())
    enrolments = list(programme.enrolments.for_rows())
    by_project = {e.project_id: e for e in enrolments}
    links = (PackageLink.objects.filter(package_idea__programme=programme)
             .select_related("change_idea")
             .annotate(cycles=Count("change_idea__cycles"),
                       adopt=Count("change_idea__cycles", filter=Q(change_idea__cycles__act_decision="adopt")),
                       adapt=Count("change_idea__cycles", filter=Q(change_idea__cycles__act_decision="adapt")),
                       abandon=Count("change_idea__cycles", filter=Q(change_idea__cycles__act_decision="abandon")),
                       first=Min("change_idea__cycles__planned_start")))
    first_template = programme.templates.order_by("order", "pk").values_list("pk", flat=True).first()
    signals: dict[int, list] = {}
    if first_template is not None:
        for enrolment_id, sig in EnrolledMeasure.objects.filter(template_id=first_template).values_list(
                "enrolment_id", "measure__snapshot__signals"):
            signals[enrolment_id] = sig or []
    cells: dict[tuple[int, int], Cell] = defaultdict(Cell)
    for link in links:
        enrolment = by_project.get(link.change_idea.project_id)
        if enrolment is None:
            continue
        cell = cells[(link.package_idea_id, enrolment.pk)]
        cell.ideas.append(link.change_idea.title)
        cell.cycles += link.cycles
        cell.adopted += link.adopt
        cell.adapted += link.adapt
        cell.abandoned += link.abandon
        if link.first and (cell.first_tested is None or link.first < cell.first_tested):
            cell.first_tested = link.first
    for (_, enrolment_id), cell in cells.items():
        if cell.first_tested:
            after = cell.first_tested.isoformat()
            cell.improved_after = any(s.get("kind") == "improvement" and str(s.get("period", "")) >= after
                                      for s in signals.get(enrolment_id, []))
    return ideas, enrolments, dict(cells)


def linkable_ideas(programme: Programme):
    return (ChangeIdea.objects.filter(project__programme_enrolments__programme=programme)
            .exclude(package_links__package_idea__programme=programme)
            .select_related("project__team").order_by("project__team__name", "order"))


# --------------------------------------------------------------------------- spread


@dataclass
class SpreadRow:
    enrolment: Enrolment
    adopted: int
    tested: int
    improved: bool  # special-cause improvement on the first standard measure since the team joined

    @property
    def sustaining(self) -> bool:
        """Adopted at least one package idea and its measure improved since joining, or the team's project has
        reached the sustain stage."""
        return (self.adopted > 0 and self.improved) or self.enrolment.project.stage == "sustain"


def improved_since(signals: list | None, day: dt.date) -> bool:
    return any(s.get("kind") == "improvement" and str(s.get("period", "")) >= day.isoformat()
               for s in signals or [])


def spread(programme: Programme) -> list[tuple[str, list[SpreadRow]]]:
    """Teams by directorate: which have adopted the package and are sustaining. Four queries."""
    enrolments = list(programme.enrolments.for_rows())
    counts = {row["change_idea__project_id"]: row for row in PackageLink.objects.filter(
        package_idea__programme=programme).values("change_idea__project_id").annotate(
        tested=Count("package_idea", distinct=True),
        adopted=Count("package_idea", distinct=True, filter=Q(change_idea__status=IdeaStatus.ADOPTED)))}
    first_template = programme.templates.order_by("order", "pk").first()
    signals = {}
    if first_template is not None:
        signals = dict(EnrolledMeasure.objects.filter(template=first_template).values_list(
            "enrolment_id", "measure__snapshot__signals"))
    groups: dict[str, list[SpreadRow]] = defaultdict(list)
    for e in enrolments:
        c = counts.get(e.project_id, {})
        groups[e.project.directorate.name].append(
            SpreadRow(e, c.get("adopted", 0), c.get("tested", 0), improved_since(signals.get(e.pk), e.enrolled_on)))
    return sorted(groups.items())


def driver_rows(programme: Programme) -> tuple[list[ProgrammeDriver], list[PackageIdea]]:
    drivers = list(programme.drivers.order_by("order", "pk"))
    ideas = list(programme.package_ideas.prefetch_related(
        Prefetch("drivers", queryset=ProgrammeDriver.objects.only("pk", "parent_id"))))
    return drivers, ideas


# --------------------------------------------------------------------------- themes: bottom-up into top-down


@dataclass
class Theme:
    label: str
    why: str
    projects: list
    total: int


THEME_PROJECTS = 12
THEME_WORDS = 8


def themes(*, min_projects: int = 3) -> list[Theme]:
    """Running projects not in any programme that share a priority, or share words in their titles (the words the
    idea form's duplicate search compares): candidates for a programme. Three queries whatever the portfolio."""
    running = (Project.objects.active().exclude(programme_enrolments__isnull=False)
               .select_related("team", "directorate").only("title", "team__name", "directorate__name",
                                                              "updated_at").order_by("-updated_at"))
    found: list[Theme] = []
    by_priority: dict[int, list] = defaultdict(list)
    names = {}
    for project_id, priority_id, name in (Project.priorities.through.objects
                                          .filter(project__in=running.values("pk"))
                                          .values_list("project_id", "annualpriority_id", "annualpriority__name")):
        by_priority[priority_id].append(project_id)
        names[priority_id] = name
    rows = list(running.values_list("pk", "title"))
    by_word: dict[str, list[int]] = defaultdict(list)
    for pk, title in rows:
        for word in keywords(title):
            by_word[word].append(pk)
    wanted: set[int] = set()
    picks = []
    for priority_id, ids in sorted(by_priority.items(), key=lambda kv: -len(kv[1])):
        if len(ids) >= min_projects:
            picks.append((f"Aligned to “{names[priority_id]}”", "the same annual priority", ids))
    for word, ids in sorted(by_word.items(), key=lambda kv: -len(kv[1]))[:THEME_WORDS]:
        if len(ids) >= min_projects:
            picks.append((f"“{word}”", "the same word in their titles", ids))
    for _, _, ids in picks:
        wanted.update(ids[:THEME_PROJECTS])
    loaded = {p.pk: p for p in running.filter(pk__in=wanted)}
    for label, why, ids in picks:
        found.append(Theme(label, why, [loaded[i] for i in ids[:THEME_PROJECTS] if i in loaded], len(ids)))
    return found
