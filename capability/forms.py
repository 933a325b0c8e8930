from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Q

from organisation.forms import ConstraintErrorsBesideFields
from organisation.models import User
from projects.models import Project

from .models import Cohort, Enrolment, Route
from .services import is_aligned


def find_person(text: str) -> User | None:
    """A person by e-mail address, staff number or username, as typed."""
    text = text.strip()
    if not text:
        return None
    return (User.objects.filter(is_active=True)
            .filter(Q(email__iexact=text) | Q(username__iexact=text) | Q(staff_number=text))
            .select_related("directorate").order_by("pk").first())


class CohortForm(ConstraintErrorsBesideFields, forms.ModelForm):
    facilitator_names = forms.CharField(
        label="Facilitators", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="E-mail addresses, staff numbers or usernames of the coaches and Improvement Advisors who "
                  "facilitate, one a line")

    class Meta:
        model = Cohort
        fields = ["name", "venue", "online", "capacity", "open_for_enrolment"]

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.course = course
        sessions = {s.number: s.date for s in self.instance.session_set.all()} if self.instance.pk else {}
        for n in range(1, course.sessions + 1):
            self.fields[f"session_{n}"] = forms.DateField(
                label=f"Session {n} date", widget=forms.DateInput(attrs={"type": "date"}),
                initial=sessions.get(n))
        if self.instance.pk:
            self.fields["facilitator_names"].initial = "\n".join(
                p.email or p.username for p in self.instance.facilitators.all())

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        others = Cohort.objects.filter(course=self.course, name__iexact=name).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(f"{self.course} already has a cohort called “{name}”.")
        return name

    def clean_facilitator_names(self) -> list[User]:
        people, unknown = [], []
        for line in self.cleaned_data["facilitator_names"].replace(",", "\n").splitlines():
            if not line.strip():
                continue
            person = find_person(line)
            (people.append(person) if person else unknown.append(line.strip()))
        if unknown:
            raise forms.ValidationError("Nobody is known as " + ", ".join(f"“{u}”" for u in unknown) + ".")
        return people

    def clean(self):
        data = super().clean()
        dates = [data.get(f"session_{n}") for n in range(1, self.course.sessions + 1)]
        if all(dates) and dates != sorted(dates):
            self.add_error(f"session_{self.course.sessions}", "Sessions must be in date order.")
        return data

    def session_dates(self) -> list[dt.date]:
        return [self.cleaned_data[f"session_{n}"] for n in range(1, self.course.sessions + 1)]


class NominateForm(forms.Form):
    person = forms.CharField(label="Person", max_length=150,
                             help_text="Their e-mail address, staff number or username")
    route = forms.ChoiceField(label="Nominated as", choices=[(Route.MANAGER, "Their manager"),
                                                             (Route.FORUM, "Their forum"),
                                                             (Route.QI_DEPARTMENT, "The QI department")])

    def __init__(self, *args, directorates: set[int] | None, **kwargs):
        """`directorates`: whose staff this nominator may nominate (None: anyone, the QI department)."""
        super().__init__(*args, **kwargs)
        self.directorates = directorates
        if directorates is not None:
            self.fields["route"].choices = self.fields["route"].choices[:2]

    def clean_person(self) -> User:
        person = find_person(self.cleaned_data["person"])
        if person is None:
            raise forms.ValidationError(f"Nobody is known as “{self.cleaned_data['person']}”.")
        if self.directorates is not None and person.directorate_id not in self.directorates:
            raise forms.ValidationError(f"{person.name} is not in a directorate whose staff you may nominate.")
        return person


class AttendanceForm(forms.Form):
    """One checkbox for each enrolled person and session, and the date each presented their project."""

    def __init__(self, *args, enrolments: list[Enrolment], sessions, attended: set[tuple[int, int]],
                 requires_project: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.enrolments, self.sessions = enrolments, list(sessions)
        for e in enrolments:
            for s in self.sessions:
                self.fields[f"a_{e.pk}_{s.pk}"] = forms.BooleanField(
                    required=False, initial=(e.pk, s.pk) in attended,
                    label=f"{e.person.name}, session {s.number}")
            if requires_project:
                self.fields[f"p_{e.pk}"] = forms.DateField(
                    required=False, initial=e.presented_on, label=f"{e.person.name} presented on",
                    widget=forms.DateInput(attrs={"type": "date"}))

    def marks(self) -> dict[tuple[int, int], bool]:
        return {(e.pk, s.pk): self.cleaned_data[f"a_{e.pk}_{s.pk}"] for e in self.enrolments for s in self.sessions}

    def presented(self) -> dict[int, dt.date | None]:
        return {e.pk: self.cleaned_data[f"p_{e.pk}"] for e in self.enrolments if f"p_{e.pk}" in self.fields}

    def rows(self):
        for e in self.enrolments:
            yield e, [self[f"a_{e.pk}_{s.pk}"] for s in self.sessions], (
                self[f"p_{e.pk}"] if f"p_{e.pk}" in self.fields else None)


class ProjectLinkForm(forms.Form):
    project = forms.ModelChoiceField(queryset=Project.objects.none(), required=False,
                                     label="The QI project you bring", empty_label="No project yet")
    not_aligned_reason = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}),
        label="If it is not aligned to a priority: why it matters all the same")

    def __init__(self, *args, person: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = (Project.objects.filter(members__person=person,
                                                                  members__left_on__isnull=True)
                                           .distinct().order_by("title"))

    def clean(self):
        data = super().clean()
        project = data.get("project")
        if project is not None and not is_aligned(project) and not (data.get("not_aligned_reason") or "").strip():
            self.add_error("not_aligned_reason", f"“{project.title}” is not aligned to a strategic objective or "
                                                 "annual priority: say why it matters all the same.")
        return data


class ProposalForm(forms.Form):
    """The coach profile, prefilled from the course: 2–4 hours a week, one or two teams to start."""

    decision = forms.ChoiceField(choices=[("add", "Add to the coach pool"), ("decline", "Do not add")],
                                 widget=forms.RadioSelect, initial="add")
    hours_per_week = forms.DecimalField(min_value=2, max_value=4, decimal_places=1, initial=2)
    max_teams = forms.IntegerField(label="Maximum concurrent teams", min_value=1, max_value=6, initial=2)
    supervisor = forms.CharField(required=False, help_text="The supervising Improvement Advisor's e-mail address "
                                                           "or username")
    reason = forms.CharField(required=False, max_length=300, label="Reason (needed when not adding)")

    def clean_supervisor(self) -> User | None:
        text = self.cleaned_data["supervisor"]
        if not text.strip():
            return None
        person = find_person(text)
        if person is None:
            raise forms.ValidationError(f"Nobody is known as “{text}”.")
        return person

    def clean(self):
        data = super().clean()
        if data.get("decision") == "decline" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why this graduate is not added to the coach pool.")
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label="The L&D system's export (CSV or Excel)",
                           help_text="Columns: e-mail or staff number, cohort, session (number) or date, attended "
                                     "(yes/no, or 'completed' for the whole course)")
