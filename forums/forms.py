"""The forms a forum chair uses in the room: one decision per idea, and the minutes afterwards."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from coaching.services import CoachLoad, advisors, sponsors_for, suggest_coaches
from organisation.widgets import FastSelect

from .models import Attendance, Outcome

User = get_user_model()


def coach_label(load: CoachLoad) -> str:
    """What a chair needs to pick a coach: their load in teams and hours, and whether they are local."""
    state = f"at capacity ({load.teams_text})" if load.at_capacity else load.teams_text
    parts = [state, f"{load.hours.normalize():f} h/week"]
    if load.same_directorate:
        parts.append("same directorate")
    elif load.coach.directorate_id:
        parts.append(load.coach.directorate.name)
    return f"{load.coach.name} — {', '.join(parts)}"


@dataclass
class AllocationChoices:
    """Coaches, sponsors and advisors for one directorate, read once per page however many ideas it has."""

    coaches: list[CoachLoad]
    sponsors: list
    advisors: list
    _people: dict = field(default_factory=dict)

    @classmethod
    def for_directorate(cls, directorate_id: int) -> AllocationChoices:
        shown = ("pk", "job_title", *User.NAME_FIELDS)  # what the options show, not whole rows
        return cls(coaches=suggest_coaches(directorate_id), sponsors=list(sponsors_for(directorate_id).only(*shown)),
                   advisors=sorted(advisors().only(*shown), key=lambda u: u.name))

    def __post_init__(self) -> None:
        self._people = {str(load.coach.pk): load.coach for load in self.coaches}
        self._people.update({str(u.pk): u for u in [*self.sponsors, *self.advisors]})
        self.at_capacity = {str(load.coach.pk) for load in self.coaches if load.at_capacity}

    def person(self, pk: str):
        return self._people.get(str(pk))


class CoachSelect(FastSelect):
    """Marks coaches at capacity so the page can ask for an override reason without any script."""

    def __init__(self, *args, at_capacity: set[str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.at_capacity = at_capacity or set()

    def option_attrs(self, value: str) -> str:
        return ' data-at-capacity="true"' if value in self.at_capacity else ""


# Short labels for the buttons a chair presses in the room.
OUTCOME_BUTTONS = [(Outcome.APPROVE, "Approve"), (Outcome.RETURN, "Return for more work"),
                   (Outcome.DECLINE, "Decline"), (Outcome.DEFER, "Defer")]


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label="Decision", choices=OUTCOME_BUTTONS, widget=forms.RadioSelect,
                                error_messages={"required": "Choose a decision."})
    rationale = forms.CharField(label="Feedback, reason or note", required=False,
                                widget=forms.Textarea(attrs={"rows": 3}))
    coach = forms.ChoiceField(label="QI coach", required=False)
    sponsor = forms.ChoiceField(label="QI sponsor", required=False, widget=FastSelect)
    advisor = forms.ChoiceField(label="Improvement Advisor (optional)", required=False, widget=FastSelect)
    override_reason = forms.CharField(
        label="Why this coach, although at capacity?", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when the chosen coach already has their maximum number of teams.")

    def __init__(self, *args, choices: AllocationChoices, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.choices = choices
        self.fields["coach"].choices = [("", "Choose a coach…")] + [
            (str(load.coach.pk), coach_label(load)) for load in choices.coaches]
        self.fields["coach"].widget = CoachSelect(choices=self.fields["coach"].choices,
                                                  at_capacity=choices.at_capacity)
        self.fields["sponsor"].choices = [("", "Choose a sponsor…")] + [
            (str(u.pk), f"{u.name}{f' — {u.job_title}' if u.job_title else ''}") for u in choices.sponsors]
        self.fields["advisor"].choices = [("", "None")] + [(str(u.pk), u.name) for u in choices.advisors]

    def clean(self) -> dict:
        data = super().clean()
        outcome = data.get("outcome")
        rationale = (data.get("rationale") or "").strip()
        data["rationale"] = rationale
        for name in ("coach", "sponsor", "advisor"):
            data[name] = self.choices.person(data[name]) if data.get(name) else None
        if outcome == Outcome.RETURN and not rationale:
            self.add_error("rationale", "Write the feedback the team needs to improve the idea.")
        elif outcome == Outcome.DECLINE and not rationale:
            self.add_error("rationale", "Give the reason for declining; the team will read it.")
        if outcome == Outcome.APPROVE:
            coach, sponsor = data["coach"], data["sponsor"]
            reason = (data.get("override_reason") or "").strip()
            data["override_reason"] = reason
            if coach is None:
                self.add_error("coach", "An approved project needs a QI coach.")
            elif str(coach.pk) in self.choices.at_capacity and not reason:
                self.add_error("override_reason", f"{coach.name} is at capacity. Say why they should take this "
                                                  "team too, or choose another coach.")
            if sponsor is None:
                self.add_error("sponsor", "An approved project needs a QI sponsor.")
        else:
            data.update(coach=None, sponsor=None, advisor=None, override_reason="")
        return data

    @property
    def coach_at_capacity_chosen(self) -> bool:
        return str(self["coach"].value() or "") in self.choices.at_capacity


@dataclass(frozen=True)
class Candidate:
    person: object
    role: str


class MinutesForm(forms.Form):
    """The minutes, and who was in the room: a tick per expected person, plus any guests."""

    minutes = forms.CharField(label="What was discussed and agreed", required=False,
                              widget=forms.Textarea(attrs={"rows": 12}),
                              help_text="Discussion, actions and owners. Decisions are recorded with each idea.")
    present = forms.MultipleChoiceField(label="Present", required=False, widget=forms.CheckboxSelectMultiple)
    guests = forms.CharField(
        label="Guests", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Anyone else present: user names or e-mail addresses, one per line.")

    def __init__(self, *args, candidates: list[Candidate], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {str(c.person.pk): c for c in candidates}
        self.fields["present"].choices = [
            (pk, f"{c.person.name} ({Attendance.AttendanceRole(c.role).label.lower()})")
            for pk, c in self.candidates.items()]

    def clean_guests(self) -> list:
        names = [line.strip() for line in self.cleaned_data["guests"].replace(",", "\n").splitlines()
                 if line.strip()]
        found, unknown = [], []
        for name in names:
            person = User.objects.filter(Q(username__iexact=name) | Q(email__iexact=name), is_active=True).first()
            if person is None:
                unknown.append(name)
            else:
                found.append(person)
        if unknown:
            raise forms.ValidationError(f"No one found with the user name or e-mail: {', '.join(unknown)}.")
        return found

    def attendees(self) -> list[tuple[object, str]]:
        """(person, attendance role) for everyone present, each person once."""
        chosen = [(self.candidates[pk].person, self.candidates[pk].role) for pk in self.cleaned_data["present"]]
        seen = {person.pk for person, _ in chosen}
        for guest in self.cleaned_data["guests"]:
            if guest.pk not in seen:
                chosen.append((guest, Attendance.AttendanceRole.GUEST))
                seen.add(guest.pk)
        return chosen
