from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "measures"
    verbose_name = "Measures and SPC"

    def ready(self) -> None:
        import rules as rules_lib

        from organisation.navigation import NavEntry, register
        from organisation.rules import is_qi_admin
        from organisation.seeding import register as register_seed_step

        from . import rules  # noqa: F401  (object permissions)
        from .demo import seed_measures

        register(NavEntry("Measures", "measures:summary", rules_lib.is_authenticated, order=30))
        register(NavEntry("SPC rules", "measures:config", is_qi_admin, order=91, group="Settings"))
        register(NavEntry("Chart runs", "measures:render_runs", is_qi_admin, order=94, group="Settings"))
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
