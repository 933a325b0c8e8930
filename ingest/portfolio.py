"""Moving a trust's existing QI portfolio in from a spreadsheet (a Life QI export or an Excel tracker).

A workbook's first sheet (or one called "Projects") holds one project a row; the QI admin maps its columns
to the portal's fields (guessed from the headings first). Optional sheets "Progress" (a project's monthly
progress scores) and "Measures" (its measures' data, one period a row) find their project by the same
project id or title. A CSV file is a projects sheet on its own. The sample is docs/samples/portfolio.xlsx.

This module checks rows against what the portal knows (lookups loaded once per file) and says what is wrong
with each, in words; `services.import_portfolio` writes what is good. A project is known again by its id in
the file, or else by directorate, team and title, so the same file imported twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from measures.models import ChartType, MeasureType, Period
from measures.periods import parse_date, period_start
from ops.tables import Column, find_columns, heading_key, parse_number
from projects.models import ProjectStatus, Stage

FIELDS = (
    Column("external_id", ("projectid", "id", "reference", "ref", "projectref", "projectnumber", "lifeqiid")),
    Column("title", ("title", "projecttitle", "projectname", "name")),
    Column("directorate", ("directorate", "division", "caregroup", "businessunit", "service line", "serviceline")),
    Column("team", ("team", "teamname", "service", "ward", "department", "unit")),
    Column("lead_email", ("leademail", "projectleademail", "owneremail", "email", "leadsemail")),
    Column("lead_name", ("lead", "projectlead", "owner", "leadname", "projectowner")),
    Column("coach_email", ("coachemail", "qicoachemail", "coach", "qicoach")),
    Column("sponsor_email", ("sponsoremail", "executivesponsoremail", "sponsor", "executivesponsor")),
    Column("status", ("status", "projectstatus", "state")),
    Column("stage", ("stage", "phase", "projectstage", "projectphase")),
    Column("started_on", ("startdate", "started", "created", "datestarted", "createddate", "datecreated")),
    Column("approved_on", ("approved", "approvaldate", "approvedon", "dateapproved")),
    Column("closed_on", ("enddate", "completed", "closed", "dateclosed", "completiondate", "closedon")),
    Column("problem", ("problem", "description", "background", "summary", "problemstatement")),
    Column("aim", ("aim", "aimstatement", "projectaim")),
    Column("progress_score", ("progressscore", "ihiscore", "score", "latestscore", "latestprogressscore")),
    Column("progress_date", ("progressdate", "scoredate", "lastupdated", "scoredon")),
)
FIELD_LABELS = {
    "external_id": "Project id in the old system", "title": "Title", "directorate": "Directorate",
    "team": "Team or service", "lead_email": "Lead's e-mail", "lead_name": "Lead's name",
    "coach_email": "QI coach's e-mail", "sponsor_email": "Sponsor's e-mail", "status": "Status",
    "stage": "Stage", "started_on": "Start date", "approved_on": "Approval date", "closed_on": "End date",
    "problem": "The problem", "aim": "Aim", "progress_score": "Latest progress score (0.5–5)",
    "progress_date": "Date of that score",
}
REQUIRED = ("title", "team", "lead_email")
PROGRESS_COLUMNS = (Column("project", ("projectid", "id", "reference", "ref", "project", "projecttitle", "title")),
                    Column("month", ("month", "date", "period", "scoredon")),
                    Column("score", ("score", "progressscore", "ihiscore")),
                    Column("narrative", ("narrative", "comment", "comments", "note", "notes", "update")))
MEASURE_COLUMNS = (Column("project", ("projectid", "id", "reference", "ref", "project", "projecttitle", "title")),
                   Column("measure", ("measure", "measurename", "name")),
                   Column("type", ("type", "measuretype")),
                   Column("chart", ("chart", "charttype")),
                   Column("unit", ("unit", "units")),
                   Column("definition", ("definition", "operationaldefinition", "description")),
                   Column("date", ("date", "period", "month", "week", "periodstart")),
                   Column("value", ("value", "result", "count")),
                   Column("numerator", ("numerator", "num")),
                   Column("denominator", ("denominator", "den", "denom")))

# The words trackers use for a project's state, read as the portal's status.
STATUS_WORDS = {
    "draft": ProjectStatus.DRAFT, "idea": ProjectStatus.DRAFT, "new idea": ProjectStatus.DRAFT,
    "proposed": ProjectStatus.SUBMITTED, "submitted": ProjectStatus.SUBMITTED, "awaiting approval":
        ProjectStatus.SUBMITTED, "awaiting forum": ProjectStatus.SUBMITTED, "pending": ProjectStatus.SUBMITTED,
    "active": ProjectStatus.ACTIVE, "in progress": ProjectStatus.ACTIVE, "open": ProjectStatus.ACTIVE,
    "ongoing": ProjectStatus.ACTIVE, "on hold": ProjectStatus.ACTIVE, "live": ProjectStatus.ACTIVE,
    "completed": ProjectStatus.COMPLETED, "complete": ProjectStatus.COMPLETED, "closed": ProjectStatus.COMPLETED,
    "finished": ProjectStatus.COMPLETED, "stopped": ProjectStatus.STOPPED, "abandoned": ProjectStatus.STOPPED,
    "cancelled": ProjectStatus.STOPPED, "canceled": ProjectStatus.STOPPED, "declined": ProjectStatus.DECLINED,
    "rejected": ProjectStatus.DECLINED, "returned": ProjectStatus.RETURNED,
}
STAGE_WORDS = (("understand", Stage.UNDERSTAND), ("diagnos", Stage.UNDERSTAND), ("plan", Stage.UNDERSTAND),
               ("strateg", Stage.STRATEGY), ("change idea", Stage.STRATEGY), ("design", Stage.STRATEGY),
               ("test", Stage.TEST), ("pdsa", Stage.TEST), ("implement", Stage.IMPLEMENT),
               ("sustain", Stage.SUSTAIN), ("spread", Stage.SUSTAIN))
CHART_WORDS = {"run": ChartType.RUN, "run chart": ChartType.RUN, "xmr": ChartType.I, "i": ChartType.I,
               "i chart": ChartType.I, "p": ChartType.P, "p chart": ChartType.P, "u": ChartType.U,
               "u chart": ChartType.U, "c": ChartType.C, "c chart": ChartType.C}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EARLIEST = dt.date(1990, 1, 1)


def guess_mapping(headings: list[str]) -> dict[str, str]:
    """field -> the heading that most likely holds it ("" where none does)."""
    found = find_columns(headings, FIELDS)
    return {c.field: str(found.get(c.field, "")) for c in FIELDS}


def project_key(raw_id: str, directorate: str, team: str, title: str) -> str:
    """How a project is known again when the same file comes twice."""
    if raw_id.strip():
        return f"id:{raw_id.strip().lower()}"[:200]
    return f"title:{directorate.strip().lower()}/{team.strip().lower()}/{' '.join(title.lower().split())}"[:200]


@dataclass
class Lookups:
    """What the portal knows that the rows are checked against, loaded once for the whole file."""

    teams: dict[tuple[str, str], int]  # (directorate name lower, team name lower) -> team id
    teams_by_name: dict[str, list[int]]  # team name lower -> team ids (a name may be in several directorates)
    people: dict[str, int]  # e-mail lower -> person id
    coaches: set[int]  # ids of the people in the coach pool
    imported: set[str]  # project keys already brought in
    today: dt.date = field(default_factory=dt.date.today)


def _date(raw: dict, name: str, problems: list[str], today: dt.date) -> str | None:
    text = raw.get(name, "")
    if not text:
        return None
    day = parse_date(text)
    if day is None:
        problems.append(f"{FIELD_LABELS[name]} ‘{text}’ is not a date we can read: use 2025-03-01 or 01/03/2025.")
    elif not EARLIEST <= day <= today:
        problems.append(f"{FIELD_LABELS[name]} {day:%-d %b %Y} is {'in the future' if day > today else 'before 1990'}.")
    else:
        return day.isoformat()
    return None


def _score(text: str, problems: list[str], what: str = "The progress score") -> str | None:
    if not text:
        return None
    try:
        score = Decimal(text.strip())
    except InvalidOperation:
        problems.append(f"{what} ‘{text}’ is not a number.")
        return None
    if not (Decimal("0.5") <= score <= Decimal("5")) or score * 2 != int(score * 2):
        problems.append(f"{what} {text} is not on the IHI scale (0.5, 1, 1.5 … 5).")
        return None
    return str(score)


RUNNING = (ProjectStatus.ACTIVE,)
NEEDS_SUPPORT = ("A running project needs its QI coach and sponsor (the forum allocates both): map the columns that "
                 "hold their e-mails, or give the project's status as submitted so its forum allocates them.")


def _supporters(raw: dict, out: dict, look: Lookups, problems: list[str]) -> bool:
    """The coach and sponsor named by e-mail must already be in the portal (the coach in the coach pool).
    True when both are found, or when what is wrong with them has been said."""
    said = False
    for name, what in (("coach_email", "QI coach"), ("sponsor_email", "sponsor")):
        email = raw.get(name, "").strip().lower()
        person = look.people.get(email) if email else None
        if email and person is None:
            problems.append(f"The {what} {email} is not in the portal: add them first, or correct the file.")
            said = True
        elif person is not None and name == "coach_email" and person not in look.coaches:
            problems.append(f"{email} is not in the coach pool: add them to it in Settings first.")
            person, said = None, True
        out[name.replace("_email", "_id")] = person
    return said or bool(out["coach_id"] and out["sponsor_id"])


def check_project(raw: dict, look: Lookups, seen: dict[str, int], line: int) -> dict:
    """One projects row, already renamed to the portal's fields: the cleaned values, problems and notes."""
    problems: list[str] = []
    notes: list[str] = []
    title, team_name = raw.get("title", "").strip(), raw.get("team", "").strip()
    directorate = raw.get("directorate", "").strip()
    out: dict = {"title": title[:200], "problems": problems, "notes": notes}
    for name in REQUIRED:
        if not raw.get(name, "").strip():
            problems.append(f"No {FIELD_LABELS[name].lower()}.")
    if len(title) > 200:
        notes.append("The title is longer than 200 characters: cut to 200.")
    team_id = None
    if team_name:
        if directorate:
            team_id = look.teams.get((directorate.lower(), team_name.lower()))
            if team_id is None:
                problems.append(f"There is no team ‘{team_name}’ in a directorate ‘{directorate}’ in the portal: "
                                "add it in Settings, or correct the file.")
        else:
            ids = look.teams_by_name.get(team_name.lower(), [])
            if len(ids) == 1:
                team_id = ids[0]
            else:
                problems.append(f"There is no team ‘{team_name}’ in the portal: add it in Settings, or correct the "
                                "file." if not ids else
                                f"‘{team_name}’ is the name of {len(ids)} teams: map a directorate column too.")
    out["team_id"] = team_id
    email = raw.get("lead_email", "").strip().lower()
    if email and not EMAIL.match(email):
        problems.append(f"‘{email}’ is not an e-mail address.")
        email = ""
    out["lead_email"], out["lead_name"] = email, raw.get("lead_name", "").strip()[:150]
    out["lead_id"] = look.people.get(email)
    if email and out["lead_id"] is None:
        notes.append(f"{email} is not in the portal yet: a person is made for them, and they sign in with it.")
    supported = _supporters(raw, out, look, problems)
    word = " ".join(raw.get("status", "").lower().split())
    has_support = bool(out["coach_id"] and out["sponsor_id"])
    unsaid = ProjectStatus.ACTIVE if has_support else ProjectStatus.SUBMITTED
    out["status"] = STATUS_WORDS.get(word, unsaid if not word else None)
    if out["status"] is None:
        problems.append(f"The status ‘{raw['status']}’ is not one the portal knows: use one of "
                        + ", ".join(sorted({w for w in STATUS_WORDS if " " not in w})) + ".")
    elif not word:
        notes.append("No status: imported as active." if has_support else
                     "No status, coach or sponsor: imported as submitted, for its forum to approve and allocate.")
    if out["status"] in RUNNING and not supported:
        problems.append(NEEDS_SUPPORT)
    stage_text = raw.get("stage", "").lower()
    out["stage"] = next((stage for words, stage in STAGE_WORDS if words in stage_text), "")
    out["shown_as"] = " · ".join(str(label) for label in (
        ProjectStatus(out["status"]).label if out["status"] else "", Stage(out["stage"]).label if out["stage"] else "")
        if label)
    if stage_text and not out["stage"]:
        notes.append(f"The stage ‘{raw['stage']}’ is not one of the portal's five: left empty.")
    for name in ("started_on", "approved_on", "closed_on", "progress_date"):
        out[name] = _date(raw, name, problems, look.today)
    out["progress_score"] = _score(raw.get("progress_score", ""), problems)
    if out["progress_score"] and not out["progress_date"]:
        problems.append("A progress score needs the date it was given.")
    out["problem"], out["aim"] = raw.get("problem", "").strip(), raw.get("aim", "").strip()
    out["key"] = project_key(raw.get("external_id", ""), directorate, team_name, title)
    out["external_id"] = raw.get("external_id", "").strip()
    if out["key"] in look.imported:
        out["exists"] = True
        notes.append("Already brought in by an earlier import: left as it is.")
    if out["key"] in seen:
        problems.append(f"The same project is on line {seen[out['key']]} too.")
    else:
        seen[out["key"]] = line
    return out


