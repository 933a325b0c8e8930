"""The nightly chart run at ward scale: 100,000 measures x 24-60 points (~4M points) on PostgreSQL.

    .venv/bin/python bench/nightly_scale.py --seed            # create and fill the database spc_bench
    .venv/bin/python bench/nightly_scale.py [--concurrency 2] # full forced run, then 1 % of measures changed
    .venv/bin/python bench/nightly_scale.py --profile 2000    # where a chunk's time goes, in this process

Seeding goes straight to the tables with COPY (one directorate, 500 wards, measures of charts run, i, p,
u, c, monthly points); it never touches another database. The runs use a real Celery worker
(`celery -A qiportal worker`, prefork, `--concurrency` processes) on Redis DB 4, as deployed: render_all
queues one task a chunk and the bench waits for the run to be finished. It prints the wall time, measures
a second, and the peak RSS of this process and of the worker processes (VmHWM).
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB = "spc_bench"
os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB}"
os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/4"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiportal.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from measures.models import RenderRun  # noqa: E402

MIX = (("run", 0.20), ("i", 0.30), ("p", 0.20), ("u", 0.15), ("c", 0.15))
WARDS = 500


def _psql(sql: str, db: str = "postgres") -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-qc", sql], check=True)


def seed(measures: int, seed_: int = 16) -> None:
    exists = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-tAc",
                             f"SELECT 1 FROM pg_database WHERE datname = '{DB}'"], capture_output=True, text=True)
    if exists.stdout.strip() != "1":
        _psql(f"CREATE DATABASE {DB}")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True, env=os.environ)
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed_)
    with connection.cursor() as c:
        c.execute("TRUNCATE measures_measure, organisation_directorate, organisation_team CASCADE")
        c.execute("INSERT INTO organisation_directorate (name, slug, kind) VALUES ('Bench', 'bench', 'mental_health') "
                  "RETURNING id")
        directorate = c.fetchone()[0]
        c.execute("INSERT INTO organisation_team (name, kind, site, active, directorate_id) "
                  "SELECT 'Ward ' || g, 'ward', '', true, %s FROM generate_series(1, %s) g RETURNING id",
                  [directorate, WARDS])
        teams = [r[0] for r in c.fetchall()]
    charts = rng.choice([c for c, _ in MIX], size=measures, p=[p for _, p in MIX])
    lengths = rng.integers(24, 61, size=measures)
    now = timezone.now().isoformat()
    buf = io.StringIO()
    for i in range(measures):
        ratio = charts[i] in ("p", "u")
        buf.write(f"Indicator {i}\tBench indicator\t{'Cases' if ratio else ''}\t{'Patients' if ratio else ''}\t\t\t"
                  f"outcome\tmonth\t{charts[i]}\t{'increase' if i % 2 else 'decrease'}\t\\N\t\t1\tfalse\t\t\t"
                  f"false\ttrue\t{now}\t{now}\t{teams[i % WARDS]}\n")
    buf.seek(0)
    raw = connection.connection
    with raw.cursor() as c:
        c.copy_expert("COPY measures_measure (name, definition, numerator, denominator, collection, exclusions, "
                      "measure_type, period, chart_type, improvement, target, unit, multiplier, early_warning, "
                      "domain, method, show_2sigma, active, created_at, updated_at, team_id) FROM STDIN", buf)
        c.execute("SELECT id FROM measures_measure ORDER BY id")
        ids = [r[0] for r in c.fetchall()]
    tail = f"\t\tfalse\t\t{now}\n"  # comment, excluded, exclusion_reason, entered_at
    months = [f"{2021 + (m // 12)}-{m % 12 + 1:02d}-01" for m in range(60)]
    total = 0
    for start in range(0, measures, 5000):
        buf = io.StringIO()
        for i in range(start, min(start + 5000, measures)):
            k = int(lengths[i])
            shift = np.where(np.arange(k) >= k // 2, 1.0, 0.0) * (rng.random() < 0.25)
            chart = charts[i]
            if chart in ("p", "u"):
                n = rng.integers(20, 200, k)
                v = rng.binomial(n, 0.2 + 0.05 * shift) if chart == "p" else rng.poisson(n * (0.5 + 0.1 * shift))
                rows = (f"{ids[i]}\t{months[60 - k + j]}\t\\N\t{v[j]}\t{n[j]}{tail}" for j in range(k))
            else:
                v = rng.poisson(8 + 3 * shift) if chart == "c" else np.round(rng.normal(50 + 5 * shift, 5), 1)
                rows = (f"{ids[i]}\t{months[60 - k + j]}\t{v[j]}\t\\N\t\\N{tail}" for j in range(k))
            buf.writelines(rows)
            total += k
        buf.seek(0)
        with raw.cursor() as c:
            c.copy_expert("COPY measures_datapoint (measure_id, period_start, value, numerator, denominator, comment, "
                          "excluded, exclusion_reason, entered_at) FROM STDIN", buf)
    raw.commit()
    with connection.cursor() as c:
        c.execute("ANALYZE")
    print(f"seeded {measures:,} measures, {total:,} points in {time.perf_counter() - t0:.1f} s")


class Worker:
    """A real Celery worker on Redis DB 4, as deployed (prefork on this 2-core machine)."""

    def __init__(self, concurrency: int) -> None:
        subprocess.run(["redis-cli", "-n", "4", "FLUSHDB"], check=True, capture_output=True)
        self.proc = subprocess.Popen(
            [str(ROOT / ".venv/bin/celery"), "-A", "qiportal", "worker", "--pool=prefork",
             f"--concurrency={concurrency}", "--loglevel=WARNING", "--without-gossip", "--without-mingle",
             "--without-heartbeat"], cwd=ROOT, env=os.environ)
        time.sleep(6)

    def pids(self) -> list[int]:
        pids = [self.proc.pid]
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        if children.exists():
            pids += [int(p) for p in children.read_text().split()]
        return pids

    def cpu_seconds(self) -> float:
        """User + system CPU of the worker and its pool processes so far: on a shared machine the wall time
        says how busy the others are; this says what the run costs."""
        tick = os.sysconf("SC_CLK_TCK")
        return sum(sum(int(v) for v in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[11:13])
                   for pid in self.pids()) / tick

    def peak_rss_mb(self) -> float:
        """VmHWM of the worker and its pool processes."""
        peaks = []
        for pid in self.pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return max(peaks)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def timed_run(force: bool) -> tuple[float, RenderRun]:
    from measures.rendering import render_all

    t0 = time.perf_counter()
    run = render_all(force=force)
    while run.finished_at is None:
        time.sleep(0.2)
        run.refresh_from_db()
    return time.perf_counter() - t0, run


def change_some(share: float, seed_: int = 4) -> int:
    """A new value on the latest point of `share` of the measures, as a data entry would (services.touch)."""
    with connection.cursor() as c:
        c.execute("SELECT id FROM measures_measure ORDER BY id")
        ids = [r[0] for r in c.fetchall()]
    rng = np.random.default_rng(seed_)
    chosen = rng.choice(ids, size=max(1, int(len(ids) * share)), replace=False).tolist()
    with connection.cursor() as c:
        c.execute("UPDATE measures_datapoint d SET value = value + 1, numerator = numerator + 1 "
                  "WHERE measure_id = ANY(%s) AND period_start = (SELECT max(period_start) FROM measures_datapoint "
                  "WHERE measure_id = d.measure_id)", [chosen])
        c.execute("UPDATE measures_measure SET updated_at = now() WHERE id = ANY(%s)", [chosen])
    return len(chosen)


def profile(n: int) -> None:
    import cProfile
    import pstats

    from measures.models import Measure, SPCConfig
    from measures.rendering import compute, save_snapshots

    ids = list(Measure.objects.order_by("pk").values_list("pk", flat=True)[:n])
    config = SPCConfig.current()
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    snaps, _ = compute(ids, config)
    t1 = time.perf_counter()
    from django.db import transaction

    with transaction.atomic():
        save_snapshots(snaps)
    prof.disable()
    t2 = time.perf_counter()
    print(f"{n} measures: compute {t1 - t0:.2f} s, save {t2 - t1:.2f} s (under the profiler)")
    pstats.Stats(prof).sort_stats("cumulative").print_stats(30)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", action="store_true")
    ap.add_argument("--measures", type=int, default=100_000)
    ap.add_argument("--concurrency", type=int, default=2)
    ap.add_argument("--changed", type=float, default=0.01)
    ap.add_argument("--profile", type=int, default=0)
    args = ap.parse_args()
    if args.seed:
        seed(args.measures)
        return 0
    if args.profile:
        profile(args.profile)
        return 0
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM measures_measure")
        n_measures = c.fetchone()[0]
        c.execute("SELECT count(*) FROM measures_datapoint")
        n_points = c.fetchone()[0]
    print(f"database {DB}: {n_measures:,} measures, {n_points:,} points; worker prefork x{args.concurrency}, "
          "Redis DB 4")
    worker = Worker(args.concurrency)
    try:
        cpu0, load0 = worker.cpu_seconds(), os.getloadavg()[0]
        full, run = timed_run(force=True)
        cpu = worker.cpu_seconds() - cpu0
        per = cpu / max(run.computed, 1) * 1e3
        print(f"full nightly run: {full:.1f} s, {run.computed:,} computed, {run.failed} failed, {run.chunks} chunks "
              f"-> {run.computed / full:,.0f} measures/s; worker CPU {cpu:.1f} s ({per:.2f} ms a measure); "
              f"load average {load0:.1f} -> {os.getloadavg()[0]:.1f}")
        changed = change_some(args.changed)
        cpu0 = worker.cpu_seconds()
        part, run = timed_run(force=False)
        print(f"{args.changed:.0%} changed ({changed:,} measures): {part:.2f} s, {run.computed:,} computed, "
              f"{run.skipped:,} skipped; worker CPU {worker.cpu_seconds() - cpu0:.1f} s")
        print(f"peak RSS: worker {worker.peak_rss_mb():.0f} MB (largest process), this process "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    finally:
        worker.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
