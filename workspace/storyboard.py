"""A project's storyboard: the one-page poster a team takes to a learning session, drawn from its workspace.

`build()` reads the aim, the driver diagram, the PDSA ramps and the learning in a fixed number of queries,
however many cycles the team has run. A poster is one sheet: what does not fit is counted, not printed
(the workspace holds all of it). Upper apps add to it through workspace.panels, section "storyboard"
(measures adds the key chart), so this app imports none of them. `render_pdf()` lays the same page out
with WeasyPrint, as the board pack is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.db.models import Prefetch
from django.utils.safestring import SafeString, mark_safe

from ops.pdf import html_to_pdf
from projects.models import Project, ProjectMember

from . import services
from .diagram import PRINT_FONT
from .models import AimVersion, ChangeIdea, Driver, IdeaStatus, PDSACycle, ProgressScore

MAX_RAMPS = 4  # change ideas with cycles shown as ramps
MAX_STEPS = 4  # the latest cycles of a ramp
MAX_UNTESTED = 6
MAX_LEARNING = 3
CSS = "css/storyboard.css"


@dataclass(frozen=True)
class Ramp:
    idea: ChangeIdea
    cycles: list[PDSACycle]  # the latest MAX_STEPS, in the order they were run
    earlier: int  # cycles run before those shown
    started: dt.date
    last: dt.date


@dataclass(frozen=True)
class Learning:
    source: str
    text: str
    day: dt.date | None


@dataclass(frozen=True)
class Storyboard:
    project: Project
    aim: str
    aim_version: AimVersion | None
    diagram: SafeString
    has_drivers: bool
    ramps: list[Ramp]
    more_ramps: int
    untested: list[ChangeIdea]
    more_untested: int
    learning: list[Learning]
    more_learning: int
    team: list[ProjectMember]
    latest_score: ProgressScore | None
    cycles: int
    ideas_tested: int
    adopted: int


def build(project: Project) -> Storyboard:
    """Everything on the poster but the upper apps' panels. `project` comes with its current members
    prefetched as `current_members` (as the workspace views load it)."""
    aim = project.aim_versions.order_by("-version").first()
    statement = aim.statement if aim else project.aim_statement
    drivers = list(project.drivers.order_by("order", "pk"))
    ideas = list(project.change_ideas.order_by("order", "pk").prefetch_related(
        Prefetch("secondary_drivers", queryset=Driver.objects.only("pk", "text", "parent_id")),
        Prefetch("cycles", queryset=PDSACycle.objects.order_by("number"))))
    scores = list(project.progress_scores.order_by("month", "recorded_at", "pk"))
    monthly = services.effective_scores(scores)
    closure = project.closure_requests.exclude(learning="").order_by("-requested_at", "-pk").first()
    story = project.stories.published().first()

    tested = [i for i in ideas if i.cycles.all()]
    untested = [i for i in ideas if not i.cycles.all()]
    ramps = []
    for idea in tested[:MAX_RAMPS]:
        cycles = list(idea.cycles.all())
        ramps.append(Ramp(idea, cycles[-MAX_STEPS:], max(0, len(cycles) - MAX_STEPS), cycles[0].planned_start,
                          cycles[-1].done_on or cycles[-1].planned_start))
    all_cycles = [c for i in ideas for c in i.cycles.all()]
    learning = _learning(all_cycles, closure, story)
    return Storyboard(
        project=project, aim=statement, aim_version=aim,
        diagram=mark_safe(services.driver_diagram(project.title, statement, drivers, ideas,  # noqa: S308
                                                  font=PRINT_FONT)),
        has_drivers=bool(drivers), ramps=ramps, more_ramps=max(0, len(tested) - MAX_RAMPS),
        untested=untested[:MAX_UNTESTED], more_untested=max(0, len(untested) - MAX_UNTESTED),
        learning=learning[:MAX_LEARNING], more_learning=max(0, len(learning) - MAX_LEARNING),
        team=list(project.current_members), latest_score=list(monthly.values())[-1] if monthly else None,
        cycles=len(all_cycles), ideas_tested=len(tested), adopted=sum(i.status == IdeaStatus.ADOPTED for i in ideas))


def _learning(cycles: list[PDSACycle], closure, story) -> list[Learning]:
    """What the team has learnt, newest first: at closure, its story, then each cycle's study."""
    out = []
    if closure is not None:
        out.append(Learning("At closure", closure.learning, closure.requested_at.date()))
    if story is not None:
        out.append(Learning(f"{story.get_kind_display()}: {story.title}", story.body, story.created_at.date()))
    studied = [c for c in cycles if c.learning.strip()]
    studied.sort(key=lambda c: (c.done_on or c.planned_start, c.pk), reverse=True)
    for c in studied:
        decision = f" · {c.get_act_decision_display()}" if c.act_decision else ""
        out.append(Learning(f"PDSA {c.number}, {c.change_idea.title}{decision}", c.learning,
                            c.done_on or c.planned_start))
    return out


@cache
def print_css() -> str:
    """The storyboard's one stylesheet, for the PDF: the browser page links the same file."""
    return Path(finders.find(CSS)).read_text(encoding="utf-8")


def render_pdf(html: str) -> tuple[bytes, int]:
    """(PDF bytes, number of pages) of the storyboard's print HTML, tagged for screen readers."""
    return html_to_pdf(html)
