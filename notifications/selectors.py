from django.db.models import QuerySet

from clients.access import access_for, scope_for_user

from .models import Notification, ReminderRule, Webhook, WebhookDelivery


def notification_list(*, user) -> QuerySet[Notification]:
    """A user's own notifications, newest first; nobody reads anyone else's."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(user=user)


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
