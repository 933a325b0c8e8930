"""Forms of the programme pages: each cleans what a person typed into what the services take."""

from __future__ import annotations

from django import forms
from django.urls import reverse

from coaching.services import advisors, sponsors_for, suggest_coaches
from organisation.forms import ConstraintErrorsBesideFields
from organisation.models import AnnualPriority, ExternalOrganisation, Role, Team, User
from organisation.widgets import FastSelect, PickerSelect
from projects.models import Project, ProjectStatus

from .models import Evaluation, MeasureTemplate, PackageIdea, Programme, ProgrammeDriver, Stage, Wave

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _people(*roles: str):
    return (User.objects.filter(is_active=True, role_assignments__role__in=roles).distinct()
            .order_by("display_name", "username"))


class ProgrammeForm(forms.ModelForm):
    sponsors = forms.ModelMultipleChoiceField(
        label="Executive sponsors", queryset=User.objects.none(), required=False,
        help_text="Board members; at least one before the programme leaves scoping.",
        widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Programme
        fields = ["title", "topic", "priority", "lead", "problem", "baseline", "aim", "planned_teams"]
        widgets = {"problem": forms.Textarea(attrs={"rows": 3}), "baseline": forms.Textarea(attrs={"rows": 3}),
                   "priority": FastSelect, "lead": FastSelect}
        help_texts = {"lead": "Someone from the QI department.",
                      "priority": "The annual plan's priority this programme delivers."}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = _people(Role.QI_ADMIN, Role.IMPROVEMENT_ADVISOR)
        self.fields["priority"].queryset = AnnualPriority.objects.select_related("objective").order_by(
            "-large_scale_programme", "-year", "name")
        self.fields["sponsors"].queryset = _people(Role.BOARD)
        if self.instance.pk:
            self.fields["sponsors"].initial = [s.person_id for s in self.instance.executive_sponsors.all()]


class MoveForm(forms.Form):
    to_stage = forms.ChoiceField(choices=Stage.choices, widget=forms.HiddenInput)
    expected_from = forms.ChoiceField(choices=Stage.choices, widget=forms.HiddenInput)
    note = forms.CharField(max_length=300, required=False, label="Note (say why when going back)")


class DriverForm(forms.Form):
    text = forms.CharField(max_length=200, label="Driver")
    parent = forms.TypedChoiceField(coerce=int, empty_value=None, required=False,
                                    label="Under the primary driver (blank: a new primary driver)")

    def __init__(self, *args, programme: Programme, drivers: list[ProgrammeDriver] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.primaries = {d.pk: d for d in (drivers if drivers is not None else programme.drivers.all())
                          if d.parent_id is None}
        self.fields["parent"].choices = [("", "---------"), *((pk, d.text) for pk, d in self.primaries.items())]

    def clean_parent(self) -> ProgrammeDriver | None:
        pk = self.cleaned_data["parent"]
        return None if pk is None else self.primaries[pk]


class PackageIdeaForm(forms.Form):
    title = forms.CharField(max_length=200, label="Change idea")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    drivers = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
                                             label="Secondary drivers it serves")

    def __init__(self, *args, programme: Programme, drivers: list[ProgrammeDriver] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.secondaries = {d.pk: d for d in (drivers if drivers is not None else programme.drivers.all())
                            if d.parent_id is not None}
        self.fields["drivers"].choices = [(pk, d.text) for pk, d in self.secondaries.items()]

    def clean_drivers(self) -> list[ProgrammeDriver]:
        return [self.secondaries[pk] for pk in self.cleaned_data["drivers"]]


class TemplateForm(ConstraintErrorsBesideFields, forms.ModelForm):
    class Meta:
        model = MeasureTemplate
        fields = ["name", "definition", "measure_type", "period", "chart_type", "numerator", "denominator",
                  "improvement", "target", "unit", "multiplier", "counts_events"]
        widgets = {"definition": forms.Textarea(attrs={"rows": 2}), "numerator": forms.Textarea(attrs={"rows": 1}),
                   "denominator": forms.Textarea(attrs={"rows": 1})}

    def __init__(self, *args, programme: Programme, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.programme = programme

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if self.programme.templates.filter(name__iexact=name).exists():
            raise forms.ValidationError("The measurement plan already has a measure of that name.")
        return name

    def clean(self):
        data = super().clean()
        if data.get("chart_type") in ("p", "pp", "u", "up") and not (data.get("numerator") or "").strip():
            self.add_error("numerator", "A proportion or rate needs a numerator: say what is counted.")
        if data.get("chart_type") in ("p", "pp", "u", "up") and not (data.get("denominator") or "").strip():
            self.add_error("denominator", "A proportion or rate needs a denominator: say what it is divided by.")
        return data


class WaveForm(forms.Form):
    starts_on = forms.DateField(widget=DATE, label="Wave starts on")


class SessionForm(forms.Form):
    date = forms.DateField(widget=DATE)
    title = forms.CharField(max_length=200, required=False)
    agenda = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class SessionRecordForm(forms.Form):
    shared = forms.CharField(label="What was shared", widget=forms.Textarea(attrs={"rows": 4}), required=False)


class AttendanceForm(forms.Form):
    attended = forms.BooleanField(required=False, label="Came",
                                  widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    who = forms.CharField(max_length=300, required=False, label="Who came")
    next_plan = forms.CharField(required=False, label="Plan for the next action period",
                                widget=forms.Textarea(attrs={"rows": 2}))


def _team_picker(user) -> PickerSelect:
    teams = Team.objects.filter(active=True).select_related("directorate")

    def rows(qs):
        return [(t.pk, t.name, t.directorate.name) for t in qs.order_by("directorate__name", "name")[:60]]

    return PickerSelect(search_url=reverse("organisation:team_search"), search_label="Another team? Find it by name",
                        blank="Choose the team",
                        suggest=lambda: rows(teams.filter(directorate_id=user.directorate_id)),
                        chosen=lambda pks: rows(teams.filter(pk__in=pks)))


class InviteForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.filter(active=True))
    partner = forms.ModelChoiceField(queryset=ExternalOrganisation.objects.all(), required=False,
                                     label="Partner organisation", help_text="For a team of a partner organisation.")
    note = forms.CharField(label="Why this team", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].widget = _team_picker(user)


class ApplyForm(forms.Form):
    note = forms.CharField(label="Why your team wants to take part", widget=forms.Textarea(attrs={"rows": 3}))


class AcceptForm(forms.Form):
    """Who supports the team: a coach (capacity counted as at a forum), the local sponsor, and its project."""

    project = forms.ModelChoiceField(queryset=Project.objects.none(), required=False, widget=FastSelect,
                                     label="Bring in an existing project",
                                     help_text="Blank: start a new project for the team.")
    lead = forms.ModelChoiceField(queryset=User.objects.none(), required=False, widget=FastSelect,
                                  label="Project lead (for a new project)")
    coach = forms.ModelChoiceField(queryset=User.objects.none(), widget=FastSelect, label="QI coach")
    advisor = forms.ModelChoiceField(queryset=User.objects.none(), required=False, widget=FastSelect,
                                     label="Improvement Advisor")
    sponsor = forms.ModelChoiceField(queryset=User.objects.none(), widget=FastSelect, label="Local sponsor")
    wave = forms.ModelChoiceField(queryset=Wave.objects.none(), required=False, widget=FastSelect)
    override_reason = forms.CharField(max_length=300, required=False,
                                      label="Reason to choose a coach who is full (only then)")

    def __init__(self, *args, programme: Programme, team: Team, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.filter(
            team=team, status__in=(ProjectStatus.ACTIVE, ProjectStatus.CLOSURE_REQUESTED)).exclude(
            programme_enrolments__programme=programme)
        self.fields["lead"].queryset = User.objects.filter(team=team, is_active=True).order_by("display_name")
        self.coaches = suggest_coaches(team.directorate_id)
        self.fields["coach"].queryset = User.objects.filter(pk__in=[c.coach.pk for c in self.coaches])
        self.fields["coach"].label_from_instance = lambda u: next(
            (f"{c.coach.name} ({c.teams_text})" for c in self.coaches if c.coach.pk == u.pk),
            u.name)
        self.fields["advisor"].queryset = advisors().order_by("display_name")
        self.fields["sponsor"].queryset = sponsors_for(team.directorate_id)
        self.fields["wave"].queryset = programme.waves.all()

    def clean(self):
        data = super().clean()
        if data.get("project") is None and data.get("lead") is None and "lead" not in self.errors:
            self.add_error("lead", "A new project needs a lead from the team: choose one, or bring in an existing "
                                   "project.")
        return data


class DeclineForm(forms.Form):
    note = forms.CharField(max_length=300, label="Why (the team will read this)")


class LinkForm(forms.Form):
    package_idea = forms.ModelChoiceField(queryset=PackageIdea.objects.none(), widget=FastSelect,
                                          label="Package idea")
    change_idea = forms.ChoiceField(label="The team's change idea")

    def __init__(self, *args, programme: Programme, change_ideas, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["package_idea"].queryset = programme.package_ideas.all()
        self.fields["change_idea"].choices = [("", "Choose a team's change idea")] + [
            (i.pk, f"{i.project.team.name}: {i.title}") for i in change_ideas]


class TeamOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=[("", "Not judged yet"), *Evaluation.choices], required=False,
                                widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    outcome_note = forms.CharField(max_length=300, required=False, label="Note",
                                   widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}))


class EvaluationForm(forms.Form):
    outcome = forms.ChoiceField(choices=Evaluation.choices, label="Was the programme's aim met?")
    learning = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), label="What the programme learnt",
                               help_text="What worked where, what did not, what the next programme should know.")


