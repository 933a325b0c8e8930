from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "QI projects"

    def ready(self) -> None:
        import rules as rules_lib

        from organisation.navigation import NavEntry, register

        from . import rules  # noqa: F401  (object permissions)
        from .rules import can_submit_ideas

        register(NavEntry("Projects", "projects:list", rules_lib.is_authenticated, order=10))
        register(NavEntry("Submit an idea", "projects:idea_new", can_submit_ideas, order=12))
