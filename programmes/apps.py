from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = "Improvement programmes"

    def ready(self) -> None:
        import rules as rules_lib

        from discussions.targets import Target
        from discussions.targets import register as register_thread
        from notifications.kinds import Delivery, Kind
        from notifications.kinds import register as register_kind
        from ops.nightly import register as register_nightly
        from organisation.navigation import NavEntry, register
        from organisation.seeding import register as register_seed_step
        from workspace.library_sources import register as register_library_source
        from workspace.panels import register as register_panel

        from .demo import seed_programmes
        from .figures import library_entries
        from .models import Programme
        from .panels import storyboard_diagram_context
        from .rules import may_comment, may_read, sponsors_of
        from .services import NEWS_KIND, nightly_step

        register(NavEntry("Improvement programmes", "programmes:index", rules_lib.is_authenticated, order=13,
                          group="Projects"))
        # Sponsors see and comment; the lead hears of every comment too.
        register_thread(Target(Programme, can_read=may_read, can_write=may_comment,
                               participants=lambda p: {p.lead_id, *sponsors_of(p)}))
        # Registered after measures' "charts" step (this app comes later), so the aggregates read fresh data.
        register_nightly("programme aggregates", nightly_step)
        register_kind(Kind(NEWS_KIND, "Improvement programmes: your team joining one, its stages and learning sessions",
                           default=Delivery.IN_APP, order=66))
        register_seed_step(50, "improvement programmes", seed_programmes)
        # An evaluated programme's learning is in the learning library beside the closed projects.
        register_library_source("programmes", library_entries)
        # A team with no driver diagram of its own shows its programme's on its storyboard.
        register_panel("programme diagram", "programmes/_storyboard_diagram.html", storyboard_diagram_context,
                       section="storyboard-diagram")
