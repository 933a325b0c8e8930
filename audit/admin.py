from django.contrib import admin
from django.http import HttpRequest

from organisation.adminsite import QIAdminOnly

from .models import AuditEntry

# django-auditlog's own admin (registered by autodiscovery, as "auditlog" is installed before this app)
# allows deletes in some cases; the log is a record, so it is replaced by one that only reads.
if admin.site.is_registered(AuditEntry):
    admin.site.unregister(AuditEntry)


@admin.register(AuditEntry)
class AuditEntryAdmin(QIAdminOnly, admin.ModelAdmin):
    list_display = ["timestamp", "actor", "origin", "action", "content_type", "object_repr"]
    list_filter = ["action", "content_type"]
    list_select_related = ["actor", "content_type"]
    search_fields = ["object_repr", "actor__username", "actor__display_name", "actor_email"]
    date_hierarchy = "timestamp"
    exclude = ["serialized_data"]

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return [f.name for f in self.model._meta.fields if f.name != "serialized_data"]

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
