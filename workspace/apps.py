from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "workspace"
    verbose_name = "Project workspace (Model for Improvement)"

    def ready(self) -> None:
        import rules as rules_lib

        from notifications.kinds import Delivery, Kind
        from notifications.kinds import register as register_kind
        from organisation.navigation import NavEntry
        from organisation.navigation import register as register_nav
        from organisation.seeding import register as register_seed_step

        from . import rules  # noqa: F401
        from .demo import seed_workspaces
        from .services import CLOSURE_REVIEW_KIND

        register_nav(NavEntry("Learning library", "workspace:library", rules_lib.is_authenticated, order=13,
                              group="Projects"))
        register_seed_step(30, "project workspaces", seed_workspaces)
        register_kind(Kind(CLOSURE_REVIEW_KIND, "Your forum chair's review of a closure request",
                           default=Delivery.IMMEDIATE, order=30))
