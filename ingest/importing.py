"""The services of a portfolio import: stage the file, check it against the portal, import what is good.

Read `ingest.portfolio` first: it knows the columns and the words; this module loads what the checks need
(once per file, a few queries whatever its length) and writes the projects, their history, progress scores
and measures in one transaction, so a failure leaves nothing half imported.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from coaching.services import CapacityError, allocate
from forums.services import add_submitted_idea_to_agenda
from measures.models import ChangeSource, Measure, Period
from measures.services import PointInput, save_points
from ops.models import ImportStatus
from ops.tables import UploadError, read_sheets
from organisation.models import CoachProfile, Role, RoleAssignment, Team
from projects.models import (
    APPROVED_STATUSES,
    EventKind,
    MemberRole,
    Project,
    ProjectEvent,
    ProjectMember,
    ProjectStatus,
)
from workspace.models import ProgressScore
from workspace.services import ensure_aim

from . import portfolio
from .models import ImportedProject, PortfolioImport

logger = logging.getLogger(__name__)
CHECK_CHUNK = 500


def stage(data: bytes, filename: str, *, by) -> PortfolioImport:
    """Read the workbook and keep its rows until the QI admin has mapped the columns (raises UploadError)."""
    sheets = read_sheets(data, filename)
    names = list(sheets)
    projects_sheet = next((n for n in names if portfolio.is_projects_sheet(n)), names[0])
    rows, headings = sheets[projects_sheet]
    if not rows:
        raise UploadError(f"The sheet ‘{projects_sheet}’ has a header row but no projects.")
    extra = {kind: {"rows": sheets[n][0], "headings": sheets[n][1], "sheet": n}
             for n in names for kind in ("progress", "measures") if n.strip().lower() == kind}
    return PortfolioImport.objects.create(filename=filename[:255], uploaded_by=by, rows=rows, total_rows=len(rows),
                                          headings=headings, mapping=portfolio.guess_mapping(headings), sheets=extra)


def choose_mapping(batch: PortfolioImport, mapping: dict[str, str]) -> bool:
    """Save the column mapping and start checking (once: a second click changes nothing)."""
    return bool(PortfolioImport.objects.filter(pk=batch.pk, mapped=False, status=ImportStatus.CHECKING).update(
        mapping=mapping, mapped=True))


def lookups(rows: list[dict], today: dt.date) -> portfolio.Lookups:
    """The teams, people, coaches and earlier imports the rows name: four queries, whatever the file's length."""
    wanted = {r.get("team", "").strip().lower() for r in rows if r.get("team")}
    teams: dict[tuple[str, str], int] = {}
    by_name: dict[str, list[int]] = defaultdict(list)
    for pk, name, directorate in (Team.objects.filter(active=True).annotate(lname=Lower("name"))
                                  .filter(lname__in=wanted).values_list("pk", "name", "directorate__name")
                                  if wanted else ()):
        teams[(directorate.lower(), name.lower())] = pk
        by_name[name.lower()].append(pk)
    emails = {r.get(k, "").strip().lower() for r in rows for k in ("lead_email", "coach_email", "sponsor_email")
              if r.get(k)}
    people = {e.lower(): pk for pk, e in get_user_model().objects.annotate(lemail=Lower("email"))
              .filter(lemail__in=emails).values_list("pk", "email")} if emails else {}
    coaches = set(CoachProfile.objects.filter(user_id__in=people.values()).values_list("user_id", flat=True))
    keys = [portfolio.project_key(r.get("external_id", ""), r.get("directorate", ""), r.get("team", ""),
                                  r.get("title", "")) for r in rows]
    imported = set(ImportedProject.objects.filter(key__in=keys).values_list("key", flat=True))
    return portfolio.Lookups(teams, by_name, people, coaches, imported, today)


