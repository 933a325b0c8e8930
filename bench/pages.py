#!/usr/bin/env python
"""Page response times under load: gunicorn on the local PostgreSQL, 20 concurrent clients.

    .venv/bin/python bench/pages.py                 # demo data and --scale 250 (seeded once, then reused)
    .venv/bin/python bench/pages.py --scales 1      # demo data only
    .venv/bin/python bench/pages.py --requests 200 --clients 20
    .venv/bin/python bench/pages.py --think 1     # each client pauses a second between pages

For each scale it creates (once) a PostgreSQL database `qiportal_bench_s<N>`, migrates and
seeds it, and collects static files. It then starts one gunicorn per scale in production mode
(127.0.0.1:8765, 8766, ...), logs in as each persona, and requests every page with N concurrent
clients (closed loop, no think time unless --think), measuring each page at every scale back to
back so that the ratio compares runs seconds apart. It prints p50 and p95 per page and the
scaled/demo ratio of p95. The servers share a Redis cache as docker-compose.yml deploys them (each
scale its own Redis database, emptied first); `--cache-url none` gives each process its own cache.
Budget (issue 3): p95 <= 100 ms at scale, and scaled/demo p95 ratio <= 1.5.
Only 127.0.0.1 is ever contacted. `--drop` recreates the databases.
"""

from __future__ import annotations

import argparse
import gc
import http.client
import os
import random
import re
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
HOST, PORT = "127.0.0.1", 8765
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PERSONAS = ["staff", "serviceuser", "coach", "sponsor", "ia", "chair", "board", "qiadmin"]


def env_for(db: str) -> dict:
    env = dict(os.environ)
    env.update(DATABASE_URL=f"{PG}/{db}", DEBUG="0", DEMO_MODE="1", ALLOWED_HOSTS=HOST,
               SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG",
               SECURE_SSL_REDIRECT="0", LOG_LEVEL="WARNING",
               # The product's settings plus the floor pages; never the product's own configuration.
               DJANGO_SETTINGS_MODULE="bench.floor_settings")
    env.pop("REDIS_URL", None)
    return env


def run(cmd: list[str], env: dict) -> None:
    subprocess.run(cmd, cwd=ROOT, env=env, check=True)


def prepare(scale: int, drop: bool) -> dict:
    db = f"qiportal_bench_s{scale}"
    env = env_for(db)
    exists = subprocess.run(["psql", PG + "/postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{db}'"],
                            capture_output=True, text=True).stdout.strip() == "1"
    if exists and drop:
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", db], check=True)
        exists = False
    if not exists:
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", db], check=True)
        run([PY, "manage.py", "migrate", "--noinput", "-v0"], env)
        t0 = time.perf_counter()
        run([PY, "manage.py", "seed_demo", "--scale", str(scale)], env)
        print(f"seeded scale {scale} in {time.perf_counter() - t0:.0f}s", flush=True)
        run([PY, "manage.py", "run_nightly"], env)
    run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    return env


