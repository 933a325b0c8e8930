from django.contrib import admin

from organisation.adminsite import QIAdminOnly

from .models import HeldTask, JobRun


@admin.register(JobRun)
class JobRunAdmin(QIAdminOnly, admin.ModelAdmin):
    list_display = ["name", "started_at", "finished_at", "status"]
    list_filter = ["name", "status"]
    readonly_fields = ["name", "started_at", "finished_at", "status", "detail", "error"]

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(HeldTask)
class HeldTaskAdmin(QIAdminOnly, admin.ModelAdmin):
    """Jobs waiting for the broker: normally none; a long list means Redis or the beat scheduler is down."""

    list_display = ["name", "held_at", "attempts"]
    readonly_fields = ["name", "args", "kwargs", "held_at", "attempts", "error"]

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
