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
        self._redraw_charts_when_pdsa_cycles_change()

    @staticmethod
    def _redraw_charts_when_pdsa_cycles_change() -> None:
        """PDSA cycles (number, date, change idea title) are drawn on the project's charts."""
        from django.db.models.signals import post_delete, post_save

        from workspace.models import ChangeIdea, PDSACycle

        from .services import touch_project_measures

        def relevant(update_fields, names) -> bool:
            return update_fields is None or bool(set(update_fields) & names)

        def cycle_changed(sender, instance, update_fields=None, **kwargs) -> None:
            if relevant(update_fields, {"number", "done_on", "planned_start", "change_idea"}):
                # By id: in a cascade the change idea may already be gone (then so are the measures' marks).
                project_id = (ChangeIdea.objects.filter(pk=instance.change_idea_id)
                              .values_list("project_id", flat=True).first())
                if project_id:
                    touch_project_measures(project_id)

        def idea_changed(sender, instance, update_fields=None, **kwargs) -> None:
            if relevant(update_fields, {"title"}) and not kwargs.get("created"):
                touch_project_measures(instance.project_id)

        post_save.connect(cycle_changed, sender=PDSACycle, dispatch_uid="measures-pdsa-saved")
        post_delete.connect(cycle_changed, sender=PDSACycle, dispatch_uid="measures-pdsa-deleted")
        post_save.connect(idea_changed, sender=ChangeIdea, dispatch_uid="measures-idea-saved")

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
