"""The home page: each person sees what their roles need first.

It sits in the config package because it is the one page that reads from
every app; the apps themselves never import each other upwards.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from ops.pagecache import cached_page
from organisation import rules as roles

from .home import organisation_counts, panels_for


@cached_page
@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    panels = panels_for(user)
    for panel in (p for p in panels if not p.html):
        # No request: panels need no context processors, which would otherwise run once per panel.
        panel.html = mark_safe(render_to_string(panel.template, panel.context))  # noqa: S308
    context = {"assignments": user.role_assignments.select_related("directorate"), "panels": panels}
    if roles.is_qi_admin(user):
        context["org_counts"] = organisation_counts()
    return render(request, "home.html", context)
