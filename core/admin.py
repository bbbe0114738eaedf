from django.contrib import admin, messages
from django.utils.translation import gettext as _

from .models import CalendarOverride, Comment, PublishedCalendarYear
from .services import calendar_year_publish


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ("calendar", "date", "is_working_day", "name")
    list_filter = ("calendar", "is_working_day")
    search_fields = ("name",)
    date_hierarchy = "date"


@admin.register(PublishedCalendarYear)
class PublishedCalendarYearAdmin(admin.ModelAdmin):
    """Marking a year complete goes through ``calendar_year_publish``: the engine re-plans the computed,
    provisional due dates and the message says how many moved. A mark is not edited afterwards."""

    list_display = ("calendar", "year", "published_by", "created_at", "dates_moved", "note")
    list_filter = ("calendar",)
    fields = ("calendar", "year", "note")

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        published = calendar_year_publish(calendar=obj.calendar, year=obj.year, actor=request.user, note=obj.note)
        obj.pk = published.pk
        self.message_user(
            request,
            _("%(year)s is published: %(count)s computed due dates moved.")
            % {"year": published.year, "count": published.dates_moved},
            messages.SUCCESS,
        )


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Read-only: comments are written, edited and deleted by their authors on the pages and the API (the window
    and the history are kept there)."""

    list_display = ("created_at", "author", "owner_type", "owner_id", "client_visible", "by_client", "deleted_at")
    list_filter = ("client_visible", "by_client", "owner_type")
    search_fields = ("body", "author__username")
    list_select_related = ("author", "owner_type")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
