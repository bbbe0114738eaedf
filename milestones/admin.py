from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ClockEvent, ClockTemplate, Milestone, MilestoneTemplate, PathwayTemplate, ReviewClock, Submission


class MilestoneTemplateInline(admin.TabularInline):
    model = MilestoneTemplate
    extra = 0
    fields = ("order", "code", "name_zh", "name_en", "kind", "duration", "calendar", "predecessors", "clock_kind",
              "clock_action", "client_visible", "responsible")  # fmt: skip


class ClockTemplateInline(admin.TabularInline):
    model = ClockTemplate
    extra = 0


@admin.register(PathwayTemplate)
class PathwayTemplateAdmin(SimpleHistoryAdmin):
    list_display = ("code", "version", "effective_from", "market", "authority", "name_en")
    list_filter = ("market", "authority")
    search_fields = ("code", "name_zh", "name_en")
    inlines = [MilestoneTemplateInline, ClockTemplateInline]


@admin.register(Submission)
class SubmissionAdmin(SimpleHistoryAdmin):
    list_display = ("project", "pathway_code", "authority", "status", "reference_number", "flag")
    list_filter = ("status", "authority", "flag")
    search_fields = ("project__code", "reference_number")
    raw_id_fields = ("project", "pathway")
    list_select_related = ("project",)


@admin.register(Milestone)
class MilestoneAdmin(SimpleHistoryAdmin):
    list_display = ("project", "code", "name_en", "due_date", "baseline_due_date", "status", "responsible")
    list_filter = ("status", "responsible", "kind", "client_visible")
    search_fields = ("project__code", "code", "name_zh", "name_en")
    raw_id_fields = ("project", "submission", "template", "owner")
    list_select_related = ("project",)


class ClockEventInline(admin.TabularInline):
    model = ClockEvent
    extra = 0
    readonly_fields = ("action", "on", "reason", "actor")
    can_delete = False


@admin.register(ReviewClock)
class ReviewClockAdmin(SimpleHistoryAdmin):
    """Clock state changes go through the services (API and pages); the admin shows them."""

    list_display = ("submission", "kind", "state", "budget", "unit", "due_on", "provisional")
    list_filter = ("state", "kind", "unit")
    readonly_fields = [f.name for f in ReviewClock._meta.fields]
    inlines = [ClockEventInline]
