from django.db.models import Q, QuerySet

from clients.access import access_for, scope_for_user
from conversations.selectors import readable_records

from .models import Notification, ReminderRule, Webhook, WebhookDelivery


def notification_list(*, user) -> QuerySet[Notification]:
    """A user's own notifications, newest first; nobody reads anyone else's, and a client user none about a record
    they may no longer read (an order back in draft, a milestone made internal)."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    rows = Notification.objects.filter(user=user)
    if access_for(user).is_client_user:
        rows = rows.filter(Q(record_type__isnull=True) | readable_records(user, type_field="record_type",
                                                                           id_field="record_id"))  # fmt: skip
    return rows


def unread_count(*, user) -> int:
    return notification_list(user=user).filter(read_at__isnull=True).count()


def webhook_list(*, user) -> QuerySet[Webhook]:
    """Staff see every webhook; a client user only their own client's (the one scoping rule)."""
    return scope_for_user(Webhook.objects.select_related("client"), user)


def webhook_delivery_list(*, user) -> QuerySet[WebhookDelivery]:
    return scope_for_user(WebhookDelivery.objects.select_related("webhook"), user)


def reminder_rule_list(*, user) -> QuerySet[ReminderRule]:
    """Reminder rules are the CRO's own settings: every staff member reads them, client users none."""
    access = access_for(user)
    if not access.is_staff_member:
        return ReminderRule.objects.none()
    return ReminderRule.objects.all()
