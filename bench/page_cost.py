#!/usr/bin/env python
"""What every product page costs by itself: machine CPU of one view (this process and its PostgreSQL backend),
queries and bytes, at scale 250 and at scale 1, and the ratio of the two.

    .venv/bin/python bench/page_cost.py                      # perf_s1 and perf_s250 (see --prepare)
    .venv/bin/python bench/page_cost.py --prepare            # create, migrate and seed them first (~10 min)
    .venv/bin/python bench/page_cost.py --views 20 --only forum
    .venv/bin/python bench/page_cost.py --profile "forum meeting"   # cProfile of one page, top 30

No server and no concurrency: each page is rendered by `django.test.Client` in one process (DEBUG=0,
locmem cache) against a seeded PostgreSQL database. Two figures per page:

- cold: the process's cache is emptied before every view, so nothing remembered helps (navigation, pieces
  kept per object, trust-wide totals): what the first reader after a change pays;
- warm: the same person views the page again (what most views cost in a running trust).

CPU is `time.process_time()` of this process plus the CPU the PostgreSQL backend serving it spent (read from
/proc/<backend pid>/stat), so it is the machine's CPU for one view, not just Python's. Targets (issue 16):
every page <= 15 ms cold at scale 250, and each page at scale 250 within 1.3x of scale 1.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PY = str(ROOT / ".venv" / "bin" / "python")
TARGET_MS, TARGET_RATIO = 15.0, 1.3
CLK_TCK = os.sysconf("SC_CLK_TCK")


def env_for(db: str) -> dict:
    env = dict(os.environ)
    env.update(DATABASE_URL=f"{PG}/{db}", DEBUG="0", DEMO_MODE="1", ALLOWED_HOSTS="testserver,127.0.0.1",
               SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG",
               SECURE_SSL_REDIRECT="0", LOG_LEVEL="WARNING", DJANGO_SETTINGS_MODULE="bench.floor_settings")
    env.pop("REDIS_URL", None)
    env.pop("CACHE_URL", None)
    return env


def prepare(scale: int) -> None:
    db = f"perf_s{scale}"
    env = env_for(db)
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", db], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", db], check=True)
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PY, "manage.py", "seed_demo", "--scale", str(scale)], cwd=ROOT, env=env, check=True)


def collectstatic() -> None:
    if (ROOT / "staticfiles" / "staticfiles.json").exists():
        return  # collected once (compressing every asset takes minutes on a busy machine)
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env_for("postgres"),
                   check=True)


def pages() -> dict[str, tuple[str, str]]:
    """Page name -> (persona, path): every page a person reads, on the objects the personas would open."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from board.models import BoardReport, ReportStatus
    from forums.models import Forum, Meeting
    from measures.models import Measure
    from organisation.models import Directorate, User
    from projects.models import Project, ProjectStatus
    from workspace.models import PDSACycle, Story

    today = timezone.localdate()
    staff = User.objects.get(username="staff")
    chair = User.objects.get(username="chair")
    project = Project.objects.filter(lead=staff, status=ProjectStatus.ACTIVE).order_by("pk").first()
    forum = Forum.objects.get(directorate__clinical_director=chair) if Forum.objects.filter(
        directorate__clinical_director=chair).exists() else Forum.objects.order_by("pk").first()
    meeting = (Meeting.objects.filter(forum=forum, date__gte=today).order_by("date").first())
    # The busiest next agenda in the trust: the forum meeting page with a full agenda.
    full = (Meeting.objects.filter(date__gte=today).annotate(n=Count("items", filter=Q(items__decision=None)))
            .order_by("-n", "pk").first())
    cycle = PDSACycle.objects.filter(change_idea__project=project).order_by("pk").first()
    measure = Measure.objects.filter(project=project).order_by("pk").first()
    story = Story.objects.order_by("pk").first()
    report = BoardReport.objects.filter(status=ReportStatus.PUBLISHED).order_by("-pk").first()
    found = {"floor: signed in, bare": ("staff", "/bench/bare/"), "floor: empty layout": ("staff", "/bench/layout/")}
    for persona in ["staff", "serviceuser", "coach", "sponsor", "ia", "chair", "board", "qiadmin"]:
        found[f"home ({persona})"] = (persona, "/")
    found.update({
        "project list": ("staff", "/projects/"),
        "project list (qiadmin)": ("qiadmin", "/projects/"),
        "my projects": ("staff", "/projects/mine/"),
        "project page": ("staff", f"/projects/{project.pk}/"),
        "workspace": ("staff", f"/workspace/projects/{project.pk}/"),
        "progress scores": ("staff", f"/workspace/projects/{project.pk}/progress/"),
        "project team": ("staff", f"/workspace/projects/{project.pk}/team/"),
        "learning library": ("staff", "/workspace/library/"),
        "stories": ("staff", "/workspace/stories/"),
        "SPC summary": ("board", "/measures/summary/"),
        "project measures": ("staff", f"/measures/project/{project.pk}/"),
        "coaching pool": ("qiadmin", "/coaching/"),
        "coaching (ia)": ("ia", "/coaching/"),
        "forums": ("chair", "/forums/"),
        "forum": ("chair", f"/forums/{forum.pk}/"),
        "forum meeting page": ("chair", f"/forums/meetings/{meeting.pk}/"),
        f"forum meeting, full agenda ({full.n} items)": ("qiadmin", f"/forums/meetings/{full.pk}/"),
        "meeting print": ("chair", f"/forums/meetings/{meeting.pk}/print/"),
        "board": ("board", "/board/"),
        "board portfolio": ("board", "/board/portfolio/"),
        "early warning": ("board", "/board/early-warning/"),
        "notifications": ("staff", "/notifications/"),
        "profile": ("staff", "/me/"),
        "organisation": ("staff", "/organisation/"),
        "directorate": ("staff", f"/organisation/{Directorate.objects.order_by('pk').first().slug}/"),
        "person": ("staff", f"/people/{chair.pk}/"),
    })
    if cycle:
        found["PDSA cycle"] = ("staff", f"/workspace/cycles/{cycle.pk}/")
    if measure:
        found["measure page"] = ("staff", f"/measures/{measure.pk}/")
    if story:
        found["story"] = ("staff", f"/workspace/stories/{story.pk}/")
    if report:
        found["board report"] = ("board", f"/board/reports/{report.pk}/")
    return found


