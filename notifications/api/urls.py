from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import (
    CalendarFeedApi,
    NotificationPreferencesApi,
    NotificationViewSet,
    ReminderRuleViewSet,
    WebhookDeliveryViewSet,
    WebhookViewSet,
)

router = SimpleRouter()
router.register("notifications", NotificationViewSet, basename="notification")
router.register("webhooks", WebhookViewSet, basename="webhook")
router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")
router.register("reminder-rules", ReminderRuleViewSet, basename="reminder-rule")

urlpatterns = [
    path("me/notification-preferences/", NotificationPreferencesApi.as_view(), name="notification-preferences"),
    path("me/calendar-feed/", CalendarFeedApi.as_view(), name="calendar-feed-url"),
    *router.urls,
]
