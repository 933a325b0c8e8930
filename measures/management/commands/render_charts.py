"""Render the charts by hand: the nightly job's chart step (what changed), or everything with --all."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from measures.rendering import render_all


class Command(BaseCommand):
    help = "Recompute the chart snapshots of every measure whose data, settings or rules changed."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--all", action="store_true", dest="force",
                            help="Recompute every measure, changed or not.")
        parser.add_argument("--chunk-size", type=int, default=500)
        parser.add_argument("--processes", type=int, default=1,
                            help="Without a broker (eager mode): run the chunks in this many local processes.")

    def handle(self, *args, force: bool, chunk_size: int, processes: int, **options) -> None:
        started = time.perf_counter()
        run = render_all(force=force, chunk_size=chunk_size, processes=processes)
        seconds = time.perf_counter() - started
        if run.finished_at is None:
            self.stdout.write(f"Run {run.pk}: {run.chunks} chunk(s) sent to the workers; {run.skipped} unchanged.")
            return
        done = run.computed + run.failed
        rate = f" ({done / seconds:.0f} measures/s)" if done and seconds else ""
        self.stdout.write(f"Run {run.pk}: {run.computed} computed, {run.skipped} unchanged, {run.failed} failed "
                          f"in {seconds:.1f}s{rate}.")
