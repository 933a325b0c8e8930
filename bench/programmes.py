#!/usr/bin/env python
"""What the programme pages cost in-process: CPU, queries and kilobytes a view of each tab of the demo's
violence-reduction collaborative (10 wards at scale 1; 60 wards × its standard measures at any larger scale).

    .venv/bin/python bench/programmes.py                 # scale 1 (creates programmes_bench_s1 once)
    .venv/bin/python bench/programmes.py --scale 250     # seed_demo --scale 250 first: about 8 minutes
    .venv/bin/python bench/programmes.py --views 100

Its own PostgreSQL databases (`programmes_bench_s<N>`), DEBUG=0, no server and no concurrency, as
bench/page_cost.py measures the other pages.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import PG, PY, env_for  # noqa: E402

TABS = ["", "recruitment/", "sessions/", "package/", "spread/", "evaluation/"]


def measure_here(views: int) -> dict:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from organisation.models import User
    from programmes.demo import VIOLENCE
    from programmes.models import EnrolledMeasure, Programme

    programme = Programme.objects.get(title=VIOLENCE)
    client = Client()
    client.force_login(User.objects.get(username="qiadmin"))
    out = {"teams": programme.enrolments.count(),
           "charts": EnrolledMeasure.objects.filter(enrolment__programme=programme).count(), "pages": {}}
    for tab in TABS:
        path = f"/programmes/{programme.pk}/{tab}"
        for _ in range(3):
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code}")
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        queries = len(captured.captured_queries)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        for _ in range(views):
            client.get(path)
        out["pages"][tab or "overview/"] = {"cpu": 1000 * (time.process_time() - cpu0) / views,
                                            "wall": 1000 * (time.perf_counter() - wall0) / views,
                                            "queries": queries, "kb": len(response.content) / 1024}
    return out


def prepare(scale: int) -> dict:
    db = f"programmes_bench_s{scale}"
    env = env_for(db)
    env["ALLOWED_HOSTS"] = "testserver"
    exists = subprocess.run(["psql", PG + "/postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{db}'"],
                            capture_output=True, text=True).stdout.strip() == "1"
    if not exists:
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", db], check=True)
        subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        started = time.perf_counter()
        subprocess.run([PY, "manage.py", "seed_demo", "--scale", str(scale)], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        print(f"seed_demo --scale {scale}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    return env


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--views", type=int, default=50)
    ap.add_argument("--here", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.here:
        print(json.dumps(measure_here(args.views)))
        return 0
    env = prepare(args.scale)
    done = subprocess.run([sys.executable, __file__, "--here", "--views", str(args.views)], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        print(done.stderr[-2000:], file=sys.stderr)
        return 1
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"Programme pages at scale {args.scale}: {result['teams']} teams, {result['charts']} team charts; "
          f"{args.views} views each, in-process, DEBUG=0, PostgreSQL")
    print(f"{'page':14} {'cpu ms':>8} {'wall ms':>8} {'queries':>8} {'KB':>6}")
    for name, r in result["pages"].items():
        print(f"{name:14} {r['cpu']:8.1f} {r['wall']:8.1f} {r['queries']:8d} {r['kb']:6.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
