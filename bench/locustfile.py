"""Real use for bench/capacity.py: signed-in people of every persona reading their own pages, 5-15 s apart,
and about one page in twenty a write (a data point, a PDSA cycle edit, a forum decision, a progress score).

Read by locust, started by bench/capacity.py, which writes the people (persona, session, their pages) to
$BENCH_PEOPLE and reads what each step measured from $BENCH_OUT. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import sys
import time

from locust import HttpUser, LoadTestShape, between, events, task

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import PageReads  # noqa: E402
from formreader import FormReader  # noqa: E402

with open(os.environ["BENCH_PEOPLE"]) as _fh:
    PEOPLE = json.load(_fh)
STEPS = [int(n) for n in os.environ.get("BENCH_STEPS", "100,250,500").split(",")]
STEP_SECONDS = int(os.environ.get("BENCH_STEP_SECONDS", "90"))
RAMP_SECONDS = int(os.environ.get("BENCH_RAMP_SECONDS", "30"))  # not measured: people signing on
WRITE_SHARE = float(os.environ.get("BENCH_WRITES", "0.05"))
_next_person = itertools.count()
_started = time.monotonic()
SAMPLES: list[tuple[int, str, float, bool]] = []  # (step, page, ms, failed)


def current_step() -> int | None:
    """Which step a moment belongs to, or None while people are still signing on at its start."""
    elapsed = time.monotonic() - _started
    step, into = divmod(elapsed, RAMP_SECONDS + STEP_SECONDS)
    return int(step) if into >= RAMP_SECONDS and step < len(STEPS) else None


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **kw) -> None:
    step = current_step()
    if step is not None:
        SAMPLES.append((step, name, response_time, exception is not None))


@events.quitting.add_listener
def _save(environment, **kw) -> None:
    with open(os.environ["BENCH_OUT"], "w") as fh:
        json.dump(SAMPLES, fh)


class StepShape(LoadTestShape):
    """Each step: RAMP_SECONDS to sign the extra people on, then STEP_SECONDS measured."""

    def tick(self):
        step, _ = divmod(self.get_run_time(), RAMP_SECONDS + STEP_SECONDS)
        if step >= len(STEPS):
            return None
        return STEPS[int(step)], 20


class Person(PageReads, HttpUser):
    wait_time = between(5, 15)

    def on_start(self) -> None:
        self.me = PEOPLE[next(_next_person) % len(PEOPLE)]
        self.client.cookies.set("sessionid", self.me["session"])
        self.client.cookies.set("csrftoken", self.me["csrf"])
        self.pages = [(name, path) for name, path, weight in self.me["pages"] for _ in range(weight)]

    @task
    def next_page(self) -> None:
        if self.me["writes"] and random.random() < WRITE_SHARE:
            self.write(random.choice(self.me["writes"]))
            return
        name, path = random.choice(self.pages)
        self.get(name, path)

    def write(self, spec: dict) -> None:
        """Read the page as a person would, then send its form with the few fields they change."""
        page = self.get(spec["page_name"], spec["page"])
        if page.status_code != 200:
            return
        form = FormReader(spec["action"])
        form.feed(page.text)
        if not form.found:
            return  # nothing to do here any more (the item was decided by someone else): a read, not an error
        data = dict((k, v) for k, v in form.fields)
        for name, choices in form.radios.items():
            if name not in data and choices:
                data[name] = spec.get("radio", choices[-1]) if spec.get("radio") in choices else choices[-1]
        for pattern, value in spec.get("set", {}).items():
            for k in list(data):
                if re.search(pattern, k) and (data[k] in ("", None) or spec.get("overwrite")):
                    data[k] = (value.replace("{n}", str(random.randint(1, 40)))
                               .replace("{m}", f"{random.randint(1, 12):02d}"))
                    if not spec.get("all"):
                        break
        with self.client.post(form.url or spec["page"], data=data, name=spec["name"], allow_redirects=False,
                              headers={"Referer": f"{self.host}{spec['page']}"}, catch_response=True) as r:
            if r.status_code not in (200, 302):
                r.failure(f"HTTP {r.status_code}")
