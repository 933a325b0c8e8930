from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "QI projects"

    def ready(self) -> None:
        import rules as rules_lib

        from discussions.targets import Target
        from discussions.targets import register as register_thread
        from organisation.navigation import NavEntry, register

        from . import rules  # noqa: F401  (object permissions)
        from .models import Project
        from .rules import can_discuss, can_submit_ideas, can_view
        from .services import people_of

        register(NavEntry("All projects", "projects:list", rules_lib.is_authenticated, order=10, group="Projects"))
        register(NavEntry("My ideas and projects", "projects:mine", rules_lib.is_authenticated, order=11,
                          group="Projects"))
        register(NavEntry("Submit an idea", "projects:idea_new", can_submit_ideas, order=12))
        # A discussion on each project, part of its record: the team, its coach, sponsor and forum chair write.
        register_thread(Target(Project, can_read=can_view.test, can_write=can_discuss.test, participants=people_of,
                               select_related=("team", "directorate")))
