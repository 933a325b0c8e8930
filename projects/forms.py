"""The idea form a QI forum reads, and the small confirm form that sends it there."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django import forms
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from organisation.directory import MIN_QUERY, PERSON_KINDS, find_people, find_teams, person_kind, person_label
from organisation.models import AnnualPriority, LivedExperience, StrategicObjective, Team, User
from organisation.widgets import PickerSelect, PickerSelectMultiple, typed_in

from .models import MemberRole, Project, ProjectMember
from .services import create_idea

CONDITION_WORDING = {
    "condition_matters_most": "The topic is what matters most to the staff and the service users of our team.",
    "condition_team_agreed": "The whole team, service users included, agreed that this is our biggest "
                             "opportunity to improve.",
    "condition_whole_team": "The whole team will do this work together: not one person, and not one profession.",
}

NO_ALIGNMENT_IS_FINE = (
    "Tick none if the idea does not align with a priority: that is a legitimate answer, and about a third "
    "of the organisation's projects are not aligned."
)


# An aim is reached within months, a year or two at most: a date further off is a slip of the keyboard.
AIM_YEARS_AHEAD = 5


def clean_aim_date(when: dt.date | None) -> dt.date | None:
    """The rule for an aim's "by when", on the idea and on every later revision of the aim in the workspace."""
    if when is None:
        return None
    today = timezone.localdate()
    if when <= today:
        raise forms.ValidationError("The aim's date must be in the future.", code="aim_date_passed")
    latest = _years_after(today, AIM_YEARS_AHEAD)
    if when > latest:
        raise forms.ValidationError(f"The aim's date must be within {AIM_YEARS_AHEAD} years: "
                                    f"{latest:%-d %B %Y} at the latest.", code="aim_date_too_far")
    return when


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February, in a year that has none
        return day.replace(year=day.year + years, day=28)


def role_for(person: User) -> str:
    """A team member's role follows from who they are in the directory."""
    if person.external_organisation_id:
        return MemberRole.PARTNER
    if person.lived_experience == LivedExperience.SERVICE_USER:
        return MemberRole.SERVICE_USER
    if person.lived_experience == LivedExperience.CARER:
        return MemberRole.CARER
    return MemberRole.MEMBER


SUGGESTED_COLLEAGUES = 40
SUGGESTED_OTHERS = 20  # service users and carers, and partners: each listed up to this many
# The pickers' search boxes as fields of the form: with scripts off, the form answers the typed words itself.
FIND_TEAM, FIND_MEMBER = "find_team", "find_member"


def _people_rows(people) -> list[tuple[int, str, str]]:
    rows = list({p.pk: (p.pk, person_label(p), person_kind(p)) for p in people}.values())
    return sorted(rows, key=lambda r: (PERSON_KINDS.index(r[2]), r[1].lower()))


def _team_rows(teams) -> list[tuple[int, str, str]]:
    return [(t.pk, t.name, t.directorate.name) for t in teams.order_by("directorate__name", "name")]


def _with_matches(rows: list[tuple], matches: list[tuple]) -> list[tuple]:
    """Suggestions, then what a search found that they do not already list."""
    listed = {str(pk) for pk, _, _ in rows}
    return rows + [row for row in matches if str(row[0]) not in listed]


def _search_answer(typed: str, found: list[str], one: str, many: str, done: str) -> str:
    """What a search box found (labels), said beside its field (the template escapes what was typed)."""
    if len(typed) < MIN_QUERY:
        return f"Type two letters or more to find a {one}."
    if not found:
        return f"No {one} matches “{typed}”. Try part of a name."
    if len(found) == 1:
        return f"One {one} matches “{typed}”: {found[0]}, now {done}. Check it, then save again."
    return f"{len(found)} {many} match “{typed}”: choose from the list, then save again."


