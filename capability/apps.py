from django.apps import AppConfig


class CapabilityConfig(AppConfig):
    name = "capability"
    verbose_name = "Capability building"

    def ready(self) -> None:
        import rules as rules_lib

        from notifications.kinds import Delivery, Kind
        from notifications.kinds import register as register_kind
        from ops.nightly import register as register_nightly
        from organisation import panels as profile_panels
        from organisation.navigation import NavEntry, register
        from organisation.seeding import register as register_seed_step
        from workspace import panels as workspace_panels

        from . import panels, services
        from .demo import seed_capability
        from .rules import can_manage_courses, can_see_dashboard

        # Into the existing menus: the bar is full at 1280 px for a QI admin, and another top-level
        # item pushed the account menu off it.
        register(NavEntry("QI courses", "capability:index", rules_lib.is_authenticated, order=14, group="Projects"))
        register(NavEntry("My training", "capability:mine", rules_lib.is_authenticated, order=15, group="Projects"))
        register(NavEntry("Trained against needed", "capability:dashboard", can_see_dashboard, order=63,
                          group="Reports"))
        register(NavEntry("Coaches proposed by training", "capability:proposals", can_manage_courses, order=95,
                          group="Settings"))
        register_kind(Kind(services.PLACE_KIND, "QI training: a nomination, or a place come free on a course",
                           default=Delivery.IMMEDIATE, order=68))
        register_kind(Kind(services.PROPOSAL_KIND, "Graduates of the coaching programme proposed for the coach pool",
                           default=Delivery.DIGEST, order=70))
        services.on_completed(services.propose_for_coach_pool)
        # Facilitating a running cohort counts in a coach's load (coaching.services.LOAD); cohorts start and
        # finish as the days pass, so the nightly job recounts every coach's running cohorts.
        register_nightly("facilitation loads", lambda: {"coaches": services.refresh_facilitation()})
        profile_panels.register("training", "capability/_profile_panel.html", panels.profile_context, order=10)
        workspace_panels.register("training", "capability/_team_panel.html", panels.team_context, order=10,
                                  section="team")
        register_seed_step(45, "capability building", seed_capability)
