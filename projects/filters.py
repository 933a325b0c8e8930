"""Browsing the portfolio: the filters on the project list."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from organisation.models import AnnualPriority, Directorate, Role, StrategicObjective, Team, User

from .forms import grouped_choices
from .models import Involvement, ProjectQuerySet, ProjectStatus

NOT_ALIGNED = "none"


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search",
                                  help_text="Words from the title, the problem or the aim")
    directorate = django_filters.ModelChoiceFilter(queryset=Directorate.objects.all(), empty_label="Any directorate")
    team = django_filters.ChoiceFilter(empty_label="Any team")
    status = django_filters.ChoiceFilter(choices=ProjectStatus.choices, empty_label="Any status")
    aligned_to = django_filters.ChoiceFilter(label="Aligned to", method="filter_alignment",
                                             empty_label="Anything, or nothing")
    involvement = django_filters.ChoiceFilter(label="Service-user involvement", choices=Involvement.choices,
                                              empty_label="Any involvement")
    coach = django_filters.ModelChoiceFilter(
        label="QI coach", empty_label="Any coach",
        queryset=User.objects.filter(Q(role_assignments__role=Role.COACH) | Q(coached_projects__isnull=False))
        .distinct(),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        objectives = [(f"objective-{o.pk}", o.name) for o in StrategicObjective.objects.all()]
        priorities = [(f"priority-{p.pk}", str(p)) for p in AnnualPriority.objects.all()]
        self.filters["aligned_to"].extra["choices"] = [
            (NOT_ALIGNED, "Not aligned"),
            ("Strategic objectives", objectives),
            ("Annual priorities", priorities),
        ]
        self.filters["team"].extra["choices"] = grouped_choices(
            Team.objects.select_related("directorate"), group=lambda t: t.directorate.name, label=lambda t: t.name)

    def search(self, queryset: ProjectQuerySet, name: str, value: str) -> ProjectQuerySet:
        for word in value.split():
            queryset = queryset.filter(Q(title__icontains=word) | Q(problem__icontains=word)
                                       | Q(aim_what__icontains=word))
        return queryset

    def filter_alignment(self, queryset: ProjectQuerySet, name: str, value: str) -> ProjectQuerySet:
        if value == NOT_ALIGNED:
            return queryset.filter(objectives__isnull=True, priorities__isnull=True)
        kind, _, pk = value.partition("-")
        if kind == "objective":
            return queryset.filter(objectives=pk)
        return queryset.filter(priorities=pk)
