"""Celery tasks of the regulatory engine: thin, idempotent wrappers around services (beat schedules them from
the reminders issue on; ``manage.py refresh_health`` runs the same)."""

from celery import shared_task

from .services import clocks_expire_due, milestones_replan_provisional, project_health_refresh


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3, soft_time_limit=300)
def day_change_refresh() -> dict:
    """For the new local date: expire clocks whose budget ran out, re-plan computed provisional due dates whose
    year is now known (an upgraded chinesecalendar), then recompute every open project's health, progress and
    next due date (set-based: a handful of statements whatever the number of projects)."""
    expired = clocks_expire_due()
    replanned = milestones_replan_provisional()
    refreshed = project_health_refresh()
    return {"expired_clocks": expired, "replanned_due_dates": replanned, "refreshed_projects": refreshed}
