from django.apps import AppConfig


class CapabilityConfig(AppConfig):
    name = "capability"
    verbose_name = "Capability building"

    def ready(self) -> None:
        import rules as rules_lib

        from organisation.navigation import NavEntry, register

        from .rules import can_see_dashboard

        register(NavEntry("Courses", "capability:index", rules_lib.is_authenticated, order=40, group="Training"))
        register(NavEntry("My training", "capability:mine", rules_lib.is_authenticated, order=41, group="Training"))
        register(NavEntry("Trained against needed", "capability:dashboard", can_see_dashboard, order=42,
                          group="Training"))
