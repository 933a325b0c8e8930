from django.contrib import admin

from organisation.adminsite import QIAdminOnly

from .models import AgendaItem, Attendance, Decision, Forum, Meeting


@admin.register(Forum)
class ForumAdmin(QIAdminOnly, admin.ModelAdmin):
    list_display = ["name", "directorate", "rule_text", "starts_at", "location", "reminder_days"]
    list_select_related = ["directorate"]
    search_fields = ["name", "directorate__name"]
    fieldsets = [
        (None, {"fields": ["name", "directorate"]}),
        ("When and where it meets", {"fields": ["week_of_month", "weekday", "starts_at", "location",
                                                "reminder_days"]}),
        ("Members", {"fields": ["members"]}),
    ]
    filter_horizontal = ["members"]

    @admin.display(description="meets on")
    def rule_text(self, forum: Forum) -> str:
        return forum.rule_text


class AgendaItemInline(QIAdminOnly, admin.TabularInline):
    """The system assembles agendas; admins may see them here, and add a note, not rewrite them."""

    model = AgendaItem
    extra = 0
    fields = ["kind", "project", "note", "added_at"]
    readonly_fields = ["kind", "project", "added_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AttendanceInline(QIAdminOnly, admin.TabularInline):
    model = Attendance
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Meeting)
class MeetingAdmin(QIAdminOnly, admin.ModelAdmin):
    list_display = ["__str__", "forum", "date", "starts_at", "location", "reminder_sent_at"]
    list_filter = ["forum"]
    list_select_related = ["forum"]
    date_hierarchy = "date"
    fields = ["forum", "date", "starts_at", "location", "minutes", "minutes_updated_at", "minutes_updated_by",
              "reminder_sent_at"]
    readonly_fields = ["minutes_updated_at", "minutes_updated_by", "reminder_sent_at"]
    inlines = [AgendaItemInline, AttendanceInline]


@admin.register(Decision)
class DecisionAdmin(QIAdminOnly, admin.ModelAdmin):
    """Decisions are records: QI admins may read them here, nobody may add, change or delete one."""

    list_display = ["project", "outcome", "meeting", "decided_by", "decided_at", "coach", "sponsor"]
    list_filter = ["outcome", "meeting__forum"]
    list_select_related = ["project", "meeting", "meeting__forum", "decided_by", "coach", "sponsor"]
    search_fields = ["project__title", "rationale"]
    date_hierarchy = "decided_at"

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
