"""Single sign-on end to end: a real browser, the portal, and a real OpenID Connect provider on this machine.

The provider is the npm `oidc-provider` package run by tests/sso/provider.js (installed by `npm ci`); it
requires PKCE of every client. Its /_test/ switches make it tamper with the id token, or with the state or
nonce of the authorisation request, as an attacker in the middle would.
"""

import json
import os
import shutil
import socket
import subprocess
import urllib.request

import pytest
from playwright.sync_api import expect

from organisation.models import Role, RoleAssignment, User
from sso import config
from sso.models import Identity

from .conftest import ROOT

PROVIDER = ROOT / "tests" / "sso" / "provider.js"
ACCOUNTS = [
    {"id": "ana", "password": "pw", "email": "ana.silva@trust.nhs.uk", "name": "Ana Silva"},
    {"id": "cara", "password": "pw", "email": "cara.jones@trust.nhs.uk", "name": "Cara Jones",
     "groups": ["qi-coaches"]},
    {"id": "dev", "password": "pw", "email": "dev.patel@trust.nhs.uk", "name": "Dev Patel"},
    {"id": "gus", "password": "pw", "email": "gus@gmail.com", "name": "Gus Grey"},
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Provider:
    def __init__(self, url: str) -> None:
        self.url = url

    def _call(self, path: str, method: str = "GET"):
        request = urllib.request.Request(self.url + path, method=method)
        with urllib.request.urlopen(request, timeout=5) as answer:
            return json.loads(answer.read())

    def mode(self, **switches) -> None:
        query = "&".join(f"{k}=1" for k in switches)
        self._call(f"/_test/mode?{query}", "POST")

    def log(self) -> list[dict]:
        return self._call("/_test/log")


@pytest.fixture
def provider(live_server, tmp_path):
    node = shutil.which("node")
    if not node or not (ROOT / "node_modules" / "oidc-provider").exists():
        pytest.fail("node or oidc-provider is missing: run `make test` (npm ci installs it)")
    accounts = tmp_path / "accounts.json"
    accounts.write_text(json.dumps(ACCOUNTS))
    port = _free_port()
    env = {**os.environ, "PORT": str(port), "CLIENT_REDIRECT": live_server.url, "ACCOUNTS": str(accounts)}
    process = subprocess.Popen([node, str(PROVIDER)], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        if not line.startswith("ready"):
            pytest.fail(f"the provider did not start: {line}{process.stderr.read()}")
        yield Provider(f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        process.wait(timeout=5)


@pytest.fixture
def portal(settings, provider):
    settings.SSO_ISSUER = provider.url
    settings.SSO_CLIENT_ID = "qiportal"
    settings.SSO_CLIENT_SECRET = "qiportal-test-secret"
    settings.SSO_PROVIDER_NAME = "Test provider"
    settings.SSO_ALLOWED_EMAIL_DOMAINS = ["trust.nhs.uk"]
    settings.SSO_GROUP_ROLES = ["qi-coaches=coach"]
    settings.OIDC_RP_SCOPES = "openid email profile groups"
    config.forget_metadata()
    yield settings
    config.forget_metadata()


def sign_in(page, live_server, account: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_role("link", name="Sign in with Test provider").click()
    page.get_by_label("User name").fill(account)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/**")


def test_sign_in_with_the_provider_from_first_visit_to_sign_out(page, live_server, transactional_db, portal, provider,
                                                                 shot, axe_check):
    User.objects.create_user("qiadmin", email="lee.walsh@trust.nhs.uk", display_name="Lee Walsh")
    RoleAssignment.objects.create(user=User.objects.get(username="qiadmin"), role=Role.QI_ADMIN)
    _stay_on_this_machine(page.context)

    page.goto(f"{live_server.url}/login/")
    expect(page.get_by_role("link", name="Sign in with Test provider")).to_be_visible()
    shot("sso-login")
    sign_in(page, live_server, "ana")

    # First sign-in: the account is made just in time; with no role yet, the welcome page says whom to ask.
    expect(page).to_have_url(f"{live_server.url}/sso/welcome/")
    expect(page.get_by_text("nobody has given you a role")).to_be_visible()
    expect(page.get_by_test_id("qi-admins")).to_contain_text("lee.walsh@trust.nhs.uk")
    axe_check("welcome page")
    shot("sso-welcome")
    ana = User.objects.get(email="ana.silva@trust.nhs.uk")
    assert Identity.objects.get(user=ana).created

    log = provider.log()
    assert {"method": "GET", "path": "/.well-known/openid-configuration"} in log
    auth = next(e for e in log if e["path"] == "/auth")["params"]
    assert auth["code_challenge_method"] == "S256" and len(auth["code_challenge"]) == 43
    assert auth["state"] and auth["nonce"] and auth["response_type"] == "code"
    assert any(e["path"] == "/token" and e["method"] == "POST" for e in log)

    # Sign-out ends the portal's session and offers the provider's end-session.
    page.locator("#account-menu").click()
    expect(page.get_by_role("link", name="Change password")).to_have_count(0)
    page.get_by_test_id("logout").click()
    expect(page.get_by_role("heading", name="You are signed out of QI Portal")).to_be_visible()
    shot("sso-signed-out")
    page.get_by_test_id("sso-end-session").click()
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{live_server.url}/sso/signed-out/")
    expect(page.get_by_test_id("sso-end-session")).to_have_count(0)
    assert any(e["path"] == "/session/end/confirm" for e in provider.log())
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/login/?next=/")

    # Signing in again asks the provider for the password again (its session ended) and finds the same person.
    sign_in(page, live_server, "ana")
    expect(page).to_have_url(f"{live_server.url}/sso/welcome/")
    assert User.objects.filter(email="ana.silva@trust.nhs.uk").count() == 1

    # A member of the mapped group is a coach from the first sign-in, and goes to the home page.
    coach_page = _new_page(page)
    sign_in(coach_page, live_server, "cara")
    expect(coach_page).to_have_url(f"{live_server.url}/")
    assert RoleAssignment.objects.filter(user__email="cara.jones@trust.nhs.uk", role=Role.COACH).exists()
    coach_page.context.close()


def _stay_on_this_machine(context) -> None:
    context.route("**/*", lambda route: route.continue_()
                  if route.request.url.startswith(("http://127.0.0.1", "http://localhost")) else route.abort())


def _new_page(page):
    """A second browser, with no session at the provider."""
    context = page.context.browser.new_context(viewport={"width": 1280, "height": 900})
    _stay_on_this_machine(context)
    return context.new_page()


@pytest.mark.parametrize("account, attack, words", [
    ("ana", "tamper", "could not be trusted"),
    ("ana", "nonce", "could not be trusted"),
    ("ana", "state", "could not be trusted"),
    ("dev", "", "disabled"),
    ("gus", "", "not an address of this organisation"),
], ids=["tampered-id-token", "wrong-nonce", "wrong-state", "disabled-account", "domain-not-allowed"])
def test_a_sign_in_that_must_not_succeed_is_refused(page, live_server, transactional_db, portal, provider, shot,
                                                     account, attack, words):
    User.objects.create_user("dev", email="dev.patel@trust.nhs.uk", is_active=False)
    _stay_on_this_machine(page.context)
    if attack:
        provider.mode(**{attack: True})
    sign_in(page, live_server, account)
    expect(page).to_have_url(f"{live_server.url}/login/")
    expect(page.locator(".messages")).to_contain_text(words)
    shot(f"sso-refused-{attack or account}")
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/login/?next=/")
    assert not Identity.objects.filter(email="intruder@trust.nhs.uk").exists()
    assert User.objects.filter(is_active=True).count() == 0
