"""Workspace forms. Each cleans input into what its service function takes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from organisation.models import ExternalOrganisation
from projects.forms import AIM_YEARS_AHEAD, clean_aim_date
from projects.models import Involvement, MemberRole, Stage

from .models import IHI_SCALE, ActDecision, AimVersion, ClosureOutcome, Driver, PDSACycle, Story, first_of_month

User = get_user_model()
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class WorkspaceForm(forms.Form):
    """Crispy renders the fields; the template writes the <form> tag and its buttons."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class StageForm(WorkspaceForm):
    stage = forms.ChoiceField(choices=Stage.choices, label="Stage of the sequence of improvement")
    note = forms.CharField(required=False, max_length=300, label="What tells you the team is ready (optional)")


class AimForm(WorkspaceForm):
    what = forms.CharField(max_length=300, label="What will improve")
    how_much = forms.CharField(max_length=200, label="By how much",
                               help_text="A number the team can measure: “by 40%”, “to under 2%”.")
    by_when = forms.DateField(required=False, widget=DATE, label="By when",
                              help_text=f"A date in the future, within {AIM_YEARS_AHEAD} years.")
    reason = forms.CharField(max_length=300, label="Why the aim is changing",
                             help_text="Kept with the aim's history, so the forum can follow the team's thinking.")

    @classmethod
    def from_version(cls, data, version: AimVersion | None) -> AimForm:
        initial = {"what": version.what, "how_much": version.how_much,
                   "by_when": version.by_when} if version else {}
        return cls(data, initial=initial)

    def clean_by_when(self) -> dt.date | None:
        return clean_aim_date(self.cleaned_data.get("by_when"))


