from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from core.events import subscribe

        from .handlers import HANDLERS

        for event, handler in HANDLERS.items():
            subscribe(event, handler)
