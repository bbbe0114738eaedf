from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabtestsConfig(AppConfig):
    name = "labtests"
    verbose_name = _("Lab tests")
