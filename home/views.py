"""The home page: each person sees what their roles need first."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from organisation import rules as roles

from .panels import organisation_counts, panels_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    panels = panels_for(user)
    for panel in panels:
        # No request: panels need no context processors, which would otherwise run once per panel.
        panel.html = mark_safe(render_to_string(panel.template, panel.context))  # noqa: S308
    context = {"assignments": user.role_assignments.select_related("directorate"), "panels": panels}
    if roles.is_qi_admin(user):
        context["org_counts"] = organisation_counts()
    return render(request, "home/index.html", context)
