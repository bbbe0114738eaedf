"""The benchmark of SPEC §9, on PostgreSQL (``make bench``): a page of 50 projects at 20,000 projects through the
API and the staff page, and the reminder sweep over 200,000 milestones. It builds its own database
(``cdmo_bench``) once with bulk inserts and reuses it; figures are medians of repeated runs, printed as a table.

Usage: ``make bench`` (or ``DATABASE_URL=postgres://…/cdmo_bench .venv/bin/python scripts/benchmark.py``).
"""

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cdmo_portal.settings")
os.environ.setdefault("DATABASE_URL", "postgres://cdmo:cdmo@127.0.0.1:5432/cdmo_bench")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

PROJECTS = int(os.environ.get("BENCH_PROJECTS", 20_000))
MILESTONES_PER_PROJECT = int(os.environ.get("BENCH_MILESTONES_PER_PROJECT", 10))
RUNS = int(os.environ.get("BENCH_RUNS", 20))


def ensure_database() -> None:
    import psycopg2
    from django.conf import settings

    db = settings.DATABASES["default"]
    admin = psycopg2.connect(dbname="postgres", user=db["USER"], password=db["PASSWORD"], host=db["HOST"],
                             port=db["PORT"] or 5432)  # fmt: skip
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{db["NAME"]}"')
    admin.close()


def populate() -> None:
    from accounts.services import user_create
    from clients.models import Client
    from core import clock
    from milestones.models import Milestone
    from projects.models import Project

    if Project.objects.count() >= PROJECTS:
        return
    print(f"populating: {PROJECTS} projects, {PROJECTS * MILESTONES_PER_PROJECT} milestones …", flush=True)
    pm = user_create(username="bench_pm", email="bench_pm@example.com", password="bench-pass-2026",
                     roles=["project_manager"])  # fmt: skip
    clients = Client.objects.bulk_create(
        [Client(code=f"BENCH{i:03d}", name_en=f"Bench client {i}", name_zh=f"基准客户{i}", kind="overseas",
                country="DE", status="active") for i in range(50)]
    )  # fmt: skip
    today = clock.today()
    batch = 2_000
    for start in range(0, PROJECTS, batch):
        projects = Project.objects.bulk_create(
            [Project(code=f"B-{n:06d}", title=f"Bench project {n}", client=clients[n % len(clients)],
                     service_type="registration", status="active", project_manager=pm,
                     start_date=today - timedelta(days=365)) for n in range(start, min(start + batch, PROJECTS))]
        )  # fmt: skip
        Milestone.objects.bulk_create(
            [Milestone(project=p, name_en=f"Step {k}", name_zh=f"步骤{k}", calendar="calendar_days",
                       due_date=today + timedelta(days=(p.pk * 7 + k * 37) % 730 - 365), owner=pm,
                       responsible="cro", order=k) for p in projects for k in range(MILESTONES_PER_PROJECT)],
            batch_size=5_000,
        )  # fmt: skip
    from milestones.services import project_health_refresh

    project_health_refresh()


class QueryCounter:
    """Counts the SQL statements run inside it (request signals do not reset it, unlike ``connection.queries``)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        from django.db import connection

        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)


def median_ms(fn, runs: int = RUNS) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), result


def main() -> None:
    import django

    django.setup()
    ensure_database()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    populate()

    from django.db import connection
    from django.test import Client as HttpClient

    from accounts.models import User
    from milestones.models import Milestone
    from notifications.models import Reminder
    from notifications.services import reminders_sweep
    from projects.models import Project

    pm = User.objects.get(username="bench_pm")
    http = HttpClient()
    http.force_login(pm)
    rows = []

    def page(url):
        def get():
            response = http.get(url)
            assert response.status_code == 200, response.status_code
            return response

        with QueryCounter() as counter:
            get()
        ms, _ = median_ms(get)
        return ms, counter.count

    for label, url in [
        ("API  /api/v1/projects/?page_size=50", "/api/v1/projects/?page_size=50"),
        ("API  …&ordering=-next_due_date", "/api/v1/projects/?page_size=50&ordering=-next_due_date"),
        ("page /projects/ (50 a page)", "/projects/"),
    ]:  # fmt: skip
        ms, queries = page(url)
        rows.append((label, f"{ms:.1f} ms", f"{queries} queries"))

    Reminder.objects.all().delete()
    with QueryCounter() as counter:
        started = time.perf_counter()
        first = reminders_sweep()
        first_ms = (time.perf_counter() - started) * 1000
    rows.append((f"reminder sweep, first run ({first['created']} reminders created)", f"{first_ms:.0f} ms",
                 f"{counter.count} queries"))  # fmt: skip
    steady_ms, steady = median_ms(reminders_sweep, runs=5)
    rows.append((f"reminder sweep, steady state ({steady['created']} new)", f"{steady_ms:.0f} ms", ""))

    print(f"\nCDMO Portal benchmark — {Project.objects.count()} projects, {Milestone.objects.count()} milestones, "
          f"PostgreSQL {connection.pg_version // 10000}")  # fmt: skip
    width = max(len(label) for label, *_ in rows)
    for label, figure, extra in rows:
        print(f"  {label.ljust(width)}  {figure:>10}  {extra}")


if __name__ == "__main__":
    main()
