"""The QI department's API token pages, and the API's guide for the people who connect systems to it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from organisation.rules import is_qi_admin

from .forms import RevokeForm, TokenForm
from .models import ApiToken


def qi_admin_required(view: Callable) -> Callable:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_qi_admin(request.user):
            raise PermissionDenied("API tokens are issued by the QI department.")
        return view(request, *args, **kwargs)

    return wrapper


@qi_admin_required
def tokens(request: HttpRequest) -> HttpResponse:
    return render(request, "ingest/tokens.html", {"tokens": ApiToken.objects.for_list()})


@never_cache  # the page that shows the secret must not sit in any cache
@qi_admin_required
@require_http_methods(["GET", "POST"])
def token_new(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        token, secret = ApiToken.issue(by=request.user, **form.issue_kwargs())
        # Shown in the response to the POST and nowhere else: the secret is never stored, not even in the
        # session, so there is no page to come back to.
        return render(request, "ingest/token_created.html", {"token": token, "secret": secret})
    return render(request, "ingest/token_form.html", {"form": form})


@qi_admin_required
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.select_related("created_by", "revoked_by"), pk=pk)
    if token.is_revoked:
        messages.info(request, f"“{token.name}” was already revoked.")
        return redirect("ingest:tokens")
    form = RevokeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if token.revoke(by=request.user):
            messages.success(request, f"“{token.name}” is revoked: it no longer works.")
        return redirect("ingest:tokens")
    return render(request, "ingest/token_revoke.html", {"token": token, "form": form})


@login_required
def api_docs(request: HttpRequest) -> HttpResponse:
    base = request.build_absolute_uri(reverse("ingest:ingest-api:api-root"))
    return render(request, "ingest/api_docs.html", {"base": base.rstrip("/"),
                                                    "is_qi_admin": is_qi_admin(request.user)})
