#!/usr/bin/env python
"""Fault drills against real services: PostgreSQL restarted during a nightly rendering run, and Redis down while
people read pages and enter data. Prints PASS or FAIL per drill with its figures.

    .venv/bin/python bench/fault_drills.py                  # both drills on a private PostgreSQL and Redis
    .venv/bin/python bench/fault_drills.py --only postgres  # or --only redis
    .venv/bin/python bench/fault_drills.py --shared         # the machine's own PostgreSQL and Redis instead

By default the drills start their own PostgreSQL 15 cluster (initdb under /tmp/qiportal-drill, port 5491) and
their own redis-server (port 6491), so that restarting and stopping them disturbs nobody else on the machine;
`--shared` restarts the machine's cluster (`pg_ctlcluster 15 main restart`) and stops the machine's Redis for
a few seconds, in the database `qiportal_drill` and Redis databases 14 (broker) and 13 (cache).

PostgreSQL restarted mid-run: a forced chart-rendering run over every measure of `seed_demo --scale 3` goes to
a real Celery worker in chunks of 5; once a quarter of the chunks are done PostgreSQL is stopped (fast
shutdown: every connection is cut) and started again 10 s later (`--pg-down-seconds`). A watcher reads the
database every 50 ms, each time in one snapshot, and checks that a chunk's snapshots are all new exactly when
the chunk is done and that the run's counts are the sum of its done chunks (no half-written chunk visible).
PASS: the run finishes on the worker's retries, every measure is computed once (run.computed = measures, no
failures, one job-log row), no violation was seen.

Redis down: gunicorn (DEBUG=0), a Celery worker and beat are running; Redis is stopped; a project lead reads
the home, project, workspace and measure pages, saves a new period through the measure's data table and a new
PDSA cycle, and /health/ is asked. PASS: every page 200, both saves redirect and are in the database, /health/
says 503 within 3 s, the chart renders the saves asked for are held in the database (ops.HeldTask), and after
Redis is started again beat's `ops.tasks.send_held` hands them to the worker, which brings the chart up to date:
nothing held, nothing lost, no "Internal Server Error" in the server's log.

`DRILL_TREE=DIR` serves another copy of the code (e.g. `git archive HEAD`). Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PY = str(BIN / "python")
TREE = Path(os.environ.get("DRILL_TREE", ROOT))
sys.path.insert(0, str(TREE))
sys.path.insert(0, str(ROOT / "bench"))
PGBIN = Path("/usr/lib/postgresql/15/bin")
HOME = Path("/tmp/qiportal-drill")
DB = "qiportal_drill"
WEB_PORT = 8791
CHUNK = 5


class Services:
    """Where PostgreSQL and Redis are, and how to restart, stop and start them."""

    def __init__(self, shared: bool) -> None:
        self.shared = shared
        self.pg_port = 5432 if shared else 5491
        self.redis_port = 6379 if shared else 6491
        self.pg_url = f"postgres://postgres@127.0.0.1:{self.pg_port}"
        self.redis_url = f"redis://127.0.0.1:{self.redis_port}"

    def sh(self, *cmd: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(cmd, capture_output=True, text=True, check=check)

    def as_postgres(self, *cmd: str) -> subprocess.CompletedProcess:
        return self.sh("runuser", "-u", "postgres", "--", *cmd)

    def pg_ready(self) -> bool:
        return self.sh("pg_isready", "-h", "127.0.0.1", "-p", str(self.pg_port), check=False).returncode == 0

    def start_pg(self) -> None:
        if self.shared or self.pg_ready():
            return
        data = HOME / "pg"
        if not (data / "PG_VERSION").exists():
            HOME.mkdir(parents=True, exist_ok=True)
            os.chown(HOME, *_postgres_ids())
            self.as_postgres(str(PGBIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8")
        self.as_postgres(str(PGBIN / "pg_ctl"), "-D", str(data), "-l", str(HOME / "pg.log"), "-w", "-o",
                         f"-p {self.pg_port} -k {HOME} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def restart_pg(self, down_seconds: float) -> None:
        """Stop (fast: every session cut), stay down for `down_seconds`, start again."""
        if self.shared:
            self.sh("pg_ctlcluster", "15", "main", "stop", "-m", "fast")
            time.sleep(down_seconds)
            self.sh("pg_ctlcluster", "15", "main", "start")
        else:
            self.as_postgres(str(PGBIN / "pg_ctl"), "-D", str(HOME / "pg"), "-m", "fast", "-w", "stop")
            time.sleep(down_seconds)
            self.start_pg()

    def stop_pg(self) -> None:
        if not self.shared and (HOME / "pg" / "postmaster.pid").exists():
            self.as_postgres(str(PGBIN / "pg_ctl"), "-D", str(HOME / "pg"), "-m", "fast", "-w", "stop")

    def redis_up(self) -> bool:
        return self.sh("redis-cli", "-p", str(self.redis_port), "ping", check=False).stdout.strip() == "PONG"

    def start_redis(self) -> None:
        if self.redis_up():
            return
        extra = [] if self.shared else ["--pidfile", str(HOME / "redis.pid"), "--logfile", str(HOME / "redis.log")]
        self.sh("redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", str(self.redis_port),
                "--save", "", "--appendonly", "no", *extra)
        for _ in range(50):
            if self.redis_up():
                return
            time.sleep(0.1)

    def stop_redis(self) -> None:
        self.sh("redis-cli", "-p", str(self.redis_port), "shutdown", "nosave", check=False)
        for _ in range(50):
            if not self.redis_up():
                return
            time.sleep(0.1)


def _postgres_ids() -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam("postgres")
    return entry.pw_uid, entry.pw_gid


def env_for(svc: Services, *, eager: bool = False) -> dict:
    e = dict(os.environ)
    e.update(DATABASE_URL=f"{svc.pg_url}/{DB}", DEBUG="0", DEMO_MODE="1", ALLOWED_HOSTS="127.0.0.1,testserver",
             SECRET_KEY="drill-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH",
             SECURE_SSL_REDIRECT="0", LOG_LEVEL="WARNING", DJANGO_SETTINGS_MODULE="qiportal.settings",
             PYTHONPATH=str(TREE), REDIS_URL=f"{svc.redis_url}/14", CACHE_URL=f"{svc.redis_url}/13")
    if eager:
        e.pop("REDIS_URL")
        e.pop("CACHE_URL")
    return e


def prepare(svc: Services, *, fresh: bool) -> None:
    """The drill database: migrated and seeded (eagerly, so every chart has a snapshot), once."""
    exists = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(svc.pg_port), "-U", "postgres", "-tAc",
                             f"SELECT 1 FROM pg_database WHERE datname = '{DB}'"], capture_output=True,
                            text=True).stdout.strip() == "1"
    e = env_for(svc, eager=True)
    if fresh or not exists:
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-p", str(svc.pg_port), "-U", "postgres", "--if-exists", DB],
                       check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-p", str(svc.pg_port), "-U", "postgres", DB], check=True)
        subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=TREE, env=e, check=True)
        subprocess.run([PY, "manage.py", "seed_demo", "--scale", "3"], cwd=TREE, env=e, check=True,
                       stdout=subprocess.DEVNULL)
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=TREE, env=e, check=True)
    if not (TREE / "staticfiles" / "staticfiles.json").exists():
        subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=TREE, env=e, check=True)


def start(cmd: list[str], svc: Services, log: Path) -> subprocess.Popen:
    fh = open(log, "w")  # noqa: SIM115 (the process writes it until it is stopped)
    return subprocess.Popen(cmd, cwd=TREE, env=env_for(svc), stdout=fh, stderr=subprocess.STDOUT)


def stop(*procs: subprocess.Popen) -> None:
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()


def worker_cmd() -> list[str]:
    return [str(BIN / "celery"), "-A", "qiportal", "worker", "--pool=solo", "--loglevel=INFO"]


def wait_for(test, seconds: float, step: float = 0.5) -> float | None:
    """Seconds until test() held, or None if it never did."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            if test():
                return time.monotonic() - started
        except Exception:  # the service under test is still coming back: read again on a new connection
            if "django" in sys.modules:
                from django.db import connection

                connection.close()
        time.sleep(step)
    return None


