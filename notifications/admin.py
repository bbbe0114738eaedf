from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .choices import RecipientRole
from .models import Notification, Reminder, ReminderRule, Webhook, WebhookDelivery
from .reminders import kind_choices
from .services import webhook_delivery_resend
from .webhook_events import WEBHOOK_EVENTS


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("user", "event", "created_at", "read_at")
    list_filter = ("event",)
    search_fields = ("user__username",)
    raw_id_fields = ("user",)
    list_select_related = ("user",)


class ReminderRuleForm(forms.ModelForm):
    kind = forms.ChoiceField(label=_("watches"), choices=kind_choices)
    recipient_roles = forms.MultipleChoiceField(
        label=_("recipients"), choices=RecipientRole.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ReminderRule
        fields = (
            "name",
            "kind",
            "offsets",
            "overdue_repeat_days",
            "overdue_limit_days",
            "escalate_after_days",
            "recipient_roles",
            "active",
        )

    def clean_offsets(self):
        offsets = self.cleaned_data["offsets"]
        if not isinstance(offsets, list) or not all(isinstance(day, int) and 0 <= day <= 365 for day in offsets):
            raise forms.ValidationError(_("Give a list of whole days between 0 and 365, e.g. [14, 7, 3, 1, 0]."))
        return sorted(set(offsets), reverse=True)


@admin.register(ReminderRule)
class ReminderRuleAdmin(admin.ModelAdmin):
    form = ReminderRuleForm
    list_display = ("name", "kind", "offsets", "overdue_repeat_days", "escalate_after_days", "active")
    list_filter = ("kind", "active")


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "target_id", "due_date", "offset", "recipient", "escalated", "status", "sent_at")
    list_filter = ("status", "kind", "escalated", "digest")
    search_fields = ("recipient__username", "message_id")
    raw_id_fields = ("recipient", "rule")
    list_select_related = ("recipient",)
    readonly_fields = [field.name for field in Reminder._meta.fields]

    def has_add_permission(self, request):
        return False


class WebhookForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("events"),
        choices=[("*", _("Every event"))] + [(name, name) for name in WEBHOOK_EVENTS],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Webhook
        fields = ("name", "url", "events", "active", "client", "secret")


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookForm
    list_display = ("name", "url", "client", "active")
    list_filter = ("active",)
    raw_id_fields = ("client", "created_by")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("id", "webhook", "event", "status", "attempts", "response_code", "next_attempt_at")
    list_filter = ("status", "event")
    list_select_related = ("webhook",)
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Send the selected deliveries again"))
    def resend(self, request, queryset):
        from core.queue import enqueue_on_commit

        from .tasks import webhook_deliver

        queued = 0
        for delivery in queryset.select_related("webhook").filter(webhook__active=True):
            copy = webhook_delivery_resend(delivery=delivery, actor=request.user)
            enqueue_on_commit(webhook_deliver, copy.pk)
            queued += 1
        self.message_user(
            request,
            _("%(count)d queued for sending again (inactive webhooks skipped).") % {"count": queued},
            messages.SUCCESS,
        )
