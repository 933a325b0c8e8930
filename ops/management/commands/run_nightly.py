from django.core.management.base import BaseCommand

from ops.services import run_nightly


class Command(BaseCommand):
    help = "Run the nightly job now, in this process (what Celery beat runs at 02:00)."

    def handle(self, *args, **options) -> None:
        run = run_nightly()
        self.stdout.write(f"nightly job {run.status} in {run.duration_seconds:.2f}s: {run.detail}")
        if run.error:
            self.stderr.write(run.error)
