"""Browsing the portfolio: the filters on the project list."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html

from organisation.directory import LISTED_DIRECTORATES, find_directorates
from organisation.models import AnnualPriority, Directorate, Role, StrategicObjective, Team, User
from organisation.widgets import FastSelect, PickerSelect, typed_in

from .models import Involvement, ProjectQuerySet, ProjectStatus

NOT_ALIGNED = "none"
# The search box beside the directorate filter of a large trust, as a field of the form (scripts off).
FIND_DIRECTORATE = "find_directorate"


class ProjectFilter(django_filters.FilterSet):
    """Filters whose option lists stay short however large the trust: teams and coaches are offered for
    the chosen directorate (or the chosen team's), while any valid team or coach id in the URL still filters."""

    q = django_filters.CharFilter(label="Search", method="search",
                                  help_text="Words from the title, the problem or the aim")
    directorate = django_filters.ModelChoiceFilter(queryset=Directorate.objects.all(), empty_label="Any directorate",
                                                   widget=FastSelect(attrs={"data-submit-on-change": "true"}))
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all(), empty_label="Any team", widget=FastSelect)
    status = django_filters.ChoiceFilter(choices=ProjectStatus.choices, empty_label="Any status")
    aligned_to = django_filters.ChoiceFilter(label="Aligned to", method="filter_alignment",
                                             empty_label="Anything, or nothing", widget=FastSelect)
    involvement = django_filters.ChoiceFilter(label="Service-user involvement", choices=Involvement.choices,
                                              empty_label="Any involvement")
    coach = django_filters.ModelChoiceFilter(
        label="QI coach", empty_label="Any coach", widget=FastSelect,
        queryset=User.objects.filter(Q(role_assignments__role=Role.COACH) | Q(coached_projects__isnull=False))
        .distinct(),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Words typed in the directorate search box with scripts off: one match is taken as the choice,
        # several are offered beside the filter (_offer_directorates).
        self._typed = typed_in(self.data, FIND_DIRECTORATE)
        self._matches = []
        if self._typed and not (self.data or {}).get("directorate"):
            self._matches = find_directorates(self._typed)
            if len(self._matches) == 1:
                self.data = self.data.copy()
                self.data["directorate"] = str(self._matches[0].pk)
                self._typed, self._matches = "", []
        objectives = [(f"objective-{o.pk}", o.name) for o in StrategicObjective.objects.all()]
        priorities = [(f"priority-{p.pk}", str(p)) for p in AnnualPriority.objects.all()]
        self.filters["aligned_to"].extra["choices"] = [
            (NOT_ALIGNED, "Not aligned"),
            ("Strategic objectives", objectives),
            ("Annual priorities", priorities),
        ]

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_options_narrowed", False):
            form._options_narrowed = True
            self._narrow_options(form)
        return form

    def _narrow_options(self, form) -> None:
        """Offer the teams and coaches of one directorate only (validation still accepts any)."""
        data = self.data or {}
        directorate_id = _int(data.get("directorate"))
        team_id, coach_id = _int(data.get("team")), _int(data.get("coach"))
        if directorate_id is None and team_id is not None:
            directorate_id = Team.objects.filter(pk=team_id).values_list("directorate_id", flat=True).first()
        self._offer_directorates(form, directorate_id)
        team_field, coach_field = form.fields["team"], form.fields["coach"]
        if directorate_id is None:
            team_field.widget.choices = [("", "Choose a directorate first")]
            coaches = User.objects.filter(pk=coach_id) if coach_id else User.objects.none()
            coach_field.widget.choices = [("", "Any coach")]
            team_field.help_text = "Pick a directorate to list its teams."
        else:
            teams = Team.objects.filter(directorate_id=directorate_id).order_by("name").values_list("pk", "name")
            team_field.widget.choices = [("", "Any team"), *teams]
            coaches = User.objects.filter(Q(pk=coach_id) | Q(directorate_id=directorate_id,
                                                            role_assignments__role=Role.COACH)).distinct()
        coach_field.widget.choices = [("", "Any coach"), *((u.pk, u.name) for u in coaches.order_by("display_name"))]
        if directorate_id is None:
            coach_field.help_text = "Pick a directorate to list its coaches."

    def _offer_directorates(self, form, chosen_id: int | None) -> None:
        """Every directorate while there are few (a trust has a handful); past LISTED_DIRECTORATES, the
        person's own and the chosen one, and a search box for the rest, so the page does not grow with them."""
        rows = list(Directorate.objects.order_by("name").values_list("pk", "name")[:LISTED_DIRECTORATES + 1])
        field = form.fields["directorate"]
        if len(rows) <= LISTED_DIRECTORATES:
            field.widget.choices = [("", "Any directorate"), *rows]
            return
        own_id = getattr(self.request.user, "directorate_id", None) if self.request else None

        def directorate_rows(pks) -> list[tuple]:
            pks = [pk for pk in map(_int, pks) if pk is not None]  # ?directorate=abc is an error, not a crash
            return [(pk, name, "Your directorate" if pk == own_id else "Directorates") for pk, name in
                    Directorate.objects.filter(pk__in=pks).order_by("name").values_list("pk", "name")]

        # Without scripts the words typed in the search box come with the form (found in __init__).
        typed = self._typed if chosen_id is None else ""
        matches = [(d.pk, d.name, f"Matching “{typed}”") for d in self._matches] if typed else []
        if typed:
            # Help texts are written out as markup (qi_forms.field): what the person typed is escaped here.
            field.help_text = (format_html("{} directorates match “{}”: choose one and press Filter.",
                                           len(matches), typed)
                               if matches else format_html("No directorate matches “{}”.", typed))
        field.widget = PickerSelect(
            search_url=reverse("organisation:directorate_search"), search_label="Find a directorate by name",
            blank="Any directorate", attrs=field.widget.attrs, search_name=FIND_DIRECTORATE, search_value=typed,
            suggest=lambda: directorate_rows([pk for pk in (own_id, chosen_id) if pk]) + matches,
            chosen=directorate_rows)

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


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
