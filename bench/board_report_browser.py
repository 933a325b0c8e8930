#!/usr/bin/env python
"""How quickly the board report appears in a browser, with 40 Whole System Measures.

    .venv/bin/python bench/board_report_browser.py                 # 40 measures, 24 months, 7 runs
    .venv/bin/python bench/board_report_browser.py --runs 11 --measures 60 --draft

Builds a throwaway SQLite database in a temporary directory (migrated; 40 measures with two years of
monthly data; a board member), publishes a report (which freezes its content; --draft also times the live
preview the QI department reads), starts the development server on it (DEBUG=1, static files served by
WhiteNoise from the finders, plotly.min.js from the plotly package as the product serves it) and opens the
report in headless chromium (Debian's /usr/bin/chromium, 1280x900) through Playwright, signed in as the
board member. Each run is a fresh browser context, so nothing is cached: a first visit.

Figures per run, in ms from the start of navigation:
- response: first byte of the HTML (the server's time to render the page);
- DOMContentLoaded and load: the load event's end (the page's scripts and styles fetched and run);
- first chart: the first SPC chart of a measure in the DOM with a size (static SVG or Plotly's), at the
  next animation frame;
- LCP: the largest contentful paint Chromium reports;
and the HTML's size. Budget (issue 21): the report appears within 1.5 s (load and LCP).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
BUDGET_MS = 1500
PASSWORD = "bench-password-not-secret"

# Recorded in the page from its first byte: the first measure chart with a size, and Chromium's LCP.
PROBE = """
(() => {
  const bench = window.__bench = {firstChart: null, lcp: null};
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) { bench.lcp = e.startTime; }
    }).observe({type: "largest-contentful-paint", buffered: true});
  } catch (e) { /* no LCP in this browser */ }
  const selector = ".measure-chart-wrap svg.spc-chart, .measure-chart-wrap svg.main-svg";
  function look() {
    if (bench.firstChart !== null) { return; }
    const el = document.querySelector(selector);
    if (el && el.getBoundingClientRect().height > 0) {
      requestAnimationFrame(() => { if (bench.firstChart === null) { bench.firstChart = performance.now(); } });
      observer.disconnect();
    }
  }
  const observer = new MutationObserver(look);
  observer.observe(document, {childList: true, subtree: true});
})();
"""

READ = """
() => {
  const nav = performance.getEntriesByType("navigation")[0];
  return {response: nav.responseStart, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
          firstChart: window.__bench.firstChart, lcp: window.__bench.lcp, bytes: nav.decodedBodySize,
          transferred: nav.transferSize};
}
"""


def seed(n_measures: int, months: int) -> dict[str, int]:
    """The measures (as bench/board_pdf.py makes them), a board member, and the report(s) to open."""
    from benchlib import whole_system_measures

    from board import services
    from organisation.models import Role, RoleAssignment, User

    admin = User.objects.create(username="bench-admin", display_name="Bench Admin")
    RoleAssignment.objects.create(user=admin, role=Role.QI_ADMIN)
    reader = User.objects.create(username="bench-board", display_name="Bench Board Member")
    reader.set_password(PASSWORD)
    reader.save()
    RoleAssignment.objects.create(user=reader, role=Role.BOARD)
    whole_system_measures(admin, n_measures, months)
    published = services.publish(services.create_draft(meeting_date=dt.date.today(), by=admin), by=admin)
    draft = services.create_draft(meeting_date=dt.date.today() + dt.timedelta(days=28), by=admin)
    RoleAssignment.objects.create(user=reader, role=Role.QI_ADMIN)  # so the same person may read the draft
    return {"published": published.pk, "draft": draft.pk}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict[str, str], port: int) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2)
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("the development server did not start") from None
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("the development server did not answer within 60 s")


def measure(base: str, paths: dict[str, str], runs: int) -> dict[str, list[dict]]:
    from playwright.sync_api import sync_playwright

    results: dict[str, list[dict]] = {name: [] for name in paths}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        login = browser.new_context()
        page = login.new_page()
        page.goto(f"{base}/login/")
        page.get_by_label("Username").fill("bench-board")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{base}/")
        state = login.storage_state()
        login.close()
        for name, path in paths.items():
            for run in range(runs + 1):  # the first run warms the server (templates, imports); not counted
                context = browser.new_context(storage_state=state, viewport={"width": 1280, "height": 900})
                page = context.new_page()
                page.add_init_script(PROBE)
                page.goto(f"{base}{path}", wait_until="load")
                page.wait_for_function("() => window.__bench.firstChart !== null", timeout=30_000)
                page.wait_for_timeout(500)  # LCP settles after the last paint
                figures = page.evaluate(READ)
                context.close()
                if run:
                    results[name].append(figures)
        browser.close()
    return results


def report(results: dict[str, list[dict]], n_measures: int) -> None:
    labels = [("response", "HTML first byte"), ("dcl", "DOMContentLoaded"), ("load", "load event"),
              ("firstChart", "first chart visible"), ("lcp", "largest contentful paint")]
    for name, runs in results.items():
        print(f"\n{name} report, {n_measures} measures, {len(runs)} runs (ms: min / median / max)")
        for key, label in labels:
            values = [r[key] for r in runs if r[key] is not None]
            if values:
                print(f"  {label:<26} {min(values):7.0f} {statistics.median(values):7.0f} {max(values):7.0f}")
        size = statistics.median(r["bytes"] for r in runs)
        print(f"  HTML {size / 1024:.0f} KB")
        worst = max(max(r["load"], r["lcp"] or 0) for r in runs)
        median = statistics.median(max(r["load"], r["lcp"] or 0) for r in runs)
        print(f"  budget {BUDGET_MS} ms for load and LCP: median {median:.0f} ms, worst {worst:.0f} ms "
              f"({'OK' if median <= BUDGET_MS else 'OVER'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measures", type=int, default=40)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--draft", action="store_true", help="also time the draft's live preview")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing (apt-get install chromium); never `playwright install`")

    tmp = tempfile.mkdtemp(prefix="board-report-bench-")
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3", DEBUG="1", LOG_LEVEL="WARNING",
               DJANGO_SETTINGS_MODULE="qiportal.settings")
    for name in ("REDIS_URL", "CACHE_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)
    os.environ.update(env)
    for name in ("REDIS_URL", "CACHE_URL", "CELERY_BROKER_URL"):
        os.environ.pop(name, None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    logging.disable(logging.INFO)
    from django.core.management import call_command

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    reports = seed(args.measures, args.months)
    print(f"database with {args.measures} measures x {args.months} months in {time.perf_counter() - t0:.1f}s ({tmp})")

    port = free_port()
    server = start_server(env, port)
    try:
        paths = {"published": f"/board/reports/{reports['published']}/"}
        if args.draft:
            paths["draft"] = f"/board/reports/{reports['draft']}/"
        results = measure(f"http://127.0.0.1:{port}", paths, args.runs)
    finally:
        server.terminate()
        server.wait(timeout=10)
    report(results, args.measures)


if __name__ == "__main__":
    main()
