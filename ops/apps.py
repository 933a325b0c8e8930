from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from organisation.seeding import register as register_seed_step

        from . import nightly
        from .services import expire_staged_imports

        register_seed_step(90, "nightly job (agendas, charts)", _seed_nightly)
        nightly.register("expire unconfirmed uploads", expire_staged_imports)


def _seed_nightly(ctx) -> None:
    """The demo ends the way every night does: agendas assembled and every chart fresh."""
    from .services import run_nightly

    run = run_nightly()
    ctx.out(f"nightly job: {run.status} {run.detail}")
