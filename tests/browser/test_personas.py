"""Every demo persona logs in, sees the navigation for their roles, and logs out; axe-core clean."""

import pytest
from django.core.management import call_command

EXPECTED_NAV = {
    "staff": ["Home", "Organisation"],
    "serviceuser": ["Home", "Organisation"],
    "coach": ["Home", "Organisation"],
    "sponsor": ["Home", "Organisation"],
    "ia": ["Home", "Organisation"],
    "chair": ["Home", "Organisation"],
    "board": ["Home", "Organisation"],
    "qiadmin": ["Home", "Organisation", "Settings"],
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
        nav = page.locator("#main-nav .navbar-nav.me-auto .nav-link").all_inner_texts()
        assert [n.strip() for n in nav] == expected, username
        assert page.get_by_test_id("home-roles").is_visible()
        axe_check(f"home page of {username}")
        shot(f"home-{username}")
        logout()