def backend_cpu(pid: int) -> float:
    """Seconds of CPU the PostgreSQL backend `pid` has used (same machine)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def measure_here(views: int, only: str, profile: str) -> dict:
    import django

    django.setup()
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from organisation.models import User

    clients: dict[str, Client] = {}

    def client_for(username: str) -> Client:
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(User.objects.get(username=username))
        return clients[username]

    def clear() -> None:
        for alias in caches:
            caches[alias].clear()

    found = pages()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    out = {}
    for name, (persona, path) in found.items():
        if only and only.lower() not in name.lower():
            continue
        c = client_for(persona)
        response = c.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{name}: HTTP {response.status_code} for {path}")
        if profile and profile.lower() in name.lower():
            import cProfile
            import pstats

            clear()
            prof = cProfile.Profile(time.process_time)  # CPU, not waiting for PostgreSQL
            prof.enable()
            for _ in range(views):
                clear()
                c.get(path)
            prof.disable()
            pstats.Stats(prof, stream=sys.stderr).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(45)
        with CaptureQueriesContext(connection) as captured:
            clear()
            c.get(path)
        queries = len(captured.captured_queries)
        row = {"queries": queries, "bytes": len(response.content), "path": path}
        for mode in ("cold", "warm"):
            spent = 0.0
            db = 0.0
            for _ in range(views):
                if mode == "cold":
                    clear()
                cpu0, db0 = time.process_time(), backend_cpu(pid)
                c.get(path)
                spent += time.process_time() - cpu0
                db += backend_cpu(pid) - db0
            row[mode] = 1000 * (spent + db) / views
            row[f"{mode}_db"] = 1000 * db / views
        out[name] = row
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scales", default="250,1")
    ap.add_argument("--views", type=int, default=20, help="views of each page, each way")
    ap.add_argument("--only", default="", help="pages whose name contains this")
    ap.add_argument("--profile", default="", help="print a cProfile of the (cold) page whose name contains this")
    ap.add_argument("--prepare", action="store_true", help="create and seed perf_s<N> first")
    ap.add_argument("--here", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.here:
        print(json.dumps(measure_here(args.views, args.only, args.profile)))
        return 0
    scales = [int(s) for s in args.scales.split(",")]
    if args.prepare:
        for scale in scales:
            prepare(scale)
    collectstatic()
    results = {}
    for scale in scales:
        cmd = [sys.executable, __file__, "--here", "--views", str(args.views), "--only", args.only,
               "--profile", args.profile]
        done = subprocess.run(cmd, cwd=ROOT, env=env_for(f"perf_s{scale}"), capture_output=True, text=True)
        if args.profile:
            print(done.stderr, file=sys.stderr)
        if done.returncode != 0:
            print(done.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"scale {scale}: failed (run with --prepare to create perf_s{scale})")
        results[scale] = json.loads(done.stdout.strip().splitlines()[-1])
    load = os.getloadavg()
    print(f"Machine CPU per view (this process + its PostgreSQL backend), {args.views} views each way, DEBUG=0, "
          f"PostgreSQL; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    big, small = scales[0], scales[-1]
    print(f"{'page':44} {'s' + str(big) + ' cold':>9} {'warm':>6} {'db':>5} {'q':>4} {'KB':>5}"
          f" {'s' + str(small) + ' cold':>8} {'warm':>6} {'ratio':>6}")
    misses = []
    small_by_path = {r["path"]: r for r in results[small].values()}
    for name, r in results[big].items():
        s = results[small].get(name) or small_by_path.get(r["path"])
        ratio = r["cold"] / s["cold"] if s and s["cold"] else float("nan")
        flag = ""
        if not name.startswith("floor") and (r["cold"] > TARGET_MS or ratio > TARGET_RATIO):
            flag = "  <- miss"
            misses.append(name)
        print(f"{name:44} {r['cold']:9.1f} {r['warm']:6.1f} {r['cold_db']:5.1f} {r['queries']:4d} "
              f"{r['bytes'] / 1024:5.0f} {s['cold'] if s else float('nan'):8.1f} "
              f"{s['warm'] if s else float('nan'):6.1f} {ratio:6.2f}{flag}")
    print(f"targets: cold <= {TARGET_MS:.0f} ms at scale {big}, ratio <= {TARGET_RATIO}: "
          + ("all met" if not misses else f"missed by {len(misses)} page(s)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
