#!/usr/bin/env python
"""Capacity under real use: signed-in people of every persona, 5-15 s between pages, ~5 % writes, served as
deployed on this machine (gunicorn + PostgreSQL + Redis + a Celery worker), on `seed_demo --scale 250`.

    .venv/bin/python bench/capacity.py                          # steps of 100, 250 and 500 people, 90 s each
    .venv/bin/python bench/capacity.py --steps 50,100 --step-seconds 60
    .venv/bin/python bench/capacity.py --workers 3

Uses the database perf_s250 (bench/page_cost.py --prepare --scales 250 makes it) and Redis databases 11
(Celery broker) and 12 (cache), which it empties first. People are signed in before the run (a session row
each, as after logging in; password hashing at 500 log-ins would be the benchmark otherwise). For each step
it prints p50/p95/p99 over the measured seconds (not the ramp), errors, the load average and the machine CPU
per page (gunicorn, the Celery worker and this database's PostgreSQL backends, from psutil), and at the end
the most people sustained at p95 <= 250 ms. Target (issue 16): 500 people at p95 <= 150 ms, 0 errors.
Only 127.0.0.1 is contacted. Other engineers share the machine: read the load average beside the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from benchlib import wait_healthy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = str(ROOT / ".venv" / "bin" / "python")
BIN = ROOT / ".venv" / "bin"
DB = "perf_s250"
PORT = 8771
PERSONA_SHARE = {"staff": 0.42, "serviceuser": 0.06, "coach": 0.16, "sponsor": 0.08, "ia": 0.05, "chair": 0.12,
                 "board": 0.04, "qiadmin": 0.07}


def env() -> dict:
    from bench.page_cost import env_for

    e = env_for(DB)
    e.update(DJANGO_SETTINGS_MODULE="qiportal.settings", ALLOWED_HOSTS="127.0.0.1",
             REDIS_URL="redis://127.0.0.1:6379/11", CACHE_URL="redis://127.0.0.1:6379/12")
    return e


def people_here(n: int) -> list[dict]:
    """Runs with Django set up on perf_s250: n people spread over the personas, each signed in, with the pages
    that person would open and the writes they would make."""
    import random

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Count, Q
    from django.middleware.csrf import _get_new_csrf_string

    # The backend a password sign-in records (sso.backends.PasswordBackend); a path not in the settings signs
    # nobody in (every page then redirects to the log-in page).
    PASSWORD_BACKEND = next((b for b in settings.AUTHENTICATION_BACKENDS if "Password" in b),
                            settings.AUTHENTICATION_BACKENDS[-1])
    from django.utils import timezone

    from board.models import BoardReport, ReportStatus
    from forums.models import Forum, Meeting
    from measures.models import Measure
    from organisation.models import Role, User
    from projects.models import MemberRole, Project, ProjectStatus
    from workspace.models import PDSACycle

    rng = random.Random(16)
    today = timezone.localdate()
    active = Project.objects.filter(status=ProjectStatus.ACTIVE)
    with_measure = {m.project_id: m.pk for m in Measure.objects.filter(project__in=active).order_by("pk")}
    with_cycle = dict(PDSACycle.objects.filter(change_idea__project__in=active).values_list("change_idea__project_id",
                                                                                             "pk"))

    def project_pages(pk: int) -> list:
        pages = [("project page", f"/projects/{pk}/", 2), ("workspace", f"/workspace/projects/{pk}/", 3),
                 ("progress scores", f"/workspace/projects/{pk}/progress/", 1)]
        if pk in with_measure:
            pages.append(("measure page", f"/measures/{with_measure[pk]}/", 2))
        if pk in with_cycle:
            pages.append(("PDSA cycle", f"/workspace/cycles/{with_cycle[pk]}/", 1))
        return pages

    def project_writes(pk: int) -> list:
        writes = [{"name": "write: progress score", "page_name": "progress scores",
                   "page": f"/workspace/projects/{pk}/progress/", "action": "^$",
                   "set": {"^narrative$": "Tested the huddle on two more shifts; the run chart is moving."}}]
        if pk in with_measure:
            m = with_measure[pk]
            # a month before the series began (a late return; periods to come are refused), {m} drawn per write
            writes.append({"name": "write: data point", "page_name": "measure page", "page": f"/measures/{m}/",
                           "action": rf"/measures/{m}/$",
                           # the blank last row of the formset is the new period
                           "set": {r"-period_start$": f"{today.year - 12}-{{m}}-01", r"-value$": "{n}",
                                   r"-numerator$": "{n}", r"-denominator$": "50"}})
        if pk in with_cycle:
            c = with_cycle[pk]
            writes.append({"name": "write: PDSA edit", "page_name": "PDSA cycle edit",
                           "page": f"/workspace/cycles/{c}/edit/", "action": "^$", "overwrite": True,
                           "set": {"^observations$": "Observed on the late shift ({n} people asked)."}})
        return writes

    common = [("home", "/", 4), ("notifications", "/notifications/", 1), ("stories", "/workspace/stories/", 1),
              ("learning library", "/workspace/library/", 1)]
    report = BoardReport.objects.filter(status=ReportStatus.PUBLISHED).order_by("-pk").first()
    pools: dict[str, list] = {}
    pools["staff"] = [(p.lead_id, p.pk) for p in active.exclude(lead__is_demo_persona=True).order_by("?")[:n]]
    pools["coach"] = [(p.coach_id, p.pk) for p in active.filter(coach__isnull=False).order_by("?")[:n]]
    pools["sponsor"] = [(p.sponsor_id, p.pk) for p in active.filter(sponsor__isnull=False).order_by("?")[:n]]
    pools["serviceuser"] = [(m.person_id, m.project_id) for p in active.order_by("?")[:n]
                            for m in p.members.filter(role__in=[MemberRole.SERVICE_USER, MemberRole.CARER])[:1]]
    for role, key in ((Role.IMPROVEMENT_ADVISOR, "ia"), (Role.BOARD, "board"), (Role.QI_ADMIN, "qiadmin")):
        pools[key] = [(u, None) for u in User.objects.filter(role_assignments__role=role).values_list("pk", flat=True)]
    forums = {f.directorate_id: f for f in Forum.objects.all()}
    upcoming = {m.forum_id: m for m in Meeting.objects.filter(date__gte=today).order_by("-date")}
    pools["chair"] = [(u, d) for u, d in User.objects.filter(role_assignments__role=Role.FORUM_CHAIR)
                      .values_list("pk", "role_assignments__directorate_id") if d in forums]
    busiest = (Meeting.objects.filter(date__gte=today).annotate(n=Count("items", filter=Q(items__decision=None)))
               .order_by("-n").first())
    people = []
    users = {u.pk: u for u in User.objects.filter(pk__in={pk for pool in pools.values() for pk, _ in pool})}
    for persona, share in PERSONA_SHARE.items():
        pool = pools[persona] or [(User.objects.get(username=persona).pk, None)]
        for i in range(max(1, round(n * share))):
            user_pk, ref = pool[i % len(pool)]
            pages, writes = list(common), []
            if persona in ("staff", "coach", "serviceuser", "sponsor"):
                pages += project_pages(ref)
                pages += [("project list", "/projects/", 2), ("my projects", "/projects/mine/", 2)]
                if persona in ("staff", "coach"):
                    writes = project_writes(ref)
            elif persona == "chair":
                forum = forums[ref]
                meeting = upcoming.get(forum.pk)
                pages += [("forums", "/forums/", 1), ("forum", f"/forums/{forum.pk}/", 2),
                          ("forum meeting page", f"/forums/meetings/{meeting.pk}/", 4),
                          ("project list", "/projects/", 1)]
                writes = [{"name": "write: decision", "page_name": "forum meeting page",
                           "page": f"/forums/meetings/{meeting.pk}/", "action": r"/forums/items/\d+/decide/",
                           "radio": "defer", "set": {"rationale$": "Time ran out; first item next month."}}]
            elif persona == "ia":
                pages += [("coaching (ia)", "/coaching/", 3), ("SPC summary", "/measures/summary/", 1),
                          ("project list", "/projects/", 1)]
            elif persona == "board":
                pages += [("board", "/board/", 2), ("board portfolio", "/board/portfolio/", 2),
                          ("SPC summary", "/measures/summary/", 2), ("early warning", "/board/early-warning/", 1)]
                if report:
                    pages.append(("board report", f"/board/reports/{report.pk}/", 2))
            elif persona == "qiadmin":
                pages += [("project list", "/projects/", 3), ("coaching pool", "/coaching/", 2),
                          ("forums", "/forums/", 1), ("organisation", "/organisation/", 1),
                          ("forum meeting, full agenda", f"/forums/meetings/{busiest.pk}/", 1)]
            user = users.get(user_pk) or User.objects.get(pk=user_pk)
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = PASSWORD_BACKEND  # as after signing in with a password
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.set_expiry(settings.SESSION_COOKIE_AGE)
            session.create()
            people.append({"persona": persona, "user": user.username, "session": session.session_key,
                           "csrf": _get_new_csrf_string(), "pages": pages, "writes": writes})
    rng.shuffle(people)
    return people


def cpu_of(pids: set[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            t = psutil.Process(pid).cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def served_pids(server: subprocess.Popen, worker: subprocess.Popen) -> set[int]:
    pids = set()
    for root in (server, worker):
        try:
            p = psutil.Process(root.pid)
            pids |= {p.pid} | {c.pid for c in p.children(recursive=True)}
        except psutil.Error:
            pass
    out = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", DB, "-tAc",
                          f"SELECT pid FROM pg_stat_activity WHERE datname = '{DB}' AND pid <> pg_backend_pid()"],
                         capture_output=True, text=True).stdout.split()
    return pids | {int(p) for p in out}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", default="100,250,500", help="people at each step")
    ap.add_argument("--step-seconds", type=int, default=90)
    ap.add_argument("--ramp-seconds", type=int, default=30)
    ap.add_argument("--workers", type=int, default=3, help="gunicorn workers (docker-compose.yml: 3)")
    ap.add_argument("--people-here", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.people_here:
        print(json.dumps(people_here(args.people_here)))
        return 0
    steps = [int(s) for s in args.steps.split(",")]
    e = env()
    work = Path(tempfile.mkdtemp(prefix="capacity-"))
    for db in (11, 12):
        subprocess.run(["redis-cli", "-n", str(db), "FLUSHDB"], check=True, capture_output=True)
    from bench.page_cost import collectstatic

    collectstatic()
    made = subprocess.run([PY, __file__, "--people-here", str(max(steps))], cwd=ROOT, env=e, capture_output=True,
                          text=True)
    if made.returncode:
        print(made.stderr[-3000:], file=sys.stderr)
        return 1
    (work / "people.json").write_text(made.stdout.strip().splitlines()[-1])
    server = subprocess.Popen([str(BIN / "gunicorn"), "qiportal.wsgi", "--bind", f"127.0.0.1:{PORT}",
                               "--workers", str(args.workers), "--log-level", "warning"], cwd=ROOT, env=e,
                              stdout=subprocess.DEVNULL)  # the console e-mail backend writes there
    worker = subprocess.Popen([str(BIN / "celery"), "-A", "qiportal", "worker", "--pool=solo", "--loglevel=WARNING"],
                              cwd=ROOT, env=e, stdout=subprocess.DEVNULL)
    try:
        wait_healthy(PORT, 60)
        lenv = dict(e, BENCH_PEOPLE=str(work / "people.json"), BENCH_OUT=str(work / "samples.json"),
                    BENCH_STEPS=args.steps, BENCH_STEP_SECONDS=str(args.step_seconds),
                    BENCH_RAMP_SECONDS=str(args.ramp_seconds))
        total = len(steps) * (args.ramp_seconds + args.step_seconds)
        locust = subprocess.Popen([str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                                   "--host", f"http://127.0.0.1:{PORT}", "--only-summary", "--loglevel", "WARNING"],
                                  cwd=ROOT, env=lenv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        started = time.monotonic()
        marks = []  # (step, cpu at start of its measured part, at end, load average)
        for i in range(len(steps)):
            wait = started + i * (args.ramp_seconds + args.step_seconds) + args.ramp_seconds - time.monotonic()
            time.sleep(max(0.0, wait))
            pids = served_pids(server, worker)
            c0 = cpu_of(pids)
            time.sleep(args.step_seconds - 1)
            pids |= served_pids(server, worker)
            marks.append((i, cpu_of(pids) - c0, os.getloadavg()))
        _, err = locust.communicate(timeout=total + 120)
    finally:
        for p in (server, worker):
            p.terminate()
        for p in (server, worker):
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
    samples = json.loads((work / "samples.json").read_text())
    report(steps, samples, marks, args.step_seconds)
    return 0


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def report(steps, samples, marks, seconds) -> None:
    print(f"Capacity, scale 250 on PostgreSQL, gunicorn + Celery worker + Redis on this machine "
          f"({os.cpu_count()} cores, shared); people think 5-15 s between pages, ~5 % writes")
    print(f"{'people':>6} {'requests':>8} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6} "
          f"{'CPU ms/req':>10}  load average")
    best = 0
    for i, cpu, load in marks:
        rows = [s for s in samples if s[0] == i]
        times = [s[2] for s in rows]
        errors = sum(1 for s in rows if s[3])
        p95 = pct(times, 0.95)
        if p95 <= 250 and not errors:
            best = max(best, steps[i])
        print(f"{steps[i]:6d} {len(rows):8d} {len(rows) / seconds:6.1f} {pct(times, 0.5):7.0f} {p95:7.0f} "
              f"{pct(times, 0.99):7.0f} {errors:6d} {1000 * cpu / max(1, len(rows)):10.1f}  "
              f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"most people sustained at p95 <= 250 ms with no errors: {best or 'none of the steps'}")
    last = len(marks) - 1
    rows = [s for s in samples if s[0] == last]
    print(f"\nper page at {steps[last]} people: count, p50, p95, errors")
    names = sorted({s[1] for s in rows})
    for name in names:
        times = [s[2] for s in rows if s[1] == name]
        print(f"  {name:34} {len(times):6d} {pct(times, 0.5):7.0f} {pct(times, 0.95):7.0f} "
              f"{sum(1 for s in rows if s[1] == name and s[3]):6d}")


if __name__ == "__main__":
    sys.exit(main())
