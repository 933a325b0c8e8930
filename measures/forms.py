"""Forms for measures, their data table, phases, annotations, uploads and the summary's filters."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from organisation.models import Directorate, Team

from . import periods
from .models import (
    COUNT_CHARTS,
    RATIO_CHARTS,
    Annotation,
    ChartType,
    Domain,
    Measure,
    MeasureMethod,
    MeasurePhase,
    MeasureType,
    OnDuplicate,
    PhaseKind,
    Scope,
    SPCConfig,
)
from .services import PointInput
from .uploads import parse_number


class MarksInvalidFields:
    """Marks each field with an error invalid and points it at its message, which the page shows beside it
    (measures/_cell.html)."""

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self.prefix}-{name}-error"


class MeasureForm(forms.ModelForm):
    class Meta:
        model = Measure
        fields = ["name", "measure_type", "definition", "numerator", "denominator", "collection", "exclusions",
                  "period", "chart_type", "improvement", "target", "unit", "multiplier", "domain", "objective",
                  "early_warning", "method", "show_2sigma", "active"]
        widgets = {f: forms.Textarea(attrs={"rows": 2}) for f in
                   ("definition", "numerator", "denominator", "collection", "exclusions")}

    def __init__(self, *args, scope: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        if scope != Scope.SYSTEM:
            del self.fields["domain"], self.fields["objective"]
        else:
            self.fields["domain"].required = True
            self.fields["objective"].empty_label = "Not linked to a strategic objective"
        if scope != Scope.TEAM:
            del self.fields["early_warning"]
        self.fields["target"].widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def clean(self) -> dict:
        data = super().clean()
        chart = data.get("chart_type")
        if chart in RATIO_CHARTS and not (data.get("numerator") and data.get("denominator")):
            self.add_error("denominator", "A proportion or rate chart needs both a numerator and a denominator "
                                          "in its definition.")
        if data.get("method") == MeasureMethod.IHI and chart and chart != ChartType.RUN:
            self.add_error("method", "The IHI rules read run charts only: choose a run chart, or Making Data Count "
                                     "or Anhøj rules for this chart type.")
        if chart in ("p", "pp") and data.get("unit") == "%" and data.get("multiplier") == 1:
            data["multiplier"] = 100  # a percentage is the proportion times 100
        return data


class SPCConfigForm(forms.ModelForm):
    class Meta:
        model = SPCConfig
        fields = ["method", "shift_length", "trend_length", "screen_moving_ranges", "two_of_three"]


class PhaseForm(MarksInvalidFields, forms.ModelForm):
    class Meta:
        model = MeasurePhase
        fields = ["starts_on", "kind", "n_points", "note"]
        widgets = {"starts_on": forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}),
                   "kind": forms.RadioSelect(attrs={"class": "form-check-input"}),
                   "n_points": forms.NumberInput(attrs={"class": "form-control form-control-sm", "min": 1}),
                   "note": forms.TextInput(attrs={"class": "form-control form-control-sm"})}

    def __init__(self, *args, measure: Measure, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.measure = measure
        self.fields["kind"].choices = PhaseKind.choices
        self.fields["kind"].initial = PhaseKind.REBASE
        self.fields["n_points"].help_text = "For a frozen baseline: how many points the limits are made from."

    def clean(self) -> dict:
        data = super().clean()
        kind, n, day = data.get("kind"), data.get("n_points"), data.get("starts_on")
        if kind == PhaseKind.BASELINE and not n:
            self.add_error("n_points", "Say how many points form the baseline (12 or more gives firm limits).")
        if kind == PhaseKind.REBASE:
            data["n_points"] = None
        if day:
            data["starts_on"] = start = periods.period_start(day, self.measure.period)
            if MeasurePhase.objects.filter(measure=self.measure, starts_on=start).exists():
                when = periods.label(start, self.measure.period)
                self.add_error("starts_on", f"There is already a phase starting {when}.")
        return data


class AnnotationForm(MarksInvalidFields, forms.ModelForm):
    class Meta:
        model = Annotation
        fields = ["date", "text"]
        widgets = {"date": forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}),
                   "text": forms.TextInput(attrs={"class": "form-control form-control-sm"})}
        labels = {"text": "What changed"}


class UploadForm(forms.Form):
    file = forms.FileField(help_text="CSV or Excel (.xlsx), up to 5 MB. First row: column names.")

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError("Upload a CSV file (.csv) or an Excel workbook (.xlsx).")
        return f


class ConfirmUploadForm(forms.Form):
    on_duplicate = forms.ChoiceField(choices=OnDuplicate.choices, widget=forms.RadioSelect, required=False,
                                     label="Periods that already have a value")

    def __init__(self, *args, needs_choice: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on_duplicate"].required = needs_choice
        if not needs_choice:
            self.fields["on_duplicate"].widget = forms.HiddenInput()


# --------------------------------------------------------------------------- the data table


class NumberField(forms.CharField):
    """A number typed as text: what was typed is kept when it is not a number, and the error says why."""

    def __init__(self, *args, what: str = "value", **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "size": 7,
                                                           "class": "form-control form-control-sm"}))
        super().__init__(*args, **kwargs)
        self.what = what

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        number = parse_number(text)
        if number is None:
            raise forms.ValidationError(f"‘{text}’ is not a number.")
        return number


class PointForm(MarksInvalidFields, forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    period_start = forms.DateField(required=False, widget=forms.DateInput(
        attrs={"type": "date", "class": "form-control form-control-sm"}))
    value = NumberField()
    numerator = NumberField()
    denominator = NumberField()
    observations = forms.CharField(required=False, widget=forms.TextInput(
        attrs={"class": "form-control form-control-sm", "placeholder": "e.g. 12, 15, 14"}))
    comment = forms.CharField(required=False, max_length=500, widget=forms.TextInput(
        attrs={"class": "form-control form-control-sm"}))
    excluded = forms.BooleanField(required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    exclusion_reason = forms.CharField(required=False, max_length=300, widget=forms.TextInput(
        attrs={"class": "form-control form-control-sm", "placeholder": "Why it is left out"}))

    def __init__(self, *args, measure: Measure, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.measure = measure
        drop = (("value", "observations") if measure.is_ratio else
                ("value", "numerator", "denominator") if measure.has_subgroups else
                ("numerator", "denominator", "observations"))
        for name in drop:
            del self.fields[name]
        start = self.initial.get("period_start")
        when = periods.label(start, measure.period) if start else "the new period"
        if not self.is_new:  # a period is fixed once entered; its values are what get corrected
            self.fields["id"].disabled = True
            self.fields["period_start"].disabled = True
        for name, f in self.fields.items():
            f.widget.attrs["aria-label"] = f"{name.replace('_', ' ').capitalize()} for {when}"

    @property
    def is_new(self) -> bool:
        return not self.initial.get("id")

    @property
    def period_label(self) -> str:
        start = self.initial.get("period_start")
        return periods.label(start, self.measure.period) if start else ""

    def clean(self) -> dict:
        data = super().clean()
        if self.is_new:
            typed = any(data.get(f) not in (None, "", False) for f in self.fields if f not in ("id",))
            if not typed:
                data["_blank"] = True
                return data
            day = data.get("period_start")
            if day is None and "period_start" not in self.errors:
                self.add_error("period_start", "Which period is this? Enter its date.")
            elif day is not None:
                start = periods.period_start(day, self.measure.period)
                if start > timezone.localdate():
                    self.add_error("period_start", f"{periods.label(start, self.measure.period)} is in the future.")
                data["period_start"] = start
                data["_moved_from"] = day if start != day else None
        else:
            data["period_start"] = self.initial["period_start"]
            data["id"] = self.initial["id"]
        chart = self.measure.chart_type
        if self.measure.is_ratio:
            num, den = data.get("numerator"), data.get("denominator")
            for name, v in (("numerator", num), ("denominator", den)):
                if v is None and name not in self.errors:
                    self.add_error(name, f"Enter the {name}.")
            if den is not None and den <= 0:
                self.add_error("denominator", "Must be more than zero.")
            if num is not None and num < 0:
                self.add_error("numerator", "Cannot be negative.")
            if chart in ("p", "pp") and num is not None and den is not None and den > 0 and num > den:
                self.add_error("numerator", f"More than the denominator ({den:g}): a proportion cannot be over 100%.")
        elif self.measure.has_subgroups:
            text = data.get("observations") or ""
            values = [parse_number(t) for t in text.replace(";", ",").split(",") if t.strip()]
            if not values:
                self.add_error("observations", "Enter the period's observations, separated by commas.")
            elif any(v is None for v in values):
                self.add_error("observations", "Every observation must be a number, separated by commas.")
            else:
                data["observations_list"] = values
        else:
            value = data.get("value")
            if value is None and "value" not in self.errors:
                self.add_error("value", "Enter a value.")
            elif value is not None and chart in COUNT_CHARTS and value < 0:
                self.add_error("value", "A count cannot be negative.")
            elif value is not None and chart == "t" and value <= 0:
                self.add_error("value", "Days between events must be more than zero.")
        if data.get("excluded") and not (data.get("exclusion_reason") or "").strip():
            self.add_error("exclusion_reason", "Say why this point is left out of the calculations.")
        if not data.get("excluded"):
            data["exclusion_reason"] = ""
        return data

    def to_input(self) -> PointInput:
        d = self.cleaned_data
        obs = d.get("observations_list")
        return PointInput(
            period_start=d["period_start"], value=(sum(obs) / len(obs)) if obs else d.get("value"),
            numerator=d.get("numerator"), denominator=d.get("denominator"), observations=obs,
            comment=(d.get("comment") or "").strip(), excluded=bool(d.get("excluded")),
            exclusion_reason=(d.get("exclusion_reason") or "").strip())


class BasePointFormSet(forms.BaseFormSet):
    def __init__(self, *args, measure: Measure, existing: set[dt.date], **kwargs) -> None:
        self.measure, self.existing = measure, existing
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "measure": self.measure}

    @property
    def empty_form(self):
        return self.form(auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), empty_permitted=True,
                         use_required_attribute=False, measure=self.measure)

    def clean(self) -> None:
        seen: dict[dt.date, PointForm] = {}
        for form in self.forms:
            if not form.is_new or not hasattr(form, "cleaned_data") or form.cleaned_data.get("_blank"):
                continue
            start = form.cleaned_data.get("period_start")
            if start is None:
                continue
            label = periods.label(start, self.measure.period)
            if start in self.existing:
                form.add_error("period_start", f"{label} already has a value: correct it in its own row.")
            elif start in seen:
                form.add_error("period_start", f"{label} is entered twice.")
            seen[start] = form

    def changed_inputs(self) -> list[PointInput]:
        return [f.to_input() for f in self.forms
                if f.has_changed() and not f.cleaned_data.get("_blank")]


PointFormSet = forms.formset_factory(PointForm, formset=BasePointFormSet, extra=1, max_num=5000)


def point_initial(points) -> list[dict]:
    return [{"id": p.pk, "period_start": p.period_start, "value": _text(p.value), "numerator": _text(p.numerator),
             "denominator": _text(p.denominator), "comment": p.comment, "excluded": p.excluded,
             "exclusion_reason": p.exclusion_reason,
             "observations": ", ".join(_text(v) for v in p.observations or [])} for p in points]


def _text(v: float | None) -> str:
    if v is None:
        return ""
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


# --------------------------------------------------------------------------- summary filters


READING_CHOICES = [("", "Any reading"), ("improvement", "Special cause improvement"),
                   ("concern", "Special cause concern"), ("common", "Common cause"),
                   ("neutral", "Special cause – neither"), ("none", "No data yet")]


class SummaryFilterForm(forms.Form):
    directorate = forms.ModelChoiceField(Directorate.objects.all(), required=False, empty_label="All directorates")
    team = forms.ModelChoiceField(Team.objects.none(), required=False, empty_label="All teams")
    project = forms.IntegerField(required=False, widget=forms.HiddenInput)
    measure_type = forms.ChoiceField(choices=[("", "Any type"), *MeasureType.choices], required=False,
                                     label="Type")
    scope = forms.ChoiceField(choices=[("", "Any scope"), *Scope.choices], required=False)
    domain = forms.ChoiceField(choices=[("", "Any domain"), *Domain.choices], required=False,
                               label="Whole System domain")
    reading = forms.ChoiceField(choices=READING_CHOICES, required=False)
    q = forms.CharField(required=False, label="Name contains")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        teams = Team.objects.filter(measures__isnull=False).distinct().select_related("directorate")
        directorate = self.data.get("directorate") if self.is_bound else None
        if directorate and str(directorate).isdigit():
            teams = teams.filter(directorate_id=int(directorate))
        self.fields["team"].queryset = teams
        for f in self.fields.values():
            css = "form-select form-select-sm" if isinstance(f.widget, forms.Select) else "form-control form-control-sm"
            f.widget.attrs.setdefault("class", css)
