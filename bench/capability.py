#!/usr/bin/env python
"""Capability at scale: the trained-against-needed dashboard and a 50,000-row L&D import.

    .venv/bin/python bench/capability.py                  # SQLite (the default), 30,000 staff, ~150,000 marks
    .venv/bin/python bench/capability.py --db postgres    # the local PostgreSQL instead
    .venv/bin/python bench/capability.py --staff 60000
    .venv/bin/python bench/capability.py --reuse --profile import   # cProfile of the check and the import

Builds its own database (SQLite: /tmp/capability_bench.sqlite3; PostgreSQL: `capability_bench`), dropped and
made again, with bulk inserts, then prints: the dashboard's queries and in-process CPU a view (median of 20, as
the board reads it), and the import's read, check and import times (wall, and the process's CPU, which on SQLite
includes the database's work) for 50,000 attendance rows, and again for the same file (which changes nothing).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = "capability_bench"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--staff", type=int, default=30_000)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--reuse", action="store_true", help="keep the database an earlier run built")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--profile", choices=("import",), help="print a cProfile of the first import's steps")
    parser.add_argument("--skip-dashboard", action="store_true")
    args = parser.parse_args()
    if args.db == "postgres":
        if not args.reuse:
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB], check=True)
            subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB], check=True)
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB}"
    else:
        path = Path(f"/tmp/{DB}.sqlite3")
        if not args.reuse:
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiportal.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not args.reuse:
        build(args.staff)
    if not args.skip_dashboard:
        bench_dashboard()
    bench_import(args.rows, profile=args.profile == "import")


def build(n_staff: int) -> None:
    from capability import services
    from capability.models import Attendance, Audience, Cohort, Course, DoseTarget, Enrolment, Session
    from organisation.models import Directorate, Role, RoleAssignment, StaffGroup, Team, User

    t = time.perf_counter()
    directorates = Directorate.objects.bulk_create([Directorate(name=f"Directorate {i}", slug=f"d{i}",
                                                                kind="mental_health") for i in range(250)])
    teams = Team.objects.bulk_create([Team(directorate=d, name=f"Team {j}", kind="ward")
                                      for d in directorates for j in range(6)])
    groups = [g for g in StaffGroup.values if g]
    users = User.objects.bulk_create([
        User(username=f"u{i}", email=f"u{i}@example.nhs.uk", staff_number=f"E{i:07d}", team=teams[i % len(teams)],
             directorate_id=teams[i % len(teams)].directorate_id, staff_group=groups[i % len(groups)],
             left_on=dt.date(2025, 1, 1) if i % 23 == 0 else None, password="!") for i in range(n_staff)],
        batch_size=5000)
    RoleAssignment.objects.bulk_create([RoleAssignment(user=u, role=Role.STAFF) for u in users], batch_size=5000)
    board = User.objects.create(username="board", email="board@example.nhs.uk")
    RoleAssignment.objects.create(user=board, role=Role.BOARD)
    everyone = Audience.objects.create(name="All staff", order=1)
    leads = Audience.objects.create(name="Project leads", order=2, roles=[Role.STAFF])
    Audience.objects.create(name="External partners", order=9, partners=True)
    pocket = Course.objects.create(name="Pocket QI", kind="introduction", audience=everyone, length="One day")
    ilp = Course.objects.create(name="Improvement Leaders' Programme", kind="leaders", audience=leads,
                                length="Five days", sessions=5, min_sessions=4)
    for y in range(2022, 2028):
        DoseTarget.objects.create(audience=everyone, course=pocket, year=y, target_number=6000 + 500 * (y - 2022))
        DoseTarget.objects.create(audience=leads, course=ilp, year=y, target_share="0.2")
    ids = []
    for course, people, per in ((pocket, users[: n_staff * 3 // 4], 25), (ilp, users[n_staff // 2:], 150)):
        for k in range(0, len(people), per):
            start = dt.date(2021, 1, 10) + dt.timedelta(days=(k // per) % 1800)
            cohort = Cohort.objects.create(course=course, name=f"C{k}", capacity=per)
            sessions = Session.objects.bulk_create([Session(cohort=cohort, number=n + 1,
                                                            date=start + dt.timedelta(days=30 * n))
                                                    for n in range(course.sessions)])
            enrolments = Enrolment.objects.bulk_create([Enrolment(cohort=cohort, person=p) for p in people[k:k + per]])
            Attendance.objects.bulk_create([Attendance(enrolment=e, session=s, attended=(e.pk + s.number) % 9 != 0)
                                            for e in enrolments for s in sessions], batch_size=5000)
            ids += [e.pk for e in enrolments]
    for k in range(0, len(ids), 5000):
        services.refresh_completion(ids[k:k + 5000])
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would have: straight after a bulk load the plans are blind
    print(f"built {n_staff:,} staff, {Attendance.objects.count():,} attendance marks, "
          f"{Enrolment.objects.completed().count():,} completions in {time.perf_counter() - t:.0f} s")


def bench_dashboard() -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from organisation.models import User

    client = Client()
    client.force_login(User.objects.get(username="board"))
    client.get("/training/dashboard/")
    cpu, wall = [], []
    for _ in range(20):
        c0, w0 = time.process_time(), time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/training/dashboard/")
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
        assert response.status_code == 200
    print(f"dashboard: {len(queries)} queries; in-process CPU median {statistics.median(cpu):.1f} ms, "
          f"wall median {statistics.median(wall):.0f} ms (database time included)")


def bench_import(rows: int, *, profile: bool = False) -> None:
    from capability import imports
    from capability.models import AttendanceImport, Cohort, Course, Session
    from organisation.models import User

    ilp = Course.objects.get(kind="leaders")
    people = list(User.objects.filter(username__startswith="u", left_on__isnull=True).order_by("pk")
                  .values_list("email", "staff_number")[: rows // 5])
    cohorts, run = [], AttendanceImport.objects.count() // 2 + 1  # new cohorts each run (--reuse)
    for k in range(0, len(people), 200):
        cohort = Cohort.objects.create(course=ilp, name=f"Import {run}.{k}", capacity=200)
        Session.objects.bulk_create([Session(cohort=cohort, number=n + 1, date=dt.date(2026, 1, 5)
                                             + dt.timedelta(days=30 * n)) for n in range(5)])
        cohorts.append(cohort.name)
    out = io.StringIO()
    out.write("Email,Staff number,Cohort,Session,Attended\n")
    for i, (email, number) in enumerate(people):
        for n in range(1, 6):
            out.write(f"{email if i % 2 else ''},{number if not i % 2 else ''},{cohorts[i // 200]},{n},"
                      f"{'yes' if (i + n) % 7 else 'no'}\n")
    data = out.getvalue().encode()
    for label in ("first import", "same file again"):
        profiler = cProfile.Profile() if profile and label == "first import" else None
        if profiler:
            profiler.enable()
        t0, c0 = time.perf_counter(), time.process_time()
        rows = imports.read_file(data, "export.csv")
        batch = AttendanceImport.objects.create(course=ilp, filename="export.csv", rows=rows, total_rows=len(rows))
        t1 = time.perf_counter()
        imports.check_import(batch)
        batch.refresh_from_db()
        t2 = time.perf_counter()
        AttendanceImport.objects.filter(pk=batch.pk).update(status="importing")
        imports.run_import(batch)
        batch.refresh_from_db()
        t3, c3 = time.perf_counter(), time.process_time()
        if profiler:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        print(f"{label}: {batch.total_rows:,} rows ({len(batch.problem_rows)} with problems): read {t1 - t0:.1f} s, "
              f"check {t2 - t1:.1f} s, import {t3 - t2:.1f} s, total {t3 - t0:.1f} s (CPU {c3 - c0:.1f} s); "
              f"{batch.enrolled_count:,} "
              f"enrolled, {batch.changed_count:,} marks changed, {batch.completed_count:,} newly completed "
              f"({batch.status})")


if __name__ == "__main__":
    main()
