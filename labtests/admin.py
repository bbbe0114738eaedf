from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AuthorisedSignatory, Sample, Standard, TestItem, TestOrder, TestReport, TestService


@admin.register(Standard)
class StandardAdmin(SimpleHistoryAdmin):
    list_display = ("code", "title_en", "equivalent", "status", "effective_date")
    list_filter = ("status",)
    search_fields = ("code", "title_zh", "title_en", "equivalent")


@admin.register(TestService)
class TestServiceAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name_en", "lab_section", "turnaround_days", "turnaround_calendar", "cma", "cnas", "price",
                    "retention_days", "destructive")  # fmt: skip
    list_filter = ("lab_section", "cma", "cnas", "active", "destructive")
    search_fields = ("code", "name_zh", "name_en")
    filter_horizontal = ("standards", "runs_after")


class SampleInline(admin.TabularInline):
    model = Sample
    extra = 0


@admin.register(TestOrder)
class TestOrderAdmin(SimpleHistoryAdmin):
    """Status moves through the services (API and pages); the admin shows orders."""

    list_display = ("number", "client", "project", "status", "received_on", "due_date")
    list_filter = ("status", "priority")
    search_fields = ("number", "client__code", "project__code")
    readonly_fields = ("number", "status", "held_from", "version", "created_at", "updated_at")
    raw_id_fields = ("client", "project", "milestone", "requested_by")
    list_select_related = ("client", "project")
    inlines = [SampleInline]


@admin.register(TestItem)
class TestItemAdmin(SimpleHistoryAdmin):
    list_display = ("order", "service", "engineer", "status", "verdict")
    list_filter = ("status", "verdict", "service__lab_section")
    readonly_fields = ("status", "verdict", "result_by", "verified_by", "retest_of")
    raw_id_fields = ("order", "service", "engineer")
    list_select_related = ("order", "service", "engineer")


@admin.register(TestReport)
class TestReportAdmin(SimpleHistoryAdmin):
    list_display = ("number", "version", "order", "status", "issued_on")
    list_filter = ("status",)
    readonly_fields = [f.name for f in TestReport._meta.fields]


@admin.register(AuthorisedSignatory)
class AuthorisedSignatoryAdmin(SimpleHistoryAdmin):
    """Admins keep who may sign reports and for what (the names the accreditation body approved)."""

    list_display = ("user", "lab_section", "service", "valid_from", "valid_until", "note")
    list_filter = ("lab_section", "valid_until")
    search_fields = ("user__username", "user__display_name", "service__code", "note")
    raw_id_fields = ("user", "service")
    list_select_related = ("user", "service")
