from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "measures"
    verbose_name = "Measures and SPC"

    def ready(self) -> None:
        import rules as rules_lib

        from organisation.navigation import NavEntry, register
        from organisation.seeding import register as register_seed_step

        from . import rules  # noqa: F401  (object permissions)
        from .demo import seed_measures

        register(NavEntry("Measures", "measures:summary", rules_lib.is_authenticated, order=30))
        register_seed_step(40, "measures and data", seed_measures)

        from ops.nightly import register as register_nightly

        from .rendering import nightly_step

        register_nightly("charts", nightly_step)
        self._register_workspace_panel()

    @staticmethod
    def _register_workspace_panel() -> None:
        """Show a project's measures in the workspace's "How will we know" section, once the workspace
        offers panels; until then there is nothing to register with."""
        try:
            from workspace.panels import register as register_panel
        except ImportError:
            return
        from .panels import project_panel_context

        register_panel("measures", "measures/_project_panel.html", project_panel_context, 20)
