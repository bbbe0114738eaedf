"""``manage.py seed_demo``: load the demo data of every app, idempotently (a second run changes nothing).

Each app that has demo data provides ``<app>/demo.py`` with ``seed(stdout) -> list[tuple[str, str, str]]``
returning the log-ins it created (username, password, what the user is). Apps are seeded in INSTALLED_APPS
order, lowest first, so an app's demo data can rely on the data of the apps below it.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string, module_has_submodule


class Command(BaseCommand):
    help = "Load the demo data (fictional clients, devices and one user per role). Safe to run again."

    def handle(self, *args, **options):
        logins: list[tuple[str, str, str]] = []
        with transaction.atomic():
            for config in apps.get_app_configs():
                if module_has_submodule(config.module, "demo"):
                    seed = import_string(f"{config.name}.demo.seed")
                    logins.extend(seed() or [])
        self.print_logins(logins)

    def print_logins(self, logins):
        if not logins:
            return
        self.stdout.write(self.style.SUCCESS("Demo log-ins (username / password — who):"))
        width = max(len(username) for username, _, _ in logins)
        for username, password, who in logins:
            self.stdout.write(f"  {username.ljust(width)}  /  {password}  —  {who}")
