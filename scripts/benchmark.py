"""The benchmark of SPEC §9 and issue 19, on PostgreSQL (``make bench``, ``make bench SIZE=1m``).

Each hot request is measured beside its **floor** — one hand-written SQL statement returning the same JSON
(``scripts/bench_floors.py``, not to be touched) — interleaved run by run; the two answers are checked to agree.
It prints medians (ms), the ratio to the floor and the query count, and writes the same as JSON
(``var/bench-<size>.json``) for comparing runs. It builds its own database once (``cdmo_bench``: 20,000 projects,
200,000 milestones, review clocks, 20,000 test orders, several users per role, client contacts with portal
users; ``cdmo_bench_1m`` for SIZE=1m: 100,000 projects, 1,000,000 milestones) and reuses it.
``BENCH_EXPLAIN=1`` prints each floor's ``EXPLAIN ANALYZE``.
"""

import json
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
SIZE = os.environ.get("SIZE") or "200k"
SIZES = {"200k": (20_000, 10, ""), "1m": (100_000, 10, "_1m")}
if SIZE not in SIZES:
    sys.exit(f"SIZE is one of {', '.join(SIZES)}")
PROJECTS, MILESTONES_PER_PROJECT, DB_SUFFIX = SIZES[SIZE]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cdmo_portal.settings")
os.environ.setdefault("DATABASE_URL", f"postgres://cdmo:cdmo@127.0.0.1:5432/cdmo_bench{DB_SUFFIX}")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
# Measured as production runs: DEBUG off (cached templates, no browsable API), static files from the manifest
# (collected into var/bench-static on each run), plain HTTP from the test client (no TLS proxy in front).
os.environ.setdefault("DEBUG", "False")
os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "x" * 40)
os.environ.setdefault("SECURE_SSL_REDIRECT", "False")
os.environ.setdefault("STATIC_ROOT", str(ROOT / "var" / "bench-static"))

PROJECTS = int(os.environ.get("BENCH_PROJECTS", PROJECTS))
ORDERS = min(PROJECTS, 20_000)
RUNS = int(os.environ.get("BENCH_RUNS", 20))
ROLES = ("admin", "project_manager", "regulatory", "lab", "lab_manager", "viewer")


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
    # (projects and milestones only here; populate_extras adds the rest)
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


