from django.apps import AppConfig


class ForumsConfig(AppConfig):
    name = "forums"
    verbose_name = "QI forums"

    def ready(self) -> None:
        import rules as rules_lib

        from measures.signals import on_new_signal
        from notifications.kinds import Delivery, Kind
        from notifications.kinds import register as register_kind
        from ops.nightly import register as register_nightly
        from organisation.navigation import NavEntry, register
        from projects.services import on_submitted
        from workspace.services import on_closure_requested

        from . import rules  # noqa: F401
        from .services import (
            AGENDA_KIND,
            DECISION_KIND,
            add_closure_to_agenda,
            add_signal_to_agenda,
            add_submitted_idea_to_agenda,
            nightly_meetings,
        )

        register(NavEntry("QI forums", "forums:index", rules_lib.is_authenticated, order=20))
        on_submitted(add_submitted_idea_to_agenda)
        on_closure_requested(add_closure_to_agenda)
        on_new_signal(add_signal_to_agenda)
        register_nightly("forum meetings", nightly_meetings)
        register_kind(Kind(DECISION_KIND, "Forum decisions on your ideas", default=Delivery.IMMEDIATE, order=10))
        register_kind(Kind(AGENDA_KIND, "New items on the agenda of a forum you chair", default=Delivery.DIGEST,
                           order=20))

        from organisation.seeding import register as register_seed_step

        from .demo import seed_governance

        register_seed_step(20, "projects, forums and coaching", seed_governance)
