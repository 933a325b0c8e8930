"""Browsing the portfolio: the filters on the project list."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.html import format_html

from organisation.directory import LISTED_DIRECTORATES, find_directorates
from organisation.models import AnnualPriority, Directorate, Role, StrategicObjective, Team, User
from organisation.widgets import FastSelect, PickerSelect, typed_in

from .models import Involvement, Project, ProjectQuerySet, ProjectStatus, Stage

NOT_ALIGNED, ALIGNED = "none", "any"
# Groups of statuses the QI portfolio counts by (board.portfolio RUNNING and CLOSED), offered beside each status.
STATUS_GROUPS = {
    "running": ("Running (active or closure requested)", (ProjectStatus.ACTIVE, ProjectStatus.CLOSURE_REQUESTED)),
    "closed": ("Closed (completed or stopped)", (ProjectStatus.COMPLETED, ProjectStatus.STOPPED)),
}
STAGE_NOT_RECORDED = "none"
# The IHI progress scale's points (workspace.models.IHI_SCALE), as the query string writes them.
SCORES = [(f"{s / 2:.1f}", f"{s / 2:.1f}") for s in range(1, 11)]
SCORE_ANY, SCORE_NONE = "any", "none"
SCORE_CHANGES = [("up", "Moved up"), ("same", "Stayed level"), ("down", "Moved down")]
# The figures of the QI portfolio that lead here and that the form does not show as fields: said in words
# above the list (portfolio_filters) and kept as hidden fields when the form is sent again.
PORTFOLIO_FIELDS = ("score_month", "score", "score_change", "closure", "coached_from", "decision",
                    "decided_from", "decided_to", "forum")
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
    status = django_filters.ChoiceFilter(
        choices=[(k, label) for k, (label, _) in STATUS_GROUPS.items()] + list(ProjectStatus.choices),
        empty_label="Any status", method="filter_status")
    stage = django_filters.ChoiceFilter(choices=[*Stage.choices, (STAGE_NOT_RECORDED, "Stage not recorded")],
                                        empty_label="Any stage", method="filter_stage")
    aligned_to = django_filters.ChoiceFilter(label="Aligned to", method="filter_alignment",
                                             empty_label="Anything, or nothing", widget=FastSelect)
    involvement = django_filters.ChoiceFilter(label="Service-user involvement", choices=Involvement.choices,
                                              empty_label="Any involvement")
    coach = django_filters.ModelChoiceFilter(
        label="QI coach", empty_label="Any coach", widget=FastSelect,
        queryset=User.objects.filter(Q(role_assignments__role=Role.COACH) | Q(coached_projects__isnull=False))
        .distinct(),
    )
    # The QI portfolio's other figures. The apps that keep these rows (workspace, coaching, forums) sit above
    # projects, so they are reached by their relations' names, never imported.
    score_month = django_filters.DateFilter(label="IHI score for the month of", method="filter_nothing",
                                            widget=forms.HiddenInput)
    score = django_filters.ChoiceFilter(label="IHI score",
                                        choices=[*SCORES, (SCORE_ANY, "Scored"), (SCORE_NONE, "Not scored")],
                                        method="filter_nothing", widget=forms.HiddenInput)
    score_change = django_filters.ChoiceFilter(label="IHI score against the month before", choices=SCORE_CHANGES,
                                               method="filter_nothing", widget=forms.HiddenInput)
    closure = django_filters.ChoiceFilter(
        label="Closure confirmed", method="filter_closure", widget=forms.HiddenInput,
        choices=[("aim_met", "Aim met"), ("aim_partly_met", "Aim partly met"), ("aim_not_met", "Aim not met"),
                 ("stopped", "Stopped")])
    coached_from = django_filters.ModelChoiceFilter(label="Coached now by a coach of", method="filter_coached_from",
                                                    queryset=Directorate.objects.all(), widget=forms.HiddenInput)
    decision = django_filters.ChoiceFilter(
        label="Forum decision", method="filter_nothing", widget=forms.HiddenInput,
        choices=[("approve", "Approved"), ("return", "Returned"), ("decline", "Declined"), ("defer", "Deferred")])
    decided_from = django_filters.DateFilter(label="Decided from", method="filter_nothing", widget=forms.HiddenInput)
    decided_to = django_filters.DateFilter(label="Decided up to", method="filter_nothing", widget=forms.HiddenInput)
    forum = django_filters.ModelChoiceFilter(label="At the forum of", method="filter_nothing",
                                             queryset=Directorate.objects.all(), widget=forms.HiddenInput)

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
            (ALIGNED, "Aligned to an objective or a priority"),
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

    def filter_queryset(self, queryset: ProjectQuerySet) -> ProjectQuerySet:
        """The fields' own filters, then the figures read from two or more fields together (a score and its
        month, a decision and its dates and forum)."""
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        if data.get("score_month") and (data.get("score") or data.get("score_change")):
            queryset = self._filter_scores(queryset, data["score_month"].replace(day=1), data.get("score"),
                                           data.get("score_change"))
        if data.get("decision"):
            decided = Q(decisions__outcome=data["decision"])
            if data.get("decided_from"):
                decided &= Q(decisions__decided_at__date__gte=data["decided_from"])
            if data.get("decided_to"):
                decided &= Q(decisions__decided_at__date__lte=data["decided_to"])
            if data.get("forum"):
                decided &= Q(decisions__meeting__forum__directorate=data["forum"])
            queryset = queryset.filter(pk__in=Project.objects.filter(decided).values("pk"))
        return queryset

    @staticmethod
    def _filter_scores(queryset: ProjectQuerySet, month, score: str, change: str) -> ProjectQuerySet:
        """By the score that counts for a month (the latest recorded, as ProgressScore.effective), or by how
        it moved from the month before."""
        scores = Project.progress_scores.rel.related_model.objects

        def latest(m):
            return Subquery(scores.filter(project=OuterRef("pk"), month=m).order_by("-recorded_at", "-pk")
                            .values("score")[:1])

        queryset = queryset.alias(score_now=latest(month))
        if score == SCORE_NONE:
            queryset = queryset.filter(score_now__isnull=True)
        elif score == SCORE_ANY:
            queryset = queryset.filter(score_now__isnull=False)
        elif score:
            queryset = queryset.filter(score_now=score)
        if change:
            before = month.replace(year=month.year - 1, month=12) if month.month == 1 else month.replace(
                month=month.month - 1)
            queryset = queryset.alias(score_before=latest(before)).filter(score_now__isnull=False,
                                                                          score_before__isnull=False)
            lookup = {"up": "score_now__gt", "same": "score_now", "down": "score_now__lt"}[change]
            queryset = queryset.filter(**{lookup: F("score_before")})
        return queryset

    def portfolio_filters(self) -> list[tuple[str, str]]:
        """(label, value) of each portfolio figure's filter in use that the form shows no field for."""
        if not self.is_bound or not self.form.is_valid():
            return []
        out = []
        for name in PORTFOLIO_FIELDS:
            value = self.form.cleaned_data.get(name)
            if value:
                field = self.form.fields[name]
                shown = dict(field.choices).get(value, value) if hasattr(field, "choices") and isinstance(
                    value, str) else value
                out.append((field.label, f"{shown:%B %Y}" if name == "score_month" else str(shown)))
        return out

    def filter_nothing(self, queryset: ProjectQuerySet, name: str, value) -> ProjectQuerySet:
        return queryset  # read with its companions in filter_queryset

    def filter_status(self, queryset: ProjectQuerySet, name: str, value: str) -> ProjectQuerySet:
        if value in STATUS_GROUPS:
            return queryset.filter(status__in=STATUS_GROUPS[value][1])
        return queryset.filter(status=value)

    def filter_stage(self, queryset: ProjectQuerySet, name: str, value: str) -> ProjectQuerySet:
        return queryset.filter(stage="" if value == STAGE_NOT_RECORDED else value)

    def filter_closure(self, queryset: ProjectQuerySet, name: str, value: str) -> ProjectQuerySet:
        """Projects whose closure with this outcome the QI department confirmed."""
        return queryset.filter(pk__in=Project.objects.filter(
            closure_requests__outcome=value, closure_requests__review_outcome="confirmed").values("pk"))

    def filter_coached_from(self, queryset: ProjectQuerySet, name: str, value: Directorate) -> ProjectQuerySet:
        """Projects with a current coach (an active person holding the coach role) of that directorate: the
        places used that the portfolio's coach capacity counts."""
        coaches = User.objects.filter(is_active=True, directorate=value, role_assignments__role=Role.COACH)
        return queryset.filter(pk__in=Project.objects.filter(
            allocations__kind="coach", allocations__ended_on__isnull=True,
            allocations__person__in=coaches).values("pk"))

    def search(self, queryset: ProjectQuerySet, name: str, value: str) -> ProjectQuerySet:
        for word in value.split():
            queryset = queryset.filter(Q(title__icontains=word) | Q(problem__icontains=word)
                                       | Q(aim_what__icontains=word))
        return queryset

    def filter_alignment(self, queryset: ProjectQuerySet, name: str, value: str) -> ProjectQuerySet:
        if value == NOT_ALIGNED:
            return queryset.filter(objectives__isnull=True, priorities__isnull=True)
        if value == ALIGNED:
            return queryset.filter(pk__in=Project.objects.filter(
                Q(objectives__isnull=False) | Q(priorities__isnull=False)).values("pk"))
        kind, _, pk = value.partition("-")
        if kind == "objective":
            return queryset.filter(objectives=pk)
        return queryset.filter(priorities=pk)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
