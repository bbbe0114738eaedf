"""The reminder sweep and its delivery, in process on PostgreSQL: exactly one reminder per (rule, item, date,
offset, person); late entries get only the nearest offset; moved, finished and paused items; escalation to the
people SPEC §5 names; preferences; a constant number of queries; e-mails grouped per recipient."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import translation

from milestones.services import milestone_complete, milestone_create, milestone_reschedule
from notifications import services
from notifications.choices import ReminderStatus
from notifications.models import Notification, Reminder, ReminderRule
from notifications.reminder_defaults import seed_reminder_rules
from tests.factories import ClientUserFactory, ProjectFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def on_today():
    """Sweep and delivery happen on ``TODAY``: the e-mail words "due in N days" from the day it is sent."""
    with time_machine.travel(datetime(2026, 11, 23, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        yield


@pytest.fixture(autouse=True)
def rules():
    seed_reminder_rules()
    return {rule.kind: rule for rule in ReminderRule.objects.all()}


@pytest.fixture
def pm():
    return StaffUserFactory(roles=["project_manager"], username="pm_r", language="en")


@pytest.fixture
def owner():
    return StaffUserFactory(roles=["regulatory"], username="owner_r", language="zh-hans")


@pytest.fixture
def project(client_a, pm):
    return ProjectFactory(client=client_a, project_manager=pm)


def make_milestone(project, *, days: int, owner=None, responsible="cro", client_visible=True, name="Design freeze"):
    return milestone_create(actor=None, project=project, name_en=name, due_date=TODAY + timedelta(days=days),
                            owner=owner, responsible=responsible, client_visible=client_visible,
                            calendar="calendar_days")  # fmt: skip


def sweep(today=TODAY):
    return services.reminders_sweep(today=today)


def reminders():
    return list(
        Reminder.objects.order_by("recipient__username", "offset").values_list(
            "recipient__username", "offset", "escalated", "status"
        )
    )


@pytest.mark.parametrize(
    ("days_until", "expected"),
    [(20, None), (14, 14), (10, 14), (7, 7), (5, 7), (3, 3), (2, 3), (1, 1), (0, 0), (-1, -1), (-4, -4), (-31, None)],
)
def test_the_offset_due_is_the_nearest_one_passed(rules, days_until, expected):
    assert services.reminder_offset(rules["milestone_due"], days_until) == expected


def test_without_overdue_repeat_an_overdue_item_gets_the_due_day_reminder_only(rules):
    rule = rules["applicant_response_due"]
    assert services.reminder_offset(rule, -5) == 0


def test_a_due_milestone_yields_one_reminder_per_recipient_and_the_sweep_is_idempotent(project, pm, owner):
    make_milestone(project, days=7, owner=owner)
    first = sweep()
    assert first["created"] == 2
    assert sweep()["created"] == 0
    assert sweep()["created"] == 0
    assert reminders() == [("owner_r", 7, False, "claimed"), ("pm_r", 7, False, "claimed")]
    assert len(first["message_ids"]) == 2


def test_an_item_entering_the_window_three_days_before_gets_the_three_day_reminder_only(project, pm):
    make_milestone(project, days=3)
    sweep()
    assert [offset for _, offset, _, _ in reminders()] == [3]
    sweep(TODAY + timedelta(days=1))  # two days before: still the 3-day window, nothing new
    sweep(TODAY + timedelta(days=2))  # one day before: the 1-day reminder
    assert sorted(offset for _, offset, _, _ in reminders()) == [1, 3]


def test_a_completed_milestone_is_not_reminded_and_its_pending_reminders_are_cancelled(project, pm):
    milestone = make_milestone(project, days=1)
    services.reminders_create(today=TODAY)
    assert Reminder.objects.filter(status=ReminderStatus.PENDING).count() == 1
    milestone_complete(milestone=milestone, actor=pm)
    result = sweep()
    assert result["cancelled"] == 1 and result["created"] == 0
    assert Reminder.objects.get().status == ReminderStatus.CANCELLED
    assert Reminder.objects.filter(status=ReminderStatus.PENDING).count() == 0


def test_moving_a_due_date_cancels_the_old_reminders_and_creates_the_new_dates(project, pm):
    milestone = make_milestone(project, days=1)
    services.reminders_create(today=TODAY)
    milestone_reschedule(milestone=milestone, actor=pm, due_date=TODAY + timedelta(days=7), shift_successors=False)
    sweep()
    rows = list(Reminder.objects.order_by("id").values_list("due_date", "offset", "status"))
    assert rows == [
        (TODAY + timedelta(days=1), 1, ReminderStatus.CANCELLED),
        (TODAY + timedelta(days=7), 7, ReminderStatus.CLAIMED),
    ]


def test_an_overdue_milestone_escalates_to_the_pm_and_the_admins_once(project, pm, owner):
    admin = StaffUserFactory(roles=["admin"], username="boss_r")
    StaffUserFactory(roles=["lab_manager"], username="labboss_r")  # not for milestones
    make_milestone(project, days=-3, owner=owner)
    sweep()
    assert reminders() == [
        ("boss_r", -3, True, "claimed"),
        ("owner_r", -3, False, "claimed"),
        ("pm_r", -3, True, "claimed"),
    ]
    sweep(TODAY + timedelta(days=1))  # a day later: the daily overdue repeat, no second escalation
    assert Reminder.objects.filter(escalated=True).count() == 2
    assert Reminder.objects.filter(offset=-4, escalated=False).count() == 2
    assert admin.reminders.count() == 1


def test_an_overdue_test_order_escalates_to_the_pm_and_the_lab_managers(project, pm):
    from labtests.models import TestOrder

    StaffUserFactory(roles=["admin"], username="boss_r")
    StaffUserFactory(roles=["lab_manager"], username="labboss_r")
    TestOrder.objects.create(number="T-TEST-1", client=project.client, project=project, status="in_testing",
                             due_date=TODAY - timedelta(days=2))  # fmt: skip
    sweep()
    escalated = set(Reminder.objects.filter(escalated=True).values_list("recipient__username", flat=True))
    assert escalated == {"pm_r", "labboss_r"}


def test_client_contacts_are_reminded_only_of_their_own_visible_to_dos(project, pm, client_b):
    alice = ClientUserFactory(client=project.client, username="alice_r")
    ClientUserFactory(client=client_b, username="bob_r")
    make_milestone(project, days=3, responsible="client", name="Client to sign")
    make_milestone(project, days=3, responsible="client", client_visible=False, name="Hidden")
    make_milestone(project, days=3, responsible="cro", name="Ours")
    sweep()
    assert set(alice.reminders.values_list("offset", flat=True)) == {3}
    assert alice.reminders.count() == 1
    assert alice.reminders.get().url == "/portal/requests/"  # their requests in the portal, never a staff page
    assert pm.reminders.filter(target_id=alice.reminders.get().target_id).get().url == f"/projects/{project.pk}/"
    assert not Reminder.objects.filter(recipient__username="bob_r").exists()


def test_a_paused_clock_gets_no_reminders(project, pm):
    from milestones.models import ReviewClock
    from milestones.services import pathway_apply

    submission = pathway_apply(project=project, actor=pm, pathway="US_510K", start_date=date(2026, 1, 5))
    clock = submission.clocks.get(kind="authority_review")
    ReviewClock.objects.filter(pk=clock.pk).update(state="running", due_on=TODAY + timedelta(days=7))
    project.milestones.update(status="done")  # fmt: skip
    services.reminders_create(today=TODAY)
    assert Reminder.objects.filter(kind="review_clock_due").count() == 1
    ReviewClock.objects.filter(pk=clock.pk).update(state="paused")
    result = sweep()
    assert result["cancelled"] == 1
    assert not Reminder.objects.filter(status__in=[ReminderStatus.PENDING, ReminderStatus.CLAIMED]).exists()


def test_muted_kinds_get_no_reminders_and_digest_readers_wait_for_the_digest(project, pm, owner):
    services.notification_preferences_update(user=owner, muted_kinds=["milestone_due"], email="immediate")
    services.notification_preferences_update(user=pm, muted_kinds=[], email="digest")
    make_milestone(project, days=7, owner=owner)
    result = sweep()
    assert result["message_ids"] == []
    assert reminders() == [("pm_r", 7, False, "pending")]
    assert Notification.objects.filter(user=pm, event="reminder.due").count() == 1  # in-app at once
    sweep()
    (message_id,) = services.reminders_claim_all(digest=True)
    assert Reminder.objects.get().status == ReminderStatus.CLAIMED
    assert services.reminder_message_send(message_id=message_id).sent == 1
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(user=pm, event="reminder.due").count() == 1  # not a second time


def test_the_sweep_runs_a_constant_number_of_queries(project, pm, owner, django_assert_max_num_queries):
    def sweep_count(count: int) -> int:
        Reminder.objects.all().delete()
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        for index in range(count):
            make_milestone(project, days=index % 5, owner=owner, name=f"M{count}-{index}")
        with CaptureQueriesContext(connection) as queries:
            sweep()
        return len(queries)

    small = sweep_count(3)
    large = sweep_count(40)
    assert Reminder.objects.count() >= 80
    assert small == large
    with django_assert_max_num_queries(small):
        sweep()


def test_delivery_sends_one_email_per_recipient_with_a_message_id_from_the_reminder_ids(project, pm, owner):
    for days in (0, 1, 3):
        make_milestone(project, days=days, owner=owner, name=f"Item {days}")
    message_ids = sweep()["message_ids"]
    assert len(message_ids) == 2
    for message_id in message_ids:
        assert services.reminder_message_send(message_id=message_id).sent == 3
        assert services.reminder_message_send(message_id=message_id).sent == 0  # idempotent
    assert len(mail.outbox) == 2
    by_recipient = {message.to[0]: message for message in mail.outbox}
    english, chinese = by_recipient[pm.email], by_recipient[owner.email]
    ids = sorted(Reminder.objects.filter(recipient=pm).values_list("pk", flat=True))
    assert english.extra_headers["Message-ID"] == services._message_id(ids)
    assert english.extra_headers["X-CDMO-Reminders"] == ",".join(map(str, ids))
    assert "due today" in english.body and "due in 3 days" in english.body
    assert f"http://127.0.0.1:8000/projects/{project.pk}/" in english.body
    assert "今天到期" in chinese.body
    assert Notification.objects.filter(event="reminder.due").count() == 6
    assert set(Reminder.objects.values_list("status", flat=True)) == {ReminderStatus.SENT}


def test_a_failing_smtp_server_is_retried_with_back_off_then_given_up(project, pm, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    settings.REMINDER_MAX_ATTEMPTS = 3
    make_milestone(project, days=0)
    (message_id,) = sweep()["message_ids"]
    delays = [services.reminder_message_send(message_id=message_id).retry_in for _ in range(3)]
    assert delays[0] < delays[1] and delays[2] is None
    reminder = Reminder.objects.get()
    assert reminder.status == ReminderStatus.FAILED and reminder.attempts == 3
    assert "Connection" in reminder.error or "refused" in reminder.error.lower()
    assert Notification.objects.filter(user=pm, event="reminder.due").count() == 1  # in-app still arrives


def test_a_claim_whose_worker_died_is_reclaimed_with_its_message_id(project, pm, settings):
    make_milestone(project, days=0)
    (message_id,) = sweep()["message_ids"]
    assert services.reminders_reclaim() == []  # fresh claims are left alone
    settings.REMINDER_CLAIM_TIMEOUT = 0
    assert services.reminders_reclaim() == [message_id]
    assert services.reminder_message_send(message_id=message_id).sent == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == message_id


def test_every_schedule_is_installed_into_celery_beat(settings):
    from django.core.management import call_command
    from django_celery_beat.models import PeriodicTask

    settings.REMINDER_SWEEP_SECONDS = 60
    call_command("install_schedules", stdout=None)
    call_command("install_schedules", stdout=None)  # safe to run again
    tasks = {task.name: task for task in PeriodicTask.objects.select_related("interval", "crontab")}
    assert tasks["reminder sweep"].task == "notifications.tasks.reminder_sweep"
    assert tasks["reminder sweep"].interval.every == 60
    assert tasks["reminder digest"].crontab.hour == str(settings.REMINDER_DIGEST_HOUR)
    assert tasks["day change refresh"].task == "milestones.tasks.day_change_refresh"
    assert PeriodicTask.objects.filter(name="reminder sweep").count() == 1


def test_an_authority_step_past_its_date_is_chased_by_the_pm_not_escalated_as_our_lateness(project, pm):
    from notifications.messages import render_message

    admin = StaffUserFactory(roles=["admin"], username="admin_r")
    make_milestone(project, days=-4, responsible="authority", name="Technical review")
    ours = make_milestone(project, days=-4, name="Dossier")
    message_ids = sweep()["message_ids"]
    authority_rows = Reminder.objects.exclude(target_id=ours.pk)
    assert list(authority_rows.values_list("recipient__username", "offset", "escalated")) == [("pm_r", -4, False)]
    assert not authority_rows.filter(recipient=admin).exists()  # ours (3+ days overdue) escalates, theirs not
    assert Reminder.objects.filter(target_id=ours.pk, recipient=admin, escalated=True).exists()
    reminder = authority_rows.get()
    params = {**reminder.params, "kind": reminder.kind, "offset": reminder.offset, "due": str(reminder.due_date)}
    with translation.override("en"):
        assert "authority overdue by 4 days: chase the authority" in render_message("reminder.due", params)
    with translation.override("zh-hans"):
        assert "审批方已逾期 4 天：请催办" in render_message("reminder.due", params)
    for message_id in message_ids:
        services.reminder_message_send(message_id=message_id)
    to_pm = next(message for message in mail.outbox if message.to == [pm.email])
    assert "authority overdue by 4 days: chase the authority" in to_pm.body
    assert "Dossier" in to_pm.body and "overdue by 4 days" in to_pm.body


def test_an_expired_authority_clock_keeps_being_chased(project, pm):
    from milestones.models import ReviewClock
    from milestones.services import clocks_expire_due, pathway_apply, submission_transition

    submission = pathway_apply(project=project, actor=None, pathway="US_510K", start_date=date(2026, 1, 5))
    for to, on in (("preparing", date(2026, 7, 1)), ("submitted", date(2026, 8, 17))):  # goal 2026-11-15
        submission_transition(submission=submission, actor=None, to=to, on=on)
    assert clocks_expire_due(today=TODAY) == 1
    clock = ReviewClock.objects.get(submission=submission, kind="authority_review")
    assert clock.state == "expired"
    sweep()
    row = Reminder.objects.get(kind="review_clock_due", target_id=clock.pk)
    assert (row.recipient_id, row.offset, row.params["chase"]) == (pm.pk, -8, True)


def test_the_unique_constraint_refuses_a_second_reminder_of_the_same_key(project, pm):
    """The guard itself, not an outcome: the database refuses the duplicate whoever inserts it."""
    from django.db import IntegrityError, transaction

    make_milestone(project, days=0, name="Design freeze")
    sweep()
    first = Reminder.objects.first()
    duplicate = {f: getattr(first, f) for f in ("rule_id", "kind", "target_id", "due_date", "offset", "recipient_id")}
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(**duplicate, params={})


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_leave_one_reminder_per_key(project, pm, owner):
    """Each rule is one INSERT … SELECT: the first sweep inserts and keeps its transaction open until the second
    one's INSERT is seen waiting on its rows, then commits; the second then skips every key (ON CONFLICT DO
    NOTHING) — each key is there once and was inserted once."""
    import threading
    import time

    from django.db import connection, transaction

    for days in (0, 1, 3):
        make_milestone(project, days=days, owner=owner, name=f"Item {days}")
    inserted, errors = {}, []
    first_done = threading.Event()

    def second_is_waiting() -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            return cursor.fetchone()[0] > 0

    def first():
        try:
            with transaction.atomic():
                inserted["first"] = services.reminders_create(today=TODAY)
                first_done.set()
                deadline = time.monotonic() + 30
                while not second_is_waiting() and time.monotonic() < deadline:
                    time.sleep(0.02)
                inserted["second_waited"] = second_is_waiting()
        except Exception as exc:
            errors.append(exc)
        finally:
            first_done.set()
            connection.close()

    def second():
        try:
            first_done.wait(30)
            inserted["second"] = services.reminders_create(today=TODAY)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert inserted == {"first": 6, "second_waited": True, "second": 0}
    keys = list(Reminder.objects.values_list("rule_id", "target_id", "due_date", "offset", "recipient_id"))
    assert len(keys) == len(set(keys)) == 6  # 3 items × (PM, owner)


def test_the_sql_sweep_and_the_python_planning_insert_the_same_reminders(rules, project, pm, owner, client_a):
    """``make run`` (SQLite) plans each rule in Python, PostgreSQL in one statement: on a world that takes every
    branch — owner, PM, lab managers, client contacts (and a client user who owns an item: portal link),
    escalation, the authority chased, a muted kind, a digest reader, an inactive person, clocks and orders —
    both leave the same rows, and a second sweep of either finds nothing new."""
    every_reminder_branch(project, owner)

    def rows():
        return sorted(
            Reminder.objects.values_list(
                "rule_id", "kind", "target_id", "due_date", "offset", "recipient_id", "escalated", "digest", "url"
            )
        ), sorted(str(sorted(p.items())) for p in Reminder.objects.values_list("params", flat=True))

    in_sql = services.reminders_create(today=TODAY)
    sql_rows = rows()
    assert in_sql == len(sql_rows[0]) > 20
    assert services.reminders_create(today=TODAY, in_sql=True) == 0  # a second sweep finds nothing new
    Reminder.objects.all().delete()
    assert services.reminders_create(today=TODAY, in_sql=False) == in_sql
    assert rows() == sql_rows
    assert services.reminders_create(today=TODAY, in_sql=False) == 0 and rows() == sql_rows
    assert {kind for _rule, kind, *_rest in sql_rows[0]} == set(services.REMINDER_KINDS)
    urls = {url for *_rest, url in sql_rows[0]}
    assert "/portal/requests/" in urls and any(url.endswith("/#samples") for url in urls)


@pytest.mark.parametrize(
    ("offsets", "repeat", "expected"),
    [([7, 0], 0, {(0, "pm_r")}), ([7], 0, set()), ([7, 0], 2, {(-2, "pm_r")}), ([7, 0], 3, {(0, "pm_r")})],
)
def test_an_overdue_item_under_a_rule_without_or_with_a_repeat(rules, project, pm, offsets, repeat, expected):
    """Two days late: without a repeat, the due day's reminder (offset 0) only if the rule has one; with a
    two-day repeat the repeat's (−2); with a three-day one not yet (the due day's). Both planners agree."""
    rule_of(rules, offsets=offsets, overdue_repeat_days=repeat, escalate_after_days=None,
            recipient_roles=["project_manager"])  # fmt: skip
    make_milestone(project, days=-2)
    for in_sql in (True, False):
        Reminder.objects.all().delete()
        services.reminders_create(today=TODAY, in_sql=in_sql)
        got = set(Reminder.objects.values_list("offset", "recipient__username"))
        assert got == expected, in_sql


def test_a_rule_that_names_nobody_creates_nothing(rules, project, pm):
    rule_of(rules, recipient_roles=[], escalate_after_days=None)
    make_milestone(project, days=0)
    assert services.reminders_create(today=TODAY) == 0
    assert not Reminder.objects.exists()


def every_reminder_branch(project, owner):
    """Items of every kind, people of every kind (see the test above)."""
    from labtests.models import TestOrder
    from milestones.models import ReviewClock
    from milestones.services import pathway_apply

    StaffUserFactory(roles=["admin"], username="boss_r")
    StaffUserFactory(roles=["lab_manager"], username="labboss_r")
    StaffUserFactory(roles=["lab_manager"], username="gone_r", is_active=False)
    muted = StaffUserFactory(roles=["regulatory"], username="muted_r")
    services.notification_preferences_update(user=muted, muted_kinds=["milestone_due"], email="immediate")
    services.notification_preferences_update(user=owner, muted_kinds=[], email="digest")
    alice = ClientUserFactory(client=project.client, username="alice_r")
    for days in (14, 9, 3, 0, -1, -3, -8, -40):
        make_milestone(project, days=days, owner=owner, name=f"Ours {days}")
        make_milestone(project, days=days, owner=muted, name=f"Muted {days}")
        make_milestone(project, days=days, responsible="client", name=f"Client {days}")
        make_milestone(project, days=days, responsible="authority", name=f"Authority {days}")
    make_milestone(project, days=-3, owner=alice, name="Owned by a client user")
    for n, days in enumerate((7, 0, -2, -5)):
        TestOrder.objects.create(number=f"T-EQ-{n}", client=project.client, project=project, status="in_testing",
                                 due_date=TODAY + timedelta(days=days), requested_by=owner,
                                 disposition_due=TODAY + timedelta(days=days - 14))  # fmt: skip
    submission = pathway_apply(project=project, actor=None, pathway="US_510K", start_date=date(2026, 1, 5))
    for kind, days in (("authority_review", -2), ("applicant_response", 3)):
        clock = submission.clocks.get(kind=kind)
        ReviewClock.objects.filter(pk=clock.pk).update(state="running", due_on=TODAY + timedelta(days=days))


# --- The sweep and delivery, line by line (each test kills mutants `make mutate` found alive) -------------------
def rule_of(rules, kind="milestone_due", **changes):
    rule = rules[kind]
    for field, value in changes.items():
        setattr(rule, field, value)
    rule.save()
    return rule


@pytest.mark.parametrize(
    ("offsets", "repeat", "limit", "days_until", "expected"),
    [([7, 3], 0, 30, 0, 3), ([7, 3], 0, 30, 1, 3), ([1], 0, 30, -2, None), ([], 0, 30, -2, 0), ([1, 0], 0, 30, -2, 0),
     ([7, 0], 7, 30, -10, -7), ([7, 0], 7, 30, -14, -14), ([7, 0], 7, 30, -30, -28), ([7, 0], 7, 30, -31, None),
     ([7, 0], 0, 5, -5, 0), ([7, 0], 0, 5, -6, None)],
)  # fmt: skip
def test_the_offset_due_at_the_edges(rules, offsets, repeat, limit, days_until, expected):
    rule = rules["milestone_due"]
    rule.offsets, rule.overdue_repeat_days, rule.overdue_limit_days = offsets, repeat, limit
    offset = services.reminder_offset(rule, days_until)
    assert offset == expected and (offset is None or type(offset) is int)


@pytest.mark.parametrize("in_sql", [True, False])
def test_lab_managers_and_the_owner_both_get_it_and_no_lab_manager_is_no_error(rules, project, owner, pm, in_sql):
    rule_of(rules, recipient_roles=["owner", "lab_manager"], escalate_after_days=None)
    make_milestone(project, days=0, owner=owner)
    services.reminders_create(today=TODAY, in_sql=in_sql)  # no lab manager exists yet
    assert set(Reminder.objects.values_list("recipient__username", flat=True)) == {"owner_r"}
    Reminder.objects.all().delete()
    manager = StaffUserFactory(roles=["lab_manager"], username="mgr_r")
    services.reminders_create(today=TODAY, in_sql=in_sql)
    assert set(Reminder.objects.values_list("recipient_id", flat=True)) == {owner.pk, manager.pk}


@pytest.mark.parametrize("in_sql", [True, False])
def test_a_client_task_of_a_client_without_portal_users_reminds_the_others(rules, project, pm, in_sql):
    make_milestone(project, days=0, responsible="client")  # client_contacts in the rule, nobody to reach
    services.reminders_create(today=TODAY, in_sql=in_sql)
    assert list(Reminder.objects.values_list("recipient_id", flat=True)) == [pm.pk]


@pytest.mark.parametrize("in_sql", [True, False])
def test_an_overdue_item_with_no_admin_escalates_to_the_pm_alone(rules, project, pm, in_sql):
    make_milestone(project, days=-3)
    services.reminders_create(today=TODAY, in_sql=in_sql)
    assert list(Reminder.objects.filter(escalated=True).values_list("recipient_id", flat=True)) == [pm.pk]


def test_an_escalation_with_no_admin_reaches_the_pm_and_keeps_the_items_link(rules, project, pm):
    milestone = make_milestone(project, days=-3)
    sweep()
    escalation = Reminder.objects.get(escalated=True)
    assert (escalation.recipient_id, escalation.offset) == (pm.pk, -3)
    assert escalation.url == f"/projects/{project.pk}/" and milestone.project_id == project.pk


def test_an_inactive_rule_or_an_unknown_kind_creates_nothing(rules, project, pm):
    from notifications.models import ReminderRule

    ReminderRule.objects.create(name="Gone", kind="certificate_expiry", offsets=[0], recipient_roles=["owner"])
    rule_of(rules, active=False)
    make_milestone(project, days=0)
    assert services.reminders_create(today=TODAY) == 0
    assert not Reminder.objects.exists()


def test_an_inactive_recipient_gets_nothing_and_the_others_get_theirs(rules, project, pm, owner):
    owner.is_active = False
    owner.save()
    for days in (0, 1, 3):
        make_milestone(project, days=days, owner=owner, name=f"Item {days}")
    sweep()
    assert list(Reminder.objects.values_list("recipient_id", flat=True)) == [pm.pk] * 3


def test_a_muted_kind_drops_only_that_persons_reminders(rules, project, pm, owner):
    pm.notification_preferences = {"muted_kinds": ["milestone_due"]}
    pm.save()
    for days in (0, 1, 3):
        make_milestone(project, days=days, owner=owner, name=f"Item {days}")
    sweep()
    assert list(Reminder.objects.values_list("recipient_id", flat=True)) == [owner.pk] * 3


def test_two_rules_of_one_kind_each_remind_once(rules, project, pm):
    from notifications.models import ReminderRule

    ReminderRule.objects.create(
        name="Second look", kind="milestone_due", offsets=[0], recipient_roles=["project_manager"]
    )
    make_milestone(project, days=0)
    sweep()
    sweep()
    assert Reminder.objects.filter(recipient=pm, offset=0).count() == 2  # one per rule, not one in all


def test_moving_one_item_cancels_its_reminders_only_and_says_why(rules, project, pm):
    moved = make_milestone(project, days=3, name="Moved")
    make_milestone(project, days=3, name="Stays")  # still due on Moved's old date: must not keep its reminder
    services.reminders_create(today=TODAY)
    milestone_reschedule(milestone=moved, actor=None, due_date=TODAY + timedelta(days=7))
    assert services.reminders_cancel_stale() == 1
    cancelled = Reminder.objects.get(status=ReminderStatus.CANCELLED)
    assert Reminder.objects.filter(status=ReminderStatus.PENDING).exclude(target_id=moved.pk).count() == 1
    assert cancelled.target_id == moved.pk
    assert cancelled.error == "the item's date moved, or it is done or paused"


def test_finishing_an_item_leaves_its_sent_reminders_sent(rules, project, pm):
    milestone = make_milestone(project, days=0)
    for message_id in sweep()["message_ids"]:
        services.reminder_message_send(message_id=message_id)
    milestone_complete(milestone=milestone, actor=None)
    services.reminders_cancel_stale()
    assert set(Reminder.objects.values_list("status", flat=True)) == {ReminderStatus.SENT}


def test_the_message_id_is_a_hash_of_the_sorted_reminder_ids():
    import hashlib

    expected = hashlib.sha256(b"3,10,22").hexdigest()[:20]
    message_id = services._message_id([22, 3, 10])
    assert message_id == f"<reminders.3.{expected}@cdmo-portal.local>" and len(expected) == 20
    assert services._message_id([3, 10]) != message_id


def test_claiming_takes_every_batch(rules, project, pm, owner, settings):
    settings.REMINDER_BATCH_SIZE = 1
    for days in (0, 1, 3):
        make_milestone(project, days=days, owner=owner, name=f"Item {days}")
    services.reminders_create(today=TODAY)
    message_ids = services.reminders_claim_all(digest=False)
    assert len(message_ids) == 6 and not Reminder.objects.filter(status=ReminderStatus.PENDING).exists()


def test_a_reclaim_takes_only_stale_claims_and_stamps_them_now(rules, project, pm, owner):
    from core import clock

    for days in (0, 1):
        make_milestone(project, days=days, owner=owner, name=f"Item {days}")
    services.reminders_create(today=TODAY)
    claimed = services.reminders_claim_all(digest=False)
    sent, stale = claimed[0], claimed[1]
    services.reminder_message_send(message_id=sent)
    make_milestone(project, days=3, owner=owner, name="Fresh")
    services.reminders_create(today=TODAY)
    fresh = services.reminders_claim_all(digest=False)
    fresh_claims = dict(Reminder.objects.filter(message_id__in=fresh).values_list("pk", "claimed_at"))
    now = clock.now() + timedelta(minutes=11)  # the claim timeout (10 minutes) has passed for the older claims
    Reminder.objects.filter(message_id__in=fresh).update(claimed_at=now - timedelta(minutes=1))
    fresh_claims = dict(Reminder.objects.filter(message_id__in=fresh).values_list("pk", "claimed_at"))
    assert services.reminders_reclaim(now=now) == [stale]
    assert set(Reminder.objects.filter(message_id=stale).values_list("claimed_at", flat=True)) == {now}
    assert dict(Reminder.objects.filter(message_id__in=fresh).values_list("pk", "claimed_at")) == fresh_claims
    assert set(Reminder.objects.filter(message_id=sent).values_list("status", flat=True)) == {ReminderStatus.SENT}


def test_a_sent_message_is_recorded_and_notified_once(rules, project, pm, django_assert_num_queries):
    from core import clock

    milestone = make_milestone(project, days=0)
    make_milestone(project, days=-3, name="Late")  # due and escalated
    message_ids = sweep()["message_ids"]
    (message_id,) = message_ids
    with django_assert_num_queries(6):  # savepoint, lock (with the recipient), update, notifications, notified_at,
        outcome = services.reminder_message_send(message_id=message_id)
    assert outcome.sent == 2  # today's, and the late one's escalation (the same offset, marked escalated)
    rows = list(Reminder.objects.filter(message_id=message_id))
    assert {(r.status, r.attempts, r.error) for r in rows} == {(ReminderStatus.SENT, 1, "")}
    assert all(abs((r.sent_at - clock.now()).total_seconds()) < 60 for r in rows)
    assert all(r.notified_at == r.sent_at for r in rows)
    notes = {(n.event, n.params["offset"]) for n in Notification.objects.filter(user=pm)}
    assert notes == {("reminder.due", 0), ("reminder.escalated", -3)}
    note = Notification.objects.get(user=pm, event="reminder.due", params__offset=0)
    assert (note.params["kind"], note.params["due"], note.url) == ("milestone_due", TODAY.isoformat(),
                                                                   f"/projects/{project.pk}/")  # fmt: skip
    assert milestone.pk == Reminder.objects.get(offset=0).target_id


def test_a_digest_readers_notification_is_not_written_twice(rules, project, pm):
    pm.notification_preferences = {"email": "digest"}
    pm.save()
    make_milestone(project, days=0)
    sweep()
    reminder = Reminder.objects.get()
    notified_at = reminder.notified_at
    assert notified_at is not None and Notification.objects.filter(user=pm).count() == 1
    (message_id,) = services.reminders_claim_all(digest=True)
    services.reminder_message_send(message_id=message_id)
    reminder.refresh_from_db()
    assert reminder.notified_at == notified_at and Notification.objects.filter(user=pm).count() == 1


def test_an_unreachable_mail_server_is_retried_with_doubling_waits_then_given_up(rules, project, pm, settings):
    from core import clock
    from tests.notifications.worker import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    settings.REMINDER_RETRY_BASE_SECONDS, settings.REMINDER_MAX_ATTEMPTS = 30, 3
    make_milestone(project, days=0)
    (message_id,) = sweep()["message_ids"]
    waits = [services.reminder_message_send(message_id=message_id).retry_in for _ in range(2)]
    assert waits == [30, 60]
    row = Reminder.objects.get()
    assert (row.status, row.attempts, row.notified_at) == (ReminderStatus.CLAIMED, 2, None)
    assert row.error.startswith("ConnectionRefusedError: ")
    assert row.claimed_at is not None and abs((row.claimed_at - clock.now()).total_seconds()) < 60
    last = services.reminder_message_send(message_id=message_id)
    row.refresh_from_db()
    assert (last.sent, last.retry_in, row.status, row.attempts) == (0, None, ReminderStatus.FAILED, 3)
    assert row.notified_at is not None and Notification.objects.filter(user=pm, event="reminder.due").count() == 1


def test_a_success_after_a_failure_clears_the_error(rules, project, pm, settings):
    from tests.notifications.worker import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    make_milestone(project, days=0)
    (message_id,) = sweep()["message_ids"]
    assert services.reminder_message_send(message_id=message_id).retry_in
    assert Reminder.objects.get().error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.reminder_message_send(message_id=message_id).sent == 1
    row = Reminder.objects.get()
    assert (row.status, row.attempts, row.error) == (ReminderStatus.SENT, 2, "")


def test_a_failed_attempt_renews_the_claim_so_the_retry_is_not_taken_as_abandoned(rules, project, pm, settings):
    from core import clock
    from tests.notifications.worker import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    make_milestone(project, days=0)
    (message_id,) = sweep()["message_ids"]
    claimed_at = Reminder.objects.get().claimed_at
    with time_machine.travel(clock.now() + timedelta(minutes=8), tick=True):
        services.reminder_message_send(message_id=message_id)
        assert Reminder.objects.get().claimed_at >= claimed_at + timedelta(minutes=8)
        assert services.reminders_reclaim(now=clock.now() + timedelta(minutes=5)) == []  # 13 minutes after the claim


def test_a_claim_groups_each_recipients_reminders_under_the_message_id_computed_from_their_ids(
    rules, project, pm, owner, settings
):
    """The claim (one SQL statement on PostgreSQL) writes the same Message-ID ``_message_id`` derives: a repeated
    send stays recognisable whichever path claimed it."""
    for days in (0, 1, 3, 7):
        make_milestone(project, days=days, owner=owner, name=f"Item {days}")
    services.reminders_create(today=TODAY)
    message_ids = services.reminders_claim(limit=100)
    claimed = Reminder.objects.filter(status="claimed")
    by_recipient: dict[int, list[int]] = {}
    for reminder in claimed:
        by_recipient.setdefault(reminder.recipient_id, []).append(reminder.pk)
    assert len(by_recipient) >= 2 and claimed.count() > len(by_recipient)  # several people, several each
    expected = {recipient: services._message_id(ids) for recipient, ids in by_recipient.items()}
    assert {r.recipient_id: r.message_id for r in claimed} == expected
    assert sorted(message_ids) == sorted(expected.values())
