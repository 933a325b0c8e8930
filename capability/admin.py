from django.contrib import admin

from organisation.adminsite import QIAdminOnly

from .models import Audience, Course, DoseTarget


@admin.register(Audience)
class AudienceAdmin(QIAdminOnly, admin.ModelAdmin):
    list_display = ["name", "describe", "order"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["directorates"]


class DoseTargetInline(admin.TabularInline):
    model = DoseTarget
    extra = 1


@admin.register(Course)
class CourseAdmin(QIAdminOnly, admin.ModelAdmin):
    list_display = ["name", "kind", "audience", "length", "sessions", "rule", "active"]
    list_filter = ["kind", "active", "audience"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [DoseTargetInline]
