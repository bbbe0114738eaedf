import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel

from .choices import DeliveryStatus, NotificationEmail, ReminderStatus
from .messages import render_message


class Notification(TimeStampedModel):
    """An in-app notification for one user. It stores the event and its parameters, not a sentence, so the
    text is rendered in the reader's language when it is read."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.CharField(_("event"), max_length=60)
    params = models.JSONField(_("parameters"), default=dict)
    url = models.CharField(_("link"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_status = models.CharField(
        _("e-mail"), max_length=10, choices=NotificationEmail.choices, default=NotificationEmail.NONE, blank=True
    )
    # The record it is about (a comment's record, a request): a client reads the notification only while they may
    # read the record (``notifications.selectors.notification_list``).
    record_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE, null=True, blank=True)
    record_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_user_read_idx"),
            models.Index(
                fields=["email_status", "user"], name="notification_email_due_idx",
                condition=models.Q(email_status="pending"),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return render_message(self.event, self.params)


def default_offsets() -> list[int]:
    return [14, 7, 3, 1, 0]


class ReminderRule(TimeStampedModel):
    """What to remind of, when and whom. ``kind`` names an entry of the registry in ``notifications.reminders``
    (milestone due date, test order due date, review clock due, applicant-response expiry …), so a new kind joins
    without touching the sweep. Offsets count calendar days before the date; negative reminders repeat while the
    item is overdue; escalation goes once to the people SPEC §5 names."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("watches"), max_length=40, db_index=True)
    offsets = models.JSONField(
        _("days before the date"), default=default_offsets, help_text=_("Calendar days, e.g. 14, 7, 3, 1, 0.")
    )
    overdue_repeat_days = models.PositiveSmallIntegerField(
        _("repeat while overdue, every N days"), default=1, help_text=_("0 = no reminders after the date.")
    )
    overdue_limit_days = models.PositiveSmallIntegerField(_("stop repeating after N days overdue"), default=30)
    escalate_after_days = models.PositiveSmallIntegerField(
        _("escalate after N days overdue"), null=True, blank=True, help_text=_("Empty = never escalate.")
    )
    recipient_roles = models.JSONField(_("recipients"), default=list)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return self.name


class Reminder(TimeStampedModel):
    """One reminder of one item's date, at one offset, to one person. The unique constraint is what makes a
    reminder go out exactly once however often — and in however many processes at once — the sweep runs.

    ``offset`` is days before the date (0 on the day, negative when overdue). ``message_id`` is set when a
    worker claims the reminder and groups it into one e-mail; a reclaimed reminder keeps it, so an e-mail
    repeated after a crash carries the same ``Message-ID``."""

    rule = models.ForeignKey(ReminderRule, verbose_name=_("rule"), on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("kind"), max_length=40)
    target_id = models.PositiveBigIntegerField(_("item"))
    due_date = models.DateField(_("due date"))
    offset = models.SmallIntegerField(_("days before"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="reminders"
    )
    escalated = models.BooleanField(_("escalation"), default=False)
    digest = models.BooleanField(_("in the daily digest"), default=False)
    params = models.JSONField(_("parameters"), default=dict)
    url = models.CharField(_("link"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ReminderStatus.choices, default=ReminderStatus.PENDING
    )
    message_id = models.CharField(_("Message-ID"), max_length=200, blank=True, db_index=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    notified_at = models.DateTimeField(_("in-app notification at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "target_id", "due_date", "offset", "recipient"], name="reminder_once"
            )
        ]
        indexes = [
            models.Index(fields=["status", "digest", "id"], name="reminder_status_idx"),
            models.Index(fields=["kind", "status"], name="reminder_kind_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.target_id} {self.due_date} ({self.offset:+d}) → {self.recipient_id}"


def new_webhook_secret() -> str:
    return secrets.token_hex(32)


class Webhook(TimeStampedModel):
    """An HTTPS endpoint told about business events. Staff webhooks (``client`` empty) may hear every event;
    a webhook of a client user hears only that client's events, with the client's allowlist of fields."""

    name = models.CharField(_("name"), max_length=120)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=128, default=new_webhook_secret)
    events = models.JSONField(_("events"), default=list, help_text=_('Event names, or "*" for every event.'))
    active = models.BooleanField(_("active"), default=True)
    client = models.ForeignKey(
        "clients.Client",
        verbose_name=_("client"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhooks",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, blank=True
    )

    client_scope_field = "client_id"

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["id"]
        indexes = [models.Index(fields=["active"], name="webhook_active_idx")]

    def __str__(self) -> str:
        return self.name

    def wants(self, event: str) -> bool:
        return "*" in self.events or event in self.events


class WebhookDelivery(TimeStampedModel):
    """One event for one webhook: recorded in the transaction of the change, sent by a worker, retried with
    exponential back-off until it succeeds or the attempts run out."""

    webhook = models.ForeignKey(Webhook, verbose_name=_("webhook"), on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(_("event id"), default=uuid.uuid4, editable=False)
    event = models.CharField(_("event"), max_length=60)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    resent_from = models.ForeignKey(
        "self", verbose_name=_("re-send of"), on_delete=models.SET_NULL, null=True, blank=True
    )

    client_scope_field = "webhook__client_id"

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx")]

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook_id}"
