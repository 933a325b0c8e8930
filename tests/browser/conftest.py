"""Browser tests: Playwright driving Debian's chromium against a live server.

Never `playwright install`: there is no internet; /usr/bin/chromium is used.
"""

import os
from pathlib import Path

import pytest

# pytest-playwright runs an event loop in the test thread; Django's ORM calls from
# fixtures are still synchronous and safe here (STACK.md).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "test-output" / "screenshots"  # pytest-playwright empties test-results/ at each start
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test` (it installs Debian's chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # axe-core is injected as an inline script, which our CSP rightly blocks for the app itself.
    return {**browser_context_args, "bypass_csp": True, "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def shot(page):
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def axe_check(page):
    """Run axe-core on the current page (or `on`, another page such as a wall screen's); fail on serious or
    critical violations."""

    def check(label: str, on=None) -> None:
        if not AXE.exists():
            pytest.fail("axe-core is missing: run `make test` (npm ci installs it)")
        target = on or page
        target.add_script_tag(path=str(AXE))
        violations = target.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}))"
        )
        bad = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert not bad, f"accessibility violations on {label}: {bad}"

    return check


@pytest.fixture
def login(page, live_server):
    def do(username: str, password: str = "demo") -> None:
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/")

    return do


@pytest.fixture
def logout(page):
    def do() -> None:
        page.locator("#account-menu").click()
        page.get_by_test_id("logout").click()
        page.wait_for_url("**/login/")

    return do
