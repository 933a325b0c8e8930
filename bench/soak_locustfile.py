"""People for bench/soak.py: they read their pages and write data points (new periods and corrections), PDSA
cycles (new ones and edits) and forum decisions through the pages' own forms, and remember every write the
server accepted, so that the soak can compare the database with what they say they wrote.

Each writer owns what it writes (its own measure, change idea and forum), as a team does, so that what it
remembers is what the database must hold. $BENCH_PEOPLE names the people (written by bench/soak.py),
$BENCH_OUT receives {"writes": [...], "responses": {...}, "server_errors": [...]} when locust stops.
Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import re
import sys
import time
from collections import Counter

from locust import HttpUser, between, events, task

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import PageReads  # noqa: E402
from formreader import FormReader  # noqa: E402

with open(os.environ["BENCH_PEOPLE"]) as _fh:
    PEOPLE = json.load(_fh)
WRITE_SHARE = float(os.environ.get("BENCH_WRITES", "0.3"))
THINK = [float(s) for s in os.environ.get("BENCH_THINK", "2,6").split(",")]
_next_person = itertools.count()
WRITES: list[dict] = []  # what the server accepted, in order
STATUSES: Counter = Counter()
SERVER_ERRORS: list[dict] = []
TIMES: list[float] = []


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response=None, exception=None, **kw) -> None:
    status = getattr(response, "status_code", 0) or 0
    STATUSES[str(status)] += 1
    TIMES.append(response_time)
    if status >= 500 or status == 0:
        SERVER_ERRORS.append({"name": name, "status": status, "error": str(exception)[:300] if exception else "",
                              "at": time.time()})


@events.quitting.add_listener
def _save(environment, **kw) -> None:
    with open(os.environ["BENCH_OUT"], "w") as fh:
        json.dump({"writes": WRITES, "responses": dict(STATUSES), "server_errors": SERVER_ERRORS,
                   "times": TIMES}, fh)


def month_before(day: dt.date, n: int) -> dt.date:
    months = day.year * 12 + day.month - 1 - n
    return dt.date(months // 12, months % 12 + 1, 1)


class Person(PageReads, HttpUser):
    wait_time = between(*THINK)

    def on_start(self) -> None:
        self.me = PEOPLE[next(_next_person) % len(PEOPLE)]
        self.client.cookies.set("sessionid", self.me["session"])
        self.client.cookies.set("csrftoken", self.me["csrf"])
        self.pages = [(name, path) for name, path, weight in self.me["pages"] for _ in range(weight)]
        self.seq = itertools.count(1)
        self.back = itertools.count(1)  # new periods go back a month at a time before the first one entered
        self.cycles: list[int] = [self.me["cycle"]] if self.me.get("cycle") else []
        self.writes = [w for w in ("point", "fix", "cycle", "cycle_edit", "decision") if self._can(w)]

    def _can(self, kind: str) -> bool:
        return {"point": "measure", "fix": "measure", "cycle": "idea", "cycle_edit": "idea",
                "decision": "meetings"}[kind] in self.me

    def marker(self) -> str:
        return f"soak {self.me['user']} #{next(self.seq)}"

    @task
    def next_step(self) -> None:
        if self.writes and random.random() < WRITE_SHARE:
            getattr(self, f"write_{random.choice(self.writes)}")()
            return
        name, path = random.choice(self.pages)
        self.get(name, path)

    def form(self, name: str, path: str, action: str) -> tuple[FormReader | None, dict]:
        page = self.get(name, path)
        if page.status_code != 200:
            return None, {}
        reader = FormReader(action)
        reader.feed(page.text)
        return (reader if reader.found else None), dict((k, v) for k, v in reader.fields)

    def post(self, name: str, url: str, data: dict, page: str):
        """True when the server saved it (it redirects); a form sent back with errors saved nothing."""
        with self.client.post(url, data=data, name=name, allow_redirects=False, catch_response=True,
                              headers={"Referer": f"{self.host}{page}"}) as r:
            if r.status_code == 302:
                return r
            if r.status_code == 200:
                WRITES.append({"kind": "refused", "what": name, "user": self.me["user"]})
                r.success()
            else:
                r.failure(f"HTTP {r.status_code}")
            return None

    # ------------------------------------------------------------------ data points

    def write_point(self) -> None:
        m = self.me["measure"]
        page = f"/measures/{m}/"
        reader, data = self.form("measure page", page, rf"/measures/{m}/(#data)?$")
        if reader is None:
            return
        new = [k for k in data if k.endswith("-period_start") and f"{k[:-13]}-id" in data
               and not data[f"{k[:-13]}-id"]]
        if not new:
            return
        row = new[-1][:-len("-period_start")]
        period = month_before(dt.date.fromisoformat(self.me["first_period"]), next(self.back))
        low, high = self.me["values"]
        value = random.randint(low, high)  # within the measure's usual range: no "confirm this value" step
        data[f"{row}-period_start"] = period.isoformat()
        data[f"{row}-value"] = str(value)
        if self.post("write: new period", reader.url or page, data, page):
            WRITES.append({"kind": "point", "user": self.me["user"], "measure": m, "period": period.isoformat(),
                           "value": value})

    def write_fix(self) -> None:
        m = self.me["measure"]
        page = f"/measures/{m}/"
        reader, data = self.form("measure page", page, rf"/measures/{m}/(#data)?$")
        if reader is None:
            return
        rows = [k[:-3] for k, v in data.items() if k.endswith("-id") and v and f"{k[:-3]}-value" in data]
        if not rows:
            return
        row = random.choice(rows)
        try:
            old = float(data[f"{row}-value"])
        except ValueError:
            return
        value = int(old) + 1
        data[f"{row}-value"] = str(value)
        if self.post("write: correction", reader.url or page, data, page):
            WRITES.append({"kind": "fix", "user": self.me["user"], "measure": m, "point": int(data[f"{row}-id"]),
                           "value": value, "old": old})

    # ------------------------------------------------------------------ PDSA cycles

    def write_cycle(self) -> None:
        page = f"/workspace/ideas/{self.me['idea']}/cycles/new/?fresh=1"
        reader, data = self.form("PDSA cycle form", page, "^$")
        if reader is None:
            return
        marker = self.marker()
        data["what"] = marker
        data["act_decision"] = ""  # decided at the end of the cycle, not when it is planned
        r = self.post("write: new PDSA cycle", reader.url or page, data, page)
        if r is not None:
            found = re.search(r"/workspace/cycles/(\d+)/", r.headers.get("Location", ""))
            cycle = int(found.group(1)) if found else None
            if cycle:
                self.cycles.append(cycle)
            WRITES.append({"kind": "cycle", "user": self.me["user"], "idea": self.me["idea"], "what": marker,
                           "cycle": cycle})

    def write_cycle_edit(self) -> None:
        if not self.cycles:
            return self.write_cycle()
        cycle = random.choice(self.cycles)
        page = f"/workspace/cycles/{cycle}/edit/"
        reader, data = self.form("PDSA cycle edit", page, "^$")
        if reader is None:
            return
        marker = f"Observed on the late shift: {self.marker()}"
        data["observations"] = marker
        data["act_decision"] = reader.selected.get("act_decision", "")  # as it was: only observations change
        if self.post("write: PDSA edit", reader.url or page, data, page):
            WRITES.append({"kind": "cycle_edit", "user": self.me["user"], "cycle": cycle, "observations": marker})

    # ------------------------------------------------------------------ forum decisions

    def write_decision(self) -> None:
        for meeting in self.me["meetings"]:
            page = f"/forums/meetings/{meeting}/"
            reader, data = self.form("forum meeting page", page, r"/forums/items/\d+/decide/")
            if reader is None:
                continue
            item = int(re.search(r"/forums/items/(\d+)/decide/", reader.url).group(1))
            for name, choices in reader.radios.items():
                if name.endswith("-outcome"):
                    data[name] = "defer" if "defer" in choices else choices[-1]
            marker = f"Time ran out; first item next month ({self.marker()})"
            for k in data:
                if k.endswith("-rationale"):
                    data[k] = marker
            if self.post("write: decision", reader.url, data, page):
                WRITES.append({"kind": "decision", "user": self.me["user"], "item": item, "rationale": marker})
            return
