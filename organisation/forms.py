from django import forms

from .models import Team, User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "email", "job_title", "team"]
        help_texts = {"team": "Your team or service; it sets your directorate."}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(active=True).select_related("directorate")
        self.fields["team"].label_from_instance = lambda t: f"{t.name} – {t.directorate.name}"
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
