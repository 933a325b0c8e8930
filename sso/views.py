"""Signing in and out: the log-in page, the provider's code flow, sign-out, and the page for a person with no role."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.views.decorators.http import require_POST
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from . import config, services

log = logging.getLogger(__name__)

SSO_SESSION_KEY = "sso_signed_in"
END_SESSION_KEY = "sso_end_session_url"


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "sso_enabled": config.enabled(),
            "sso_provider_name": config.provider_name(),
            "password_sign_in": config.password_sign_in(),
        }

    def post(self, request, *args, **kwargs):
        if not config.password_sign_in():
            messages.error(request, f"Passwords are not used here: sign in with {config.provider_name()}.")
            return redirect("login")
        return super().post(request, *args, **kwargs)


login = LoginView.as_view()


class StartView(OIDCAuthenticationRequestView):
    """Send the person to the provider: state, nonce and a PKCE challenge are made by the library."""

    def __init__(self, *args, **kwargs) -> None:
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)  # endpoints are read in get()
        self.OIDC_RP_CLIENT_ID = settings.SSO_CLIENT_ID

    def get(self, request):
        if not config.enabled():
            return redirect("login")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = config.metadata().authorization_endpoint
        except config.ProviderUnavailable as error:
            log.warning("sso: %s", error)
            messages.error(request, f"{config.provider_name()} did not answer. Try again in a minute.")
            return redirect("login")
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """The provider's answer. The library checks state, nonce and PKCE; refusals are told, never a 400 page."""

    def get(self, request):
        try:
            return super().get(request)
        except SuspiciousOperation as error:
            # A state this browser never sent (a forged or replayed answer), a nonce that does not match,
            # a token whose signature, issuer or audience is wrong.
            log.warning("sso: refused a sign-in answer: %s", error)
            request.sso_refusal = "That sign-in could not be trusted, so it was refused. Start again."
            return self.login_failure()

    def login_success(self):
        response = super().login_success()
        self.request.session[SSO_SESSION_KEY] = True
        if not services.has_any_role(self.user):
            return redirect("sso:welcome")
        return response

    def login_failure(self):
        reason = (getattr(self.request, "sso_refusal", "")
                  or f"Signing in with {config.provider_name()} did not complete.")
        messages.error(self.request, reason)
        return redirect("login")


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """Sign out of the portal; after single sign-on, offer to sign out of the provider too."""
    signed_in_with_sso = request.session.get(SSO_SESSION_KEY, False)
    id_token = request.session.get("oidc_id_token", "")
    auth.logout(request)
    if not signed_in_with_sso:
        return HttpResponseRedirect(resolve_url(settings.LOGOUT_REDIRECT_URL))
    end_session = ""
    try:
        end_session = config.metadata().end_session_endpoint
    except config.ProviderUnavailable as error:
        log.warning("sso: %s", error)
    if end_session:
        # OpenID Connect RP-Initiated Logout 1.0: the id token says whose session to end.
        params = {"client_id": settings.SSO_CLIENT_ID,
                  "post_logout_redirect_uri": request.build_absolute_uri(reverse("sso:signed_out"))}
        if id_token:
            params["id_token_hint"] = id_token
        request.session[END_SESSION_KEY] = f"{end_session}?{urlencode(params)}"
    return redirect("sso:signed_out")


def signed_out(request: HttpRequest) -> HttpResponse:
    end_session_url = request.session.pop(END_SESSION_KEY, "")
    return render(request, "sso/signed_out.html", {
        "end_session_url": end_session_url, "sso_provider_name": config.provider_name(),
    })


@login_required
def welcome(request: HttpRequest) -> HttpResponse:
    """What a person can do before anyone has given them a role, and whom to ask for one."""
    return render(request, "sso/welcome.html", {
        "has_role": services.has_any_role(request.user),
        "qi_admins": list(services.qi_admins_to_ask()),
    })
