#!/usr/bin/env python
"""What each page measured by bench/pages.py costs by itself: in-process CPU, queries, PostgreSQL time, bytes.

    .venv/bin/python bench/page_cost.py                 # the bench databases of scales 1 and 250
    .venv/bin/python bench/page_cost.py --views 100     # more views per page for steadier figures
    .venv/bin/python bench/page_cost.py --explain       # also PostgreSQL's planning and execution time

No server and no concurrency: each page is rendered by `django.test.Client` in one process against the
databases bench/pages.py creates (`qiportal_bench_s<N>`; run it first). Under load every page costs about
this much CPU again in gunicorn, PostgreSQL and the clients together, so these figures say what a change
saves before the load test says whether it shows. With --explain each captured query is run again under
EXPLAIN ANALYZE, which shows whether a page's database time grows with the data.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import PERSONAS, env_for  # noqa: E402


def pages(client_for) -> dict[str, tuple[str, str]]:
    """Page name -> (persona, path): the pages bench/pages.py measures, found the same way."""
    admin = client_for("qiadmin")
    project = re.search(r'"/projects/\d+/"', admin.get("/projects/?status=active").content.decode()).group(0)
    meeting = re.search(r'"/forums/meetings/\d+/"', client_for("chair").get("/").content.decode()).group(0)
    found = {"floor (signed in, bare)": ("staff", "/bench/bare/"),
             "floor (signed in, layout)": ("staff", "/bench/layout/")}
    found.update({f"home ({p})": (p, "/") for p in PERSONAS})
    found.update({"project list": ("staff", "/projects/"), "project page": ("staff", project.strip('"')),
                  "forum meeting page": ("chair", meeting.strip('"')), "coaching pool": ("qiadmin", "/coaching/")})
    return found


def measure_here(views: int, explain: bool) -> dict:
    """Runs inside a process configured for one bench database."""
    import django

    django.setup()
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

    out = {}
    for name, (persona, path) in pages(client_for).items():
        c = client_for(persona)
        for _ in range(3):  # warm the caches a page keeps (navigation, ranking, totals)
            response = c.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{name}: HTTP {response.status_code} for {path}")
        with CaptureQueriesContext(connection) as captured:
            c.get(path)
        queries = list(captured.captured_queries)  # read now: the next request clears the connection's log
        cpu0, wall0 = time.process_time(), time.perf_counter()
        for _ in range(views):
            c.get(path)
        row = {"cpu": 1000 * (time.process_time() - cpu0) / views,
               "wall": 1000 * (time.perf_counter() - wall0) / views,
               "queries": len(queries), "bytes": len(response.content)}
        if explain and connection.vendor == "postgresql":
            planning = execution = 0.0
            with connection.cursor() as cursor:
                for q in queries:
                    if q["sql"].startswith("SELECT"):
                        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + q["sql"])
                        plan = cursor.fetchone()[0]
                        plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]
                        planning += plan["Planning Time"]
                        execution += plan["Execution Time"]
            row.update(planning=planning, execution=execution)
        out[name] = row
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scales", default="1,250")
    ap.add_argument("--views", type=int, default=50, help="views of each page")
    ap.add_argument("--explain", action="store_true", help="PostgreSQL planning and execution time per page")
    ap.add_argument("--here", action="store_true", help=argparse.SUPPRESS)  # one scale, in this process
    args = ap.parse_args()
    if args.here:
        print(json.dumps(measure_here(args.views, args.explain)))
        return 0
    scales = [int(s) for s in args.scales.split(",")]
    results = {}
    for scale in scales:
        env = env_for(f"qiportal_bench_s{scale}")
        env["ALLOWED_HOSTS"] = "testserver"
        cmd = [sys.executable, __file__, "--here", "--views", str(args.views)] + (["--explain"] if args.explain else [])
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            print(done.stderr[-2000:], file=sys.stderr)
            raise SystemExit(f"scale {scale}: failed (has bench/pages.py created qiportal_bench_s{scale}?)")
        results[scale] = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"In-process cost per page, {args.views} views each, DEBUG=0, PostgreSQL, one process (no load)")
    header = f"{'page':28}" + "".join(f"  s{s}: cpu ms  queries   KB" + ("  plan ms  exec ms" if args.explain else "")
                                      for s in scales)
    print(header)
    for name in results[scales[0]]:
        row = f"{name:28}"
        for s in scales:
            r = results[s][name]
            row += f"  {r['cpu']:12.1f}  {r['queries']:7d}  {r['bytes'] / 1024:5.0f}"
            if args.explain:
                row += f"  {r.get('planning', 0):7.1f}  {r.get('execution', 0):7.1f}"
        print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
