"""The home page: each person sees what their roles need first.

It sits in the config package because it is the one page that reads from
every app; the apps themselves never import each other upwards.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from organisation import rules as roles
from organisation.models import Directorate, Team, User


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "assignments": user.role_assignments.select_related("directorate"),
        "is_qi_admin": roles.is_qi_admin(user),
        "can_submit": roles.can_submit_ideas(user),
        "is_coach": roles.is_coach(user),
        "is_ia": roles.is_improvement_advisor(user),
        "is_chair": roles.is_forum_chair(user),
        "is_board": roles.is_board_member(user),
        "is_sponsor": roles.is_sponsor(user),
    }
    if context["is_qi_admin"]:
        context["org_counts"] = {
            "directorates": Directorate.objects.count(),
            "teams": Team.objects.filter(active=True).count(),
            "people": User.objects.filter(is_active=True).count(),
        }
    return render(request, "home.html", context)
