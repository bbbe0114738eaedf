from django.contrib import admin

from .models import CalendarOverride


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ("calendar", "date", "is_working_day", "name")
    list_filter = ("calendar", "is_working_day")
    search_fields = ("name",)
    date_hierarchy = "date"
