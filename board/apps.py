from django.apps import AppConfig


class BoardConfig(AppConfig):
    name = "board"
    verbose_name = "Board quality report"

    def ready(self) -> None:
        import rules as rules_lib

        from organisation.navigation import NavEntry, register
        from organisation.seeding import register as register_seed_step

        from . import rules
        from .demo import seed_board_reports

        # One "Reports" menu: the board report (its readers), the live portfolio, the wards' early warning.
        register(NavEntry("Board report", "board:index", rules.can_read_reports, order=60, group="Reports"))
        register(NavEntry("QI portfolio", "board:portfolio", rules.sees_portfolio, order=62, group="Reports"))
        register(NavEntry("Ward early warning", "board:early_warning", rules_lib.is_authenticated, order=65,
                          group="Reports"))
        register_seed_step(60, "board reports", seed_board_reports)
