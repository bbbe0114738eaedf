"""Acceptance on real parts: a Celery worker in its own process over Redis, PostgreSQL, an SMTP sink and a webhook
receiver on 127.0.0.1. Exactly once across repeated and concurrent sweeps, no loss when the worker is SIGKILLed
mid-delivery, webhooks signed and retried, and nothing lost while Redis is down."""

import hashlib
import hmac
import io
import itertools
import subprocess
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings

from core import clock
from milestones.services import milestone_create
from notifications.choices import DeliveryStatus, ReminderStatus
from notifications.models import Notification, Reminder, Webhook, WebhookDelivery
from notifications.reminder_defaults import seed_reminder_rules
from notifications.tasks import reminder_sweep
from tests.factories import ProjectFactory, StaffUserFactory

from .receiver import Receiver
from .worker import CELERY as CELERY_BIN
from .worker import ROOT, PrivateRedis, Sink, Worker, manage, purge_broker, reset_broker_connections, wait_until

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def workers(require_redis, require_postgres):
    seed_reminder_rules()
    purge_broker()
    started: list[Worker] = []

    def start(**env) -> Worker:
        worker = Worker(**env).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
    purge_broker()


def due_milestones(pm, count: int, owner=None):
    project = ProjectFactory(project_manager=pm)
    for index in range(count):
        milestone_create(actor=None, project=project, name_en=f"Item {index}", calendar="calendar_days",
                         due_date=clock.today() + timedelta(days=index % 4), owner=owner)  # fmt: skip
    return project


def claims_older_than(seconds: float):
    """Every reminder still claimed was claimed more than ``seconds`` ago (by the clock the workers share)."""
    return lambda: (
        not Reminder.objects.filter(
            status=ReminderStatus.CLAIMED, claimed_at__gte=clock.now() - timedelta(seconds=seconds)
        ).exists()
    )


def settled(expected_sent: int):
    return lambda: Reminder.objects.filter(status=ReminderStatus.SENT).count() >= expected_sent


def test_repeated_and_concurrent_sweeps_send_each_reminder_exactly_once(workers):
    pm = StaffUserFactory(roles=["project_manager"], language="en")
    owner = StaffUserFactory(roles=["regulatory"], language="zh-hans")
    due_milestones(pm, 1, owner=owner)
    with Sink() as sink:
        worker = workers(EMAIL_URL=sink.email_url)
        sweeps = [manage("sweep_reminders"), manage("sweep_reminders")]  # two processes at once
        for process in sweeps:
            assert process.wait(timeout=60) == 0, process.stderr.read()
        reminder_sweep.delay()
        reminder_sweep.delay()
        assert wait_until(lambda: len(sink.messages) >= 2 and settled(2)())
        assert wait_until(worker.idle)  # nothing left that could send an extra e-mail
        messages = list(sink.messages)
    rows = list(Reminder.objects.values_list("recipient_id", "offset", "status", "message_id"))
    assert sorted((r, o, s) for r, o, s, _ in rows) == sorted([(pm.pk, 0, "sent"), (owner.pk, 0, "sent")])
    assert len(messages) == 2
    assert {m["To"] for m in messages} == {pm.email, owner.email}
    assert {m["Message-ID"] for m in messages} == {mid for *_, mid in rows}
    assert Notification.objects.filter(event="reminder.due").count() == 2


def test_a_worker_killed_mid_delivery_loses_nothing_and_repeats_at_most_the_email_in_flight(workers):
    pms = [StaffUserFactory(roles=["project_manager"], language="en") for _ in range(5)]
    for pm in pms:
        due_milestones(pm, 4)
    env = {"REMINDER_CLAIM_TIMEOUT": 2}
    with Sink(hold_after=2) as sink:  # the third message waits in DATA: the worker dies with it in flight
        worker = workers(EMAIL_URL=sink.email_url, **env)
        reminder_sweep.delay()
        assert wait_until(sink.held.is_set, timeout=60)
        worker.kill()
        sink.release()
        accepted_at_kill = len(sink.messages)
        assert Reminder.objects.count() == 20
        assert wait_until(claims_older_than(env["REMINDER_CLAIM_TIMEOUT"]), timeout=30)  # the dead worker's claim
        worker = workers(EMAIL_URL=sink.email_url, **env)
        reminder_sweep.delay()
        assert wait_until(settled(20), timeout=90)
        assert wait_until(worker.idle)
        messages = list(sink.messages)
    assert accepted_at_kill == 2  # killed after two accepted, with the third in flight
    all_ids = set(Reminder.objects.values_list("pk", flat=True))
    assert set(Reminder.objects.values_list("status", flat=True)) == {ReminderStatus.SENT}
    assert set(sink.reminder_ids()) == all_ids  # every reminder reached its recipient
    per_message = Counter(m["Message-ID"] for m in messages)
    repeated = [mid for mid, count in per_message.items() if count > 1]
    assert len(per_message) == 5 and len(repeated) <= 1 and all(c <= 2 for c in per_message.values())
    assert len(messages) <= 6
    assert Notification.objects.filter(event="reminder.due").count() == 20  # exactly one per reminder


