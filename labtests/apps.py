from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabtestsConfig(AppConfig):
    name = "labtests"
    verbose_name = _("Lab tests")

    def ready(self):
        from core.events import subscribe

        from .services import on_calendar_year_published

        subscribe("calendar.year_published", on_calendar_year_published, in_transaction=True)
