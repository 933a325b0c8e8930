from django.apps import AppConfig
from django.conf import settings


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from organisation.seeding import register as register_seed_step

        from .pagecache import code_stamp, watch_writes

        connection_created.connect(watch_writes, dispatch_uid="ops.pagecache.watch_writes")
        if settings.PAGE_CACHE:
            # Reading the code's change times takes tens of milliseconds: at start, not in a person's first page.
            code_stamp()

        register_seed_step(90, "nightly job (agendas, charts)", _seed_nightly)


def _seed_nightly(ctx) -> None:
    """The demo ends the way every night does: agendas assembled and every chart fresh."""
    from .services import run_nightly

    run = run_nightly()
    ctx.out(f"nightly job: {run.status} {run.detail}")
