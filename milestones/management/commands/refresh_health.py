from django.core.management.base import BaseCommand

from milestones.tasks import day_change_refresh


class Command(BaseCommand):
    help = "Expire clocks whose budget ran out and recompute the health of every open project (the day change)."

    def handle(self, *args, **options):
        result = day_change_refresh()
        self.stdout.write(
            f"{result['expired_clocks']} clock(s) expired, {result['refreshed_projects']} project(s) refreshed"
        )
