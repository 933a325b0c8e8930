"""Whole System Measures in the organisation settings: which Triple Aim domain and strategic objective each
belongs to, so the QI department can keep the board report's groupings right. Definitions, data and charts
are kept on the measure pages (with their history), not here."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from organisation.adminsite import QIAdminOnly

from .models import Measure


@admin.register(Measure)
class WholeSystemMeasureAdmin(QIAdminOnly, admin.ModelAdmin):
    list_display = ["name", "domain", "objective", "owner", "active"]
    list_editable = ["objective"]
    list_filter = ["domain", "objective", "active"]
    list_select_related = ["objective", "owner"]
    search_fields = ["name"]
    fields = ["name", "domain", "objective", "owner", "active"]
    readonly_fields = ["name", "domain", "owner", "active"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Measure]:
        return super().get_queryset(request).for_board()

    def save_model(self, request: HttpRequest, obj: Measure, form, change: bool) -> None:
        # Only the link changes: not a chart input, so the measure's updated_at (and with it the freshness of
        # its chart snapshot) is left alone; a save of that one field, so that the audit log records it.
        obj.save(update_fields=["objective"])

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return False  # created on the measures pages, with a full operational definition

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # a measure with data is retired (inactive), never deleted from here
