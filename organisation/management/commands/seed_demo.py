import random
import time

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.utils import timezone

from organisation.seeding import DemoContext, steps


class Command(BaseCommand):
    help = "Build (or top up) the demo trust. Safe to run again: nothing is duplicated."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=int, default=1,
                            help="Build N times as many directorates, teams, people and projects (benchmarks).")
        parser.add_argument("--seed", type=int, default=20261125, help="Random seed, for repeatable data.")

    def handle(self, *args, scale: int, seed: int, **options) -> None:
        if scale < 1:
            self.stderr.write("--scale must be 1 or more")
            raise SystemExit(2)
        ctx = DemoContext(scale=scale, rng=random.Random(seed), today=timezone.localdate(), out=self.stdout.write)
        started = time.perf_counter()
        for _, name, step in steps():
            t0 = time.perf_counter()
            step(ctx)
            self.stdout.write(f"  {name}: {time.perf_counter() - t0:.1f}s")
        if connection.vendor == "postgresql":
            # Bulk inserts leave the planner's statistics empty until autovacuum gets round to it;
            # without them it picks sequential scans for the first minutes of a freshly seeded trust.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(f"Demo trust ready in {time.perf_counter() - started:.1f}s."))
