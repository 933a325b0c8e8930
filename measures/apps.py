from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "measures"
    verbose_name = "Measures and SPC"

    def ready(self) -> None:
        import rules as rules_lib

        from notifications.kinds import Delivery, Kind
        from notifications.kinds import register as register_kind
        from ops.nightly import register as register_nightly
        from organisation.navigation import NavEntry, register
        from organisation.rules import is_qi_admin
        from organisation.seeding import register as register_seed_step
        from workspace.panels import register as register_panel
        from workspace.services import on_cycles_changed

        from . import rules  # noqa: F401  (object permissions)
        from .demo import seed_data_care, seed_measures
        from .panels import project_panel_context, storyboard_chart_context
        from .rendering import nightly_step
        from .services import touch_project_measures
        from .signals import SIGNAL_KIND

        register(NavEntry("Measures", "measures:summary", rules_lib.is_authenticated, order=30))
        register(NavEntry("SPC rules", "measures:config", is_qi_admin, order=91, group="Settings"))
        register(NavEntry("Chart runs", "measures:render_runs", is_qi_admin, order=94, group="Settings"))
        register_seed_step(40, "measures and data", seed_measures)
        register_seed_step(42, "corrections, removals and an upload waiting", seed_data_care)
        register_nightly("charts", nightly_step)
        register_kind(Kind(SIGNAL_KIND, "New signals in the charts of your projects and your team",
                           default=Delivery.DIGEST, order=40))
        # A project's measures in the workspace's "How will we know that a change is an improvement?".
        register_panel("measures", "measures/_project_panel.html", project_panel_context, 20)
        # The key chart on the project's storyboard, the one-page poster.
        register_panel("key chart", "measures/_storyboard_chart.html", storyboard_chart_context, 10,
                       section="storyboard")
        # PDSA cycles (number, date, change idea title) are drawn on the project's charts.
        on_cycles_changed(touch_project_measures)