def check(batch: PortfolioImport) -> None:
    """Check every row of every sheet, saving progress as it goes (nothing is imported here)."""
    today = timezone.localdate()
    renamed = [portfolio.rename(r["raw"], batch.mapping) for r in batch.rows]
    look = lookups(renamed, today)
    seen: dict[str, int] = {}
    checked = []
    for start in range(0, len(batch.rows), CHECK_CHUNK):
        for row, raw in zip(batch.rows[start:start + CHECK_CHUNK], renamed[start:start + CHECK_CHUNK], strict=True):
            checked.append({"line": row["line"], "raw": row["raw"],
                            **portfolio.check_project(raw, look, seen, row["line"])})
        PortfolioImport.objects.filter(pk=batch.pk).update(processed_rows=len(checked))
    # Progress and measure rows find their project by its id in the file, else by its title.
    by_ref = {}
    for r in checked:
        by_ref.setdefault(r["title"].strip().lower(), r["line"])
        if r["external_id"]:
            by_ref[r["external_id"].strip().lower()] = r["line"]
    sheets = {}
    for kind, checker, columns in (("progress", portfolio.check_progress, portfolio.PROGRESS_COLUMNS),
                                   ("measures", portfolio.check_measure_row, portfolio.MEASURE_COLUMNS)):
        if kind not in batch.sheets:
            continue
        sheet = batch.sheets[kind]
        names = portfolio.sheet_columns(sheet["headings"], columns)
        out = []
        for row in sheet["rows"]:
            result = checker(portfolio.rename(row["raw"], names), today)
            result["project_line"] = by_ref.get(result["project"].lower())
            if result["project_line"] is None:
                result["problems"].append(f"No project ‘{result['project']}’ in the projects sheet."
                                          if result["project"] else "No project named.")
            out.append({"line": row["line"], "raw": row["raw"], **result})
        sheets[kind] = {**sheet, "checked": out}
    batch.rows, batch.sheets, batch.processed_rows, batch.status = checked, sheets, len(checked), ImportStatus.READY
    batch.save(update_fields=["rows", "sheets", "processed_rows", "status"])


def unknown_people(batch: PortfolioImport) -> list[tuple[str, str]]:
    """(e-mail, name) of the leads the portal does not know yet, once each: a person is made for each."""
    out: dict[str, str] = {}
    for r in batch.importable_rows:
        if r.get("lead_email") and not r.get("lead_id"):
            out.setdefault(r["lead_email"], r.get("lead_name") or "")
    return sorted(out.items())


def _new_person(email: str, name: str, taken: set[str]):
    User = get_user_model()
    base = re.sub(r"[^a-z0-9._-]", "", email.split("@")[0].lower())[:140] or "person"
    username, n = base, 1
    while username in taken:
        n += 1
        username = f"{base}{n}"
    taken.add(username)
    person = User(username=username, email=email, display_name=name or email)
    person.set_unusable_password()  # they sign in with single sign-on, or a QI admin sets a password
    person.save()
    RoleAssignment.objects.create(user=person, role=Role.STAFF)
    return person


def _at(day: str | None, fallback: dt.datetime) -> dt.datetime:
    if not day:
        return fallback
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(12), tzinfo=timezone.get_current_timezone())


def _history(project: Project, row: dict, *, by, filename: str, now: dt.datetime) -> None:
    """Dated events, so the board's portfolio as at a past meeting reads the project as it then stood."""
    status = row["status"]
    started = _at(row["started_on"], now)
    events = [(started, ProjectStatus.SUBMITTED if status != ProjectStatus.DRAFT else ProjectStatus.DRAFT,
               "Started (imported)")]
    if status in APPROVED_STATUSES and row["approved_on"]:
        events.append((_at(row["approved_on"], started), ProjectStatus.ACTIVE, "Approved (imported)"))
    if status in (ProjectStatus.COMPLETED, ProjectStatus.STOPPED, ProjectStatus.DECLINED) and row["closed_on"]:
        events.append((_at(row["closed_on"], started), status, f"{ProjectStatus(status).label} (imported)"))
    summary = f"Imported from {filename} (line {row['line']}) as {ProjectStatus(status).label.lower()}"
    events.append((now, status, summary))
    previous = ""
    rows = []
    for at, to, text in sorted(events, key=lambda e: e[0]):
        rows.append(ProjectEvent(project=project, kind=EventKind.STATUS, at=at, by=by, from_status=previous,
                                 to_status=to, summary=text[:300],
                                 detail=f"In the old system: {row['raw'].get(_heading(row), '')}".strip()
                                 if text == summary else ""))
        previous = to
    ProjectEvent.objects.bulk_create(rows)


def _heading(row: dict) -> str:
    return next(iter(k for k in row["raw"] if k.strip().lower() in ("status", "project status", "state")), "")


def import_portfolio(batch: PortfolioImport) -> None:
    """Import every good row in one transaction: a failure leaves nothing half imported."""
    try:
        with transaction.atomic():
            counts = _import(PortfolioImport.objects.select_for_update().get(pk=batch.pk))
    except Exception as e:  # rolled back: say so on the batch page
        logger.exception("portfolio import %s failed", batch.pk)
        PortfolioImport.objects.filter(pk=batch.pk).update(status=ImportStatus.FAILED, error=str(e)[:2000],
                                                           finished_at=timezone.now())
        return
    PortfolioImport.objects.filter(pk=batch.pk).update(status=ImportStatus.IMPORTED, finished_at=timezone.now(),
                                                       **counts)


