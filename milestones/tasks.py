"""Celery tasks of the regulatory engine: thin, idempotent wrappers around services (beat schedules them from
the reminders issue on; ``manage.py refresh_health`` runs the same)."""

from celery import shared_task

from .services import clocks_expire_due, project_health_refresh


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3, soft_time_limit=300)
def day_change_refresh() -> dict:
    """For the new local date: expire clocks whose budget ran out, then recompute every open project's health,
    progress and next due date (set-based: a handful of statements whatever the number of projects)."""
    expired = clocks_expire_due()
    refreshed = project_health_refresh()
    return {"expired_clocks": expired, "refreshed_projects": refreshed}
