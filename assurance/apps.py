from django.apps import AppConfig


class AssuranceConfig(AppConfig):
    name = "assurance"
    verbose_name = "Quality assurance"

    def ready(self) -> None:
        import rules as rules_lib

        from forums import agenda_sources
        from notifications.kinds import Delivery, Kind
        from notifications.kinds import register as register_kind
        from organisation.navigation import NavEntry, register
        from organisation.rules import is_qi_admin
        from organisation.seeding import register as register_seed_step

        from . import huddles, rules, services
        from .demo import seed_assurance

        register(NavEntry("My team's quality", "assurance:my_team", rules.has_team, order=39, group="Quality"))
        register(NavEntry("WalkRounds", "assurance:index", rules_lib.is_authenticated, order=40, group="Quality"))
        register(NavEntry("WalkRound schedule", "assurance:schedule", rules.can_plan_walkrounds, order=41,
                          group="Quality"))
        register(NavEntry("WalkRound coverage", "assurance:coverage", rules.can_plan_walkrounds, order=42,
                          group="Quality"))
        register(NavEntry("Accreditation", "assurance:accreditation", rules_lib.is_authenticated, order=43,
                          group="Quality"))
        # The nav is drawn on every page: only role checks that need no query here (leads find it from the list).
        register(NavEntry("Accreditation across the trust", "assurance:accreditation_trust",
                          rules.is_executive | is_qi_admin, order=44, group="Quality"))
        register_kind(Kind(services.ACTION_ASSIGNED_KIND, "WalkRound and accreditation actions given to you",
                           default=Delivery.IMMEDIATE, order=40))
        register_kind(Kind(huddles.ESCALATION_KIND, "Huddle escalations you own", default=Delivery.IMMEDIATE,
                           order=42))
        agenda_sources.register(huddles.agenda_escalations)
        register_seed_step(45, "WalkRounds, accreditation and huddles", seed_assurance)
        register_kind(Kind(services.ACTION_DUE_KIND, "Your actions that are overdue", default=Delivery.DIGEST,
                           order=41))