def check_progress(raw: dict, today: dt.date) -> dict:
    problems: list[str] = []
    month = parse_date(raw.get("month", ""))
    if month is None:
        problems.append(f"‘{raw.get('month', '')}’ is not a month we can read." if raw.get("month")
                        else "No month.")
    elif not EARLIEST <= month <= today:
        problems.append(f"{month:%b %Y} is {'in the future' if month > today else 'before 1990'}.")
    score = _score(raw.get("score", ""), problems, "The score")
    if not raw.get("score"):
        problems.append("No score.")
    return {"project": raw.get("project", "").strip(), "month": month.replace(day=1).isoformat() if month else None,
            "score": score, "narrative": raw.get("narrative", "").strip(), "problems": problems}


def check_measure_row(raw: dict, today: dt.date) -> dict:
    """One period of a measure. The measure's own settings are read from its first row."""
    problems: list[str] = []
    name = raw.get("measure", "").strip()
    if not name:
        problems.append("No measure name.")
    chart = CHART_WORDS.get(" ".join(raw.get("chart", "").lower().split()) or "run")
    if chart is None:
        problems.append(f"The chart ‘{raw['chart']}’ is not one the import knows: run, XmR, p, u or c.")
    kind = raw.get("type", "").strip().lower() or MeasureType.OUTCOME
    if kind not in MeasureType.values:
        problems.append(f"The type ‘{raw['type']}’ is not outcome, process or balancing.")
    day = parse_date(raw.get("date", ""))
    if day is None:
        problems.append("No date." if not raw.get("date") else f"‘{raw['date']}’ is not a date we can read.")
    elif not EARLIEST <= day <= today:
        problems.append(f"{day:%-d %b %Y} is {'in the future' if day > today else 'before 1990'}.")
    ratio = chart in (ChartType.P, ChartType.U)
    numbers = {}
    for part in (("numerator", "denominator") if ratio else ("value",)):
        text = raw.get(part, "")
        numbers[part] = parse_number(text) if text else None
        if numbers[part] is None:
            problems.append(f"No {part}." if not text else f"The {part} ‘{text}’ is not a number.")
    if ratio and None not in numbers.values():
        if numbers["denominator"] <= 0:
            problems.append("The denominator must be more than zero.")
        elif chart == ChartType.P and numbers["numerator"] > numbers["denominator"]:
            problems.append("The numerator is more than the denominator: a proportion cannot be over 100%.")
    if chart in (ChartType.C, ChartType.P, ChartType.U) and any((v or 0) < 0 for v in numbers.values()):
        problems.append("Counts cannot be negative.")
    return {"project": raw.get("project", "").strip(), "measure": name[:200], "chart": chart, "type": kind,
            "unit": raw.get("unit", "").strip()[:40], "definition": raw.get("definition", "").strip(),
            "period_start": period_start(day, Period.MONTH).isoformat() if day else None, **numbers,
            "problems": problems}


