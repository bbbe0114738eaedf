from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from core.events import ALL_EVENTS, subscribe

        from .handlers import HANDLERS, on_any_event

        for event, handler in HANDLERS.items():
            subscribe(event, handler, in_transaction=True)
        subscribe(ALL_EVENTS, on_any_event, in_transaction=True)
