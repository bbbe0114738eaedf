from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceType(models.TextChoices):
    REGISTRATION = "registration", _("Registration")
    TESTING = "testing", _("Testing")
    CLINICAL = "clinical", _("Clinical")
    DESIGN_DEVELOPMENT = "design_development", _("Design and development")
    MANUFACTURING_TRANSFER = "manufacturing_transfer", _("Manufacturing transfer")
    CONSULTING = "consulting", _("Consulting")


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    ON_HOLD = "on_hold", _("On hold")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_PROJECT_STATUSES = (ProjectStatus.DRAFT, ProjectStatus.ACTIVE, ProjectStatus.ON_HOLD)


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Currency(models.TextChoices):
    CNY = "CNY", "CNY"
    USD = "USD", "USD"
    EUR = "EUR", "EUR"


class Health(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    LATE = "late", _("Late")


class MemberRole(models.TextChoices):
    PROJECT_MANAGER = "project_manager", _("Project manager")
    REGULATORY = "regulatory", _("Regulatory specialist")
    LAB = "lab", _("Lab engineer")
    QUALITY = "quality", _("Quality")
    CLINICAL = "clinical", _("Clinical")
    OTHER = "other", _("Other")
