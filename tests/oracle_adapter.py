"""Adapter from the SPC oracle harness (../shared/spc-oracle/check_against.py) to the spc engine.

    python ../shared/spc-oracle/check_against.py --callable tests/oracle_adapter.py:compute

Each case names the R package whose semantics to reproduce; this maps them onto explicit engine
settings. Deliberate difference: where NHSRplotthedots stops with an error (a missing value inside
a 7-point trend window), the engine returns a result, so such cases fail under --strict-errors.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from spc import SPCSettings, analyse  # noqa: E402

# NHSRplotthedots warns about short rebase groups when n() < 13 (its message says "n < 12").
PTD_SHORT_GROUP = 13


def _f(v: float) -> float | None:
    return None if math.isnan(v) else float(v)


def compute(case: dict[str, Any]) -> dict[str, Any]:
    if case["engine"] == "qicharts2":
        return _qicharts2(case)
    if case["engine"] == "ptd":
        return _ptd(case)
    raise NotImplementedError(case["engine"])


def _qicharts2(case: dict[str, Any]) -> dict[str, Any]:
    opts = case.get("options") or {}
    settings = SPCSettings.anhoej(screen_moving_ranges=bool(opts.get("screened_mr", False)),
                                  icon_skips_missing=False)
    phase_starts = case.get("phase_starts") or []
    r = analyse(
        case["y"], chart=case["chart"], denominators=case.get("n"), subgroups=case.get("x"),
        phase_starts=phase_starts,
        freeze=None if phase_starts else case.get("freeze"),  # qicharts2 ignores freeze with parts
        exclude=case.get("exclude") or [], multiply=case.get("multiply") or 1, settings=settings,
    )
    out: dict[str, Any] = {k: [_f(v) for v in getattr(r, k).tolist()]
                           for k in ("y", "cl", "lcl", "ucl", "lcl_95", "ucl_95")}
    out["part"] = (r.phase + 1).tolist()
    out["baseline"] = r.baseline.tolist()
    out["include"] = r.included.tolist()
    out["sigma_signal"] = r.sigma_signal.tolist()
    out["runs_signal"] = r.runs_signal.tolist()
    for name in ("n_obs", "n_useful", "longest_run", "longest_run_max", "n_crossings", "n_crossings_min"):
        out[name] = [getattr(r.phases[p].runs, name) for p in r.phase.tolist()]
    return out


def _ptd(case: dict[str, Any]) -> dict[str, Any]:
    opts = case.get("options") or {}
    settings = SPCSettings.mdc(
        screen_moving_ranges=bool(opts.get("screen_outliers", True)),
        precedence="rule_order",  # ptd: the first matching rule wins
        freeze_each_phase=True,  # fix_after_n_points applies within each rebase group
        icon_skips_missing=False,  # ptd reads the icon from the last row even when it is missing
    )
    r = analyse(case["y"], chart="i", phase_starts=case.get("phase_starts") or [],
                freeze=case.get("fix_after_n_points"), settings=settings,
                improvement=case.get("improvement") or "increase", target=case.get("target"))
    k = len(r)
    # R's three-valued logic: a missing value or missing limits make these comparisons NA.
    no_limits = r.missing | np.isnan(r.ucl) | np.isnan(r.lcl)
    out: dict[str, Any] = {
        "rebase_group": r.phase.tolist(),
        "short_group_warning": [r.phases[p].n_points < PTD_SHORT_GROUP for p in r.phase.tolist()],
        "mean": [_f(v) for v in r.cl.tolist()],
        "lpl": [_f(v) for v in r.lcl.tolist()],
        "upl": [_f(v) for v in r.ucl.tolist()],
        "outside_limits": [None if no_limits[i] else bool(r.outside[i]) for i in range(k)],
        "relative_to_mean": [None if math.isnan(v) else int(v) for v in r.relative_to_mean.tolist()],
        "close_to_limits": [None if no_limits[i] else bool(r.close_to_limits[i]) for i in range(k)],
        "special_cause_type": [x or "Common Cause" for x in r.rule],
        "special_cause_flag": [x is not None for x in r.rule],
        "point_type": list(r.point_type),
    }
    groups = []
    for p in r.phases:
        flagged = p.n_improvement + p.n_concern + p.n_neutral
        groups.append({
            "rebase_group": p.index, "mean_col": p.cl, "lpl": p.lcl, "upl": p.ucl, "n": p.n_points,
            "common_cause": p.n_points - flagged, "special_cause_improvement": p.n_improvement,
            "special_cause_concern": p.n_concern, "variation_type": p.variation_type,
        })
    out["series"] = {
        "variation_type": r.variation_type, "variation_icon": r.variation_icon,
        "assurance_type": r.assurance_type, "assurance_icon": r.assurance_icon, "groups": groups,
    }
    return out
