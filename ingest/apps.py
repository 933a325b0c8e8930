from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "ingest"
    verbose_name = "Data ingestion API"

    def ready(self) -> None:
        from organisation.navigation import NavEntry, register
        from organisation.rules import is_qi_admin

        register(NavEntry("API tokens", "ingest:tokens", is_qi_admin, order=92, group="Settings"))
        register(NavEntry("API documentation", "ingest:api_docs", is_qi_admin, order=93, group="Settings"))