def populate_extras() -> None:
    """What every branch of the lists and the sweep needs beside projects and milestones: three users per staff
    role, two contacts per client (one a portal user), a running review clock on every fourth project (and an
    applicant-response one on every eighth), and test orders in every open status (idempotent)."""
    from accounts.models import User
    from accounts.services import user_create
    from clients.models import Client, ClientMembership, Contact
    from core import clock
    from labtests.models import TestOrder
    from milestones.models import PathwayTemplate, ReviewClock, Submission
    from projects.models import Project

    if User.objects.filter(username="bench_viewer_3").exists():
        return
    print("populating: users per role, contacts, review clocks, test orders …", flush=True)
    for role in ROLES:
        for i in (1, 2, 3):
            user_create(username=f"bench_{role}_{i}", email=f"bench_{role}_{i}@example.com", password="bench-pass-2026",
                        roles=[role])  # fmt: skip
    for client in Client.objects.filter(code__startswith="BENCH"):
        portal = user_create(username=f"bench_client_{client.pk}", email=f"c{client.pk}@example.com",
                             password="bench-pass-2026")  # fmt: skip
        ClientMembership.objects.create(user=portal, client=client)
        Contact.objects.bulk_create([
            Contact(client=client, name=f"Contact {client.code}", email=f"c{client.pk}@example.com", user=portal,
                    is_primary=True),
            Contact(client=client, name=f"Second {client.code}", email=f"s{client.pk}@example.com"),
        ])  # fmt: skip
    today = clock.today()
    pathway = PathwayTemplate.objects.filter(code="CN_NMPA_II").first() or PathwayTemplate.objects.first()
    projects = list(Project.objects.order_by("id").values_list("id", "client_id"))
    submissions = Submission.objects.bulk_create(
        [Submission(project_id=pid, pathway=pathway, pathway_code=pathway.code, authority=pathway.authority,
                    status="under_review") for pid, _c in projects[::4]],
        batch_size=5_000,
    )  # fmt: skip
    clocks = []
    for n, submission in enumerate(submissions):
        due = today + timedelta(days=(n * 11) % 120 - 30)
        clocks.append(ReviewClock(submission=submission, kind="authority_review", budget=60, unit="cn_workdays",
                                  state="running", round=1, round_budget=60, running_since=today - timedelta(days=30),
                                  due_on=due, warn_on=due - timedelta(days=12)))  # fmt: skip
        if n % 2 == 0:
            clocks.append(ReviewClock(submission=submission, kind="applicant_response", budget=365,
                                      unit="calendar_days", state="running", round=1, round_budget=365,
                                      running_since=today - timedelta(days=300),
                                      due_on=due + timedelta(days=20)))  # fmt: skip
    ReviewClock.objects.bulk_create(clocks, batch_size=5_000)
    requester = User.objects.get(username="bench_pm")
    statuses = ("submitted", "accepted", "samples_received", "in_testing", "to_be_verified", "verified", "on_hold",
                "report_issued", "closed")  # fmt: skip
    TestOrder.objects.bulk_create(
        [TestOrder(number=f"B-T-{n:06d}", client_id=client_id, project_id=pid, status=statuses[n % len(statuses)],
                   priority="normal", requested_by=requester, purpose=f"bench order {n}",
                   received_on=today - timedelta(days=40), due_date=today + timedelta(days=(n * 13) % 90 - 30))
         for n, (pid, client_id) in enumerate(projects[:ORDERS])],
        batch_size=5_000,
    )  # fmt: skip


def populate_preferences() -> None:
    """People who read a digest or mute a kind, and samples kept past their report, so the sweep's preference and
    disposition branches run too (idempotent: plain updates)."""
    from accounts.models import User
    from core import clock
    from labtests.models import TestOrder

    digest = {"muted_kinds": [], "email": "digest"}
    User.objects.filter(username__in=["bench_lab_manager_2", "bench_admin_2"]).update(notification_preferences=digest)
    User.objects.filter(username__startswith="bench_client_", pk__regex=r"0$").update(notification_preferences=digest)
    User.objects.filter(username="bench_lab_manager_3").update(
        notification_preferences={"muted_kinds": ["test_order_due"], "email": "immediate"}
    )
    TestOrder.objects.filter(status="report_issued", disposition_due__isnull=True).update(
        disposition_due=clock.today() + timedelta(days=3)
    )


def vacuum_analyze(tables: tuple[str, ...] | None = None) -> None:
    """Fresh bulk inserts leave no statistics and no visibility map: plans and counts would be those of a
    database nobody runs. Vacuum and analyse the tables the benchmark reads (quick when there is nothing to do)."""
    from django.db import connection

    tables = tables or ("projects_project", "projects_project_devices", "clients_client", "accounts_user",
              "milestones_milestone", "milestones_reviewclock", "milestones_submission", "labtests_testorder",
              "notifications_reminder", "knox_authtoken")  # fmt: skip
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM (ANALYZE) {table}")


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


