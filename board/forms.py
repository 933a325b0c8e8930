from __future__ import annotations

from django import forms

from organisation.models import Directorate
from workspace.models import Story, StoryKind

from .models import BoardReport


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format="%Y-%m-%d")  # what <input type="date"> reads, whatever the locale


class NewReportForm(forms.Form):
    meeting_date = forms.DateField(label="Board meeting date", widget=DateInput)
    title = forms.CharField(max_length=200, required=False,
                            help_text="Leave blank for “Quality report to the Board, <date>”.")

    def clean_meeting_date(self):
        day = self.cleaned_data["meeting_date"]
        if BoardReport.objects.filter(meeting_date=day).exists():
            raise forms.ValidationError("There is already a report for that meeting: open it from the list.")
        return day


class DraftForm(forms.Form):
    """The report's title, date and stories, and one narrative per Whole System Measure."""

    title = forms.CharField(max_length=200)
    meeting_date = forms.DateField(label="Board meeting date", widget=DateInput)
    patient_story = forms.ModelChoiceField(queryset=Story.objects.none(), required=False,
                                           empty_label="— no patient story —")
    improvement_story = forms.ModelChoiceField(queryset=Story.objects.none(), required=False,
                                               empty_label="— no improvement story —")

    def __init__(self, *args, measures=(), outputs=None, **kwargs):
        super().__init__(*args, **kwargs)
        stories = Story.objects.published().select_related("project")
        self.fields["patient_story"].queryset = stories.filter(kind=StoryKind.PATIENT)
        self.fields["improvement_story"].queryset = stories.filter(kind=StoryKind.IMPROVEMENT)
        self.fields["patient_story"].label_from_instance = self.fields["improvement_story"].label_from_instance = (
            lambda s: f"{s.title} — {s.project.title}")
        self.measures = list(measures)
        for m in self.measures:
            self.fields[f"narrative_{m.pk}"] = forms.CharField(
                label=m.name, required=False, max_length=1200,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=(outputs or {}).get(m.pk, {}).get("reading", ""))

    def narrative_fields(self):
        return [(m, self[f"narrative_{m.pk}"]) for m in self.measures]

    def narratives(self) -> dict[int, str]:
        return {m.pk: self.cleaned_data.get(f"narrative_{m.pk}", "") for m in self.measures}


class NarrativeForm(forms.Form):
    text = forms.CharField(label="Your narrative for this month", max_length=1200,
                           widget=forms.Textarea(attrs={"rows": 5}),
                           help_text="Two or three sentences for the board: what the chart shows, why, and what "
                                     "is being done.")


class CorrectionForm(forms.Form):
    note = forms.CharField(label="What does the correction change?", max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
                           help_text="Shown on both versions, so readers know what changed and why.")


class DirectorateFilterForm(forms.Form):
    directorate = forms.ModelChoiceField(queryset=Directorate.objects.all(), required=False,
                                         empty_label="All directorates")
