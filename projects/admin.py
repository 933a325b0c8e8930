"""Projects in the organisation settings: read-mostly. Status only ever changes through the workflow."""

from django.contrib import admin
from django.http import HttpRequest

from organisation.adminsite import QIAdminOnly

from .models import Project, ProjectEvent, ProjectMember


class ProjectMemberInline(QIAdminOnly, admin.TabularInline):
    model = ProjectMember
    extra = 0
    fields = ["person", "role", "organisation", "joined_on", "left_on"]
    autocomplete_fields = ["person"]


class ProjectEventInline(QIAdminOnly, admin.TabularInline):
    """The history is a record: shown, never added to or changed here."""

    model = ProjectEvent
    extra = 0
    fields = ["at", "kind", "by", "from_status", "to_status", "summary", "detail"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(QIAdminOnly, admin.ModelAdmin):
    list_display = ["title", "team", "directorate", "status", "stage", "lead", "coach", "updated_at"]
    list_filter = ["status", "stage", "directorate", "involvement", "objectives", "priorities"]
    search_fields = ["title", "problem", "aim_what", "team__name", "lead__display_name", "lead__username"]
    list_select_related = ["team", "directorate", "lead", "coach"]
    date_hierarchy = "updated_at"
    readonly_fields = ["status", "directorate", "created_by", "created_at", "updated_at", "submitted_at",
                       "approved_on", "closed_on", "coach", "sponsor", "advisor"]
    autocomplete_fields = ["lead"]
    filter_horizontal = ["objectives", "priorities"]
    inlines = [ProjectMemberInline, ProjectEventInline]
    fieldsets = [
        (None, {"fields": ["title", "team", "directorate", "status", "stage", "lead", "created_by"]}),
        ("The idea", {"fields": ["problem", "why_it_matters", "matters_to_staff", "matters_to_service_users",
                                 "matters_to_carers", "aim_what", "aim_how_much", "aim_by_when",
                                 "condition_matters_most", "condition_team_agreed", "condition_whole_team"]}),
        ("Alignment and involvement", {"fields": ["objectives", "priorities", "involvement"]}),
        ("Support (allocated by the forum)", {"fields": ["coach", "sponsor", "advisor"]}),
        ("Dates", {"fields": ["created_at", "updated_at", "submitted_at", "approved_on", "closed_on"]}),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Ideas start on the idea form, so that they have a lead, a team and a history.
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
