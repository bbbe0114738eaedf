from django.core.management.base import BaseCommand

from notifications.tasks import reminder_sweep


class Command(BaseCommand):
    help = (
        "Run the reminder sweep now — what beat runs every REMINDER_SWEEP_SECONDS: cancel stale reminders, create "
        "the due ones, reclaim dead claims, and enqueue their e-mails for the workers. Safe to run at any time, "
        "in any number of processes: the database makes each reminder exactly once."
    )

    def handle(self, *args, **options):
        result = reminder_sweep()
        self.stdout.write(
            f"cancelled {result['cancelled']}, created {result['created']}, e-mails queued "
            f"{len(result['message_ids'])}, webhook deliveries queued {result['webhook_deliveries']}"
        )
