from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "organisation"
    verbose_name = "People and organisation"

    def ready(self) -> None:
        import rules as rules_lib

        from .navigation import NavEntry, register
        from .rules import is_qi_admin

        # Home is the brand's link: the bar has room for the pages people move between.
        register(NavEntry("Organisation", "organisation:directory", rules_lib.is_authenticated, order=80))
        register(NavEntry("Organisation settings", "admin:index", is_qi_admin, order=90, group="Settings"))

        from .demo import seed_organisation
        from .seeding import register as register_seed_step

        register_seed_step(10, "people and organisation", seed_organisation)
