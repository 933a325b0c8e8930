"""What several benchmarks share: waiting for a server to answer, the locust page read, and the board's
whole-system measures. Plain functions; Django is imported only inside the one that needs it (after the
caller's django.setup())."""

from __future__ import annotations

import datetime as dt
import time
import urllib.request


def wait_healthy(port: int, tries: int = 60) -> bool:
    """Wait (a second between tries) until the server on `port` answers /health/. False if it never did."""
    for _ in range(tries):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2)
            return True
        except OSError:
            time.sleep(1)
    return False


class PageReads:
    """Mixed into a locust HttpUser: read a page as a person would (no redirect followed); anything but 200
    counts as a failure."""

    def get(self, name: str, path: str):
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")
            return r


def whole_system_measures(admin, n_measures: int, months: int, seed: int = 7) -> None:
    """`n_measures` trust-wide measures of the five usual chart types, `months` monthly points each from
    January 2024, a third of them shifting up and a third down in their last third: what a board report reads."""
    import numpy as np

    from measures.models import DataPoint, Domain, Measure

    rng = np.random.default_rng(seed)
    domains, charts = list(Domain), ["i", "p", "u", "c", "run"]
    start = dt.date(2024, 1, 1)
    points = []
    for k in range(n_measures):
        chart = charts[k % len(charts)]
        m = Measure.objects.create(
            name=f"Whole System Measure {k + 1:02d}", definition="Bench measure.", measure_type="outcome",
            chart_type=chart, improvement="decrease" if k % 2 else "increase", domain=domains[k % len(domains)],
            unit="%" if chart == "p" else "", multiplier=100 if chart == "p" else 1,
            target=(60.0 if chart == "p" else None), owner=admin)
        shift = 0.1 * (k % 3 - 1)
        for i in range(months):
            day = dt.date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1)
            later = shift if i >= months * 2 // 3 else 0.0
            if chart in ("p", "u"):
                den = float(rng.integers(800, 1200))
                num = float(rng.binomial(int(den), min(max(0.55 + later, 0.01), 0.99)))
                points.append(DataPoint(measure=m, period_start=day, numerator=num, denominator=den))
            elif chart == "c":
                points.append(DataPoint(measure=m, period_start=day, value=float(rng.poisson(8 * (1 + later)))))
            else:
                points.append(DataPoint(measure=m, period_start=day, value=float(rng.normal(50 * (1 + later), 4))))
    DataPoint.objects.bulk_create(points)
