"""Forms for measures, their data table, phases, annotations, uploads and the summary's filters."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from organisation.models import Directorate, Team

from . import periods
from .models import (
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
from .plausibility import EARLIEST, Rules, far_outside, period_problem, raw_value, value_problems
from .services import PointInput, plausibility_rules
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
                  "period", "chart_type", "improvement", "target", "unit", "multiplier", "first_period", "minimum",
                  "maximum", "domain", "objective",
                  "early_warning", "method", "show_2sigma", "active"]
        widgets = {**{f: forms.Textarea(attrs={"rows": 2}) for f in
                      ("definition", "numerator", "denominator", "collection", "exclusions")},
                   "first_period": forms.DateInput(attrs={"type": "date"})}

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
        for name in ("target", "minimum", "maximum"):
            self.fields[name].widget = forms.TextInput(attrs={"inputmode": "decimal"})

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
        low, high = data.get("minimum"), data.get("maximum")
        if low is not None and high is not None and low >= high:
            self.add_error("maximum", f"Must be more than the smallest possible value ({low:g}).")
        first = data.get("first_period")
        if first is not None and first < EARLIEST:
            self.add_error("first_period", "Must be 1990 or later.")
        elif first is not None and first > timezone.localdate():
            self.add_error("first_period", "Cannot be in the future.")
        elif first is not None and self.instance.pk:
            start = periods.period_start(first, data.get("period") or self.instance.period)
            earlier = self.instance.points.filter(period_start__lt=start).order_by("period_start").first()
            if earlier is not None:
                self.add_error("first_period", f"This measure already has data from "
                                               f"{periods.label(earlier.period_start, self.instance.period)}: "
                                               "remove those points first, or choose an earlier first period.")
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
        # A phase starts at a period: a month picker for a monthly measure, a week picker for a weekly one.
        self.fields["starts_on"] = PeriodField(label=self.fields["starts_on"].label,
                                               help_text=self.fields["starts_on"].help_text,
                                               widget=PeriodInput(measure.period,
                                                                  attrs={"class": "form-control form-control-sm"}))
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
            problem = period_problem(start, plausibility_rules(self.measure))
            if problem:
                self.add_error("starts_on", problem)
            elif MeasurePhase.objects.filter(measure=self.measure, starts_on=start).exists():
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

    include_unusual = forms.BooleanField(required=False, label="Import the values far outside the measure's "
                                                             "history too: I have checked them and they are right",
                                         widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))

    def __init__(self, *args, needs_choice: bool, unusual: int = 0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on_duplicate"].required = needs_choice
        if not needs_choice:
            self.fields["on_duplicate"].widget = forms.HiddenInput()
        if not unusual:
            del self.fields["include_unusual"]


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


class PeriodInput(forms.DateInput):
    """A month picker for monthly measures, a week picker for weekly ones, a day picker for daily ones."""

    FORMATS = {"month": ("month", "%Y-%m"), "week": ("week", "%G-W%V"), "day": ("date", "%Y-%m-%d")}

    def __init__(self, period: str, attrs: dict | None = None) -> None:
        kind, fmt = self.FORMATS.get(period, self.FORMATS["day"])
        super().__init__(attrs={**(attrs or {}), "type": kind}, format=fmt)


class PeriodField(forms.DateField):
    """A period typed or picked: a date, '2025-03' (month picker), '2025-W10' (week picker), 'Mar 2025'."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        day = periods.parse_date(value)
        if day is None:
            raise forms.ValidationError(f"‘{value}’ is not a date we can read: use 2025-03-01 or 01/03/2025.")
        return day


