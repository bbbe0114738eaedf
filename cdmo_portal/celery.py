"""The Celery application.

Configuration comes from Django settings under the ``CELERY_`` namespace. With no environment set it uses
kombu's embedded ``filesystem://`` transport, so a fresh machine needs no broker; CI and production use Redis.
Periodic schedules are declared in one place (``cdmo_portal/schedules.py``) once the first periodic task exists.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cdmo_portal.settings")

app = Celery("cdmo_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
