"""A plain-language reading of an analysed series, written from the result alone."""

from __future__ import annotations

from collections.abc import Sequence

from .engine import PhaseSummary, SPCResult
from .fmt import fmt_number
from .rules import COMMON, CONCERN, IMPROVEMENT


def _side_word(result: SPCResult) -> str:
    return "median" if result.chart in ("run", "g") else "mean"


def _signal_sentence(result: SPCResult, x: Sequence[str], last: int, unit: str) -> str:
    """Describe the special cause that the last point belongs to."""
    pt = result.point_type[last]
    rule = result.rule[last] or ""
    p = result.phases[int(result.phase[last])]
    # The stretch of same-typed points (missing ones skipped) that ends at the last point.
    first = last
    i = last - 1
    while i >= p.start:
        if result.missing[i]:
            i -= 1
            continue
        if result.point_type[i] != pt:
            break
        first = i
        i -= 1
    count = sum(1 for j in range(first, last + 1) if not result.missing[j])
    kind = {IMPROVEMENT: "Special cause improvement", CONCERN: "Special cause concern"}.get(
        pt, "Special cause variation (neither improvement nor concern)")
    high = result.signal[last] > 0
    side = "above" if high else "below"
    rules = [result.rule[j] or "" for j in range(first, last + 1) if not result.missing[j]]
    # Describe the stretch by its broadest rule: a shift, then a trend, then single points.
    if any("Points" in r or r.startswith(("Run of", "Shift")) for r in rules):
        what = f"{count} points {side} the {_side_word(result)}"
    elif any("Trend" in r for r in rules):
        what = f"{count} points in a row {'rising' if high else 'falling'}"
    elif rule.startswith("Astronomical"):
        what = (f"the latest point ({fmt_number(float(result.y[last]), unit)}) is an astronomical point, far "
                f"{side} the rest of the data" if count == 1 else f"{count} astronomical points in a row")
    elif rule.endswith("UCL") or rule.endswith("LCL"):
        limit = "upper" if high else "lower"
        what = (f"the latest point ({fmt_number(float(result.y[last]), unit)}) is {side} the {limit} limit"
                if count == 1 else f"{count} points in a row outside the {limit} limit or close to it")
    else:
        what = f"two of three points close to the {'upper' if high else 'lower'} limit"
    since = f" since {x[first]}" if count > 1 else f" at {x[last]}"
    return f"{kind}{since}: {what}."


def _runs_sentence(result: SPCResult, p: PhaseSummary, word: str) -> str | None:
    """The phase's runs signal in words (IHI runs test or Anhøj rules), if there is one."""
    runs = p.runs
    if result.method == "ihi" and runs.signal and runs.n_runs is not None:
        many = runs.n_runs_max is not None and runs.n_runs > runs.n_runs_max
        return (f"Non-random variation: {runs.n_runs} runs about the median, too {'many' if many else 'few'} "
                f"for chance ({runs.n_runs_min}–{runs.n_runs_max} expected for {runs.n_useful} points).")
    if result.method == "anhoej" and runs.signal and runs.longest_run is not None:
        if runs.longest_run_max is not None and runs.longest_run > runs.longest_run_max:
            side = _long_run_side(result, p.start, p.stop)
            return f"Non-random variation: a run of {runs.longest_run} points {side} the {word}."
        return (f"Non-random variation: the {word} is crossed only {runs.n_crossings} times where "
                f"at least {runs.n_crossings_min} crossings are expected.")
    return None


def describe(result: SPCResult, x: Sequence[str], *, measure_name: str = "", unit: str = "") -> str:
    """A few sentences for people who do not read control charts every day.

    x: one label per point (e.g. "Mar 2025"), used to say when a signal started.
    """
    if len(x) != len(result):
        raise ValueError(f"{len(x)} x labels for {len(result)} points")
    out: list[str] = []
    name = f"{measure_name}: " if measure_name else ""
    if len(result) == 0 or result.missing.all():
        return f"{name}No data yet."
    last = result.last_index if result.last_index is not None else len(result) - 1
    p = result.phases[int(result.phase[last])]
    centre = fmt_number(p.cl, unit)
    word = _side_word(result)
    special = result.point_type[last] != COMMON
    runs_sentence = _runs_sentence(result, p, word)
    if result.chart != "run" and p.trial_limits:
        out.append(f"Too few points for limits yet ({p.n_baseline} so far): read it as a run chart; "
                   "the limits shown are trial limits.")
    if special:
        out.append(_signal_sentence(result, x, last, unit))
    elif runs_sentence:
        out.append(runs_sentence)
    elif result.chart == "run" or p.trial_limits:
        out.append(f"Random variation around the {word} of {centre}: no signal.")
    else:
        out.append(f"Common cause variation: the process is stable around {centre}.")
    if not special:
        earlier = [i for i in range(p.start, p.stop) if result.point_type[i] != COMMON]
        if earlier:
            out.append(f"Earlier in this period {len(earlier)} point{'s' if len(earlier) > 1 else ''} signalled "
                       f"special cause (latest {x[earlier[-1]]}).")
    if result.target is not None and result.assurance_type is not None:
        t = fmt_number(result.target, unit)
        if result.assurance_type == "consistent_pass":
            out.append(f"The target of {t} is reliably met (it lies outside the limits, on the good side).")
        elif result.assurance_type == "consistent_fail":
            out.append(f"The target of {t} will not be met without a change to the process "
                       "(it lies outside the limits, on the wrong side).")
        else:
            out.append(f"The target of {t} is not reliably met (it sits inside the limits): the process will "
                       "hit and miss it by chance.")
    if len(result.phases) > 1:
        out.append(f"Limits recalculated from {x[result.phases[-1].start]}.")
    n_excl = int((~result.included).sum())
    if n_excl:
        out.append(f"{n_excl} point{'s are' if n_excl > 1 else ' is'} left out of the calculations.")
    if result.method == "ihi":
        out.append("Read with the IHI run-chart rules (a shift of 6, a trend of 5, too few or too many runs, "
                   "an astronomical point).")
    return name + " ".join(out)


def _long_run_side(result: SPCResult, start: int, stop: int) -> str:
    for i in range(start, stop):
        if result.rule[i] and result.rule[i].startswith("Run of"):  # type: ignore[union-attr]
            return "above" if result.signal[i] > 0 else "below"
    # MDC method on a run chart: the longest stretch on one side
    best, side, cur, cur_side = 0, "on one side of", 0, 0.0
    for i in range(start, stop):
        r = result.relative_to_mean[i]
        if r != r or r == 0:
            continue
        cur = cur + 1 if r == cur_side else 1
        cur_side = r
        if cur > best:
            best, side = cur, "above" if r > 0 else "below"
    return side
