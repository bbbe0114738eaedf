from django.db import models
from django.utils.translation import gettext_lazy as _


class LabSection(models.TextChoices):
    ELECTRICAL_SAFETY = "electrical_safety", _("Electrical safety")
    EMC = "emc", _("EMC")
    ENVIRONMENTAL = "environmental", _("Environmental")
    PACKAGING = "packaging", _("Packaging")
    MICROBIOLOGY = "microbiology", _("Microbiology")
    BIOCOMPATIBILITY = "biocompatibility", _("Biocompatibility")
    SOFTWARE = "software", _("Software")


class StandardStatus(models.TextChoices):
    CURRENT = "current", _("Current")
    SUPERSEDED = "superseded", _("Superseded")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    SAMPLES_RECEIVED = "samples_received", _("Samples received")
    IN_TESTING = "in_testing", _("In testing")
    TO_BE_VERIFIED = "to_be_verified", _("To be verified")
    VERIFIED = "verified", _("Verified")
    REPORT_ISSUED = "report_issued", _("Report issued")
    CLOSED = "closed", _("Closed")
    ON_HOLD = "on_hold", _("On hold")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_ORDER_STATUSES = (
    OrderStatus.SUBMITTED,
    OrderStatus.ACCEPTED,
    OrderStatus.SAMPLES_RECEIVED,
    OrderStatus.IN_TESTING,
    OrderStatus.TO_BE_VERIFIED,
    OrderStatus.VERIFIED,
    OrderStatus.ON_HOLD,
)  # the lab still owes the client a report


class ItemStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Result submitted")
    VERIFIED = "verified", _("Verified")
    RETRACTED = "retracted", _("Retracted")
    CANCELLED = "cancelled", _("Cancelled")


INACTIVE_ITEM_STATUSES = (ItemStatus.RETRACTED, ItemStatus.CANCELLED)


class Verdict(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NOT_APPLICABLE = "n_a", _("Not applicable")


class Disposition(models.TextChoices):
    RETAIN = "retain", _("Retain")
    RETURN = "return", _("Return to the client")
    DISPOSE = "dispose", _("Dispose")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")
    SUPERSEDED = "superseded", _("Superseded")
