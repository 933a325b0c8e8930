"""Service-user-led accreditation: assessment visits, judgements per standard, the award worked out from the
framework's thresholds, re-accreditation dates, areas for improvement becoming idea drafts, and the trust view."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from organisation.models import Team, TeamKind, User
from organisation.rules import is_qi_admin
from projects.models import Project
from projects.services import create_idea

from .models import (
    AccreditationRole,
    AccreditationRoleKind,
    Assessment,
    AssessmentStatus,
    Award,
    Framework,
    IdeaLink,
    IdeaSource,
    Judgement,
    Rating,
    Standard,
)

DUE_WITHIN_DAYS = 90
# Corporate teams are not accredited: the standards are about care.
ACCREDITED_KINDS = (TeamKind.WARD, TeamKind.COMMUNITY, TeamKind.GP_PRACTICE, TeamKind.OTHER)


class AccreditationError(Exception):
    """The assessment cannot do this now (published already, standards not all judged, no framework)."""


def accreditation_kinds(user) -> frozenset[str]:
    """The person's accreditation roles, read once per request and kept on the user object."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_accreditation_kinds", None)
    if cached is None:
        cached = frozenset(AccreditationRole.objects.filter(user=user).values_list("kind", flat=True))
        user._accreditation_kinds = cached
    return cached


def is_lead(user) -> bool:
    return is_qi_admin(user) or AccreditationRoleKind.LEAD in accreditation_kinds(user)


def is_assessor(user) -> bool:
    return AccreditationRoleKind.ASSESSOR in accreditation_kinds(user)


def assessors():
    return (User.objects.filter(is_active=True, accreditation_roles__kind=AccreditationRoleKind.ASSESSOR)
            .exclude(lived_experience="").order_by("display_name", "username"))


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def new_version(framework: Framework) -> Framework:
    """The next version of a framework, unpublished, with the same standards and thresholds to change."""
    with transaction.atomic():
        latest = Framework.objects.filter(name=framework.name).order_by("-version").values_list("version", flat=True)
        copy = Framework.objects.create(
            name=framework.name, version=latest[0] + 1, gold_min_met=framework.gold_min_met,
            silver_min_met=framework.silver_min_met, bronze_min_met=framework.bronze_min_met,
            months_valid=framework.months_valid, months_valid_not_accredited=framework.months_valid_not_accredited)
        Standard.objects.bulk_create([Standard(framework=copy, group=s.group, code=s.code, text=s.text, order=s.order)
                                      for s in framework.standards.all()])
    return copy


def start_assessment(*, team: Team, visit_date: dt.date, assessors: list[User], by: User) -> Assessment:
    framework = Framework.objects.in_force()
    if framework is None:
        raise AccreditationError("No standards framework is in force: the QI department publishes one in Settings.")
    with transaction.atomic():
        assessment = Assessment.objects.create(team=team, framework=framework, visit_date=visit_date, created_by=by)
        assessment.assessors.set(assessors)
    return assessment


def _locked_draft(assessment: Assessment) -> Assessment:
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.status != AssessmentStatus.DRAFT:
        raise AccreditationError("This assessment's report is published: its judgements are a record now.")
    return locked


def save_judgements(assessment: Assessment, rows: list[tuple[Standard, str, str]], *, by: User) -> int:
    """Record or change the judgement for each standard given (rating, evidence), while the visit is a draft."""
    with transaction.atomic():
        locked = _locked_draft(assessment)
        existing = {j.standard_id: j for j in Judgement.objects.filter(assessment=locked)}
        now = timezone.now()
        new, changed = [], []
        for standard, rating, evidence in rows:
            if standard.framework_id != locked.framework_id:
                raise AccreditationError(f"Standard {standard.code} is not in this assessment's framework.")
            judgement = existing.get(standard.pk)
            if judgement is None:
                new.append(Judgement(assessment=locked, standard=standard, rating=rating, evidence=evidence, by=by,
                                     updated_at=now))
            elif (judgement.rating, judgement.evidence) != (rating, evidence):
                judgement.rating, judgement.evidence, judgement.by, judgement.updated_at = rating, evidence, by, now
                changed.append(judgement)
        Judgement.objects.bulk_create(new)
        Judgement.objects.bulk_update(changed, ["rating", "evidence", "by", "updated_at"])
    return len(new) + len(changed)


def publish(assessment: Assessment, *, report: str, by: User) -> Assessment:
    """Publish the report for the team: the counts, the award and the re-accreditation date are worked out
    from the judgements and the framework version the assessment used."""
    with transaction.atomic():
        locked = _locked_draft(assessment)
        if not report.strip():
            raise AccreditationError("Write the report for the team before publishing it.")
        counts = dict(Judgement.objects.filter(assessment=locked).values_list("rating").annotate(n=Count("pk"))
                      .order_by())
        judged = sum(counts.values())
        total = locked.framework.standards.count()
        if judged < total:
            raise AccreditationError(f"{total - judged} of the {total} standards have no judgement yet.")
        framework = locked.framework
        locked.met, locked.partly = counts.get(Rating.MET, 0), counts.get(Rating.PARTLY, 0)
        locked.not_met = counts.get(Rating.NOT_MET, 0)
        locked.award = framework.award_for(locked.met)
        months = (framework.months_valid_not_accredited if locked.award == Award.NOT_ACCREDITED
                  else framework.months_valid)
        locked.due_on = add_months(locked.visit_date, months)
        locked.report, locked.status = report.strip(), AssessmentStatus.PUBLISHED
        locked.published_at, locked.published_by = timezone.now(), by
        locked.save()
    return locked


