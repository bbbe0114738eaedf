from django.db import models
from django.utils.translation import gettext_lazy as _


class RecipientRole(models.TextChoices):
    """Who a reminder rule addresses, relative to the item it watches."""

    OWNER = "owner", _("Owner of the item")
    PROJECT_MANAGER = "project_manager", _("Project manager")
    LAB_MANAGER = "lab_manager", _("Lab managers")
    CLIENT_CONTACTS = "client_contacts", _("Client contacts (when the item is the client's to do)")


class ReminderStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    CLAIMED = "claimed", _("Claimed by a worker")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class EmailDelivery(models.TextChoices):
    """How a user wants reminder e-mails (in-app notifications always arrive at once)."""

    IMMEDIATE = "immediate", _("At once, after each sweep")
    DIGEST = "digest", _("One daily digest")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed (gave up)")


class NotificationEmail(models.TextChoices):
    """Whether an in-app notification also goes out by e-mail (conversation events do; reminders have their own)."""

    NONE = "", _("Not e-mailed")
    PENDING = "pending", _("To send")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
