#!/usr/bin/env python
"""Soak: people write data, decisions and PDSA cycles for half an hour; afterwards the database must hold
exactly what they say they wrote, and the server must not have answered one request with an error.

    .venv/bin/python bench/soak.py --prepare                  # create and seed the database first (~1 min)
    nice -n 10 .venv/bin/python bench/soak.py --minutes 30    # the soak
    .venv/bin/python bench/soak.py --minutes 2 --readers 2    # a quick look

Served as deployed, on this machine: gunicorn (3 workers, DEBUG=0, whitenoise) + a Celery worker on Redis
(database 14 the broker, 13 the cache, emptied first) + PostgreSQL (its own database, `qiportal_soak`,
`seed_demo --scale 3`). People (bench/soak_locustfile.py) are signed in before the run: project leads, each
writing to their own project (new periods and corrections on one measure through the data table, new PDSA
cycles and edits through the cycle form), one chair a forum deciding agenda items, and readers (board, IA, QI
admin) who only read. Each remembers every write the server accepted (a redirect); when the run ends and the
worker's queue is empty, every count is compared with the database:

- data points created, corrections in the points' history, the value last written to every period;
- PDSA cycles created (each writer's marker once), the observations last written to every cycle edited;
- decisions recorded, each on its item with the chair's rationale;
- every chart the writes changed is fresh again (the renders queued after each save ran), no job held back.

PASS needs 0 server errors (5xx or no answer, and no "Internal Server Error" in the server's log) and every
count equal. `SOAK_TREE=DIR` serves another copy of the code (e.g. `git archive HEAD`), so that files being
edited in the working tree while the soak runs are not what is served. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchlib import wait_healthy

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PY = str(BIN / "python")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
TREE = Path(os.environ.get("SOAK_TREE", ROOT))
sys.path.insert(0, str(TREE))


def env(db: str, redis: str, broker_db: int, cache_db: int) -> dict:
    e = dict(os.environ)
    e.update(DATABASE_URL=f"{PG}/{db}", DEBUG="0", DEMO_MODE="1", ALLOWED_HOSTS="127.0.0.1,testserver",
             SECRET_KEY="soak-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG",
             SECURE_SSL_REDIRECT="0", LOG_LEVEL="WARNING", DJANGO_SETTINGS_MODULE="qiportal.settings",
             REDIS_URL=f"{redis}/{broker_db}", CACHE_URL=f"{redis}/{cache_db}", SOAK_TREE=str(TREE),
             PYTHONPATH=str(TREE))
    return e


def here(flag: str, e: dict, *extra: str) -> dict | list:
    """Run this script's Django half (`flag`) in the served tree and read its JSON answer."""
    done = subprocess.run([PY, __file__, flag, *extra], cwd=TREE, env=e, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{flag} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- the Django half (in the tree)


def people_here(readers: int) -> list[dict]:
    import datetime as dt

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Min
    from django.middleware.csrf import _get_new_csrf_string

    # The backend a password sign-in records (sso.backends.PasswordBackend); a path not in the settings signs
    # nobody in (every page then redirects to the log-in page).
    PASSWORD_BACKEND = next((b for b in settings.AUTHENTICATION_BACKENDS if "Password" in b),
                            settings.AUTHENTICATION_BACKENDS[-1])
    from django.utils import timezone

    from forums.models import Forum, Meeting
    from measures.models import Measure
    from organisation.models import Role, RoleAssignment, User
    from projects.models import Project, ProjectStatus
    from workspace.models import ChangeIdea, PDSACycle

    today = timezone.localdate()
    people: list[dict] = []

    def signed_in(user: User) -> dict:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = PASSWORD_BACKEND  # as after signing in with a password
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.set_expiry(settings.SESSION_COOKIE_AGE)
        session.create()
        return {"user": user.username, "session": session.session_key, "csrf": _get_new_csrf_string()}

    common = [["home", "/", 4], ["notifications", "/notifications/", 1], ["project list", "/projects/", 1]]
    leads: set[int] = set()
    for project in (Project.objects.filter(status=ProjectStatus.ACTIVE, lead__isnull=False)
                    .select_related("lead").order_by("pk")):
        if project.lead_id in leads:
            continue
        measure = (Measure.objects.filter(project=project, period="month", chart_type__in=["i", "c"])
                   .annotate(first=Min("points__period_start")).filter(first__isnull=False).order_by("pk").first())
        idea = ChangeIdea.objects.filter(project=project).order_by("pk").first()
        if measure is None or idea is None:
            continue
        leads.add(project.lead_id)
        values = sorted(v for v in measure.points.values_list("value", flat=True) if v is not None)
        middle = values[len(values) // 2] or 1
        if hasattr(measure, "first_period"):
            # Back-filled history: the measure began long ago, so the months before its first point are open.
            Measure.objects.filter(pk=measure.pk).update(first_period=dt.date(2000, 1, 1))
        cycle = PDSACycle.objects.filter(change_idea=idea).order_by("pk").values_list("pk", flat=True).first()
        pages = common + [["project page", f"/projects/{project.pk}/", 2],
                          ["workspace", f"/workspace/projects/{project.pk}/", 2],
                          ["measure page", f"/measures/{measure.pk}/", 2]]
        people.append({**signed_in(project.lead), "persona": "lead", "pages": pages, "measure": measure.pk,
                       "first_period": measure.first.isoformat(), "idea": idea.pk, "cycle": cycle,
                       "values": [max(0, round(middle * 0.8)), max(1, round(middle * 1.2))]})
    for forum in Forum.objects.order_by("pk"):
        chair = (User.objects.filter(role_assignments__role=Role.FORUM_CHAIR,
                                     role_assignments__directorate_id=forum.directorate_id).order_by("pk").first())
        meetings = list(Meeting.objects.filter(forum=forum, date__gte=today).order_by("date")
                        .values_list("pk", flat=True)[:6])
        if chair is None or not meetings:
            continue
        pages = common + [["forums", "/forums/", 1], ["forum", f"/forums/{forum.pk}/", 1],
                          ["forum meeting page", f"/forums/meetings/{meetings[0]}/", 3]]
        people.append({**signed_in(chair), "persona": "chair", "pages": pages, "meetings": meetings})
    roles = [Role.BOARD, Role.IMPROVEMENT_ADVISOR, Role.QI_ADMIN]
    readers_pages = [["board", "/board/", 1], ["SPC summary", "/measures/summary/", 1],
                     ["board portfolio", "/board/portfolio/", 1]]
    users = list(User.objects.filter(pk__in=RoleAssignment.objects.filter(role__in=roles).values("user"))
                 .order_by("pk")[:max(1, readers)])
    for i in range(readers):
        people.append({**signed_in(users[i % len(users)]), "persona": "reader", "pages": common + readers_pages})
    return people


def counts_here() -> dict:
    import django

    django.setup()
    from forums.models import Decision
    from measures.models import DataPoint, DataPointChange
    from ops.models import HeldTask
    from workspace.models import PDSACycle

    return {"points": DataPoint.objects.count(), "changes": DataPointChange.objects.count(),
            "cycles": PDSACycle.objects.count(), "decisions": Decision.objects.count(),
            "held": HeldTask.objects.count()}


def check_here(out_path: str, before_path: str, _people_path: str) -> dict:
    """Every count the clients remember against the database."""
    import datetime as dt
    from collections import Counter

    import django

    django.setup()
    from forums.models import Decision
    from measures import rendering
    from measures.models import DataPoint, Measure, SPCConfig
    from ops.models import HeldTask
    from workspace.models import PDSACycle

    out = json.loads(Path(out_path).read_text())
    before = json.loads(Path(before_path).read_text())
    after = counts_here()
    writes = out["writes"]
    by_kind = Counter(w["kind"] for w in writes)
    checks = []

    def check(what: str, expected: int, actual: int) -> None:
        checks.append({"what": what, "expected": expected, "actual": actual, "ok": expected == actual})

    check("data points created", by_kind["point"], after["points"] - before["points"])
    check("corrections in the points' history", by_kind["fix"], after["changes"] - before["changes"])
    # New periods are remembered by their date, corrections by the point's id: one key, in the order written.
    rows = DataPoint.objects.filter(measure_id__in={w["measure"] for w in writes if w["kind"] in ("point", "fix")})
    ids = {(m, p.isoformat()): pk for pk, m, p in rows.values_list("pk", "measure_id", "period_start")}
    values = dict(rows.values_list("pk", "value"))
    last: dict[object, float] = {}
    for w in writes:
        if w["kind"] == "point":
            last[ids.get((w["measure"], w["period"]), (w["measure"], w["period"]))] = float(w["value"])
        elif w["kind"] == "fix":
            last[w["point"]] = float(w["value"])
    check("periods holding the value last written", len(last),
          sum(1 for k, v in last.items() if values.get(k) is not None and float(values[k]) == v))

    check("PDSA cycles created", by_kind["cycle"], after["cycles"] - before["cycles"])
    markers = [w["what"] for w in writes if w["kind"] == "cycle"]
    found = Counter(PDSACycle.objects.filter(what__in=markers).values_list("what", flat=True))
    check("PDSA cycles holding their writer's marker, once each", len(markers),
          sum(1 for m in markers if found[m] == 1))
    edits: dict[int, str] = {}
    for w in writes:
        if w["kind"] == "cycle_edit":
            edits[w["cycle"]] = w["observations"]
    observed = dict(PDSACycle.objects.filter(pk__in=edits).values_list("pk", "observations"))
    check("PDSA cycles holding the observations last written", len(edits),
          sum(1 for pk, text in edits.items() if observed.get(pk) == text))

    check("decisions recorded", by_kind["decision"], after["decisions"] - before["decisions"])
    decided = {(i, r) for i, r in Decision.objects.filter(
        item_id__in=[w["item"] for w in writes if w["kind"] == "decision"]).values_list("item_id", "rationale")}
    check("decisions on their item with the chair's rationale", by_kind["decision"],
          sum(1 for w in writes if w["kind"] == "decision" and (w["item"], w["rationale"]) in decided))

    measures = Measure.objects.filter(pk__in={w["measure"] for w in writes if w["kind"] in ("point", "fix")})
    check("charts written to that are fresh again", measures.count(),
          measures.count() - rendering.stale(measures, SPCConfig.current()).count())
    check("jobs held back for the broker", 0, HeldTask.objects.count())
    return {"checks": checks, "writes": dict(by_kind), "before": before, "after": after,
            "checked_at": dt.datetime.now().isoformat(timespec="seconds")}


# --------------------------------------------------------------------------- the run


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def queue_empty(redis: str, broker_db: int) -> bool:
    def ask(*cmd: str) -> str:
        return subprocess.run(["redis-cli", "-u", f"{redis}/{broker_db}", *cmd], capture_output=True,
                              text=True).stdout.strip()

    return ask("LLEN", "celery") == "0" and ask("HLEN", "unacked") == "0"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--db", default="qiportal_soak")
    ap.add_argument("--prepare", action="store_true", help="drop, create, migrate and seed the database first")
    ap.add_argument("--scale", type=int, default=3)
    ap.add_argument("--readers", type=int, default=8)
    ap.add_argument("--writes", default="0.3", help="share of a writer's steps that are writes")
    ap.add_argument("--think", default="2,6", help="seconds between a person's steps: min,max")
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--port", type=int, default=8781)
    ap.add_argument("--redis", default="redis://127.0.0.1:6379")
    ap.add_argument("--broker-db", type=int, default=14)
    ap.add_argument("--cache-db", type=int, default=13)
    ap.add_argument("--people-here", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--counts-here", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--check-here", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.people_here is not None:
        print(json.dumps(people_here(args.people_here)))
        return 0
    if args.counts_here:
        print(json.dumps(counts_here()))
        return 0
    if args.check_here:
        print(json.dumps(check_here(*args.check_here)))
        return 0

    e = env(args.db, args.redis, args.broker_db, args.cache_db)
    manage = [PY, "manage.py"]
    if args.prepare:
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", args.db], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", args.db], check=True)
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=TREE, env=e, check=True)
        # Seeded eagerly (no broker): its nightly run renders every chart here, so the soak starts fresh.
        eager = {k: v for k, v in e.items() if k not in ("REDIS_URL", "CACHE_URL")}
        subprocess.run([*manage, "seed_demo", "--scale", str(args.scale)], cwd=TREE, env=eager, check=True)
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=TREE, env=e, check=True)
    if not (TREE / "staticfiles" / "staticfiles.json").exists():
        subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=TREE, env=e, check=True)
    for db in (args.broker_db, args.cache_db):
        subprocess.run(["redis-cli", "-u", f"{args.redis}/{db}", "FLUSHDB"], check=True, capture_output=True)

    work = Path(tempfile.mkdtemp(prefix="soak-"))
    people = here("--people-here", e, str(args.readers))
    (work / "people.json").write_text(json.dumps(people))
    (work / "before.json").write_text(json.dumps(here("--counts-here", e)))
    kinds = Counter(p["persona"] for p in people)
    print(f"soak: {len(people)} people ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))}), "
          f"{args.minutes:g} min, writes {args.writes} of a writer's steps, think {args.think} s; logs in {work}",
          flush=True)

    server_log = open(work / "gunicorn.log", "w")  # noqa: SIM115 (closed below, after the processes stop)
    worker_log = open(work / "worker.log", "w")  # noqa: SIM115
    locust_log = open(work / "locust.log", "w")  # noqa: SIM115
    server = subprocess.Popen([str(BIN / "gunicorn"), "qiportal.wsgi", "--bind", f"127.0.0.1:{args.port}",
                               "--workers", str(args.workers), "--timeout", "120", "--log-level", "warning"],
                              cwd=TREE, env=e, stdout=subprocess.DEVNULL, stderr=server_log)
    worker = subprocess.Popen([str(BIN / "celery"), "-A", "qiportal", "worker", "--pool=solo", "--loglevel=INFO"],
                              cwd=TREE, env=e, stdout=worker_log, stderr=subprocess.STDOUT)
    loads = []
    started = time.monotonic()
    try:
        wait_healthy(args.port, 90)
        lenv = dict(e, BENCH_PEOPLE=str(work / "people.json"), BENCH_OUT=str(work / "out.json"),
                    BENCH_WRITES=args.writes, BENCH_THINK=args.think)
        locust = subprocess.Popen([str(BIN / "locust"), "-f", str(ROOT / "bench" / "soak_locustfile.py"),
                                   "--headless", "--host", f"http://127.0.0.1:{args.port}", "-u", str(len(people)),
                                   "-r", "2", "--run-time", f"{int(args.minutes * 60)}s", "--stop-timeout", "30",
                                   "--only-summary", "--loglevel", "WARNING"],
                                  cwd=ROOT, env=lenv, stdout=locust_log, stderr=subprocess.STDOUT)
        while locust.poll() is None:
            time.sleep(min(60, max(1, args.minutes * 60 / 30)))
            loads.append(os.getloadavg()[0])
            if len(loads) % 5 == 0:
                print(f"  {(time.monotonic() - started) / 60:5.1f} min, load average {loads[-1]:.1f}", flush=True)
        drained = time.monotonic()
        while not queue_empty(args.redis, args.broker_db) and time.monotonic() - drained < 300:
            time.sleep(2)
        drain_s = time.monotonic() - drained
    finally:
        for p in (server, worker):
            p.terminate()
        for p in (server, worker):
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        for log in (server_log, worker_log, locust_log):
            log.close()
    elapsed = time.monotonic() - started
    out = json.loads((work / "out.json").read_text())
    result = here("--check-here", e, str(work / "out.json"), str(work / "before.json"), str(work / "people.json"))
    logged_500 = (work / "gunicorn.log").read_text().count("Internal Server Error")
    task_errors = sum(1 for line in (work / "worker.log").read_text().splitlines()
                      if "raised unexpected" in line or " ERROR/" in line)
    total = sum(out["responses"].values())
    server_errors = len(out["server_errors"])
    print(f"\nSoak, {elapsed / 60:.1f} min on {os.cpu_count()} shared cores (load average {min(loads or [0]):.1f}-"
          f"{max(loads or [0]):.1f}), {len(people)} people, gunicorn {args.workers} workers + Celery worker + Redis"
          f" + PostgreSQL")
    print(f"requests {total} ({total / max(1.0, args.minutes * 60):.1f}/s), p50 {pct(out['times'], 0.5):.0f} ms, "
          f"p95 {pct(out['times'], 0.95):.0f} ms, p99 {pct(out['times'], 0.99):.0f} ms; answers {out['responses']}")
    print(f"server errors: {server_errors} answered 5xx or not at all, {logged_500} 'Internal Server Error' in the "
          f"server's log; {task_errors} task errors in the worker's log; the worker's queue emptied "
          f"{drain_s:.0f} s after the last client stopped")
    print(f"writes the server accepted: {result['writes']}")
    for c in result["checks"]:
        print(f"  {'ok  ' if c['ok'] else 'FAIL'} {c['what']}: clients {c['expected']}, database {c['actual']}")
    for err in out["server_errors"][:10]:
        print(f"  server error: {err}")
    ok = server_errors == 0 and logged_500 == 0 and all(c["ok"] for c in result["checks"])
    print(f"\nSOAK {'PASS' if ok else 'FAIL'}")
    (work / "result.json").write_text(json.dumps({**result, "ok": ok, "requests": total,
                                                  "server_errors": server_errors, "logged_500": logged_500}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