def setup_django(svc: Services) -> None:
    os.environ.update(env_for(svc))
    os.chdir(TREE)  # Celery's Django fix-up puts the working directory first on sys.path
    import django

    django.setup()


def report(name: str, ok: bool, figures: list[str]) -> bool:
    print(f"\n{'PASS' if ok else 'FAIL'}  {name}")
    for line in figures:
        print(f"      {line}")
    return ok


# --------------------------------------------------------------------------- PostgreSQL restarted mid-run


class Watcher(threading.Thread):
    """Reads the run, its chunks and their snapshots in one snapshot every 50 ms, on its own connection, and
    counts what no reader may ever see: a chunk half written, or run counts that are not its done chunks' sum."""

    def __init__(self, dsn: str, run_id: int, started_at: dt.datetime) -> None:
        super().__init__(daemon=True)
        self.dsn, self.run_id, self.started_at = dsn, run_id, started_at
        self.reads = self.unavailable = 0
        self.violations: list[str] = []
        self.done_chunks = 0
        self.stop = threading.Event()

    def run(self) -> None:
        import psycopg2

        conn = None
        while not self.stop.is_set():
            try:
                if conn is None or conn.closed:
                    conn = psycopg2.connect(self.dsn, connect_timeout=2)
                    conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
                with conn.cursor() as cur:
                    cur.execute("SELECT computed, chunks_done FROM measures_renderrun WHERE id = %s", [self.run_id])
                    computed, chunks_done = cur.fetchone()
                    cur.execute("""
                        SELECT c.id, c.done, jsonb_array_length(c.measure_ids),
                               count(s.measure_id) FILTER (WHERE s.computed_at >= %s)
                        FROM measures_renderchunk c
                        CROSS JOIN LATERAL jsonb_array_elements_text(c.measure_ids) AS m(id)
                        LEFT JOIN measures_chartsnapshot s ON s.measure_id = m.id::bigint
                        WHERE c.run_id = %s GROUP BY c.id""", [self.started_at, self.run_id])
                    chunks = cur.fetchall()
                conn.rollback()
                self.reads += 1
                done = [c for c in chunks if c[1]]
                self.done_chunks = len(done)
                for cid, is_done, size, new in chunks:
                    if new not in (0, size) or (new == size) != is_done:
                        self.violations.append(f"chunk {cid}: done={is_done}, {new} of {size} snapshots new")
                if computed != sum(c[2] for c in done) or chunks_done != len(done):
                    self.violations.append(f"run counts {computed}/{chunks_done} against {len(done)} done chunks")
            except Exception:  # PostgreSQL restarting: count it, reconnect
                self.unavailable += 1
                with contextlib.suppress(Exception):
                    conn.close()
                conn = None
                time.sleep(0.1)
            self.stop.wait(0.05)


