"""Attendance and completions from the learning and development system's CSV or Excel export.

The file is read by ops.tables and staged as an AttendanceImport; each row is checked (the person by e-mail
address or staff number, the cohort by name, the session by number or date), the preview lists every row's
problems, and only confirmed rows are imported. Importing writes attendance marks, never completions:
completion follows from the course's rule, so importing the same file again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import NamedTuple

from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from ops.bulk import insert_rows
from ops.models import ImportStatus
from ops.tables import Column, UploadError, find_columns, read_rows
from organisation.models import User

from . import services
from .models import AttendanceImport, Cohort, Enrolment, EnrolmentStatus, Route, Session

COLUMNS = (
    Column("email", ("email", "emailaddress", "workemail", "mail")),
    Column("staff_number", ("staffnumber", "assignmentnumber", "employeenumber", "esrnumber", "personnumber",
                            "staffno", "staffid")),
    Column("cohort", ("cohort", "wave", "group", "coursegroup", "event", "eventname", "cohortname")),
    Column("session", ("session", "sessionnumber", "day", "daynumber", "module")),
    Column("date", ("date", "sessiondate", "eventdate", "attendeddate", "coursedate")),
    Column("attended", ("attended", "attendance", "status", "outcome", "present")),
)
YES = {"yes", "y", "attended", "present", "true", "1", "completed", "complete", "passed", "x"}
NO = {"no", "n", "absent", "did not attend", "dna", "false", "0", "cancelled", "no show", "not attended"}
COMPLETED = {"completed", "complete", "passed"}
CHUNK = 2000
LOOKUP_BATCH = 5000  # values in one IN (...): well under SQLite's 32,766 and PostgreSQL's planner's comfort
logger = logging.getLogger(__name__)
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d %b %Y", "%d %B %Y", "%Y-%m-%d %H:%M:%S")


def parse_date(text: str) -> dt.date | None:
    text = text.strip()
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def read_file(data: bytes, filename: str) -> list[dict]:
    rows, headings = read_rows(data, filename, COLUMNS)
    fields = set().union(*(r["raw"] for r in rows)) if rows else set(find_columns(headings, COLUMNS))
    if not {"email", "staff_number"} & fields:
        raise UploadError("The file needs an 'email' or a 'staff number' column to find each person. Found: "
                          + ", ".join(headings[:8]))
    if "cohort" not in fields:
        raise UploadError("The file needs a 'cohort' (or 'wave') column naming the cohort of this course.")
    if not {"session", "date"} & fields and "attended" not in fields:
        raise UploadError("The file needs a 'session' or 'date' column, or an 'attended' column saying "
                          "'completed' for the whole course.")
    if not rows:
        raise UploadError("The file has a header row but no data.")
    return rows


class Person(NamedTuple):
    """What checking a row needs of a person found by e-mail address or staff number."""

    pk: int
    left_on: dt.date | None


class RowChecker:
    """Checks rows against the course's cohorts and the trust's people. Everything a row is checked against
    is read before the first row (`find_people` once for the whole file), so checking costs no query a row."""

    def __init__(self, course) -> None:
        self.course = course
        self.cohorts = {c.name.strip().lower(): c for c in Cohort.objects.filter(course=course)}
        self.sessions: dict[int, list[Session]] = {}
        self.by_number: dict[int, dict[int, Session]] = {}  # cohort id -> session number -> session
        self.by_date: dict[int, dict[dt.date, Session]] = {}  # cohort id -> date -> its first session
        for s in Session.objects.filter(cohort__course=course).order_by("number"):
            self.sessions.setdefault(s.cohort_id, []).append(s)
            self.by_number.setdefault(s.cohort_id, {}).setdefault(s.number, s)
            self.by_date.setdefault(s.cohort_id, {}).setdefault(s.date, s)
        self.enrolled = dict(((e, c), s) for e, c, s in Enrolment.objects.filter(cohort__course=course)
                             .values_list("person_id", "cohort_id", "status"))
        self.seen: dict[tuple[int, int], int] = {}
        self.today = timezone.localdate()
        self.people_by_email: dict[str, Person] = {}
        self.people_by_number: dict[str, Person] = {}
        self._dates: dict[str, dt.date | None] = {}  # a file says the same few dates thousands of times

    def find_people(self, rows: list[dict]) -> None:
        """Everyone the rows name, by e-mail address and by staff number: a query for each LOOKUP_BATCH
        addresses or numbers (two for a 50,000-row file of 10,000 people), never one a row."""
        emails = sorted({r["raw"].get("email", "").strip().lower() for r in rows} - {""})
        numbers = sorted({r["raw"].get("staff_number", "").strip() for r in rows} - {""})
        # E-mail addresses are stored as typed: compare them without case.
        by_lower_email = User.objects.annotate(lower_email=Lower("email"))
        for start in range(0, len(emails), LOOKUP_BATCH):
            for pk, email, left_on in (by_lower_email.filter(lower_email__in=emails[start:start + LOOKUP_BATCH])
                                       .values_list("pk", "email", "left_on")):
                self.people_by_email[email.lower()] = Person(pk, left_on)
        for start in range(0, len(numbers), LOOKUP_BATCH):
            for pk, number, left_on in (User.objects.filter(staff_number__in=numbers[start:start + LOOKUP_BATCH])
                                        .values_list("pk", "staff_number", "left_on")):
                self.people_by_number[number] = Person(pk, left_on)

    def check_chunk(self, rows: list[dict]) -> list[dict]:
        return [self.check(r, self.people_by_email, self.people_by_number) for r in rows]

    def _date(self, text: str) -> dt.date | None:
        if text not in self._dates:
            self._dates[text] = parse_date(text)
        return self._dates[text]

    def check(self, row: dict, by_email: dict, by_number: dict) -> dict:
        raw = row["raw"]
        problems, notes = [], []
        out = {"line": row["line"], "raw": raw, "person_id": None, "cohort_id": None, "session_ids": [],
               "attended": True, "enrol": False,
               # As the file says them, for the preview.
               "who": raw.get("email") or raw.get("staff_number", ""), "cohort": raw.get("cohort", ""),
               "when": raw.get("session") or raw.get("date", "")}
        email, number = raw.get("email", "").strip().lower(), raw.get("staff_number", "").strip()
        person = (by_email.get(email) if email else None) or (by_number.get(number) if number else None)
        if not email and not number:
            problems.append("No e-mail address or staff number.")
        elif person is None:
            problems.append(f"Nobody has the {'e-mail address ' + email if email else 'staff number ' + number}.")
        elif email and number and by_number.get(number) and by_email.get(email) and \
                by_number[number].pk != by_email[email].pk:
            problems.append(f"The e-mail address {email} and the staff number {number} are two different people.")
        else:
            out["person_id"] = person.pk
            if person.left_on and person.left_on <= self.today:
                notes.append("Has left the organisation: the record is kept, but they are not counted as "
                             "trained staff.")
        name = raw.get("cohort", "").strip()
        cohort = self.cohorts.get(name.lower())
        if not name:
            problems.append("No cohort.")
        elif cohort is None:
            problems.append(f"{self.course} has no cohort called ‘{name}’: plan it first, or correct the name.")
        else:
            out["cohort_id"] = cohort.pk
        said = raw.get("attended", "").strip().lower()
        if said and said not in YES and said not in NO:
            problems.append(f"‘{raw['attended']}’ does not say whether they attended: use yes or no.")
        out["attended"] = said not in NO
        if cohort is not None:
            sessions = self.sessions.get(cohort.pk, [])
            session_text, date_text = raw.get("session", "").strip(), raw.get("date", "").strip()
            chosen = None
            if session_text:
                digits = session_text if session_text.isdigit() else re.sub(r"\D", "", session_text)
                chosen = self.by_number.get(cohort.pk, {}).get(int(digits)) if digits else None
                if chosen is None:
                    problems.append(f"{cohort.name} has no session ‘{session_text}’ (it has {len(sessions)}).")
            elif date_text:
                day = self._date(date_text)
                chosen = self.by_date.get(cohort.pk, {}).get(day) if day else None
                if day is None:
                    problems.append(f"‘{date_text}’ is not a date we can read: use 2026-03-01 or 01/03/2026.")
                elif chosen is None:
                    problems.append(f"{cohort.name} has no session on {day:%-d %B %Y}.")
            elif said in COMPLETED:
                out["session_ids"] = [s.pk for s in sessions]
                notes.append(f"Completed the course: counted as attending all {len(sessions)} sessions.")
            else:
                problems.append("No session or date, and the row does not say the course was completed.")
            if chosen is not None:
                out["session_ids"] = [chosen.pk]
                if chosen.date > self.today and out["attended"]:
                    problems.append(f"Session {chosen.number} is on {chosen.date:%-d %B %Y}, still to come.")
        if out["person_id"] and out["cohort_id"] and not problems:
            status = self.enrolled.get((out["person_id"], out["cohort_id"]))
            if status is None or status == EnrolmentStatus.WITHDRAWN:
                out["enrol"] = True
                notes.append("Not enrolled on this cohort: will be enrolled from the L&D record.")
            elif status == EnrolmentStatus.WAITING:
                out["enrol"] = True
                notes.append("On the waiting list: the L&D record gives them a place.")
            for session_id in out["session_ids"]:
                key = (out["person_id"], session_id)
                if key in self.seen:
                    problems.append(f"The same person and session are also on line {self.seen[key]}.")
                    break
                self.seen[key] = row["line"]
        out["problems"], out["notes"] = problems, notes
        return out


def check_import(batch: AttendanceImport) -> None:
    checker = RowChecker(batch.course)
    checker.find_people(batch.rows)
    checked: list[dict] = []
    for start in range(0, len(batch.rows), CHUNK):
        checked.extend(checker.check_chunk(batch.rows[start:start + CHUNK]))
        AttendanceImport.objects.filter(pk=batch.pk).update(processed_rows=len(checked))
    AttendanceImport.objects.filter(pk=batch.pk).update(rows=checked, processed_rows=len(checked),
                                                        status=ImportStatus.READY)


def run_import(batch: AttendanceImport) -> None:
    """Import the valid rows in one transaction: enrol who is missing, write the attendance marks that
    changed, and let completion follow. Nothing half-imported if it fails."""
    valid = batch.valid_rows
    try:
        with transaction.atomic():
            enrol = {(r["person_id"], r["cohort_id"]) for r in valid if r.get("enrol")}
            # The course's enrolments as tuples, whole: an IN list of every person in a 50,000-row file
            # would pass SQLite's limit of parameters.
            course_enrolments = Enrolment.objects.filter(cohort__course=batch.course)
            existing = {(p, c): (pk, status) for pk, p, c, status in course_enrolments.values_list(
                "pk", "person_id", "cohort_id", "status")}
            new, placed = [], []
            for key in sorted(enrol):
                if key not in existing:
                    new.append(key)
                elif existing[key][1] != EnrolmentStatus.ENROLLED:
                    placed.append(existing[key][0])
            insert_rows(Enrolment, ("person_id", "cohort_id"), new, route=Route.IMPORT,
                        status=EnrolmentStatus.ENROLLED)
            for start in range(0, len(placed), CHUNK):
                Enrolment.objects.filter(pk__in=placed[start:start + CHUNK]).update(status=EnrolmentStatus.ENROLLED)
            ids = dict(((p, c), pk) for pk, p, c in course_enrolments.values_list("pk", "person_id", "cohort_id"))
            services.record_events([(ids[k], services.Kind.ENROLLED) for k in enrol], by=batch.uploaded_by,
                                   note="From the L&D system")
            marks = {(ids[(r["person_id"], r["cohort_id"])], s): r["attended"]
                     for r in valid for s in r["session_ids"]}
            before = Enrolment.objects.filter(cohort__course=batch.course).completed().count()
            changed, items, step = 0, list(marks.items()), CHUNK * 5
            for start in range(0, len(items), step):
                changed += services.write_marks(dict(items[start:start + step]), by=batch.uploaded_by, imported=True)
                done = min(len(items), start + step)
                # Progress is read by the batch page from another connection only after the commit on
                # PostgreSQL; in eager mode (tests, SQLite) it is the same transaction.
                AttendanceImport.objects.filter(pk=batch.pk).update(
                    processed_rows=len(batch.rows) * done // max(len(items), 1))
            after = Enrolment.objects.filter(cohort__course=batch.course).completed().count()
    except Exception as e:  # rolled back, so nothing was imported: say so on the batch page
        logger.exception("attendance import %s failed", batch.pk)
        AttendanceImport.objects.filter(pk=batch.pk).update(status=ImportStatus.FAILED, error=str(e)[:2000],
                                                            finished_at=timezone.now())
        return
    AttendanceImport.objects.filter(pk=batch.pk).update(
        status=ImportStatus.IMPORTED, enrolled_count=len(new) + len(placed), changed_count=changed,
        completed_count=max(after - before, 0), processed_rows=len(batch.rows), finished_at=timezone.now())