class Client:
    """A tiny cookie-keeping HTTP client for 127.0.0.1 (stdlib only)."""

    def __init__(self, port: int = PORT) -> None:
        self.cookies: dict[str, str] = {}
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str, float]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Host": HOST}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://{HOST}:{self.port}/"})
        t0 = time.perf_counter()
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        elapsed = time.perf_counter() - t0
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text, elapsed

    def login(self, username: str) -> None:
        self.request("GET", "/login/")
        status, _, _ = self.request("POST", "/login/", {
            "username": username, "password": "demo", "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
        if status != 302:
            raise SystemExit(f"could not log in as {username} (HTTP {status})")


def first_link(html: str, pattern: str) -> str:
    match = re.search(pattern, html)
    if not match:
        raise SystemExit(f"no link matching {pattern}")
    return match.group(0).strip('"')


def discover(admin: Client) -> dict[str, tuple[str, str]]:
    """Page name -> (persona, path)."""
    _, projects_html, _ = admin.request("GET", "/projects/?status=active")
    project = first_link(projects_html, r'"/projects/\d+/"')
    chair = Client(admin.port)
    chair.login("chair")
    _, chair_home, _ = chair.request("GET", "/")
    meeting = first_link(chair_home, r'"/forums/meetings/\d+/"')
    # Floors, through the same server and clients: a page that only checks the database; signed in with a
    # one-word answer; signed in with the site layout and no content (bench/floor_urls.py).
    pages = {"floor (/health/)": ("staff", "/health/"), "floor (signed in, bare)": ("staff", "/bench/bare/"),
             "floor (signed in, layout)": ("staff", "/bench/layout/")}
    pages.update({f"home ({p})": (p, "/") for p in PERSONAS})
    pages.update({
        "project list": ("staff", "/projects/"),
        "project page": ("staff", project),
        "forum meeting page": ("chair", meeting),
        "coaching pool": ("qiadmin", "/coaching/"),
    })
    return pages


def log_in(port: int, personas: set[str], clients: int) -> dict[str, list[Client]]:
    pools: dict[str, list[Client]] = {}
    for persona in personas:
        pools[persona] = []
        for _ in range(clients):
            c = Client(port)
            c.login(persona)
            pools[persona].append(c)
    return pools


def machine_cpu_ms() -> float:
    """CPU time the whole machine has spent busy since boot, in ms (every core, every process: /proc/stat)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, idle, iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return 1000 * (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    times: list[float]      # response time of each view, ms
    rate: float             # pages a second
    cpu_per_page: float     # ms of CPU the whole machine spent per page: server, database and clients
    client_per_page: float  # ms of that spent by this script's own clients


def measure(pool: list[Client], name: str, path: str, requests: int, think: float = 0.0) -> Run:
    """`requests` views of one page by the pool's clients at once: response times, pages a second and CPU a page."""
    for c in pool[:2]:  # warm up each worker's caches and connections
        c.request("GET", path)
    per_client = max(1, requests // len(pool))

    def work(c: Client) -> list[float]:
        times = []
        if think:  # start at random moments, not all at once, as people do
            time.sleep(random.uniform(0, think))
        for _ in range(per_client):
            status, _, elapsed = c.request("GET", path)
            if status != 200:
                raise SystemExit(f"{name}: HTTP {status} for {path}")
            times.append(elapsed * 1000)
            if think:
                time.sleep(think)
        return times

    # The clients' own garbage collection would stall all twenty of them at once, and the pause would be
    # read as the server's: collected before, not during, the run.
    gc.collect()
    gc.disable()
    try:
        started, machine0, client0 = time.perf_counter(), machine_cpu_ms(), time.process_time()
        with ThreadPoolExecutor(max_workers=len(pool)) as ex:
            views = [v for vs in ex.map(work, pool) for v in vs]
    finally:
        gc.enable()
    n = len(views)
    return Run(views, n / (time.perf_counter() - started), (machine_cpu_ms() - machine0) / n,
               1000 * (time.process_time() - client0) / n)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def serve(env: dict, workers: int, port: int = PORT):
    proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "qiportal.wsgi", "--bind", f"{HOST}:{port}",
                             "--workers", str(workers), "--log-level", "warning"], cwd=ROOT, env=env)
    for _ in range(100):
        try:
            http.client.HTTPConnection(HOST, port, timeout=1).request("GET", "/health/")
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scales", default="1,250")
    ap.add_argument("--requests", type=int, default=600,
                    help="requests per page (600: a pause of the VM of a few tens of ms then stays under the p95)")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    ap.add_argument("--think", type=float, default=0.0,
                    help="seconds each client waits between pages (default 0: no pause, as the budget is set)")
    ap.add_argument("--drop", action="store_true")
    ap.add_argument("--only", default="", help="measure only the pages whose name contains this (e.g. 'home')")
    ap.add_argument("--cache-url", default="redis://127.0.0.1:6379/12",
                    help="CACHE_URL for the servers, a Redis database as docker-compose.yml deploys (the next one"
                         " for the next scale; emptied first); 'none': a cache per process")
    args = ap.parse_args()
    scales = [int(s) for s in args.scales.split(",")]
    table: dict[int, dict[str, Run]] = {s: {} for s in scales}
    envs = {}
    for i, scale in enumerate(scales):
        print(f"scale {scale}:", flush=True)
        envs[scale] = prepare(scale, args.drop)
        if args.cache_url != "none":  # a Redis database of its own for each scale's server: their keys are the same
            base, _, number = args.cache_url.rpartition("/")
            envs[scale]["CACHE_URL"] = f"{base}/{int(number) + i}"
            redis.Redis.from_url(envs[scale]["CACHE_URL"]).flushdb()
    # One server per scale, all up at once, and each page measured at every scale back to back: the
    # scaled/demo ratio then compares runs a few seconds apart, not minutes apart on a shared machine.
    procs = {scale: serve(envs[scale], args.workers, PORT + i) for i, scale in enumerate(scales)}
    try:
        pages, pools = {}, {}
        for i, scale in enumerate(scales):
            admin = Client(PORT + i)
            admin.login("qiadmin")
            pages[scale] = discover(admin)
            pools[scale] = log_in(PORT + i, {p for p, _ in pages[scale].values()}, args.clients)
        for name in pages[scales[0]]:
            if args.only not in name:
                continue
            for scale in scales:
                persona, path = pages[scale][name]
                run_ = table[scale][name] = measure(pools[scale][persona], name, path, args.requests, args.think)
                print(f"  s{scale:<4} {name:28} p50 {pct(run_.times, 0.5):7.1f} ms  p95 {pct(run_.times, 0.95):7.1f} ms"
                      f"  {run_.rate:6.1f} pages/s  machine CPU {run_.cpu_per_page:5.1f} ms a page"
                      f" (clients {run_.client_per_page:4.1f})", flush=True)
    finally:
        for proc in procs.values():
            proc.terminate()
            proc.wait()
    pause = f", each pausing {args.think:g} s between pages" if args.think else " (closed loop, no pause)"
    print(f"\n{args.clients} concurrent clients{pause}, {args.requests} requests a page, gunicorn --workers "
          f"{args.workers}, PostgreSQL, DEBUG=0, {os.cpu_count()} cores")
    header = f"{'page':28}" + "".join(f"  s{s} p50   s{s} p95" for s in scales)
    if len(scales) > 1:
        header += "  p95 ratio"
    header += f"  s{scales[-1]} CPU/page (clients)"
    print(header)
    worst_p95, worst_ratio = 0.0, 0.0
    for name in table[scales[0]]:
        floor = name.startswith("floor")
        row = f"{name:28}"
        p95s = []
        for s in scales:
            p50, p95 = pct(table[s][name].times, 0.5), pct(table[s][name].times, 0.95)
            p95s.append(p95)
            row += f"  {p50:7.1f}ms {p95:7.1f}ms"
        if len(scales) > 1:
            ratio = p95s[-1] / p95s[0]
            worst_ratio = worst_ratio if floor else max(worst_ratio, ratio)
            row += f"  {ratio:8.2f}"
        worst_p95 = worst_p95 if floor else max(worst_p95, p95s[-1])
        last = table[scales[-1]][name]
        print(row + f"  {last.cpu_per_page:7.1f}ms ({last.client_per_page:.1f})")
    print("(the floor lines are not product pages and are left out of the worst figures)")
    cores = os.cpu_count()
    print("(CPU/page: the machine's busy CPU time during a page's run over the pages served; the clients' own in\n"
          f" brackets. With {args.clients} clients and no pause the mean response time is {args.clients} / pages a"
          f" second,\n about {args.clients} x CPU/page / {cores} cores once the cores are busy: a p95 within 100 ms"
          f" needs under {100 * cores / args.clients:.0f} ms.)")
    if args.think:
        print("(with a pause between pages this is a lighter load than the budget's, which has none)")
    print(f"worst p95 at scale {scales[-1]}: {worst_p95:.1f} ms (budget 100 ms)"
          + (f"; worst scaled/demo p95 ratio {worst_ratio:.2f} (budget 1.5)" if len(scales) > 1 else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
