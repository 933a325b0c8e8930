from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "coaching"
    verbose_name = "Coaching"

    def ready(self) -> None:
        from organisation.navigation import NavEntry, register
        from organisation.rules import can_see_coaching

        register(NavEntry("Coaching", "coaching:index", can_see_coaching, order=30))
