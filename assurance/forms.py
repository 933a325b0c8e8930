"""Forms for WalkRounds and their actions. Every message sits beside its field and nothing typed is lost."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from organisation.directory import person_kind, person_label
from organisation.models import Role, Team, User
from organisation.widgets import FastSelect, PickerSelect

from .accreditation import assessors
from .models import ActionStatus, EscalationStatus, IdeaSource, IssueOutcome, Rating
from .services import ALLOWED_ACTION_MOVES, executives

SUGGESTED_TEAM_PEOPLE = 25
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _people_rows(people) -> list[tuple[int, str, str]]:
    return list({p.pk: (p.pk, person_label(p), person_kind(p)) for p in people}.values())


def _not_in_future(day: dt.date) -> dt.date:
    if day > timezone.localdate():
        raise forms.ValidationError("The date cannot be in the future: record a WalkRound once it has happened.")
    return day


class WalkRoundForm(forms.Form):
    date = forms.DateField(widget=DATE, initial=timezone.localdate)
    executives = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text="Who did the WalkRound (the trust's executives)")
    proud_of = forms.CharField(label="What is the team proud of?", widget=forms.Textarea(attrs={"rows": 3}))
    working_to_improve = forms.CharField(label="What is the team working to improve?",
                                         widget=forms.Textarea(attrs={"rows": 3}))
    getting_in_the_way = forms.CharField(label="What is getting in the way of doing the best it can?",
                                         widget=forms.Textarea(attrs={"rows": 3}))
    taking_care = forms.CharField(label="How is the team taking care of itself?",
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["executives"].queryset = executives()

    def clean_date(self) -> dt.date:
        return _not_in_future(self.cleaned_data["date"])


class ActionForm(forms.Form):
    """One follow-up action; a row left wholly empty is no action."""

    description = forms.CharField(max_length=300, required=False, label="What is to be done?",
                                  help_text="No names or details of patients: open actions show on the ward's "
                                            "wall board.")
    owner = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True), required=False)
    due = forms.DateField(widget=DATE, required=False)

    def __init__(self, *args, team: Team, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        people = User.objects.filter(is_active=True).select_related("team", "external_organisation")
        self.fields["owner"].widget = PickerSelect(
            search_url=reverse("organisation:people_search"), search_label="Someone else? Find them by name",
            blank="Choose who owns it",
            suggest=lambda: _people_rows([*people.filter(team=team)[:SUGGESTED_TEAM_PEOPLE], *executives()
                                          .select_related("team", "external_organisation")]),
            chosen=lambda pks: _people_rows(people.filter(pk__in=pks)))

    def clean(self) -> dict:
        data = super().clean()
        given = [name for name in ("description", "owner", "due") if data.get(name)]
        if given and len(given) < 3:
            for name in ("description", "owner", "due"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, {"description": "Say what is to be done.",
                                          "owner": "Choose who owns the action.",
                                          "due": "Give the date it is due."}[name])
        return data

    @property
    def is_action(self) -> bool:
        return bool(self.cleaned_data.get("description"))


class BaseActionFormSet(forms.BaseFormSet):
    def __init__(self, *args, team: Team, **kwargs) -> None:
        self.team = team
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "team": self.team}


ActionFormSet = forms.formset_factory(ActionForm, formset=BaseActionFormSet, extra=3, max_num=10)


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionStatus.choices, widget=FastSelect)
    note = forms.CharField(max_length=300, required=False, label="Note (optional)")
    current = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, action, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        allowed = ALLOWED_ACTION_MOVES[action.status]
        self.fields["status"].choices = [(v, label) for v, label in ActionStatus.choices if v in allowed]
        self.fields["current"].initial = action.status


class PlanForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.filter(active=True), widget=forms.HiddenInput)
    executive = forms.ModelChoiceField(queryset=User.objects.none(), widget=forms.HiddenInput)
    week_of = forms.DateField(widget=DATE)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["executive"].queryset = executives()

    def clean_week_of(self) -> dt.date:
        day = self.cleaned_data["week_of"]
        if day < timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday()):
            raise forms.ValidationError("Plan a week that has not passed yet.")
        return day


class StartIdeaForm(forms.Form):
    source = forms.ChoiceField(choices=[(IdeaSource.IMPROVEMENT, IdeaSource.IMPROVEMENT.label),
                                        (IdeaSource.BARRIER, IdeaSource.BARRIER.label)], widget=forms.RadioSelect)
    lead = forms.ModelChoiceField(queryset=User.objects.none(), label="Who in the team leads the idea?",
                                  widget=FastSelect)

    def __init__(self, *args, team: Team, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = User.objects.filter(is_active=True, team=team).order_by("display_name")


# Accreditation


class AssessmentForm(forms.Form):
    visit_date = forms.DateField(widget=DATE, initial=timezone.localdate)
    assessors = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text="Service users and carers trained as assessors (kept in Settings)")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessors"].queryset = assessors()


class JudgementsForm(forms.Form):
    """A rating and the evidence for each standard of the assessment's framework. Standards may be left for
    later; a rating needs its evidence and evidence needs its rating."""

    def __init__(self, *args, standards, judgements: dict, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.standards = list(standards)
        for standard in self.standards:
            given = judgements.get(standard.pk)
            self.fields[f"rating_{standard.pk}"] = forms.ChoiceField(
                choices=Rating.choices, required=False, widget=forms.RadioSelect, label="Rating",
                initial=given.rating if given else None)
            self.fields[f"evidence_{standard.pk}"] = forms.CharField(
                required=False, label="Evidence", initial=given.evidence if given else "",
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="What staff, service users and carers said, and what you saw")

    def clean(self) -> dict:
        data = super().clean()
        for standard in self.standards:
            rating, evidence = data.get(f"rating_{standard.pk}"), (data.get(f"evidence_{standard.pk}") or "").strip()
            if rating and not evidence:
                self.add_error(f"evidence_{standard.pk}", "Give the evidence for this rating.")
            elif evidence and not rating:
                self.add_error(f"rating_{standard.pk}", "Choose met, partly met or not met.")
        return data

    def rows(self):
        for standard in self.standards:
            yield standard, self[f"rating_{standard.pk}"], self[f"evidence_{standard.pk}"]

    def judged(self) -> list[tuple]:
        return [(s, self.cleaned_data[f"rating_{s.pk}"], self.cleaned_data[f"evidence_{s.pk}"].strip())
                for s in self.standards if self.cleaned_data.get(f"rating_{s.pk}")]


class PublishForm(forms.Form):
    report = forms.CharField(label="Report for the team", widget=forms.Textarea(attrs={"rows": 8}),
                             help_text="What the assessors found: strengths first, then areas for improvement")


class LeadForm(forms.Form):
    lead = forms.ModelChoiceField(queryset=User.objects.none(), label="Who in the team leads the idea?",
                                  widget=FastSelect)

    def __init__(self, *args, team: Team, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = User.objects.filter(is_active=True, team=team).order_by("display_name")


# Huddles


class HuddleForm(forms.Form):
    date = forms.DateField(widget=DATE, initial=timezone.localdate)
    attendance = forms.IntegerField(label="How many attended?", min_value=1, max_value=200)

    def clean_date(self) -> dt.date:
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future: log a huddle once it has happened.")
        return day


class HuddleIssueForm(forms.Form):
    description = forms.CharField(max_length=300, required=False, label="Issue raised",
                                  help_text="No names or details of patients: this shows to the directorate")
    outcome = forms.ChoiceField(choices=[("", "—"), *IssueOutcome.choices], required=False, widget=FastSelect)
    owner = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True), required=False,
                                   label="Owner in the directorate (if escalated)")

    def __init__(self, *args, team: Team, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        people = User.objects.filter(is_active=True).select_related("team", "external_organisation")
        directorate = team.directorate
        leaders = [pk for pk in (directorate.service_director_id, directorate.clinical_director_id) if pk]
        self.fields["owner"].widget = PickerSelect(
            search_url=reverse("organisation:people_search"), search_label="Someone else? Find them by name",
            blank="Choose who owns it",
            suggest=lambda: _people_rows(people.filter(Q(pk__in=leaders) | Q(
                role_assignments__directorate=directorate, role_assignments__role=Role.SPONSOR)).distinct()),
            chosen=lambda pks: _people_rows(people.filter(pk__in=pks)))

    def clean(self) -> dict:
        data = super().clean()
        description, outcome = data.get("description"), data.get("outcome")
        if description and not outcome:
            self.add_error("outcome", "Say whether it was resolved locally or escalated.")
        if outcome and not description:
            self.add_error("description", "Say what the issue was.")
        if outcome == IssueOutcome.ESCALATED and not data.get("owner") and "owner" not in self.errors:
            self.add_error("owner", "Choose who in the directorate owns the escalation.")
        return data

    @property
    def is_issue(self) -> bool:
        return bool(self.cleaned_data.get("description"))


class BaseIssueFormSet(forms.BaseFormSet):
    def __init__(self, *args, team: Team, **kwargs) -> None:
        self.team = team
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "team": self.team}


IssueFormSet = forms.formset_factory(HuddleIssueForm, formset=BaseIssueFormSet, extra=3, max_num=10)


class EscalationForm(forms.Form):
    status = forms.ChoiceField(choices=EscalationStatus.choices, widget=FastSelect)
    note = forms.CharField(max_length=300, required=False, label="Note")


class BoardLinkForm(forms.Form):
    label = forms.CharField(max_length=120, label="Where is the screen?", initial="Nurses' station")