def http_throughput(token_key: str) -> list[dict]:
    """gunicorn with 2 sync workers (production settings) and ``wrk -c4 -t2 -d10s`` on loopback: requests per
    second of the projects API against the plain WSGI callable answering its floor; then each worker's resident
    memory after at least 1,000 requests."""
    import re
    import shutil
    import signal
    import socket
    import subprocess

    if shutil.which("wrk") is None:
        print("  (wrk not installed — apt-get install -y wrk — HTTP figures skipped)")
        return []
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": f"{ROOT}:{ROOT / 'scripts'}"}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "bench_wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers",
         "2", "--worker-class", "sync", "--log-level", "warning", "--chdir", str(ROOT / "scripts")],
        env=env, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    rows = []
    try:
        _wait_for(base)

        def wrk(path: str, *headers: str) -> float:
            args = ["wrk", "-t2", "-c4", "-d10s", *[a for h in headers for a in ("-H", h)], base + path]
            out = subprocess.run(args, capture_output=True, text=True, timeout=60).stdout
            return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

        auth = f"Authorization: Token {token_key}"
        wrk("/api/v1/projects/?page_size=50", auth)  # warm both workers
        api = wrk("/api/v1/projects/?page_size=50", auth)
        floor = wrk("/__bench_floor/")
        label = "HTTP API /api/v1/projects/ (gunicorn 2 sync, wrk -c4)"
        rows.append({"request": label, "ms": round(api, 1), "floor_ms": round(floor, 1),
                     "ratio": round(api / floor, 2), "queries": None, "unit": "req/s, not ms"})  # fmt: skip
        children = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
        rss = [int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1)) // 1024
               for pid in children]  # fmt: skip
        rows.append({"request": "gunicorn worker RSS after the runs (MB, largest)", "ms": max(rss), "floor_ms": None,
                     "ratio": None, "queries": None, "unit": "MB"})  # fmt: skip
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    return rows


def _wait_for(base: str) -> None:
    import urllib.request

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/__bench_floor/", timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start")


def timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return (time.perf_counter() - started) * 1000, result


def interleaved(request, floor, runs: int = RUNS) -> tuple[float, float]:
    """Medians of ``request`` and ``floor`` run alternately (which goes first alternates too), after one warm-up."""
    request(), floor()
    mine, floors = [], []
    for n in range(runs):
        pair = [(mine, request), (floors, floor)]
        for sink, fn in pair if n % 2 == 0 else reversed(pair):
            sink.append(timed(fn)[0])
    return statistics.median(mine), statistics.median(floors)


def floor_runner(sql: str, params: dict):
    from django.db import connection

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    return run


def explain(sql: str, params: dict) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def agree(label: str, answer, floor_answer) -> None:
    """The request and its floor must answer the same document; if not, say where they differ and stop."""
    if answer == floor_answer:
        return
    first = (answer.get("results") or [{}])[0] if isinstance(answer, dict) else answer
    second = (floor_answer.get("results") or [{}])[0] if isinstance(floor_answer, dict) else floor_answer
    keys = (
        sorted(k for k in set(first) | set(second) if first.get(k) != second.get(k)) if isinstance(first, dict) else []
    )
    detail = {k: (first.get(k), second.get(k)) for k in keys[:6]}
    envelope = {k: (answer.get(k), floor_answer.get(k)) for k in ("count", "next", "previous")
                if answer.get(k) != floor_answer.get(k)}  # fmt: skip
    sys.exit(f"{label}: the floor answers another document — {envelope or ''} {detail}")


SWEEP_RUNS = int(os.environ.get("BENCH_SWEEP_RUNS", 3))


