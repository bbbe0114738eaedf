"""Every periodic task, declared in one place. ``manage.py install_schedules`` writes them into
django-celery-beat (run by ``make run`` and on deploy), where an admin may then pause or re-time them."""

from django.conf import settings


def schedules() -> dict[str, dict]:
    """name → {"task", and "every" (seconds) or "crontab" (minute, hour)}."""
    return {
        "reminder sweep": {"task": "notifications.tasks.reminder_sweep", "every": settings.REMINDER_SWEEP_SECONDS},
        "webhook retries": {"task": "notifications.tasks.webhook_retry_due", "every": 60},
        "reminder digest": {
            "task": "notifications.tasks.reminder_digest",
            "crontab": {"minute": "0", "hour": str(settings.REMINDER_DIGEST_HOUR)},
        },
        "day change refresh": {
            "task": "milestones.tasks.day_change_refresh",
            "crontab": {"minute": "5", "hour": "0"},
        },
    }
