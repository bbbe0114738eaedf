from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    EN = "en", _("English")
    ZH_HANS = "zh-hans", _("Simplified Chinese")


class Role(models.TextChoices):
    """Staff roles, stored as Django groups of the same name (created by a migration). A user may hold several."""

    ADMIN = "admin", _("Administrator")
    PROJECT_MANAGER = "project_manager", _("Project manager")
    REGULATORY = "regulatory", _("Regulatory specialist")
    LAB = "lab", _("Lab engineer")
    LAB_MANAGER = "lab_manager", _("Lab manager")
    VIEWER = "viewer", _("Viewer")


STAFF_ROLES = frozenset(Role.values)