class PointForm(MarksInvalidFields, forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    period_start = PeriodField(required=False)
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
    # Ticked by the person when the row's value is far outside the measure's history and is right.
    confirmed = forms.BooleanField(required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))

    def __init__(self, *args, measure: Measure, rules: Rules, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.measure, self.rules = measure, rules
        self.unusual = ""  # the far-outside warning, when there is one
        self.fields["period_start"].widget = PeriodInput(measure.period,
                                                         attrs={"class": "form-control form-control-sm"})
        drop = (("value", "observations") if measure.is_ratio else
                ("value", "numerator", "denominator") if measure.has_subgroups else
                ("numerator", "denominator", "observations"))
        for name in drop:
            del self.fields[name]
        start = self.initial.get("period_start")
        when = periods.label(start, measure.period) if start else "the new period"
        if not self.is_new:  # a period is changed by moving the point (its own page), its values here
            self.fields["id"].disabled = True
            self.fields["period_start"].disabled = True
        for name, f in self.fields.items():
            f.widget.attrs["aria-label"] = f"{name.replace('_', ' ').capitalize()} for {when}"
        self.fields["confirmed"].widget.attrs["aria-label"] = f"The value for {when} is right: save it"

    @property
    def is_new(self) -> bool:
        return not self.initial.get("id")

    @property
    def period_label(self) -> str:
        start = self.initial.get("period_start")
        return periods.label(start, self.measure.period) if start else ""

    def has_changed(self) -> bool:
        return any(name != "confirmed" for name in self.changed_data)

    def clean(self) -> dict:
        data = super().clean()
        if self.is_new:
            # A new row's period may come filled in (the next periods): the row counts once something else is
            # typed in it, or its period is changed.
            period_typed = "period_start" in self.errors or (
                data.get("period_start") is not None and "period_start" in self.changed_data)
            typed = period_typed or any(
                data.get(f) not in (None, "", False) for f in self.fields if f not in ("id", "confirmed",
                                                                                      "period_start"))
            if not typed:
                data["_blank"] = True
                return data
            day = data.get("period_start")
            if day is None and "period_start" not in self.errors:
                self.add_error("period_start", "Which period is this? Enter its date.")
            elif day is not None:
                start = periods.period_start(day, self.measure.period)
                problem = period_problem(start, self.rules)
                if problem:
                    self.add_error("period_start", problem)
                data["period_start"] = start
                data["_moved_from"] = day if start != day else None
        else:
            data["period_start"] = self.initial["period_start"]
            data["id"] = self.initial["id"]
        if self.measure.is_ratio:
            for name in ("numerator", "denominator"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, f"Enter the {name}.")
        elif self.measure.has_subgroups:
            text = data.get("observations") or ""
            values = [parse_number(t) for t in text.replace(";", ",").split(",") if t.strip()]
            if not values:
                self.add_error("observations", "Enter the period's observations, separated by commas.")
            elif any(v is None for v in values):
                self.add_error("observations", "Every observation must be a number, separated by commas.")
            else:
                data["observations_list"] = values
        elif data.get("value") is None and "value" not in self.errors:
            self.add_error("value", "Enter a value.")
        if not any(name in self.errors for name in ("value", "numerator", "denominator", "observations")):
            obs = data.get("observations_list")
            value = (sum(obs) / len(obs)) if obs else data.get("value")
            numbers = {"value": value, "numerator": data.get("numerator"), "denominator": data.get("denominator"),
                       "observations": obs}
            for name, message in value_problems(self.rules, **numbers):
                self.add_error(name if name in self.fields else None, message)
            if not self.errors and self.has_changed():
                raw = raw_value(self.measure.chart_type, value, numbers["numerator"], numbers["denominator"])
                self.unusual = far_outside(self.rules, raw) or ""
                if self.unusual and not data.get("confirmed"):
                    field = "numerator" if self.measure.is_ratio else (
                        "observations" if self.measure.has_subgroups else "value")
                    self.add_error(field, self.unusual + " If it is right, tick “It is right” and save again.")
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
    def __init__(self, *args, measure: Measure, existing: set[dt.date], rules: Rules, **kwargs) -> None:
        self.measure, self.existing, self.rules = measure, existing, rules
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "measure": self.measure, "rules": self.rules}

    @property
    def empty_form(self):
        return self.form(auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), empty_permitted=True,
                         use_required_attribute=False, measure=self.measure, rules=self.rules)

    @property
    def new_forms(self) -> list[PointForm]:
        return [f for f in self.forms if f.is_new]

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


# As many new rows as a person asks for at once: two years of monthly data, or a year of weekly data and more.
MAX_NEW_ROWS = 120
# The new rows are part of the initial data (their periods filled in), so the formset adds none of its own.
PointFormSet = forms.formset_factory(PointForm, formset=BasePointFormSet, extra=0, max_num=5000)


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


ASSURANCE_CHOICES = [("", "Any target reading"), ("pass", "Reliably meets its target"),
                     ("fail", "Reliably misses its target"), ("inconsistent", "Hits and misses its target at random")]


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
    assurance = forms.ChoiceField(choices=ASSURANCE_CHOICES, required=False, label="Target")
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


# --------------------------------------------------------------------------- moving and removing a point


class RemovePointForm(MarksInvalidFields, forms.Form):
    reason = forms.CharField(max_length=300, label="Why it is removed", widget=forms.TextInput(
        attrs={"class": "form-control", "placeholder": "e.g. entered twice; the ward was closed that month"}),
        error_messages={"required": "Say why the point is removed: the history keeps it with your reason."})


class MovePointForm(MarksInvalidFields, forms.Form):
    period_start = PeriodField(label="The right period", error_messages={"required": "Choose the right period."})
    reason = forms.CharField(max_length=300, label="Why it moves", widget=forms.TextInput(
        attrs={"class": "form-control", "placeholder": "e.g. typed against the wrong month"}),
        error_messages={"required": "Say why the point moves: the history keeps it with your reason."})

    def __init__(self, *args, point, rules: Rules, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.point, self.rules = point, rules
        self.fields["period_start"].widget = PeriodInput(point.measure.period, attrs={"class": "form-control"})

    def clean_period_start(self) -> dt.date:
        period = self.point.measure.period
        start = periods.period_start(self.cleaned_data["period_start"], period)
        problem = period_problem(start, self.rules)
        if problem:
            raise forms.ValidationError(problem)
        if start == self.point.period_start:
            raise forms.ValidationError("That is the period it is in now.")
        if self.point.measure.points.filter(period_start=start).exists():
            raise forms.ValidationError(f"{periods.label(start, period)} already has a point: correct that one, "
                                        "or remove it first.")
        return start
