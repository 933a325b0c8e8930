from django.contrib import admin

from organisation.adminsite import QIAdminOnly

from .models import JobRun


@admin.register(JobRun)
class JobRunAdmin(QIAdminOnly, admin.ModelAdmin):
    list_display = ["name", "started_at", "finished_at", "status"]
    list_filter = ["name", "status"]
    readonly_fields = ["name", "started_at", "finished_at", "status", "detail", "error"]

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