def sweep_state() -> dict:
    """What a sweep leaves behind, comparable between two runs (ids, claim times and Message-IDs aside): every
    reminder's row, how many e-mails were claimed, how many in-app notifications the digest readers got."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("""SELECT rule_id, kind, target_id, due_date, "offset", recipient_id, escalated, digest,
                                 params::text, url, status, notified_at IS NOT NULL
                          FROM notifications_reminder ORDER BY 1, 3, 4, 5, 6""")
        reminders = cursor.fetchall()
        cursor.execute("SELECT count(DISTINCT message_id) FROM notifications_reminder WHERE message_id <> ''")
        mails = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM notifications_notification WHERE event LIKE 'reminder.%%'")
        notes = cursor.fetchone()[0]
    return {"reminders": reminders, "mails": mails, "notifications": notes}


def sweep_reset() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM notifications_notification WHERE event LIKE 'reminder.%%'")
        cursor.execute("DELETE FROM notifications_reminder")
    vacuum_analyze(("notifications_reminder", "notifications_notification"))


def sweep_floor_runner():
    """The sweep's floor (``bench_floors.sweep_floor``) with today's rules, in one transaction."""
    from bench_floors import sweep_floor
    from django.conf import settings
    from django.db import connection, transaction

    from core import clock
    from milestones.choices import ClockKind
    from notifications.messages import bilingual
    from notifications.models import ReminderRule
    from notifications.reminders import REMINDER_KINDS

    fields = ("id", "kind", "offsets", "overdue_limit_days", "overdue_repeat_days", "escalate_after_days",
              "recipient_roles")  # fmt: skip
    rules = list(ReminderRule.objects.filter(active=True, kind__in=list(REMINDER_KINDS)).values(*fields))
    labels = json.dumps({kind: bilingual(ClockKind(kind).label) for kind in ClockKind.values})

    def run():
        with transaction.atomic(), connection.cursor() as cursor:
            sweep_floor(cursor, today=clock.today(), now=clock.now(), rules=rules, clock_labels=labels,
                        batch=settings.REMINDER_BATCH_SIZE, domain=settings.EMAIL_MESSAGE_ID_DOMAIN)  # fmt: skip

    return run


def sweep_peak_rss() -> int:
    """The sweep's memory, apart from the benchmark's own (which keeps both runs' reminders to compare them): a
    first run (no reminder yet) in a fresh process, which reports its peak resident set in MB."""
    import subprocess

    sweep_reset()
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, so the child would report its parent's peak
    code = ("import django, re; django.setup(); from notifications.services import reminders_sweep; "
            "reminders_sweep(); status = open('/proc/self/status').read(); "
            "print(int(re.search(r'VmHWM:\\s+(\\d+)', status).group(1)) // 1024)")  # fmt: skip
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return int(result.stdout.strip().splitlines()[-1])


def sweep_against_floor() -> list[dict]:
    """The sweep's first run (no reminder yet) and its steady state (a re-run that finds nothing new), each
    interleaved with its floor; the two must leave the same reminders behind."""
    from notifications.services import reminders_sweep

    floor = sweep_floor_runner()
    firsts, floor_firsts, queries, created = [], [], None, 0
    for n in range(SWEEP_RUNS):
        order = [("floor", floor), ("sweep", reminders_sweep)]
        states = {}
        for name, fn in order if n % 2 == 0 else reversed(order):
            sweep_reset()
            if name == "sweep" and queries is None:
                with QueryCounter() as counter:
                    ms, result = timed(fn)
                queries, created = counter.count, result["created"]
            else:
                ms, _result = timed(fn)
            (firsts if name == "sweep" else floor_firsts).append(ms)
            if n == 0:
                states[name] = sweep_state()
        if n == 0 and states["sweep"] != states["floor"]:
            a, b = states["sweep"], states["floor"]
            only = sorted(set(a["reminders"]) ^ set(b["reminders"]))[:5]
            sys.exit(f"sweep: the floor leaves another state — mails {a['mails']} / {b['mails']}, notifications "
                     f"{a['notifications']} / {b['notifications']}, {len(a['reminders'])} / {len(b['reminders'])} "
                     f"reminders; first differing rows: {only}")  # fmt: skip
    # the last run left a full table behind: from here on, both find nothing new
    steady, floor_steady = interleaved(reminders_sweep, floor, runs=5)
    first, floor_first = statistics.median(firsts), statistics.median(floor_firsts)
    return [
        {"request": f"reminder sweep, first run ({created} reminders)", "ms": round(first, 1),
         "floor_ms": round(floor_first, 1), "ratio": round(first / floor_first, 2), "queries": queries},
        {"request": "reminder sweep, steady state", "ms": round(steady, 1), "floor_ms": round(floor_steady, 1),
         "ratio": round(steady / floor_steady, 2), "queries": None},
    ]  # fmt: skip


def main() -> None:
    import django

    django.setup()
    ensure_database()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    populate()
    populate_extras()
    populate_preferences()
    vacuum_analyze()

    from bench_floors import FLOORS
    from django.db import connection
    from django.test import Client as HttpClient
    from knox.models import AuthToken

    from accounts.models import User
    from core import clock
    from labtests.models import TestOrder
    from milestones.models import Milestone
    from projects.models import Project

    pm = User.objects.get(username="bench_pm")
    _token, key = AuthToken.objects.create(user=pm)
    api = HttpClient(HTTP_AUTHORIZATION=f"Token {key}")
    browser = HttpClient()
    browser.force_login(pm)
    rows, explains = [], []

    def fetch(client, url, *, as_json=True):
        def get():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return json.loads(response.content) if as_json else response

        return get

    def count_queries(fn) -> int:
        with QueryCounter() as counter:
            fn()
        return counter.count

    def measure(label, client, url, floor_name, params, *, as_json=True):
        request = fetch(client, url, as_json=as_json)
        floor = floor_runner(FLOORS[floor_name], params)
        if as_json:
            agree(label, request(), floor())
        queries = count_queries(request)
        ms, floor_ms = interleaved(request, floor)
        rows.append({"request": label, "ms": round(ms, 2), "floor_ms": round(floor_ms, 2),
                     "ratio": round(ms / floor_ms, 2), "queries": queries})  # fmt: skip
        if os.environ.get("BENCH_EXPLAIN"):
            explains.append(f"-- {label}\n{explain(FLOORS[floor_name], params)}\n")
        return ms

    page1 = measure("API  /api/v1/projects/?page_size=50", api, "/api/v1/projects/?page_size=50", "projects",
                    {"limit": 50, "offset": 0})  # fmt: skip
    deep = measure("API  /api/v1/projects/?page=300&page_size=50", api, "/api/v1/projects/?page=300&page_size=50",
                   "projects", {"limit": 50, "offset": 299 * 50})  # fmt: skip
    measure("API  /api/v1/projects/?page_size=200", api, "/api/v1/projects/?page_size=200", "projects",
            {"limit": 200, "offset": 0})  # fmt: skip
    measure("page /projects/?page_size=50 (HTML)", browser, "/projects/?page_size=50", "projects",
            {"limit": 50, "offset": 0}, as_json=False)  # fmt: skip
    today = clock.today()
    measure("API  /api/v1/milestones/?due_within=14&page_size=50", api,
            "/api/v1/milestones/?due_within=14&page_size=50", "milestones_due",
            {"limit": 50, "offset": 0, "today": today, "days": 14})  # fmt: skip
    measure("API  /api/v1/test-orders/?page_size=50", api, "/api/v1/test-orders/?page_size=50", "test_orders",
            {"limit": 50, "offset": 0})  # fmt: skip

    rows += http_throughput(key)

    rows += sweep_against_floor()
    rows.append({"request": "sweep's peak RSS, first run in a process of its own (MB)", "ms": sweep_peak_rss(),
                 "floor_ms": None, "ratio": None, "queries": None, "unit": "MB"})  # fmt: skip

    print(f"\nCDMO Portal benchmark ({SIZE}) — {Project.objects.count()} projects, {Milestone.objects.count()} "
          f"milestones, {TestOrder.objects.count()} test orders, PostgreSQL {connection.pg_version // 10000}; "
          f"medians of {RUNS} interleaved runs")  # fmt: skip
    width = max(len(r["request"]) for r in rows)
    print(f"  {'request'.ljust(width)}  {'ms':>9}  {'floor ms':>9}  {'× floor':>7}  queries")
    for r in rows:
        floor = f"{r['floor_ms']:.2f}" if r["floor_ms"] is not None else "—"
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else "—"
        unit = f"  ({r['unit']})" if r.get("unit") else ""
        print(f"  {r['request'].ljust(width)}  {r['ms']:>9.2f}  {floor:>9}  {ratio:>7}  {r['queries'] or ''}{unit}")
    print(f"  page 300 / page 1 (API): {deep / page1:.2f}×")
    out = ROOT / "var" / f"bench-{SIZE}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"size": SIZE, "rows": rows, "deep_over_first": round(deep / page1, 2)}, indent=2))
    print(f"  (also in {out.relative_to(ROOT)})")
    if explains:
        print("\n".join(explains))


if __name__ == "__main__":
    main()
