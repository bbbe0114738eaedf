from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from cdmo_portal.schedules import schedules


class Command(BaseCommand):
    help = "Install the periodic tasks of cdmo_portal/schedules.py into django-celery-beat (safe to run again)."

    @transaction.atomic
    def handle(self, *args, **options):
        for name, spec in schedules().items():
            defaults = {"task": spec["task"], "interval": None, "crontab": None}
            if "every" in spec:
                defaults["interval"], _ = IntervalSchedule.objects.get_or_create(
                    every=int(spec["every"]), period=IntervalSchedule.SECONDS
                )
            else:
                defaults["crontab"], _ = CrontabSchedule.objects.get_or_create(
                    **spec["crontab"], day_of_week="*", day_of_month="*", month_of_year="*",
                    timezone=settings.TIME_ZONE,
                )  # fmt: skip
            PeriodicTask.objects.update_or_create(name=name, defaults=defaults)
            self.stdout.write(f"{name}: {spec['task']}")
