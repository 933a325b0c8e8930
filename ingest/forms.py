"""Issuing and revoking API tokens; bringing in an old portfolio."""

from __future__ import annotations

from django import forms

from measures.models import Measure
from organisation.models import Team
from projects.models import Project

from . import portfolio


class MeasureChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Measure) -> str:
        return f"{obj.name} — {obj.scope_label}"


class TokenForm(forms.Form):
    ALL, CHOSEN = "all", "chosen"

    name = forms.CharField(max_length=120, help_text="Which system will use it, e.g. ‘Data warehouse nightly "
                                                     "load’. People see this in the list of tokens.")
    can_write = forms.BooleanField(label="May send data", required=False, initial=True,
                                   help_text="Untick for a token that only reads measures and their data.")
    scope = forms.ChoiceField(
        label="Measures it may use", initial=CHOSEN, widget=forms.RadioSelect,
        choices=[(CHOSEN, "Only the measures, teams and projects chosen below"),
                 (ALL, "Every measure, including ones added later")])
    measures = MeasureChoiceField(queryset=Measure.objects.none(), required=False,
                                  widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}))
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.none(), required=False, label="All measures of these teams",
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text="Includes measures the team adds later.")
    projects = forms.ModelMultipleChoiceField(
        queryset=Project.objects.none(), required=False, label="All measures of these projects",
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text="Includes measures the project adds later.")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measures"].queryset = Measure.objects.for_list().order_by("name", "pk")
        self.fields["teams"].queryset = (Team.objects.filter(measures__isnull=False).select_related("directorate")
                                         .distinct().order_by("name"))
        self.fields["projects"].queryset = Project.objects.filter(measures__isnull=False).distinct().order_by("title")

    def clean(self) -> dict:
        data = super().clean()
        if data.get("scope") == self.CHOSEN and not any(data.get(f) for f in ("measures", "teams", "projects")):
            self.add_error("measures", "Choose at least one measure, team or project, or allow every measure.")
        return data

    def issue_kwargs(self) -> dict:
        d = self.cleaned_data
        everything = d["scope"] == self.ALL
        return {"name": d["name"].strip(), "can_write": d["can_write"], "all_measures": everything,
                "measures": [] if everything else d["measures"], "teams": [] if everything else d["teams"],
                "projects": [] if everything else d["projects"]}


class RevokeForm(forms.Form):
    confirm = forms.BooleanField(
        label="I understand that the system using this token will stop being able to read or send data, "
              "and that this cannot be undone.")


class PortfolioFileForm(forms.Form):
    file = forms.FileField(label="The portfolio file", help_text="An Excel workbook (.xlsx) with a Projects sheet, "
                           "and optionally Progress and Measures sheets, or a CSV file of projects. Up to 5 MB.")


class MappingForm(forms.Form):
    """Which of the file's columns holds each of the portal's fields."""

    def __init__(self, *args, headings: list[str], initial_mapping: dict[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "— not in the file —"), *[(h, h) for h in headings]]
        for column in portfolio.FIELDS:
            name = column.field
            self.fields[name] = forms.ChoiceField(
                label=portfolio.FIELD_LABELS[name], choices=choices, required=name in portfolio.REQUIRED,
                initial=initial_mapping.get(name, ""),
                error_messages={"required": "Choose the column that holds this: the portal needs it."})

    def clean(self) -> dict:
        data = super().clean()
        used: dict[str, str] = {}
        for name, heading in list(data.items()):
            if heading and heading in used:
                self.add_error(name, f"‘{heading}’ is already chosen for {portfolio.FIELD_LABELS[used[heading]]}.")
            elif heading:
                used[heading] = name
        return data
