"""Benchmark of the SPC engine's batch path (the nightly recompute of every chart).

    .venv/bin/python bench/spc.py [--series 100000] [--points 36] [--sample 3000]

Analyses 100,000 series of 36 points of mixed chart types (i, p, u, c, run) with the vectorised
spc.batch.analyse_many on one core, then runs a straightforward per-point pure-Python
implementation of the same rules on a sample in the same process, checks that the two agree on
that sample, and extrapolates its time. Phases, frozen baselines and exclusions are not in the
batch path (such series use spc.analyse one at a time); this bench has none.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from spc import SPCSettings, analyse  # noqa: E402
from spc.batch import analyse_many  # noqa: E402
from spc.icons import VARIATION_ICONS  # noqa: E402

MIX = (("i", 0.30), ("p", 0.20), ("u", 0.15), ("c", 0.15), ("run", 0.20))
TARGET = {"i": 50.0, "p": 0.2, "u": 0.5, "c": 8.0, "run": None}


def make_data(chart: str, S: int, P: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray | None]:
    n = None
    shift = np.where(rng.random((S, 1)) < 0.25, (np.arange(P) >= P // 2) * 1.0, 0.0)
    if chart == "p":
        n = rng.integers(20, 200, (S, P)).astype(float)
        v = rng.binomial(n.astype(int), 0.2 + 0.05 * shift).astype(float)
    elif chart == "u":
        n = rng.integers(50, 500, (S, P)).astype(float)
        v = rng.poisson(n * (0.5 + 0.1 * shift)).astype(float)
    elif chart == "c":
        v = rng.poisson(8 + 3 * shift).astype(float)
    else:
        v = np.round(rng.normal(50 + 5 * shift, 5), 1)
    v[rng.random((S, P)) < 0.03] = np.nan
    return v, n


# ---------------------------------------------------------------- naive per-point reference


def naive(vals: list, dens: list | None, chart: str, target: float | None) -> tuple:
    """Making Data Count rules, point by point, in plain Python (improvement direction: increase)."""
    P = len(vals)
    L = T = 7
    if chart in ("p", "u"):
        y: list = []
        nums, ns = [], []
        for v, n in zip(vals, dens):  # type: ignore[arg-type]
            if v is None or n is None:
                y.append(None)
                ns.append(0.0)
                continue
            nums.append(v)
            ns.append(n)
            y.append(v / n if n > 0 else None)
        tot = math.fsum(ns)
        cl = math.fsum(nums) / tot if tot > 0 else None
        lcl, ucl, l95, u95 = [None] * P, [None] * P, [None] * P, [None] * P
        for i in range(P):
            if cl is None or ns[i] <= 0:
                continue
            sd = math.sqrt(cl * (1 - cl) / ns[i]) if chart == "p" else math.sqrt(cl / ns[i])
            lo, hi, lo2, hi2 = cl - 3 * sd, cl + 3 * sd, cl - 2 * sd, cl + 2 * sd
            lo, lo2 = max(lo, 0.0), max(lo2, 0.0)
            if chart == "p":
                hi, hi2 = min(hi, 1.0), min(hi2, 1.0)
            lcl[i], ucl[i], l95[i], u95[i] = lo, hi, lo2, hi2
        cls = [cl] * P
    else:
        y = list(vals)
        present = [v for v in y if v is not None]
        if chart == "run":
            s = sorted(present)
            k = len(s)
            cl = None if not k else (s[k // 2] if k % 2 else (s[k // 2 - 1] + s[k // 2]) / 2)
            lo = hi = lo2 = hi2 = None
        else:
            cl = math.fsum(present) / len(present) if present else None
            if chart == "c":
                sd = math.sqrt(cl) if cl is not None else None
                lo = hi = lo2 = hi2 = None
                if sd is not None and cl is not None:
                    lo, hi, lo2, hi2 = max(cl - 3 * sd, 0.0), cl + 3 * sd, max(cl - 2 * sd, 0.0), cl + 2 * sd
            else:
                mr = [abs(y[i] - y[i - 1]) for i in range(1, P) if y[i] is not None and y[i - 1] is not None]
                amr = math.fsum(mr) / len(mr) if mr else None
                if amr is not None:
                    kept = [m for m in mr if m < 3.267 * amr]
                    amr = math.fsum(kept) / len(kept) if kept else None
                lo = hi = lo2 = hi2 = None
                if amr is not None and cl is not None:
                    near = 2 * (2.66 / 3)
                    lo, hi, lo2, hi2 = cl - 2.66 * amr, cl + 2.66 * amr, cl - near * amr, cl + near * amr
        cls = [cl] * P
        lcl, ucl, l95, u95 = [lo] * P, [hi] * P, [lo2] * P, [hi2] * P

    def sign(a: float) -> int:
        return (a > 0) - (a < 0)

    rel = [None if (y[i] is None or cls[i] is None) else sign(y[i] - cls[i]) for i in range(P)]
    outside = [y[i] is not None and ((ucl[i] is not None and y[i] > ucl[i]) or (lcl[i] is not None and y[i] < lcl[i]))
               for i in range(P)]
    close, known = [False] * P, [False] * P
    for i in range(P):
        if y[i] is None:
            continue
        c = not outside[i] and ((l95[i] is not None and y[i] < l95[i]) or (u95[i] is not None and y[i] > u95[i]))
        close[i] = c
        known[i] = c or (l95[i] is not None and u95[i] is not None)
    cands: list[list[tuple[int, int]]] = [[] for _ in range(P)]
    for i in range(P):
        if outside[i]:
            cands[i].append((1 if rel[i] == 1 else -1, 1))
    member = [False] * P
    for i in range(T - 1, P):
        w = y[i - T + 1:i + 1]
        if any(v is None for v in w):
            continue
        if all(w[j + 1] > w[j] for j in range(T - 1)) or all(w[j + 1] < w[j] for j in range(T - 1)):
            for j in range(i - T + 1, i + 1):
                member[j] = True
    for i in range(P):
        if member[i]:
            # direction from the right-hand difference if the next point is in a trend too
            right = i + 1 < P and member[i + 1]
            up = y[i + 1] > y[i] if right else y[i] > y[i - 1]
            cands[i].append((1 if up else -1, 2))
    tw = [0] * P
    for s in range(P - 2):
        idx = range(s, s + 3)
        if (all(rel[j] is not None and known[j] for j in idx) and abs(sum(rel[j] for j in idx)) == 3  # type: ignore[misc]
                and sum(close[j] for j in idx) >= 2):
            for j in idx:
                if close[j]:
                    tw[j] = rel[j]  # type: ignore[assignment]
    for i in range(P):
        if tw[i]:
            cands[i].append((tw[i], 3))
    sh = [0] * P
    for i in range(L - 1, P):
        w = rel[i - L + 1:i + 1]
        if w[0] in (1, -1) and all(r == w[0] for r in w):
            for j in range(i - L + 1, i + 1):
                sh[j] = w[0]  # type: ignore[assignment]
    for i in range(P):
        if sh[i]:
            cands[i].append((sh[i], 4))
    signal, rule = [0] * P, [0] * P
    for i in range(P):
        if cands[i]:
            good = [c for c in cands[i] if c[0] == 1]  # improvement wins
            signal[i], rule[i] = (good or cands[i])[0]
    last = max((i for i in range(P) if y[i] is not None), default=None)
    icon = None if last is None else ("common_cause" if signal[last] == 0 else
                                      "improvement_high" if signal[last] == 1 else "concern_low")
    assurance = None
    if last is not None and target is not None and chart != "run":
        if ucl[last] is not None and target > ucl[last]:
            assurance = "consistent_fail"
        elif lcl[last] is not None and target < lcl[last]:
            assurance = "consistent_pass"
        else:
            assurance = "inconsistent"
    return cls, ucl, signal, rule, icon, assurance


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--series", type=int, default=100_000)
    ap.add_argument("--points", type=int, default=36)
    ap.add_argument("--sample", type=int, default=3000, help="series run through the naive reference")
    args = ap.parse_args()
    rng = np.random.default_rng(2025)
    settings = SPCSettings.mdc()
    S, P = args.series, args.points
    groups = []
    for chart, share in MIX:
        k = int(round(S * share))
        v, n = make_data(chart, k, P, rng)
        groups.append((chart, v, n))
    total = sum(g[1].shape[0] for g in groups)

    analyse_many(groups[0][1][:100], chart="i", settings=settings)  # warm-up
    t0 = time.perf_counter()
    results = {}
    for chart, v, n in groups:
        results[chart] = analyse_many(v, chart=chart, denominators=n, settings=settings, target=TARGET[chart])
    fast = time.perf_counter() - t0

    # Naive reference on a proportional sample, same process; check agreement on it.
    naive_time = 0.0
    engine_time = 0.0
    sampled = 0
    mismatches = 0
    for chart, v, n in groups:
        k = max(1, int(round(args.sample * v.shape[0] / total)))
        rows = [[None if math.isnan(x) else x for x in v[s].tolist()] for s in range(k)]
        drows = None if n is None else [[None if math.isnan(x) else x for x in n[s].tolist()] for s in range(k)]
        t0 = time.perf_counter()
        out = [naive(rows[s], None if drows is None else drows[s], chart, TARGET[chart]) for s in range(k)]
        naive_time += time.perf_counter() - t0
        t0 = time.perf_counter()
        for s in range(k):
            analyse(v[s], chart=chart, denominators=None if n is None else n[s], settings=settings,
                    target=TARGET[chart])
        engine_time += time.perf_counter() - t0
        b = results[chart]
        for s, (cls, ucl, signal, rule, icon, assurance) in enumerate(out):
            ok = signal == b.signal[s].tolist() and rule == b.rule[s].tolist()
            ok = ok and all((c is None and math.isnan(bc)) or c == bc for c, bc in zip(cls, b.cl[s].tolist()))
            ok = ok and all((u is None and math.isnan(bu)) or (u is not None and math.isclose(u, bu, rel_tol=1e-12))
                            for u, bu in zip(ucl, b.ucl[s].tolist()))
            bi = b.variation_icon[s]
            ok = ok and icon == (VARIATION_ICONS[bi] if bi >= 0 else None)
            ba = b.assurance[s]
            ok = ok and assurance == (("consistent_pass", "consistent_fail", "inconsistent")[ba] if ba >= 0 else None)
            mismatches += not ok
        sampled += k

    naive_full = naive_time / sampled * total
    engine_full = engine_time / sampled * total
    print(f"series: {total:,} x {P} points ({', '.join(f'{c} {g.shape[0]:,}' for c, g, _ in groups)}), "
          f"settings: MDC (2.66, screened mR, 7-point shift/trend, 2-of-3), 1 thread")
    print(f"points: {total * P:,}")
    print(f"batch seconds: {fast:.3f}")
    print(f"batch series/s: {total / fast:,.0f}")
    print(f"naive pure-Python per-point: {naive_time:.3f} s on {sampled:,} series -> "
          f"{naive_full:.1f} s extrapolated to {total:,}")
    print(f"ratio naive/batch: {naive_full / fast:.0f}x")
    print(f"per-series engine spc.analyse: {engine_time:.3f} s on {sampled:,} series -> "
          f"{engine_full:.1f} s extrapolated ({engine_full / fast:.0f}x the batch path)")
    print(f"agreement batch vs naive on the sample: {sampled - mismatches:,}/{sampled:,} series identical")
    return 0 if mismatches == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
