from django.db import models
from django.utils.translation import gettext_lazy as _


class Responsible(models.TextChoices):
    CRO = "cro", _("CRO")
    CLIENT = "client", _("Client")
    AUTHORITY = "authority", _("Authority")
    LAB = "lab", _("Lab")


class Authority(models.TextChoices):
    NMPA = "nmpa", _("NMPA (China)")
    PROVINCIAL_MPA = "provincial_mpa", _("Provincial MPA (China)")
    FDA = "fda", _("FDA (United States)")
    NOTIFIED_BODY = "notified_body", _("Notified body (EU)")


class MilestoneKind(models.TextChoices):
    TASK = "task", _("Task")
    TESTING = "testing", _("Testing")
    DELIVERABLE = "deliverable", _("Deliverable")
    SUBMISSION = "submission", _("Submission")
    AUTHORITY = "authority", _("Authority step")
    DECISION = "decision", _("Decision")


class MilestoneStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    BLOCKED = "blocked", _("Blocked")
    SKIPPED = "skipped", _("Skipped")
    AWAITING_ACCEPTANCE = "awaiting_acceptance", _("Answered, awaiting acceptance")  # a client's request, answered


OPEN_MILESTONE_STATUSES = (
    MilestoneStatus.NOT_STARTED,
    MilestoneStatus.IN_PROGRESS,
    MilestoneStatus.BLOCKED,
    MilestoneStatus.AWAITING_ACCEPTANCE,
)
ANSWERABLE_STATUSES = (MilestoneStatus.NOT_STARTED, MilestoneStatus.IN_PROGRESS)  # a request the client can answer


class DueState(models.TextChoices):
    OVERDUE = "overdue", _("Overdue")
    AUTHORITY_OVERDUE = "authority_overdue", _("Authority overdue")
    DUE_SOON = "due_soon", _("Due soon")
    OK = "ok", _("On schedule")
    DONE = "done", _("Done")


class SubmissionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    PREPARING = "preparing", _("Preparing")
    SUBMITTED = "submitted", _("Submitted")
    REFUSED = "refused", _("Refused to accept")
    ACCEPTED = "accepted", _("Accepted")
    UNDER_REVIEW = "under_review", _("Under review")
    DEFICIENCY = "deficiency", _("Deficiency (awaiting the applicant)")
    DECISION_PENDING = "decision_pending", _("Decision pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REVIEW_TERMINATED = "review_terminated", _("Review terminated: refusal expected (the response window ran out)")


class SubmissionFlag(models.TextChoices):
    """What a lapsed applicant window means, by the authority's rules: NMPA's review centre ends the review and
    proposes refusal, and the authority then decides not to register (不予注册) — a refusal, recorded as
    ``rejected`` on its own date; under FDA's an unanswered additional-information request means the submission
    is considered withdrawn."""

    NONE = "", _("None")
    DEEMED_WITHDRAWN = "deemed_withdrawn", _("Considered withdrawn: the response window ran out")
    REFUSAL_EXPECTED = "refusal_expected", _("Refusal expected (不予注册): the supplement window ran out")


class ClockKind(models.TextChoices):
    AUTHORITY_REVIEW = "authority_review", _("Authority review")
    APPLICANT_RESPONSE = "applicant_response", _("Applicant response")
    QMS_INSPECTION = "qms_inspection", _("QMS inspection")
    DECISION = "decision", _("Decision")
    CERTIFICATE = "certificate", _("Certificate issue")


# The clocks that measure the authority (past their date: authority overdue, to chase); the applicant's window is ours.
AUTHORITY_CLOCK_KINDS = (
    ClockKind.AUTHORITY_REVIEW,
    ClockKind.QMS_INSPECTION,
    ClockKind.DECISION,
    ClockKind.CERTIFICATE,
)


class ClockState(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    STOPPED = "stopped", _("Stopped")
    EXPIRED = "expired", _("Expired")


class ClockAction(models.TextChoices):
    START = "start", _("Start")
    PAUSE = "pause", _("Pause")
    RESUME = "resume", _("Resume")
    RESTART = "restart", _("Restart with a fresh budget")
    STOP = "stop", _("Stop")


class MilestoneCondition(models.TextChoices):
    """When a template milestone is part of the plan; decided at apply from the project's devices and options."""

    ALWAYS = "", _("Always")
    CECP = "cecp", _("Clinical evaluation consultation required (EU MDR Art. 54)")
    DOMESTIC = "domestic", _("Domestic manufacturer (the province's QMS inspection, NMPA Order 47 Art. 93)")


class DeficiencyRule(models.TextChoices):
    """What a deficiency letter does to the authority's review clock (the template says which)."""

    PAUSE_RESUME = "pause_resume", _("Pause, resume where it stopped (FDA)")
    STOP_RESTART = "stop_restart", _("End the round, restart a fresh budget (NMPA)")
    NONE = "none", _("No effect")