def test_webhooks_are_signed_and_a_failing_receiver_is_retried_with_growing_delays(workers, api):
    pm = StaffUserFactory(roles=["project_manager"])
    project = due_milestones(pm, 1)
    milestone = project.milestones.get()
    with Receiver() as good, Receiver(status=500) as bad:
        ok = Webhook.objects.create(name="ok", url=good.url, events=["milestone.completed"])
        Webhook.objects.create(name="bad", url=bad.url, events=["milestone.completed"])
        workers(WEBHOOK_RETRY_BASE_SECONDS=0.5, WEBHOOK_MAX_ATTEMPTS=4)
        response = api.as_user(pm).post(f"/api/v1/milestones/{milestone.pk}/complete/", {}, format="json")
        assert response.status_code == 200, response.content
        (request,) = good.wait_for(1)
        attempts = bad.wait_for(4, timeout=30)
    signed = request["headers"]["x-cdmo-timestamp"].encode() + b"." + request["body"]
    expected = hmac.new(ok.secret.encode(), signed, hashlib.sha256).hexdigest()
    assert request["headers"]["x-cdmo-signature"] == f"sha256={expected}"
    gaps = [b["at"] - a["at"] for a, b in itertools.pairwise(attempts)]
    # Each wait is at least base × 2^(n-1) (0.5, 1, 2 s): load can only lengthen a wait, never shorten it.
    assert len(attempts) == 4 and all(gap >= 0.9 * 0.5 * 2**n for n, gap in enumerate(gaps)), gaps
    failed = WebhookDelivery.objects.get(webhook__name="bad")
    assert wait_until(lambda: WebhookDelivery.objects.get(pk=failed.pk).status == DeliveryStatus.FAILED)
    failed.refresh_from_db()
    assert failed.attempts == 4 and failed.response_code == 500 and "HTTP 500" in failed.error


@pytest.fixture
def private_broker(settings):
    """This test's own Redis as the broker of this process and of the workers it starts."""
    from cdmo_portal.celery import app

    keys = ("broker_url", "broker_read_url", "broker_write_url")
    shared = {key: app.conf[key] for key in keys}
    with PrivateRedis() as broker:
        settings.CELERY_BROKER_URL = broker.url
        app.conf.update(dict.fromkeys(keys, broker.url))
        reset_broker_connections()
        try:
            yield broker
        finally:
            app.conf.update(shared)
            reset_broker_connections()


def test_with_redis_down_a_completion_succeeds_and_goes_out_after_the_next_sweep(private_broker, workers, api):
    """The broker this test stops is its own (``PrivateRedis``): the shared Redis is never touched."""
    pm = StaffUserFactory(roles=["project_manager"])
    owner = StaffUserFactory(roles=["regulatory"])
    project = due_milestones(pm, 1, owner=owner)
    milestone = project.milestones.get()
    with Receiver() as receiver:
        Webhook.objects.create(name="erp", url=receiver.url, events=["milestone.completed"])
        private_broker.stop()
        assert not private_broker.answers()
        response = api.as_user(owner).post(f"/api/v1/milestones/{milestone.pk}/complete/", {}, format="json")
        assert response.status_code == 200, response.content
        private_broker.start()
        reset_broker_connections()  # this process's pooled broker connections died with the server
        assert WebhookDelivery.objects.get().status == DeliveryStatus.PENDING
        assert Notification.objects.filter(user=pm, event="milestone.completed").exists()
        assert receiver.requests == []
        workers()
        reminder_sweep.delay()
        assert receiver.wait_for(1, timeout=30)
    assert wait_until(lambda: WebhookDelivery.objects.get().status == DeliveryStatus.SUCCEEDED)


def test_beat_and_a_worker_on_the_embedded_filesystem_broker_sweep_by_themselves(require_postgres, tmp_path,
                                                                                  frozen_clock):  # fmt: skip
    """What ``make run`` starts: beat (django-celery-beat's database scheduler) and a worker on kombu's
    ``filesystem://`` transport; a due milestone's reminder arrives with no one calling the sweep.

    Beat decides what is due by the wall clock (celery's, not ``core.clock``), against the schedule rows this test
    writes: the test travels to the real instant so those rows are not stamped in beat's future."""
    from django.core.management import call_command
    from time_machine import escape_hatch

    frozen_clock.move_to(datetime.fromtimestamp(escape_hatch.time.time(), tz=UTC))

    seed_reminder_rules()
    pm = StaffUserFactory(roles=["project_manager"])
    due_milestones(pm, 1)
    env = {"CELERY_BROKER_URL": "filesystem://", "VAR_DIR": tmp_path, "EMAIL_FILE_PATH": tmp_path / "mail"}
    with override_settings(REMINDER_SWEEP_SECONDS=2):
        call_command("install_schedules", stdout=io.StringIO())
    worker = Worker(**env)
    beat = subprocess.Popen([CELERY_BIN, "-A", "cdmo_portal", "beat", "--loglevel=WARNING",
                             f"--schedule={tmp_path / 'beat-schedule'}"], cwd=ROOT, env=worker.env)  # fmt: skip
    try:
        worker.spawn()
        assert wait_until(lambda: Notification.objects.filter(user=pm, event="reminder.due").exists(), timeout=60)
        assert wait_until(lambda: any((tmp_path / "mail").glob("*.log")), timeout=10)
    finally:
        beat.terminate()
        worker.stop()
        beat.wait(timeout=15)
    mail = "".join(path.read_text() for path in (tmp_path / "mail").glob("*.log"))
    assert pm.email in mail and "Item 0" in mail
    assert Reminder.objects.get().status == ReminderStatus.SENT
