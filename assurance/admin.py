from django.contrib import admin
from django.http import HttpRequest

from organisation.adminsite import QIAdminOnly

from .accreditation import new_version
from .models import AccreditationRole, Action, Assessment, Framework, PlannedWalkRound, Standard, WalkRound


class ReadOnly:
    """WalkRounds and their actions are records: they change through the WalkRound pages, which keep history."""

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(WalkRound)
class WalkRoundAdmin(ReadOnly, QIAdminOnly, admin.ModelAdmin):
    list_display = ["team", "date", "recorded_by"]
    list_filter = ["date", "team__directorate"]
    search_fields = ["team__name"]
    list_select_related = ["team", "recorded_by"]
    date_hierarchy = "date"


@admin.register(Action)
class ActionAdmin(ReadOnly, QIAdminOnly, admin.ModelAdmin):
    list_display = ["description", "team", "owner", "due", "status"]
    list_filter = ["status", "team__directorate"]
    search_fields = ["description", "team__name", "owner__display_name"]
    list_select_related = ["team", "owner"]


@admin.register(PlannedWalkRound)
class PlannedWalkRoundAdmin(QIAdminOnly, admin.ModelAdmin):
    list_display = ["team", "executive", "week_of", "walkround"]
    list_select_related = ["team", "executive", "walkround"]
    raw_id_fields = ["team", "executive", "walkround"]


class StandardInline(admin.TabularInline):
    model = Standard
    extra = 3
    fields = ["order", "group", "code", "text"]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return obj is None or not obj.assessments.exists()

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


@admin.register(Framework)
class FrameworkAdmin(QIAdminOnly, admin.ModelAdmin):
    """The standards and the award thresholds, versioned: a version an assessment used is frozen (it is what
    that assessment was judged against); "Copy as a new version" starts the next one."""

    list_display = ["name", "version", "published_on", "gold_min_met", "silver_min_met", "bronze_min_met",
                    "standard_count"]
    inlines = [StandardInline]
    actions = ["copy_as_new_version"]

    @admin.display(description="standards")
    def standard_count(self, obj: Framework) -> int:
        return obj.standards.count()

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or not obj.assessments.exists())

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or not obj.assessments.exists())

    @admin.action(description="Copy as a new version (unpublished)")
    def copy_as_new_version(self, request: HttpRequest, queryset) -> None:
        for framework in queryset:
            copy = new_version(framework)
            self.message_user(request, f"{copy} is drafted: change it, then give it a date to bring it into force.")


@admin.register(AccreditationRole)
class AccreditationRoleAdmin(QIAdminOnly, admin.ModelAdmin):
    list_display = ["user", "kind", "since"]
    list_filter = ["kind"]
    autocomplete_fields = ["user"]
    search_fields = ["user__display_name", "user__username"]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnly, QIAdminOnly, admin.ModelAdmin):
    list_display = ["team", "visit_date", "framework", "status", "award", "due_on"]
    list_filter = ["status", "award", "team__directorate"]
    list_select_related = ["team", "framework"]
