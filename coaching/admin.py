from django.contrib import admin
from django.http import HttpRequest

from organisation.adminsite import QIAdminOnly

from .models import Allocation, Supervision


@admin.register(Allocation)
class AllocationAdmin(QIAdminOnly, admin.ModelAdmin):
    """Allocation history is a record: changes go through the reallocation page, which keeps the history."""

    list_display = ["project", "kind", "person", "started_on", "ended_on", "reason", "ended_reason",
                    "capacity_override_reason", "allocated_by"]
    list_filter = ["kind", ("ended_on", admin.EmptyFieldListFilter), "project__directorate", "started_on"]
    search_fields = ["project__title", "person__display_name", "person__username", "reason"]
    list_select_related = ["project", "person", "allocated_by"]
    date_hierarchy = "started_on"

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Supervision)
class SupervisionAdmin(QIAdminOnly, admin.ModelAdmin):
    list_display = ["coach", "advisor", "date", "created_at"]
    list_filter = ["date"]
    search_fields = ["coach__display_name", "coach__username", "advisor__display_name", "notes"]
    list_select_related = ["coach", "advisor"]
    autocomplete_fields = ["coach", "advisor"]
    date_hierarchy = "date"
