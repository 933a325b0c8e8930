from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "QI projects"

    def ready(self) -> None:
        import rules as rules_lib

        from organisation.navigation import NavEntry, register

        from . import rules  # noqa: F401  (object permissions)
        from .rules import can_submit_ideas

        register(NavEntry("All projects", "projects:list", rules_lib.is_authenticated, order=10, group="Projects"))
        register(NavEntry("My ideas and projects", "projects:mine", rules_lib.is_authenticated, order=11,
                          group="Projects"))
        register(NavEntry("Submit an idea", "projects:idea_new", can_submit_ideas, order=12))
