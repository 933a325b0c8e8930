#!/usr/bin/env python
"""Nightly chart rendering at scale: a full run, then a run with 1 % of the measures changed.

    .venv/bin/python bench/render.py                      # SQLite at /tmp/render_bench.sqlite3, --scale 250
    .venv/bin/python bench/render.py --processes 2        # eager mode, chunks in 2 local processes
    DATABASE_URL=postgres://... .venv/bin/python bench/render.py   # a PostgreSQL database instead
    REDIS_URL=redis://127.0.0.1:6379/7 ... bench/render.py          # chunks to a running worker:
        REDIS_URL=... DATABASE_URL=... .venv/bin/celery -A qiportal worker -c 2

The database is built once (migrate + seed_demo --scale 250, about 23,000 measures) and reused.
Budget (issue 6): full run <= 60 s, 1 %-changed run <= 5 s. Also prints the queries of the SPC
summary over 50 and 500 measures (served from snapshots: they must not grow).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "sqlite:////tmp/render_bench.sqlite3"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=250)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--changed", type=float, default=1.0, help="percent of measures changed for run 2")
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiportal.settings")
    url = os.environ["DATABASE_URL"]
    manage = [sys.executable, str(ROOT / "manage.py")]
    fresh = url.startswith("sqlite:") and not Path(url.removeprefix("sqlite:///")).exists()
    subprocess.run([*manage, "migrate", "-v0"], check=True, cwd=ROOT)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from measures.models import Measure

    if fresh or not Measure.objects.exists():
        print(f"seeding --scale {args.scale} (once) ...", flush=True)
        subprocess.run([*manage, "seed_demo", "--scale", str(args.scale)], check=True, cwd=ROOT)
    run(args)


def finished(run):
    """With a real worker (REDIS_URL set) the chunks run there: wait for the last one to close the run."""
    deadline = time.monotonic() + 900
    while run.finished_at is None:
        if time.monotonic() > deadline:
            raise SystemExit(f"run {run.pk} did not finish: is a worker running on this broker and database?")
        time.sleep(0.05)
        run.refresh_from_db()
    return run


def run(args) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from measures import rendering, tasks
    from measures.models import DataPoint, Measure
    from measures.services import PointInput, load_summary, save_points

    n = Measure.objects.active().count()
    from django.conf import settings

    mode = "eager" + (f", {args.processes} processes" if args.processes > 1 else "") if (
        settings.CELERY_TASK_ALWAYS_EAGER) else "real Celery worker(s) via the broker"
    print(f"{connection.vendor}, {n} active measures, {DataPoint.objects.count()} points, {mode}")

    t = time.perf_counter()
    full = finished(rendering.render_all(force=True, processes=args.processes))
    took = time.perf_counter() - t
    print(f"full run:      {full.computed} computed, {full.failed} failed in {took:.1f} s "
          f"({(full.computed + full.failed) / took:.0f} measures/s)  budget 60 s", flush=True)

    # Change 1 % of the measures the way a person would, but hold back the after-commit render, so that the
    # nightly run is the one that finds and recomputes them.
    ids = list(Measure.objects.active().values_list("pk", flat=True))
    changed = random.Random(6).sample(ids, max(1, int(len(ids) * args.changed / 100)))
    delay = tasks.render_measure.delay
    tasks.render_measure.delay = lambda *a, **k: None
    try:
        last = {m: p for m, p in DataPoint.objects.filter(measure_id__in=changed).order_by(
            "measure_id", "period_start").values_list("measure_id", "period_start")}
        for m in Measure.objects.filter(pk__in=changed):
            if m.pk in last:
                point = DataPoint.objects.get(measure=m, period_start=last[m.pk])
                save_points(m, [PointInput(period_start=point.period_start, value=point.value,
                                           numerator=point.numerator, denominator=point.denominator,
                                           observations=point.observations,
                                           comment=f"bench correction {time.time()}")], by=None)
    finally:
        tasks.render_measure.delay = delay

    t = time.perf_counter()
    inc = finished(rendering.render_all(processes=args.processes))
    took = time.perf_counter() - t
    print(f"{args.changed:g} % changed: {inc.computed} computed, {inc.skipped} unchanged, {inc.failed} failed in "
          f"{took:.2f} s ({(inc.computed + inc.failed) / took:.0f} measures/s computed)  budget 5 s", flush=True)

    for size in (50, 500):
        measures = list(Measure.objects.active().for_list().order_by("pk")[:size])
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            load_summary(measures)
            took = time.perf_counter() - t
        print(f"summary of {size} measures from snapshots: {len(ctx.captured_queries)} queries, {took * 1000:.0f} ms")


if __name__ == "__main__":
    main()
