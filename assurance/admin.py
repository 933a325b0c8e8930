from django.contrib import admin
from django.http import HttpRequest

from organisation.adminsite import QIAdminOnly

from .models import Action, PlannedWalkRound, WalkRound


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