class IdeaForm(forms.ModelForm):
    members = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Who else is on the team?",
        help_text="Staff from the directory, service users and carers, and people from partner organisations. "
                  "The lead is always on the team. Your own team is listed; find anyone else by name below. "
                  "Hold Ctrl (Cmd on a Mac) to choose more than one.",
    )

    class Meta:
        model = Project
        fields = [
            "title", "team",
            "problem", "why_it_matters", "matters_to_staff", "matters_to_service_users", "matters_to_carers",
            "aim_what", "aim_how_much", "aim_by_when",
            "condition_matters_most", "condition_team_agreed", "condition_whole_team",
            "objectives", "priorities",
            "involvement",
        ]
        labels = {
            "title": "Title of the idea",
            "team": "Team or service",
            "problem": "What is the problem?",
            "why_it_matters": "Why does it matter, and to whom?",
            "matters_to_staff": "Staff",
            "matters_to_service_users": "Service users",
            "matters_to_carers": "Carers",
            "aim_what": "What will improve?",
            "aim_how_much": "By how much?",
            "aim_by_when": "By when?",
            "objectives": "Strategic objectives",
            "priorities": "This year's annual priorities",
            "involvement": "How will service users be involved?",
            **CONDITION_WORDING,
        }
        help_texts = {
            "title": "A short name people will recognise, e.g. “Fewer falls at night on Willow Ward”.",
            "team": "The team that will do the work; it decides which directorate's QI forum reads the idea.",
            "aim_what": "e.g. “Reduce falls at night on the ward”",
            "aim_how_much": "e.g. “by 50%” or “from 12 to 6 a month”",
            "aim_by_when": f"A date in the future, within {AIM_YEARS_AHEAD} years.",
            "objectives": NO_ALIGNMENT_IS_FINE,
            "priorities": "",
            "involvement": "Projects with service users as full partners are far more likely to reach their aim.",
        }
        error_messages = {
            "title": {"required": "Give the idea a short title."},
            "team": {"required": "Choose the team that will do the work."},
            "problem": {"required": "Describe the problem, even in a sentence or two."},
            "why_it_matters": {"required": "Say why it matters, and to whom."},
            "aim_what": {"required": "Say what will improve."},
            "aim_how_much": {"required": "Say by how much, even as a first guess."},
        }
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 4}),
            "why_it_matters": forms.Textarea(attrs={"rows": 3}),
            "aim_by_when": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "objectives": forms.CheckboxSelectMultiple,
            "priorities": forms.CheckboxSelectMultiple,
            "involvement": forms.RadioSelect,
        }

    def __init__(self, *args, lead: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lead = lead
        # Words left in a picker's search box when the form was sent (scripts off, or typed and not picked):
        # the form finds them and shows the answer beside the field rather than saving (_answer_searches).
        self._search_answers: dict[str, str] = {}
        team_matches, member_matches = self._answer_searches()
        # Validation accepts any active team or person; the page lists only suggestions and what is chosen
        # (a trust may have thousands of teams and tens of thousands of people), the rest is found by name.
        teams = Team.objects.filter(Q(active=True) | Q(pk=self.instance.team_id)).select_related("directorate")
        self.fields["team"].queryset = teams
        self.fields["team"].widget = PickerSelect(
            search_url=reverse("organisation:team_search"), search_label="Another team? Find it by name",
            blank="Choose the team", search_name=FIND_TEAM,
            suggest=lambda: _with_matches(_team_rows(teams.filter(directorate_id=lead.directorate_id)), team_matches),
            chosen=lambda pks: _team_rows(teams.filter(pk__in=pks)))

        self.fields["objectives"].queryset = StrategicObjective.objects.all()
        chosen = self.instance.priorities.all() if self.instance.pk else AnnualPriority.objects.none()
        self.fields["priorities"].queryset = AnnualPriority.objects.filter(
            Q(year=timezone.localdate().year) | Q(pk__in=chosen.values("pk")))

        people = (User.objects.filter(is_active=True).exclude(pk=lead.pk)
                  .select_related("team", "external_organisation"))
        members = self.fields["members"]
        members.queryset = people
        members.widget = PickerSelectMultiple(
            search_url=f"{reverse('organisation:people_search')}?exclude={lead.pk}",
            search_label="Find someone by name, team or organisation", search_name=FIND_MEMBER,
            suggest=lambda: _with_matches(_people_rows([
                *(people.filter(team_id=lead.team_id)[:SUGGESTED_COLLEAGUES] if lead.team_id else []),
                *people.exclude(lived_experience="")[:SUGGESTED_OTHERS],
                *people.filter(external_organisation__isnull=False)[:SUGGESTED_OTHERS]]), member_matches),
            chosen=lambda pks: _people_rows(people.filter(pk__in=pks)), attrs={"size": 10})
        if self.instance.pk and not self.is_bound:
            self.initial["members"] = [
                m.person_id for m in self.instance.members.filter(left_on__isnull=True).exclude(person=lead)]

    def _answer_searches(self) -> tuple[list, list]:
        """Find what was typed in the team and people search boxes; the answer goes beside each field.

        One team found is chosen, one person found is added to the team; several are offered in the list.
        Either way nothing is saved until the person has seen the answer and sends the form again, and the
        box is emptied (its words are quoted in the answer), so the next send saves.
        """
        typed_team, typed_member = typed_in(self.data, FIND_TEAM), typed_in(self.data, FIND_MEMBER)
        if not (typed_team or typed_member):
            return [], []
        self.data = data = self.data.copy()
        team_matches, member_matches = [], []
        if typed_team:
            team_matches = find_teams(typed_team)
            if len(team_matches) == 1:
                data[self.add_prefix("team")] = str(team_matches[0].pk)
            self._search_answers["team"] = _search_answer(
                typed_team, [f"{t.name} ({t.directorate.name})" for t in team_matches], "team", "teams", "chosen")
        if typed_member:
            member_matches = find_people(typed_member, exclude=self.lead.pk)
            if len(member_matches) == 1:
                name = self.add_prefix("members")
                chosen = [*self.fields["members"].widget.value_from_datadict(data, self.files, name),
                          str(member_matches[0].pk)]
                if hasattr(data, "setlist"):  # a QueryDict, as views pass; a plain dict holds the list itself
                    data.setlist(name, chosen)
                else:
                    data[name] = chosen
            self._search_answers["members"] = _search_answer(
                typed_member, [person_label(p) for p in member_matches], "person", "people", "added to the team")
        return ([(t.pk, t.name, f"Teams matching “{typed_team}”") for t in team_matches],
                [(p.pk, person_label(p), f"People matching “{typed_member}”") for p in member_matches])

    def clean(self):
        cleaned = super().clean()
        for field, answer in self._search_answers.items():
            self.add_error(field, answer)
        return cleaned

    @property
    def only_searched(self) -> bool:
        """Sent back only to show what the search boxes found: every answer is otherwise in order."""
        return bool(self._search_answers) and set(self.errors) <= set(self._search_answers)

    def clean_aim_by_when(self) -> dt.date | None:
        return clean_aim_date(self.cleaned_data.get("aim_by_when"))

    def save(self, commit: bool = True, *, by: User | None = None) -> Project:
        """Create the draft (through the workflow service) or update it, then the team around it."""
        assert commit, "IdeaForm saves the idea and its team together"
        with transaction.atomic():
            if self.instance.pk:
                project = super().save()
            else:
                fields = {name: self.cleaned_data[name] for name in self._meta.fields}
                project = create_idea(created_by=by or self.lead, lead=self.lead, **fields)
                self.instance = project
            self._save_members(project, self.cleaned_data.get("members") or [])
        return project

    def _save_members(self, project: Project, chosen: Iterable[User]) -> None:
        today = timezone.localdate()
        chosen = {person.pk: person for person in chosen if person.pk != project.lead_id}
        current = {m.person_id: m for m in project.members.filter(left_on__isnull=True)}
        for person_id, member in current.items():
            # Leaving is recorded rather than deleted: the team's history stays readable.
            if person_id not in chosen and person_id != project.lead_id:
                member.left_on = today
                member.save(update_fields=["left_on"])
        ProjectMember.objects.bulk_create([
            ProjectMember(project=project, person=person, role=role_for(person),
                          organisation_id=person.external_organisation_id, joined_on=today)
            for person_id, person in chosen.items() if person_id not in current
        ])


class SubmitIdeaForm(forms.Form):
    """Sending the idea to the forum; it carries the status the person was looking at."""

    seen_status = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["seen_status"].initial = project.status

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("seen_status") and cleaned["seen_status"] != self.project.status:
            raise forms.ValidationError(
                f"This idea is now “{self.project.get_status_display()}”, so it was not sent again.")
        missing = missing_for_submission(self.project)
        if missing:
            raise forms.ValidationError("Before it goes to the forum: " + "; ".join(missing) + ".")
        return cleaned


def missing_for_submission(project: Project) -> list[str]:
    """What a forum needs that the idea does not have yet (in the person's words)."""
    missing = [f"confirm “{CONDITION_WORDING[name]}”" for name in CONDITION_WORDING if not getattr(project, name)]
    if not project.aim_by_when:
        missing.append("say by when the aim will be reached")
    return missing
