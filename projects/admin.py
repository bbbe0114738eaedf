from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Project, ProjectMembership


class ProjectMembershipInline(admin.TabularInline):
    model = ProjectMembership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ("code", "title", "client", "service_type", "status", "health", "progress", "next_due_date")
    list_filter = ("status", "service_type", "health", "priority")
    search_fields = ("code", "title", "client__code", "client__name_zh", "client__name_en")
    raw_id_fields = ("client", "project_manager")
    filter_horizontal = ("devices",)
    list_select_related = ("client",)
    readonly_fields = ("code", "health", "progress", "next_due_date", "version", "created_at", "updated_at")
    inlines = [ProjectMembershipInline]
