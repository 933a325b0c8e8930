from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "ingest"
    verbose_name = "Data ingestion API"

    def ready(self) -> None:
        from organisation.navigation import NavEntry, register
        from organisation.rules import is_qi_admin
        from organisation.seeding import register as register_seed_step

        from .demo import seed_portfolio_import

        register(NavEntry("API tokens", "ingest:tokens", is_qi_admin, order=92, group="Settings"))
        register(NavEntry("API documentation", "ingest:api_docs", is_qi_admin, order=93, group="Settings"))
        register(NavEntry("Import a portfolio", "portfolio_import:start", is_qi_admin, order=95, group="Settings"))
        register_seed_step(50, "an old portfolio brought in", seed_portfolio_import)
