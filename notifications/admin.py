from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("user", "event", "created_at", "read_at")
    list_filter = ("event",)
    search_fields = ("user__username",)
    raw_id_fields = ("user",)
    list_select_related = ("user",)
