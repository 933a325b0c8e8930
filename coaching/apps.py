from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "coaching"
    verbose_name = "Coaching"

    def ready(self) -> None:
        from notifications.kinds import Delivery, Kind
        from notifications.kinds import register as register_kind
        from ops.nightly import register as register_nightly
        from organisation.navigation import NavEntry, register
        from organisation.rules import can_see_coaching
        from organisation.seeding import register as register_seed_step
        from projects.services import on_status_changed

        from . import services
        from .demo import seed_supervision

        register(NavEntry("Coaching", "coaching:index", can_see_coaching, order=30))
        register_kind(Kind(services.ALLOCATION_KIND, "Being allocated as coach, sponsor or Improvement Advisor",
                           default=Delivery.IMMEDIATE, order=15))

        # Each coach's count of running projects follows every allocation (coaching.services.allocate and
        # end_allocations recount it) and every status change; the nightly recount heals anything written
        # around the services (bulk loads).
        on_status_changed(services._status_changed)
        register_nightly("coach loads", lambda: {"coaches": services.refresh_loads()})
        register_seed_step(25, "supervision", seed_supervision)