def _import(batch: PortfolioImport) -> dict:
    now, by = timezone.now(), batch.uploaded_by
    rows = batch.importable_rows
    taken = set(get_user_model().objects.filter(username__in=[
        re.sub(r"[^a-z0-9._-]", "", e.split("@")[0].lower()) for e, _ in unknown_people(batch)]).values_list(
        "username", flat=True))
    made = {email: _new_person(email, name, taken) for email, name in unknown_people(batch)}
    # Rows checked before a rival import finished are skipped by key rather than made twice.
    already = set(ImportedProject.objects.filter(key__in=[r["key"] for r in rows]).values_list("key", flat=True))
    projects: dict[int, Project] = {}
    for row in rows:
        if row["key"] in already:
            continue
        lead_id = row["lead_id"] or made[row["lead_email"]].pk
        project = Project.objects.create(
            title=row["title"], team_id=row["team_id"], lead_id=lead_id, created_by=by, status=row["status"],
            stage=row["stage"] if row["status"] in APPROVED_STATUSES else "", problem=row["problem"],
            why_it_matters="", aim_what=row["aim"][:300], aim_how_much="",
            created_at=_at(row["started_on"], now), approved_on=row["approved_on"], closed_on=row["closed_on"],
            submitted_at=_at(row["started_on"], now) if row["status"] != ProjectStatus.DRAFT else None,
            coach_id=row.get("coach_id"), sponsor_id=row.get("sponsor_id"))
        ProjectMember.objects.create(project=project, person_id=lead_id, role=MemberRole.LEAD,
                                     joined_on=project.created_at.date())
        _history(project, row, by=by, filename=batch.filename, now=now)
        if project.status in APPROVED_STATUSES:
            ensure_aim(project, by=by)
        if project.status in portfolio.RUNNING:
            _allocate(project, by=by, filename=batch.filename)
        if project.status == ProjectStatus.SUBMITTED:
            add_submitted_idea_to_agenda(project)
        ImportedProject.objects.create(key=row["key"], project=project, batch=batch, line=row["line"])
        projects[row["line"]] = project
    _progress(batch, projects, by=by, now=now)
    _measures(batch, projects, by=by)
    return {"created_count": len(projects), "skipped_count": len(batch.rows) - len(projects),
            "people_created": sorted(made)}


def _allocate(project: Project, *, by, filename: str) -> None:
    """The running project's coach and sponsor become current allocations, counted in the coach's load
    (the old portfolio already had them, so a full coach is kept, with the reason)."""
    people = {"coach": project.coach, "sponsor": project.sponsor}
    reason = f"Brought in with the old portfolio ({filename})"
    try:
        with transaction.atomic():
            allocate(project, by=by, reason=reason, notify=False, **people)
    except CapacityError:
        allocate(project, by=by, reason=reason, notify=False, override_reason=reason, **people)


def _progress(batch: PortfolioImport, projects: dict[int, Project], *, by, now: dt.datetime) -> None:
    scores = []

    def score(project: Project, day: str, value: str, narrative: str) -> ProgressScore:
        return ProgressScore(project=project, month=dt.date.fromisoformat(day).replace(day=1), score=Decimal(value),
                             narrative=narrative or f"Imported from {batch.filename}.", recorded_by=by,
                             recorded_at=_at(day, now))

    for row in batch.importable_rows:
        if row["line"] in projects and row["progress_score"]:
            scores.append(score(projects[row["line"]], row["progress_date"], row["progress_score"], ""))
    for row in batch.sheets.get("progress", {}).get("checked", []):
        if not row["problems"] and row["project_line"] in projects:
            scores.append(score(projects[row["project_line"]], row["month"], row["score"], row["narrative"]))
    ProgressScore.objects.bulk_create(scores, batch_size=1000)


def _measures(batch: PortfolioImport, projects: dict[int, Project], *, by) -> None:
    grouped: dict[tuple[int, str], list[dict]] = defaultdict(list)
    for row in batch.sheets.get("measures", {}).get("checked", []):
        if not row["problems"] and row["project_line"] in projects:
            grouped[(row["project_line"], row["measure"])].append(row)
    for (line, name), rows in grouped.items():
        first = rows[0]
        measure = Measure.objects.create(
            project=projects[line], name=name, definition=first["definition"] or f"Imported from {batch.filename}.",
            measure_type=first["type"], chart_type=first["chart"], period=Period.MONTH, unit=first["unit"],
            multiplier=100 if first["chart"] == "p" else 1, owner=projects[line].lead)
        latest = {r["period_start"]: r for r in rows}  # a period twice: the last row counts
        save_points(measure, [PointInput(period_start=dt.date.fromisoformat(p), value=r.get("value"),
                                         numerator=r.get("numerator"), denominator=r.get("denominator"))
                              for p, r in sorted(latest.items())], by=by, source=ChangeSource.UPLOAD)