def previous_of(assessment: Assessment) -> Assessment | None:
    return (Assessment.objects.published().filter(team_id=assessment.team_id, visit_date__lt=assessment.visit_date)
            .exclude(pk=assessment.pk).order_by("-visit_date", "-pk").first())


def earlier_findings(assessment: Assessment) -> dict[str, dict]:
    """For each standard code, what the team's previous assessment found and the ideas it started: so this
    visit shows what changed since (two queries)."""
    previous = previous_of(assessment)
    if previous is None:
        return {}
    out: dict[str, dict] = {}
    for j in previous.judgements.select_related("standard").prefetch_related("ideas__project"):
        out[j.standard.code] = {"rating": j.get_rating_display(), "raw": j.rating,
                                "ideas": [link.project for link in j.ideas.all()], "date": previous.visit_date}
    return out


def start_idea(judgement: Judgement, *, lead: User, by: User) -> Project:
    """An idea draft for the team from an area for improvement, linked back to the judgement."""
    assessment = judgement.assessment
    standard = judgement.standard
    with transaction.atomic():
        project = create_idea(
            created_by=by, lead=lead, team=assessment.team, title=f"Standard {standard.code}: {standard.text}"[:200],
            problem=f"Service-user assessors found this standard {judgement.get_rating_display().lower()} on "
                    f"{assessment.visit_date:%-d %B %Y}: {judgement.evidence}",
            why_it_matters="Service users and carers chose this standard as one of those that matter most.",
            aim_what="", aim_how_much="")
        IdeaLink.objects.create(project=project, judgement=judgement, source=IdeaSource.AREA, created_by=by)
    return project


# The trust view


def latest_published() -> list[Assessment]:
    """Each team's latest published assessment (two queries)."""
    latest = (Assessment.objects.published().filter(team=OuterRef("pk")).order_by("-visit_date", "-pk")
              .values("pk")[:1])
    ids = Team.objects.filter(active=True).annotate(latest=Subquery(latest)).exclude(latest=None).values("latest")
    return list(Assessment.objects.filter(pk__in=ids).select_related("team", "team__directorate"))


@dataclass
class DirectorateAwards:
    directorate: str
    counts: dict[str, int] = field(default_factory=lambda: {a: 0 for a in Award.values})
    never: int = 0


def awards_by_directorate(latest: list[Assessment]) -> list[DirectorateAwards]:
    rows: dict[str, DirectorateAwards] = {}
    assessed = {a.team_id for a in latest}
    for a in latest:
        rows.setdefault(a.team.directorate.name, DirectorateAwards(a.team.directorate.name)).counts[a.award] += 1
    for name, n in (Team.objects.filter(active=True, kind__in=ACCREDITED_KINDS).exclude(pk__in=assessed)
                    .values_list("directorate__name").annotate(n=Count("pk")).order_by()):
        rows.setdefault(name, DirectorateAwards(name)).never = n
    return sorted(rows.values(), key=lambda r: r.directorate)


@dataclass(frozen=True)
class ParetoBar:
    code: str
    text: str
    count: int
    cumulative_pct: int


def pareto(latest: list[Assessment], limit: int = 15) -> list[ParetoBar]:
    """Standards most often not met at the teams' latest assessments, most first, with the running share."""
    rows = (Judgement.objects.filter(assessment__in=[a.pk for a in latest], rating=Rating.NOT_MET)
            .values_list("standard__code", "standard__text").annotate(n=Count("pk")).order_by("-n", "standard__code"))
    rows = list(rows)
    total = sum(n for _, _, n in rows)
    out, running = [], 0
    for code, text, n in rows[:limit]:
        running += n
        out.append(ParetoBar(code, text, n, round(100 * running / total)))
    return out


def teams_due(latest: list[Assessment], today: dt.date | None = None, *, limit: int = 50) -> dict:
    """Teams whose re-accreditation falls due within 90 days (or has passed), and teams never assessed."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=DUE_WITHIN_DAYS)
    due = sorted((a for a in latest if a.due_on <= horizon), key=lambda a: a.due_on)
    never = (Team.objects.filter(active=True, kind__in=ACCREDITED_KINDS).exclude(pk__in=[a.team_id for a in latest])
             .select_related("directorate").order_by("directorate__name", "name"))
    return {"due": due[:limit], "due_count": len(due), "never": list(never[:limit]), "never_count": never.count(),
            "today": today}


def standards_by_group(framework: Framework) -> list[tuple[str, list[Standard]]]:
    groups: dict[str, list[Standard]] = defaultdict(list)
    for standard in framework.standards.all():
        groups[standard.group].append(standard)
    return list(groups.items())