class DriverForm(WorkspaceForm):
    text = forms.CharField(max_length=200, label="Driver")
    parent = forms.ModelChoiceField(queryset=Driver.objects.none(), required=False,
                                    label="Under primary driver",
                                    help_text="Leave empty for a primary driver.")

    def __init__(self, *args, project, driver: Driver | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        primaries = Driver.objects.filter(project=project).primary()
        if driver is not None:
            primaries = primaries.exclude(pk=driver.pk)
            if driver.is_primary:
                # A primary driver stays primary: its own secondary drivers would have nowhere to go.
                del self.fields["parent"]
            else:
                self.fields["parent"].required = True
                self.fields["parent"].help_text = "Move it under another primary driver."
        if "parent" in self.fields:
            self.fields["parent"].queryset = primaries
            self.fields["parent"].empty_label = "— none: this is a primary driver —"


class ChangeIdeaForm(WorkspaceForm):
    title = forms.CharField(max_length=200, label="Change idea")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  label="What would we do differently")
    secondary_drivers = forms.ModelMultipleChoiceField(
        queryset=Driver.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label="Which secondary drivers does it work on?", help_text="Tick every one it could move.")

    def __init__(self, *args, project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        drivers = Driver.objects.filter(project=project).secondary().select_related("parent").order_by(
            "parent__order", "parent__pk", "order", "pk")
        self.fields["secondary_drivers"].queryset = drivers
        self.fields["secondary_drivers"].label_from_instance = lambda d: f"{d.text} (under “{d.parent.text}”)"


class ConfirmRemoveForm(WorkspaceForm):
    confirm = forms.BooleanField(label="Yes, remove it", required=True)


class PDSAForm(forms.ModelForm):
    """One form for the whole cycle; the team saves it as often as they like while the cycle runs."""

    class Meta:
        model = PDSACycle
        fields = ["what", "who", "where", "planned_start", "planned_end", "question", "prediction", "data_to_collect",
                  "what_happened", "problems", "observations", "done_on", "results", "learning", "act_decision",
                  "next_steps"]
        widgets = {
            "planned_start": DATE, "planned_end": DATE, "done_on": DATE,
            **{name: forms.Textarea(attrs={"rows": 3}) for name in (
                "what", "question", "prediction", "data_to_collect", "what_happened", "problems", "observations",
                "results", "learning", "next_steps")},
        }
        help_texts = {
            "what": "The change, small enough to try this week: one nurse, one shift, one patient.",
            "prediction": "Write it down before you start: it is what you will learn against.",
            "learning": "Was the prediction right? What surprised you?",
            "act_decision": "Adopt it, adapt it for the next cycle, or abandon it. Leave empty until you decide.",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["act_decision"].choices = [("", "Not decided yet"), *ActDecision.choices]
        self.fields["act_decision"].required = False
        self.fields["planned_start"].required = True

    def clean(self):
        data = super().clean()
        start, end, done = data.get("planned_start"), data.get("planned_end"), data.get("done_on")
        if start and end and end < start:
            self.add_error("planned_end", "The end comes after the start.")
        if done and done > timezone.localdate():
            self.add_error("done_on", "Record the Do once it has happened.")
        if data.get("act_decision") and not (data.get("learning") or data.get("results")):
            self.add_error("learning", "Write down what you learnt before deciding to adopt, adapt or abandon.")
        return data

    def cycle_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


def score_choices() -> list[tuple[str, str]]:
    return [("", "Choose a score")] + [(str(score), f"{score} – {meaning}") for score, meaning in IHI_SCALE.items()]


def month_choices(today: dt.date, since: dt.date | None) -> list[tuple[str, str]]:
    """This month and the earlier ones since approval (at most a year back), newest first."""
    month = first_of_month(today)
    floor = first_of_month(since) if since else month
    out = []
    while month >= floor and len(out) < 12:
        out.append((month.isoformat(), f"{month:%B %Y}"))
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return out


class ProgressForm(WorkspaceForm):
    month = forms.TypedChoiceField(coerce=dt.date.fromisoformat, label="Month")
    score = forms.TypedChoiceField(coerce=Decimal, label="Progress score (IHI scale)",
                                   help_text="Score where the team is now, not where it hopes to be.")
    narrative = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="What happened this month",
                                help_text="Two or three sentences: what you tested, what the data show.")
    help_needed = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                  label="Help needed from the sponsor",
                                  help_text="A barrier the sponsor could remove. Leave empty if none.")

    def __init__(self, *args, today: dt.date, since: dt.date | None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = month_choices(today, since)
        self.fields["score"].choices = score_choices()


class PersonField(forms.CharField):
    """A person by username or e-mail: the trust has thousands, too many for a list."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        person = User.objects.filter(Q(username__iexact=value) | Q(email__iexact=value), is_active=True).first()
        if person is None:
            raise forms.ValidationError("Nobody with that username or e-mail. Partners from other organisations "
                                        "need an account first: ask the QI department.")
        return person


class MemberForm(WorkspaceForm):
    person = PersonField(label="Username or e-mail")
    role = forms.ChoiceField(choices=[c for c in MemberRole.choices if c[0] != MemberRole.LEAD], label="Role")
    organisation = forms.ModelChoiceField(queryset=ExternalOrganisation.objects.order_by("name"), required=False,
                                          label="Organisation (external partners)")
    joined_on = forms.DateField(widget=DATE, label="Joined on", initial=timezone.localdate)

    def clean(self):
        data = super().clean()
        if data.get("role") == MemberRole.PARTNER and not data.get("organisation"):
            self.add_error("organisation", "Which organisation is the partner from?")
        return data


class InvolvementForm(WorkspaceForm):
    level = forms.ChoiceField(choices=[("", "Follow the team"), *Involvement.choices], required=False,
                              label="Service-user involvement")
    reason = forms.CharField(max_length=300, label="Why",
                             help_text="For example: service users join every PDSA review, though only one is on the "
                                       "team.")


class ClosureForm(WorkspaceForm):
    outcome = forms.ChoiceField(choices=ClosureOutcome.choices, widget=forms.RadioSelect, label="Outcome")
    results = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Results",
                              help_text="What the measures show, in numbers: where you started, where you are.")
    learning = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Learning",
                               help_text="What worked, what did not, and what you would tell another team.")
    sustain_plan = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Sustain plan",
                                   help_text="Who keeps the changes going, and which measure will show it.")
    should_spread = forms.BooleanField(required=False, label="Other teams should try these changes")


class ReviewForm(WorkspaceForm):
    decision = forms.ChoiceField(choices=[("confirm", "Confirm the closure"), ("return", "Return it to the team")],
                                 widget=forms.RadioSelect, label="Decision")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Note to the team",
                           help_text="Required when returning: what the team should do before asking again.")

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not data.get("note", "").strip():
            self.add_error("note", "Tell the team what to do before they ask again.")
        return data


class StoryForm(forms.ModelForm):
    class Meta:
        model = Story
        fields = ["kind", "title", "body", "consent_confirmed", "consent_note", "published"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8}), "kind": forms.RadioSelect}
        labels = {"consent_confirmed": "Everyone in this story agreed to it being shared",
                  "published": "Publish it (home page, stories and the board report)"}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.fields["consent_confirmed"].required = True


class LibrarySearchForm(forms.Form):
    q = forms.CharField(required=False, label="Topic, change idea or learning")
    outcome = forms.ChoiceField(required=False, choices=[("", "Any outcome"), *ClosureOutcome.choices],
                                label="Outcome")
