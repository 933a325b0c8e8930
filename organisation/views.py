from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from .directory import find_directorates, find_people, find_teams, person_kind, person_label
from .forms import ProfileForm
from .models import CoachProfile, Directorate, Role, RoleAssignment, Team, User
from .panels import render_panels


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your profile has been updated.")
        return redirect("organisation:profile")
    return render(request, "organisation/profile.html", {"form": form, **_person_context(request.user),
                                                         "panels": render_panels(request, request.user)})


def _person_context(person: User) -> dict:
    assignments = person.role_assignments.select_related("directorate")
    coach_profile = CoachProfile.objects.filter(user=person).select_related("supervisor").first()
    return {"person": person, "assignments": assignments, "coach_profile": coach_profile}


@login_required
def person(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(
        User.objects.filter(is_active=True).select_related("team", "directorate", "external_organisation"), pk=pk
    )
    return render(request, "organisation/person.html", {**_person_context(person),
                                                        "panels": render_panels(request, person)})


def _count(rows) -> Coalesce:
    return Coalesce(Subquery(rows.order_by().values("directorate").annotate(n=Count("pk")).values("n")[:1],
                             output_field=IntegerField()), 0)


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    leads = RoleAssignment.objects.filter(role__in=[Role.FORUM_CHAIR, Role.FORUM_CO_CHAIR]).select_related("user")
    directorates = (
        Directorate.objects.select_related("clinical_director", "service_director")
        # Two counting subqueries, not two joins: joining teams and people multiplies the rows (tens of teams
        # times hundreds of people a directorate) before DISTINCT counts them back down.
        .annotate(
            team_count=_count(Team.objects.filter(directorate=OuterRef("pk"), active=True)),
            people_count=_count(User.objects.filter(directorate=OuterRef("pk"), is_active=True)),
        )
        .prefetch_related(Prefetch("role_assignments", queryset=leads, to_attr="forum_leads"))
    )
    return render(request, "organisation/directory.html", {"directorates": directorates})


@login_required
def directorate(request: HttpRequest, slug: str) -> HttpResponse:
    directorate = get_object_or_404(
        Directorate.objects.select_related("clinical_director", "service_director"), slug=slug
    )
    teams = Team.objects.filter(directorate=directorate, active=True).annotate(
        people_count=Count("people", filter=Q(people__is_active=True))
    )
    assignments = (
        RoleAssignment.objects.filter(directorate=directorate)
        .select_related("user")
        .order_by("role", "user__display_name")
    )
    return render(
        request,
        "organisation/directorate.html",
        {"directorate": directorate, "teams": teams, "assignments": assignments},
    )


@login_required
def people_search(request: HttpRequest) -> JsonResponse:
    """People matching ?q= for the team pickers: name, team or partner organisation, and kind."""
    exclude = request.GET.get("exclude")
    people = find_people(request.GET.get("q", ""), exclude=int(exclude) if (exclude or "").isdigit() else None)
    return JsonResponse({"results": [{"id": p.pk, "label": person_label(p), "group": person_kind(p)}
                                     for p in people]})


@login_required
def team_search(request: HttpRequest) -> JsonResponse:
    """Teams matching ?q= for the team picker, labelled with their directorate."""
    return JsonResponse({"results": [{"id": t.pk, "label": t.name, "group": t.directorate.name}
                                     for t in find_teams(request.GET.get("q", ""))]})


@login_required
def directorate_search(request: HttpRequest) -> JsonResponse:
    """Directorates matching ?q= for the directorate picker of a large trust."""
    return JsonResponse({"results": [{"id": d.pk, "label": d.name, "group": "Directorates"}
                                     for d in find_directorates(request.GET.get("q", ""))]})
