from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = "Improvement programmes"

    def ready(self) -> None:
        from ops.nightly import register as register_nightly

        from .services import nightly_step

        # Registered after measures' "charts" step (this app comes later), so the aggregates read fresh data.
        register_nightly("programme aggregates", nightly_step)
