"""Enqueueing Celery tasks without ever failing the request that asked for them.

The database is the source of truth and the queue only carries work: every task enqueued here has a periodic
sweep that finds the same work in the database (pending reminders, due webhook deliveries), so a message that
could not be published — broker down, network blip — is only late, never lost.
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task, *args, countdown: float | None = None, **kwargs) -> bool:
    """Publish ``task`` now; on any broker error log it and return False instead of raising."""
    try:
        task.apply_async(args=args, kwargs=kwargs, countdown=countdown, retry=False)
    except Exception:  # any broker failure must stay out of the caller
        logger.warning("could not enqueue %s; the next sweep will pick the work up", task.name, exc_info=True)
        return False
    return True


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Publish ``task`` once the current transaction commits (never for a rolled-back change)."""
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs), robust=True)
