"""Celery tasks of the notifications app: they take ids, call a service and are idempotent — running one twice,
or in two workers at once, sends nothing twice (the services lock and check the rows they send)."""

from celery import shared_task

from core.queue import enqueue

from . import services

TASK_OPTIONS = {"acks_late": True, "soft_time_limit": 240, "time_limit": 300}


@shared_task(**TASK_OPTIONS)
def reminder_sweep() -> dict:
    """Beat runs this every ``REMINDER_SWEEP_SECONDS``: create due reminders and hand each e-mail to a worker;
    then re-enqueue webhook deliveries whose time has come (e.g. those recorded while the broker was down)."""
    result = services.reminders_sweep()
    _send_all(result["message_ids"])
    result["webhook_deliveries"] = webhook_retry_due()
    result["notification_emails"] = services.notification_emails_send()  # those the broker could not take at once
    return result


@shared_task(**TASK_OPTIONS)
def reminder_digest() -> int:
    """Beat runs this once a day: the digest readers' pending reminders, one e-mail each."""
    message_ids = services.reminders_claim_all(digest=True)
    _send_all(message_ids)
    services.notification_emails_send(digest=True)
    return len(message_ids)


def _send_all(message_ids: list[str]) -> None:
    for message_id in message_ids:
        enqueue(reminder_message_send, message_id)


@shared_task(**TASK_OPTIONS)
def reminder_message_send(message_id: str) -> int:
    outcome = services.reminder_message_send(message_id=message_id)
    if outcome.retry_in is not None:
        enqueue(reminder_message_send, message_id, countdown=outcome.retry_in)
    return outcome.sent


@shared_task(**TASK_OPTIONS)
def webhook_deliver(delivery_id: int) -> int:
    outcome = services.webhook_delivery_attempt(delivery_id=delivery_id)
    if outcome.retry_in is not None:
        enqueue(webhook_deliver, delivery_id, countdown=outcome.retry_in)
    return outcome.sent


@shared_task(**TASK_OPTIONS)
def webhook_retry_due() -> int:
    """Beat runs this every minute: enqueue every pending delivery that is due."""
    due = services.webhook_deliveries_due()
    for delivery_id in due:
        enqueue(webhook_deliver, delivery_id)
    return len(due)


@shared_task(**TASK_OPTIONS)
def notification_emails_send() -> int:
    """Enqueued after a comment or a file commits: e-mail the pending notifications of immediate readers."""
    return services.notification_emails_send()
