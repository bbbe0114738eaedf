from django.utils.translation import gettext as _
from rest_framework import serializers

from clients.access import access_for
from clients.api.serializers import ClientSummarySerializer
from clients.models import Client
from notifications.choices import EmailDelivery
from notifications.models import Notification, ReminderRule, Webhook, WebhookDelivery
from notifications.reminders import REMINDER_KINDS
from notifications.webhook_events import CLIENT_EVENT_FIELDS, WEBHOOK_EVENTS


class NotificationSerializer(serializers.ModelSerializer):
    text = serializers.CharField(read_only=True, help_text="The sentence, in the reader's language.")
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "event", "text", "params", "url", "read", "read_at", "created_at"]
        read_only_fields = fields

    def get_read(self, notification) -> bool:
        return notification.read_at is not None


class MarkReadInputSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, allow_empty=True)


class MarkReadOutputSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
    unread = serializers.IntegerField()


class WebhookOutputSerializer(serializers.ModelSerializer):
    client = ClientSummarySerializer(read_only=True)

    class Meta:
        model = Webhook
        fields = ["id", "name", "url", "events", "active", "client", "created_at", "updated_at"]
        read_only_fields = fields


class WebhookSecretOutputSerializer(WebhookOutputSerializer):
    """Shown on create and on ``rotate-secret`` only: the key the receiver checks signatures with."""

    class Meta(WebhookOutputSerializer.Meta):
        fields = [*WebhookOutputSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(child=serializers.CharField(max_length=60), allow_empty=False)
    active = serializers.BooleanField(default=True)
    client = serializers.PrimaryKeyRelatedField(
        queryset=Client.objects.all(), required=False, allow_null=True,
        help_text="Staff only: make this a client's webhook (client users' webhooks are always their own client's).",
    )  # fmt: skip

    def validate_events(self, value):
        allowed = self._allowed_events()
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise serializers.ValidationError(
                _("Unknown or unavailable events: %(events)s.") % {"events": ", ".join(unknown)}
            )
        return sorted(set(value))

    def _allowed_events(self) -> set[str]:
        request = self.context.get("request")
        if request is not None and access_for(request.user).is_client_user:
            return {"*", *CLIENT_EVENT_FIELDS}
        return {"*", *WEBHOOK_EVENTS}

    def validate_client(self, value):
        request = self.context.get("request")
        if value is not None and request is not None and access_for(request.user).is_client_user:
            raise serializers.ValidationError(_("A client user's webhook always belongs to their own client."))
        return value


class WebhookUpdateSerializer(WebhookInputSerializer):
    client = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("client", None)


class WebhookDeliveryOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = ["id", "webhook", "event_id", "event", "payload", "status", "attempts", "response_code", "error",
                  "next_attempt_at", "delivered_at", "resent_from", "created_at"]  # fmt: skip
        read_only_fields = fields


class NotificationPreferencesSerializer(serializers.Serializer):
    muted_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=[(code, kind.label) for code, kind in REMINDER_KINDS.items()]),
        allow_empty=True,
        help_text="Reminder kinds you do not want (escalations still reach you).",
    )
    email = serializers.ChoiceField(choices=EmailDelivery.choices, help_text="Reminder e-mails at once or daily.")


class CalendarFeedSerializer(serializers.Serializer):
    url = serializers.CharField(help_text="Your secret calendar feed (iCalendar). Anyone with it can read it.")


class ReminderRuleOutputSerializer(serializers.ModelSerializer):
    kind_label = serializers.SerializerMethodField()

    class Meta:
        model = ReminderRule
        fields = ["id", "name", "kind", "kind_label", "offsets", "overdue_repeat_days", "overdue_limit_days",
                  "escalate_after_days", "recipient_roles", "active"]  # fmt: skip
        read_only_fields = fields

    def get_kind_label(self, rule) -> str:
        kind = REMINDER_KINDS.get(rule.kind)
        return str(kind.label) if kind else rule.kind