def rename(raw: dict, mapping: dict[str, str]) -> dict:
    """A row keyed by heading, read as the portal's fields through the mapping."""
    return {name: raw.get(heading, "") for name, heading in mapping.items() if heading}


def sheet_columns(headings: list[str], columns: tuple[Column, ...]) -> dict[str, str]:
    return {name: str(h) for name, h in find_columns(headings, columns).items()}


def is_projects_sheet(name: str) -> bool:
    return heading_key(name) in ("projects", "project", "portfolio")


SAMPLE = {
    "Projects": [
        ["Project ID", "Project title", "Directorate", "Team", "Project lead", "Lead email", "Status", "Stage",
         "Start date", "Approval date", "End date", "Description", "Aim", "Latest progress score",
         "Score date", "QI coach email", "Sponsor email"],
        ["LQI-1041", "Safer handovers on Rowan Ward", "Riverside Mental Health", "Rowan Ward", "Priya Shah",
         "priya.shah@example.nhs.uk", "In progress", "Testing changes", "2024-03-04", "2024-04-10", "",
         "Handover misses risk information about one shift in five.", "Every handover covers the five risk items "
         "by March 2026", "3.5", "2025-10-01", "coach@example.nhs.uk", "sponsor@example.nhs.uk"],
        ["LQI-0987", "Fewer missed physical health checks", "Northgate Mental Health", "Hazel Ward",
         "Tom Reid", "tom.reid@example.nhs.uk", "Completed", "Sustaining", "2023-01-09", "2023-02-14",
         "2025-06-30", "Annual physical health checks were done for 58% of people.", "90% checked within "
         "a year of admission", "4.5", "2025-06-01", "", ""],
    ],
    "Progress": [
        ["Project ID", "Month", "Score", "Narrative"],
        ["LQI-1041", "2025-08", "3", "Second PDSA on the handover sheet adopted."],
        ["LQI-1041", "2025-09", "3.5", "Early signs of improvement on the run chart."],
    ],
    "Measures": [
        ["Project ID", "Measure", "Type", "Chart", "Unit", "Definition", "Date", "Numerator", "Denominator",
         "Value"],
        *[["LQI-1041", "Handovers covering all five risk items", "outcome", "p", "%",
           "Handovers audited each month where all five items were discussed.", f"2025-{m:02d}-01",
           str(10 + m), "30", ""] for m in range(1, 11)],
    ],
}


def sample_workbook(sheets: dict[str, list[list[str]]] | None = None) -> bytes:
    """The sample portfolio (docs/samples/portfolio.xlsx holds the same): three sheets a tracker can copy."""
    import io

    from openpyxl import Workbook  # only where a workbook is written

    book = Workbook()
    book.remove(book.active)
    for name, rows in (sheets or SAMPLE).items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