def drill_postgres(svc: Services, work: Path, down_seconds: float) -> bool:
    from django.db import connection

    from measures import rendering
    from measures.models import ChartSnapshot, Measure, RenderChunk, RenderFailure, RenderRun
    from ops.models import JobRun

    worker = start(worker_cmd(), svc, work / "pg-drill-worker.log")
    try:
        if wait_for(lambda: "ready" in (work / "pg-drill-worker.log").read_text(), 60) is None:
            return report("PostgreSQL restarted during a nightly run", False, ["the worker did not start"])
        measures = Measure.objects.active().count()
        before = dict(ChartSnapshot.objects.values_list("measure_id", "computed_at"))
        run = rendering.render_all(force=True, chunk_size=CHUNK)
        watcher = Watcher(f"host=127.0.0.1 port={svc.pg_port} user=postgres dbname={DB}", run.pk, run.started_at)
        watcher.start()
        wait_for(lambda: watcher.done_chunks >= max(1, run.chunks // 4), 120, 0.02)
        at_restart = watcher.done_chunks
        connection.close()
        t0 = time.monotonic()
        svc.restart_pg(down_seconds)
        restart_s = time.monotonic() - t0
        finished = wait_for(lambda: RenderRun.objects.get(pk=run.pk).finished_at is not None, 480)
        watcher.stop.set()
        watcher.join(5)
        run.refresh_from_db()
        chunks_done = RenderChunk.objects.filter(run=run, done=True).count()
        failures = RenderFailure.objects.filter(run=run).count()
        logged = JobRun.objects.filter(name="charts", detail__run=run.pk).count()
        fresh = ChartSnapshot.objects.filter(computed_at__gte=run.started_at).count()
        untouched_old = sum(1 for pk, at in ChartSnapshot.objects.values_list("measure_id", "computed_at")
                            if pk in before and at == before[pk])
        log = (work / "pg-drill-worker.log").read_text()
        retries = len(re.findall(r"measures\.tasks\.render_chunk\[[^\]]+\] retry", log))
        gave_up = len(re.findall(r"render_chunk\[[^\]]+\] raised unexpected", log))
    finally:
        stop(worker)
    ok = (finished is not None and run.computed == measures and run.failed == 0 and run.chunks_done == run.chunks
          and chunks_done == run.chunks and failures == 0 and logged == 1 and fresh == measures
          and not watcher.violations and gave_up == 0)
    return report("PostgreSQL restarted during a nightly run", ok, [
        f"{measures} measures in {run.chunks} chunks of {CHUNK} on a real Celery worker (solo pool, Redis broker)",
        f"PostgreSQL stopped (fast shutdown, every connection cut) after {at_restart} chunks were done, "
        f"started again {down_seconds:g} s later: {restart_s:.1f} s without a database",
        f"the run finished {f'after {finished:.1f} s more' if finished is not None else 'NOT within 8 minutes'}: "
        f"computed {run.computed}, failed {run.failed}, chunks done {run.chunks_done}/{run.chunks}, "
        f"failure rows {failures}, job-log rows {logged} (want {measures}, 0, all, 0, 1)",
        f"snapshots new since the run began: {fresh} of {measures}; left as before: {untouched_old}",
        f"chunk retries on the worker: {retries}; chunks that gave up: {gave_up}",
        f"watcher: {watcher.reads} consistent reads, {watcher.unavailable} while the database was away, "
        f"{len(watcher.violations)} half-written or miscounted states seen"
        + (f" (first: {watcher.violations[0]})" if watcher.violations else ""),
    ])


# --------------------------------------------------------------------------- Redis down


class Browser:
    """A signed-in person over real HTTP, redirects not followed. The cookies are sent as they were given: with
    DEBUG=0 the server marks its cookies Secure, which a cookie jar would then keep from plain HTTP."""

    def __init__(self, session: str, csrf: str) -> None:
        self.cookie = f"sessionid={session}; csrftoken={csrf}"

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(NoRedirect)

    def open(self, path: str, data: dict | None = None, timeout: float = 30) -> tuple[int, str, float, str]:
        url = f"http://127.0.0.1:{WEB_PORT}{path}"
        body = urlencode(data).encode() if data is not None else None
        headers = {"Cookie": self.cookie, **({"Referer": url} if body else {})}
        req = urllib.request.Request(url, data=body, headers=headers)
        started = time.monotonic()
        try:
            with self.opener.open(req, timeout=timeout) as r:
                return r.status, r.read().decode(), time.monotonic() - started, ""
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(errors="replace"), time.monotonic() - started, e.headers.get("Location", "")


def signed_in_lead() -> tuple[dict, Browser]:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Min
    from django.middleware.csrf import _get_new_csrf_string

    from measures.models import Measure
    from projects.models import Project, ProjectStatus
    from workspace.models import ChangeIdea

    for project in Project.objects.filter(status=ProjectStatus.ACTIVE, lead__isnull=False).order_by("pk"):
        measure = (Measure.objects.filter(project=project, period="month", chart_type__in=["i", "c"])
                   .annotate(first=Min("points__period_start")).filter(first__isnull=False).order_by("pk").first())
        idea = ChangeIdea.objects.filter(project=project).order_by("pk").first()
        if measure and idea:
            break
    if hasattr(measure, "first_period"):  # back-filled history: the months before its first point are open
        Measure.objects.filter(pk=measure.pk).update(first_period=dt.date(2000, 1, 1))
    session = SessionStore()
    session[SESSION_KEY] = str(project.lead.pk)
    session[BACKEND_SESSION_KEY] = next((b for b in settings.AUTHENTICATION_BACKENDS if "Password" in b),
                                        settings.AUTHENTICATION_BACKENDS[-1])
    session[HASH_SESSION_KEY] = project.lead.get_session_auth_hash()
    session.create()
    csrf = _get_new_csrf_string()
    return {"project": project.pk, "measure": measure.pk, "first": measure.first, "idea": idea.pk}, Browser(
        session.session_key, csrf)


def new_period(browser: Browser, measure: int, period: dt.date, value: int) -> tuple[int, float]:
    from formreader import FormReader

    status, html, _, _ = browser.open(f"/measures/{measure}/")
    reader = FormReader(rf"/measures/{measure}/(#data)?$")
    reader.feed(html)
    data = dict(reader.fields)
    row = next(k[:-len("-period_start")] for k in data
               if k.endswith("-period_start") and not data.get(f"{k[:-len('-period_start')]}-id"))
    data[f"{row}-period_start"] = period.isoformat()
    data[f"{row}-value"] = str(value)
    status, _, seconds, _ = browser.open(reader.url or f"/measures/{measure}/", data)
    return status, seconds


def new_cycle(browser: Browser, idea: int, what: str) -> tuple[int, float]:
    from formreader import FormReader

    page = f"/workspace/ideas/{idea}/cycles/new/?fresh=1"
    _, html, _, _ = browser.open(page)
    reader = FormReader("^$")
    reader.feed(html)
    data = dict(reader.fields)
    data.update(what=what, act_decision="")
    status, _, seconds, _ = browser.open(reader.url or page, data)
    return status, seconds


def drill_redis(svc: Services, work: Path) -> bool:
    from measures import rendering
    from measures.models import DataPoint, Measure, SPCConfig
    from ops.models import HeldTask
    from workspace.models import PDSACycle

    HeldTask.objects.all().delete()
    server = start([str(BIN / "gunicorn"), "qiportal.wsgi", "--bind", f"127.0.0.1:{WEB_PORT}", "--workers", "2",
                    "--timeout", "60", "--log-level", "warning"], svc, work / "redis-drill-gunicorn.log")
    worker = start(worker_cmd(), svc, work / "redis-drill-worker.log")
    beat = start([str(BIN / "celery"), "-A", "qiportal", "beat", "--loglevel=INFO",
                  "--schedule", str(work / "beat-schedule")], svc, work / "redis-drill-beat.log")
    figures: list[str] = []
    checks: dict[str, bool] = {}
    try:
        wait_for(lambda: urllib.request.urlopen(f"http://127.0.0.1:{WEB_PORT}/health/", timeout=2).status == 200, 60)
        wait_for(lambda: "ready" in (work / "redis-drill-worker.log").read_text(), 60)
        me, browser = signed_in_lead()
        pages = {"home": "/", "project page": f"/projects/{me['project']}/",
                 "workspace": f"/workspace/projects/{me['project']}/", "measure page": f"/measures/{me['measure']}/"}
        up = {name: browser.open(path)[::2] for name, path in pages.items()}
        checks["pages 200 with Redis up"] = all(s == 200 for s, _ in up.values())

        svc.stop_redis()
        checks["Redis stopped"] = not svc.redis_up()
        down_at = time.monotonic()
        down = {name: browser.open(path)[::2] for name, path in pages.items()}
        checks["every page 200 with Redis down"] = all(s == 200 for s, _ in down.values())
        figures.append("pages with Redis down: " + ", ".join(f"{n} {s} in {t * 1000:.0f} ms"
                                                              for n, (s, t) in down.items())
                       + " (up: " + ", ".join(f"{t * 1000:.0f}" for _, t in up.values()) + " ms)")
        period = (me["first"].replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        while DataPoint.objects.filter(measure_id=me["measure"], period_start=period).exists():
            period = (period - dt.timedelta(days=1)).replace(day=1)
        saved, point_s = new_period(browser, me["measure"], period, 17)
        point = DataPoint.objects.filter(measure_id=me["measure"], period_start=period).first()
        checks["a new period saved with Redis down"] = saved == 302 and point is not None and point.value == 17
        marker = f"drill: Redis down {dt.datetime.now():%H:%M:%S}"
        cycled, cycle_s = new_cycle(browser, me["idea"], marker)
        checks["a new PDSA cycle saved with Redis down"] = cycled == 302 and PDSACycle.objects.filter(
            what=marker).count() == 1
        figures.append(f"saves with Redis down: new period {saved} in {point_s * 1000:.0f} ms, "
                       f"new PDSA cycle {cycled} in {cycle_s * 1000:.0f} ms")
        status, body, health_s, _ = browser.open("/health/")
        checks["/health/ says 503 within 3 s"] = status == 503 and health_s < 3
        held = list(HeldTask.objects.values_list("name", flat=True))
        measure = Measure.objects.get(pk=me["measure"])
        stale = rendering.stale(Measure.objects.filter(pk=measure.pk), SPCConfig.current()).exists()
        checks["the chart render the save asked for is held in the database"] = (
            "measures.tasks.render_measure" in held and stale)
        figures.append(f"/health/ {status} in {health_s * 1000:.0f} ms; jobs held in the database: {len(held)} "
                       f"({', '.join(sorted(set(held)))}); the measure's chart stale until they run: {stale}")
        time.sleep(max(0.0, 20 - (time.monotonic() - down_at)))  # down for 20 s in all
        down_s = time.monotonic() - down_at

        svc.start_redis()
        back = time.monotonic()
        drained = wait_for(lambda: not HeldTask.objects.exists(), 180)
        fresh = wait_for(lambda: not rendering.stale(Measure.objects.filter(pk=measure.pk),
                                                     SPCConfig.current()).exists(), 60)
        checks["held jobs sent once Redis is back"] = drained is not None
        checks["the chart brought up to date by the worker"] = fresh is not None
        ran = len(re.findall(r"measures\.tasks\.render_measure\[[^\]]+\] succeeded",
                             (work / "redis-drill-worker.log").read_text()))
        figures.append(f"Redis down {down_s:.0f} s; after it came back the held jobs were sent in "
                       f"{(time.monotonic() - back) if drained is None else drained:.0f} s (beat runs "
                       f"ops.tasks.send_held every 60 s), chart renders run on the worker: {ran}")

        saved_after, _ = new_period(browser, me["measure"], (period - dt.timedelta(days=1)).replace(day=1), 18)
        sent_direct = not HeldTask.objects.exists()
        checks["after Redis returns a save queues its render directly"] = saved_after == 302 and sent_direct
        checks["/health/ 200 again"] = wait_for(lambda: browser.open("/health/")[0] == 200, 30) is not None
        errors = (work / "redis-drill-gunicorn.log").read_text().count("Internal Server Error")
        checks["no server error logged"] = errors == 0
        figures.append(f"'Internal Server Error' in the server's log: {errors}")
    finally:
        svc.start_redis()
        stop(server, worker, beat)
    for what, ok in checks.items():
        figures.append(f"{'ok  ' if ok else 'FAIL'} {what}")
    return report("Redis down: pages serve, data entry saves, queued work runs when it returns", all(checks.values()),
                  figures)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", choices=["postgres", "redis"])
    ap.add_argument("--shared", action="store_true", help="the machine's own PostgreSQL and Redis (disturbs others)")
    ap.add_argument("--fresh", action="store_true", help="drop and seed the drill database again")
    ap.add_argument("--keep", action="store_true", help="leave the private PostgreSQL and Redis running")
    ap.add_argument("--pg-down-seconds", type=float, default=10, help="how long PostgreSQL stays stopped")
    args = ap.parse_args()
    svc = Services(args.shared)
    work = Path(tempfile.mkdtemp(prefix="drills-"))
    svc.start_pg()
    svc.start_redis()
    for db in (14, 13):
        subprocess.run(["redis-cli", "-p", str(svc.redis_port), "-n", str(db), "FLUSHDB"], capture_output=True)
    print(f"fault drills: PostgreSQL {'(shared) ' if args.shared else '(private) '}{svc.pg_url}/{DB}, Redis "
          f"{svc.redis_url}/14 (broker) and /13 (cache), code from {TREE}; logs in {work}", flush=True)
    results = []
    try:
        prepare(svc, fresh=args.fresh)
        setup_django(svc)
        if args.only in (None, "postgres"):
            results.append(drill_postgres(svc, work, args.pg_down_seconds))
        if args.only in (None, "redis"):
            results.append(drill_redis(svc, work))
    finally:
        if not args.keep and not args.shared:
            svc.stop_redis()
            svc.stop_pg()
    print(f"\n{sum(results)} of {len(results)} drills passed")
    (work / "results.json").write_text(json.dumps(results))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
