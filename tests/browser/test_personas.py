"""Every demo persona logs in, sees the navigation for their roles, and logs out; axe-core clean."""

import pytest
from django.core.management import call_command

# Home is the brand's link, outside the list of entries.
EVERYONE = ["projects:list", "projects:mine", "workspace:library", "programmes:index", "capability:index",
            "capability:mine", "projects:idea_new", "forums:index", "measures:summary", "board:portfolio",
            "board:early_warning", "organisation:directory", "assurance:my_team", "assurance:index",
            "assurance:accreditation"]
COACHING = ["coaching:index"]
BOARD_REPORT = ["board:index"]
EXECUTIVE = ["assurance:schedule", "assurance:coverage", "assurance:accreditation_trust", "capability:dashboard"]
SETTINGS = ["admin:index", "measures:config", "ingest:tokens", "ingest:api_docs", "measures:render_runs",
            "portfolio_import:start", "audit:log", "capability:proposals"]

EXPECTED_NAV = {
    "staff": EVERYONE,
    "serviceuser": EVERYONE,
    "coach": EVERYONE + COACHING,
    "sponsor": EVERYONE,
    "ia": EVERYONE + COACHING + BOARD_REPORT,
    "chair": EVERYONE,
    "board": EVERYONE + BOARD_REPORT + EXECUTIVE,
    "qiadmin": EVERYONE + COACHING + BOARD_REPORT + SETTINGS + EXECUTIVE,
}
TOP_LEVEL = {
    "staff": ["Projects", "Submit an idea", "QI forums", "Measures", "Quality", "Reports", "Organisation"],
    "coach": ["Projects", "Submit an idea", "QI forums", "Coaching", "Measures", "Quality", "Reports",
              "Organisation"],
    "qiadmin": ["Projects", "Submit an idea", "QI forums", "Coaching", "Measures", "Quality", "Reports",
                "Organisation", "Settings"],
}


@pytest.fixture
def demo_trust(transactional_db):
    call_command("seed_demo", verbosity=0)


def test_each_persona_logs_in_sees_their_navigation_and_logs_out(
        page, live_server, demo_trust, login, logout, shot, axe_check):
    page.goto(f"{live_server.url}/login/")
    axe_check("login page")
    shot("login")
    for username, expected in EXPECTED_NAV.items():
        login(username)
        links = page.locator("#main-nav .navbar-nav.me-auto a[data-nav]")
        names = [n for n in links.evaluate_all("els => els.map(e => e.dataset.nav)") if not n.startswith("group:")]
        assert sorted(names) == sorted(expected), username
        if username in TOP_LEVEL:
            top = page.locator("#main-nav .navbar-nav.me-auto > li > a").all_inner_texts()
            assert [t.strip() for t in top] == TOP_LEVEL[username], username
            menu = page.locator("#account-menu").bounding_box()  # the bar fits: nothing runs off the page
            assert menu["x"] + menu["width"] <= 1280 and menu["y"] < 40, username
        assert page.get_by_test_id("home-roles").is_visible()
        axe_check(f"home page of {username}")
        shot(f"home-{username}")
        if username == "qiadmin":
            page.get_by_role("button", name="Reports").or_(page.get_by_role("link", name="Reports")).first.click()
            assert page.get_by_role("link", name="Board report").is_visible()
            shot("nav-reports-menu")
        logout()
