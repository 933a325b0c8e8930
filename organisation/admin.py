from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.forms.models import BaseInlineFormSet

from .adminsite import QIAdminOnly
from .models import (
    AnnualPriority,
    CoachProfile,
    Directorate,
    ExternalOrganisation,
    RoleAssignment,
    StrategicObjective,
    Team,
    User,
)


class TeamInline(QIAdminOnly, admin.TabularInline):
    model = Team
    extra = 0
    fields = ["name", "kind", "site", "active"]


@admin.register(Directorate)
class DirectorateAdmin(QIAdminOnly, admin.ModelAdmin):
    list_display = ["name", "kind", "clinical_director", "service_director"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["clinical_director", "service_director"]
    inlines = [TeamInline]


@admin.register(Team)
class TeamAdmin(QIAdminOnly, admin.ModelAdmin):
    list_display = ["name", "directorate", "kind", "site", "active"]
    list_filter = ["directorate", "kind", "active"]
    search_fields = ["name", "site"]
    list_select_related = ["directorate"]


@admin.register(StrategicObjective)
class StrategicObjectiveAdmin(QIAdminOnly, admin.ModelAdmin):
    list_display = ["name", "strategy_period", "order"]
    list_editable = ["order"]


@admin.register(AnnualPriority)
class AnnualPriorityAdmin(QIAdminOnly, admin.ModelAdmin):
    list_display = ["name", "year", "objective", "large_scale_programme"]
    list_filter = ["year", "large_scale_programme"]


@admin.register(ExternalOrganisation)
class ExternalOrganisationAdmin(QIAdminOnly, admin.ModelAdmin):
    search_fields = ["name"]


class RoleAssignmentFormSet(BaseInlineFormSet):
    """The same role twice for one person: Django checks neither of the role's conditional unique constraints
    here (each row's form leaves the person out of its own checks), so the save would fail in the database."""

    def clean(self) -> None:
        super().clean()
        messages = {c.name: c.get_violation_error_message() for c in RoleAssignment._meta.constraints}
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("role"):
                continue
            key = (data["role"], data.get("directorate"))
            if key in seen:
                form.add_error("role", messages["role_unique_per_directorate" if key[1] else "role_unique_org_wide"])
            seen.add(key)


class RoleAssignmentInline(QIAdminOnly, admin.TabularInline):
    model = RoleAssignment
    formset = RoleAssignmentFormSet
    extra = 1
    fields = ["role", "directorate"]


class CoachProfileInline(QIAdminOnly, admin.StackedInline):
    model = CoachProfile
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["supervisor"]


@admin.register(User)
class UserAdmin(QIAdminOnly, BaseUserAdmin):
    list_display = ["username", "display_name", "email", "job_title", "team", "is_active"]
    list_filter = ["is_active", "directorate", "lived_experience", "role_assignments__role"]
    search_fields = ["username", "display_name", "email", "job_title"]
    list_select_related = ["team"]
    autocomplete_fields = ["team", "external_organisation"]
    inlines = [RoleAssignmentInline, CoachProfileInline]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Person", {"fields": ["display_name", "first_name", "last_name", "email", "job_title"]}),
        ("Where they work", {"fields": ["directorate", "team", "external_organisation", "lived_experience"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "display_name", "email", "password1", "password2"]}),
    ]
