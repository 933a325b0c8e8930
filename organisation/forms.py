from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.urls import reverse

from .models import Team, User
from .widgets import PickerSelect


class ConstraintErrorsBesideFields:
    """Shows a model constraint's message beside the field it is about rather than at the top of the form.

    Django puts the error of every check constraint, and of every unique constraint over several fields, at the
    top. A constraint with one natural field names it as its violation_error_code (the house convention, checked
    by tests/test_constraint_messages.py); when this form has that field, the message moves there.
    """

    def full_clean(self) -> None:
        super().full_clean()
        top = self._errors.get(NON_FIELD_ERRORS) if self._errors else None
        if not top:
            return
        errors = top.as_data()
        del self._errors[NON_FIELD_ERRORS]
        for error in errors:
            self.add_error(error.code if error.code in self.fields else None, error)


def _team_rows(teams) -> list[tuple[int, str, str]]:
    return [(t.pk, t.name, t.directorate.name) for t in teams.order_by("name")]


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "email", "job_title", "team"]
        help_texts = {"team": "Your team or service; it sets your directorate."}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Validation accepts any active team; the page offers the person's own directorate's teams and what is
        # chosen, and finds the rest by name (a big trust has thousands of teams: listing them all cost 200 ms).
        teams = Team.objects.filter(active=True).select_related("directorate")
        user = self.instance
        self.fields["team"].queryset = teams
        self.fields["team"].widget = PickerSelect(
            search_url=reverse("organisation:team_search"), search_label="Another team? Find it by name",
            blank="No team",
            suggest=lambda: _team_rows(teams.filter(directorate_id=user.directorate_id)) if user.directorate_id
            else [],
            chosen=lambda pks: _team_rows(teams.filter(pk__in=pks)))
        self.fields["display_name"].required = True

    def clean_email(self) -> str | None:
        email = (self.cleaned_data.get("email") or "").strip().lower()
        if not email:
            return None
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Another account already uses this e-mail address.")
        return email

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.directorate = user.team.directorate if user.team else user.directorate
        if commit:
            user.save()
        return user
