from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from projects.models import Project

from .models import Supervision
from .services import CoachLoad, advisors, sponsors_for, suggest_coaches

User = get_user_model()


class SupervisionForm(forms.ModelForm):
    class Meta:
        model = Supervision
        fields = ["date", "notes"]
        labels = {"date": "Date of supervision", "notes": "Notes"}
        help_texts = {"notes": "What you discussed: each team's progress, what gets in the way, "
                               "the coach's own development and anything agreed."}
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and not self.initial.get("date"):
            self.initial["date"] = timezone.localdate()
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError("A supervision is logged once it has happened: the date cannot be in "
                                        "the future.")
        return date

    def clean_notes(self) -> str:
        notes = self.cleaned_data["notes"].strip()
        if not notes:
            raise forms.ValidationError("Write a few lines about what the supervision covered.")
        return notes


def coach_label(load: CoachLoad, current_coach_id: int | None) -> str:
    """e.g. "Chris Adeyemi · Willow Ward · 1 of 2 teams · 3 h a week · has room"."""
    where = load.coach.team or load.coach.directorate or "no team"
    if load.coach.pk == current_coach_id:
        state = "current coach"
    elif load.spare < 0:
        state = "over capacity"
    elif load.at_capacity:
        state = "at capacity"
    else:
        state = "has room"
    if not load.profile.accepting_teams and load.coach.pk != current_coach_id:
        state += ", not taking new teams"
    return (f"{load.coach.name} · {where} · {load.teams_text} · "
            f"{float(load.hours):g} h a week · {state}")


class ReallocationForm(forms.Form):
    """Change a running project's coach, sponsor or Improvement Advisor, with a reason that goes on record."""

    coach = forms.TypedChoiceField(label="QI coach", coerce=int)
    override_reason = forms.CharField(
        label="Reason for going over the coach's capacity", required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only needed when the coach you choose already coaches as many teams as they have agreed to.")
    sponsor = forms.ModelChoiceField(label="QI sponsor", queryset=User.objects.none())
    advisor = forms.ModelChoiceField(label="Improvement Advisor", queryset=User.objects.none(), required=False,
                                     empty_label="No Improvement Advisor")
    reason = forms.CharField(
        label="Why the change", max_length=300,
        help_text="Goes on the project's history, e.g. “Coach has left the organisation” or “Rebalancing "
                  "coach loads”.")

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        self.loads = suggest_coaches(project.directorate_id)
        self.coaches = {load.coach.pk: load for load in self.loads}
        here = [(load.coach.pk, coach_label(load, project.coach_id)) for load in self.loads if load.same_directorate]
        elsewhere = [(load.coach.pk, coach_label(load, project.coach_id))
                     for load in self.loads if not load.same_directorate]
        choices: list = [("", "Choose a coach")]
        if here:
            choices.append((f"In {project.directorate}", here))
        if elsewhere:
            choices.append(("Other directorates", elsewhere))
        self.fields["coach"].choices = choices
        self.fields["coach"].help_text = ("Suggested order: coaches in the project's directorate first, then those "
                                          "with the most spare places, then the most hours a week.")

        self.fields["sponsor"].queryset = (
            User.objects.filter(is_active=True)
            .filter(Q(pk__in=sponsors_for(project.directorate_id).values("pk")) | Q(pk=project.sponsor_id))
            .order_by("display_name"))
        self.fields["sponsor"].help_text = f"Sponsors of {project.directorate}."
        self.fields["advisor"].queryset = advisors().order_by("display_name")
        if project.advisor_id:
            # allocate() replaces an IA but has no way to leave a project without one.
            self.fields["advisor"].required = True
        if not self.is_bound:
            self.initial.update({"coach": project.coach_id if project.coach_id in self.coaches else "",
                                 "sponsor": project.sponsor_id, "advisor": project.advisor_id})

    def clean_coach(self):
        return self.coaches[self.cleaned_data["coach"]].coach

    def clean(self) -> dict:
        data = super().clean()
        coach, sponsor, advisor = data.get("coach"), data.get("sponsor"), data.get("advisor")
        if coach is None or sponsor is None or self.errors:
            return data
        unchanged = (coach.pk == self.project.coach_id and sponsor.pk == self.project.sponsor_id
                     and (advisor.pk if advisor else None) == self.project.advisor_id)
        if unchanged:
            raise forms.ValidationError("Nothing has changed: choose a different coach, sponsor or Improvement "
                                        "Advisor.")
        if not self._needs_override(coach):
            # An override is only on record where there was a capacity to override.
            data["override_reason"] = ""
        return data

    def _needs_override(self, coach) -> bool:
        if coach.pk == self.project.coach_id:
            return False
        load = self.coaches[coach.pk]
        return load.at_capacity
