"""Writes of the notifications app: in-app notifications, the reminder sweep and its delivery, webhooks.

Exactly-once reminders rest on three things: the ``reminder_once`` unique constraint (the sweep may run as often
and in as many processes as it likes), claims taken with ``SELECT … FOR UPDATE SKIP LOCKED`` that give every
claimed reminder a ``message_id`` (its e-mail), and the row lock held while that e-mail is sent (a second worker
skips it; a worker that dies releases it and a later sweep reclaims it, keeping the ``message_id``).
"""

import hashlib
import hmac
import json
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.utils.translation import gettext as _

from accounts.choices import Role
from clients.access import access_for
from clients.models import ClientMembership
from core import clock
from core.exceptions import ApplicationError

from . import targets
from .choices import DeliveryStatus, EmailDelivery, NotificationEmail, RecipientRole, ReminderStatus
from .emails import notifications_email, reminder_email
from .models import Notification, Reminder, ReminderRule, Webhook, WebhookDelivery
from .reminders import CLIENT_LINK, REMINDER_KINDS, DueItem, ReminderKind
from .webhook_events import client_may_receive, client_payload, json_safe

logger = logging.getLogger(__name__)


# --- in-app notifications ------------------------------------------------------------------------------------------


def notification_send(
    *, user_ids: Iterable[int | None], event: str, params: dict, url: str = "", email: bool = False, record=None
) -> int:
    """One in-app notification per user (inactive users and empty ids are skipped) about ``record`` (if any: a
    client reads it only while they may read the record); with ``email``, each is also queued for e-mail
    (``notification_emails_send``: at once, or in the daily digest, as the reader chose)."""
    from django.contrib.contenttypes.models import ContentType

    from accounts.models import User

    ids = {pk for pk in user_ids if pk}
    if not ids:
        return 0
    active = User.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True)
    status = NotificationEmail.PENDING if email else NotificationEmail.NONE
    about = {"record_type": ContentType.objects.get_for_model(record), "record_id": record.pk} if record else {}
    rows = [Notification(user_id=pk, event=event, params=params, url=url, email_status=status, **about)
            for pk in active]  # fmt: skip
    return len(Notification.objects.bulk_create(rows))


def notification_emails_send(*, digest: bool = False, batch: int = 500) -> int:
    """E-mail the pending notifications of the readers who want them at once (or, with ``digest``, of those who
    chose the daily digest): one e-mail per reader and batch. Rows are locked while their e-mail goes out, so two
    workers never send one twice; a failed send is recorded, not retried (the notification is in the app anyway).
    Returns the number of e-mails sent."""
    sent = 0
    while True:
        claimed, batch_sent = _notification_emails_batch(digest=digest, limit=batch)
        sent += batch_sent
        if claimed < batch:
            return sent


def _notification_emails_batch(*, digest: bool, limit: int) -> tuple[int, int]:
    with transaction.atomic():
        pending = Notification.objects.filter(email_status=NotificationEmail.PENDING)
        digest_readers = Q(user__notification_preferences__email=EmailDelivery.DIGEST)
        no_choice = Q(user__notification_preferences__email__isnull=True)  # a missing key is NULL: not "not digest"
        pending = pending.filter(digest_readers if digest else (~digest_readers | no_choice))
        rows = list(
            pending.select_for_update(skip_locked=True, of=("self",))
            .select_related("user")
            .order_by("user_id", "id")[:limit]
        )
        by_reader: dict[int, list[Notification]] = defaultdict(list)
        for row in rows:
            by_reader[row.user_id].append(row)
        sent = 0
        for notifications in by_reader.values():
            reader = notifications[0].user
            notifications = _still_readable(reader, notifications)
            if not notifications:
                continue
            status = NotificationEmail.SENT
            try:
                if reader.email:
                    notifications_email(reader, notifications).send()
                    sent += 1
            except Exception:  # the SMTP server's or the network's error: the in-app notification stands
                logger.exception("notification e-mail to user %s failed", reader.pk)
                status = NotificationEmail.FAILED
            Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(email_status=status)
        return len(rows), sent


def _still_readable(reader, notifications: list[Notification]) -> list[Notification]:
    """The notifications ``reader`` may still read (a client's record may have been hidden since they were written);
    the others are not e-mailed."""
    from .selectors import notification_list

    if not any(row.record_type_id for row in notifications) or not access_for(reader).is_client_user:
        return notifications
    ids = [row.pk for row in notifications]
    readable = set(notification_list(user=reader).filter(pk__in=ids).values_list("pk", flat=True))
    Notification.objects.filter(pk__in=set(ids) - readable).update(email_status=NotificationEmail.NONE)
    return [row for row in notifications if row.pk in readable]


@transaction.atomic
def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when ``ids`` is None); returns how many changed."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=clock.now())


# --- notification preferences ------------------------------------------------------------------------------------


def preferences_of(raw: dict | None) -> tuple[frozenset[str], str]:
    """(muted reminder kinds, e-mail delivery) from ``User.notification_preferences``, with safe defaults."""
    raw = raw or {}
    muted = frozenset(kind for kind in raw.get("muted_kinds", []) if kind in REMINDER_KINDS)
    delivery = raw.get("email", EmailDelivery.IMMEDIATE)
    return muted, delivery if delivery in EmailDelivery.values else EmailDelivery.IMMEDIATE


@transaction.atomic
def notification_preferences_update(*, user, muted_kinds: Iterable[str], email: str) -> dict:
    unknown = sorted(set(muted_kinds) - set(REMINDER_KINDS))
    if unknown:
        raise ApplicationError({"muted_kinds": [_("Unknown reminder kind: %(kinds)s") % {"kinds": ", ".join(unknown)}]})
    if email not in EmailDelivery.values:
        raise ApplicationError(
            {"email": [_("Choose one of: %(choices)s") % {"choices": ", ".join(EmailDelivery.values)}]}
        )
    user.notification_preferences = {
        **(user.notification_preferences or {}),
        "muted_kinds": sorted(set(muted_kinds)),
        "email": email,
    }
    user.save(update_fields=["notification_preferences"])
    return user.notification_preferences


# --- the reminder sweep --------------------------------------------------------------------------------------------


def reminder_offset(rule: ReminderRule, days_until: int) -> int | None:
    """The one offset due for an item ``days_until`` days before its date: the nearest offset already passed —
    so an item entering the window late gets that one only, not a burst — or, once overdue, the latest repeat."""
    if days_until >= 0:
        passed = [offset for offset in rule.offsets if offset >= days_until]
        return min(passed) if passed else None
    overdue = -days_until
    if overdue > rule.overdue_limit_days:
        return None
    repeat = rule.overdue_repeat_days
    if repeat and overdue >= repeat:
        return -(overdue // repeat) * repeat
    return 0 if 0 in rule.offsets or not rule.offsets else None


@dataclass
class _Audience:
    """Who is who for one rule: role groups (read once per sweep) and the client users of the rule's items."""

    groups: dict[str, set[int]]
    client_users: dict[int, set[int]]


def _role_groups() -> dict[str, set[int]]:
    from accounts.models import User

    groups: dict[str, set[int]] = defaultdict(set)
    rows = User.objects.filter(is_active=True, groups__name__in=[Role.ADMIN, Role.LAB_MANAGER])
    for name, pk in rows.values_list("groups__name", "pk"):
        groups[name].add(pk)
    return groups


def _client_users(client_ids: set[int]) -> dict[int, set[int]]:
    client_users: dict[int, set[int]] = defaultdict(set)
    if not client_ids:
        return client_users
    memberships = ClientMembership.objects.filter(client_id__in=client_ids, user__is_active=True)
    for client_id, user_id in memberships.values_list("client_id", "user_id"):
        client_users[client_id].add(user_id)
    return client_users


def _recipients(rule: ReminderRule, item: DueItem, audience: _Audience) -> set[int]:
    roles = set(rule.recipient_roles)
    people: set[int | None] = set()
    if RecipientRole.OWNER in roles:
        people.add(item.owner_id)
    if RecipientRole.PROJECT_MANAGER in roles:
        people.add(item.project_manager_id)
    if RecipientRole.LAB_MANAGER in roles:
        people |= audience.groups.get(Role.LAB_MANAGER, set())
    if RecipientRole.CLIENT_CONTACTS in roles and item.client_task:
        people |= audience.client_users.get(item.client_id, set())
    return {pk for pk in people if pk}


def _escalation_recipients(kind: ReminderKind, item: DueItem, audience: _Audience) -> set[int]:
    """The project's PM and the kind's group (lab managers for test orders, admins otherwise)."""
    return {pk for pk in {item.project_manager_id, *audience.groups.get(kind.escalate_to, set())} if pk}


def _link_for(recipient_id: int, item: DueItem, audience: _Audience) -> str:
    """A client user's reminder points to their portal, never to a staff page."""
    return CLIENT_LINK if recipient_id in audience.client_users.get(item.client_id, ()) else item.url


class _Planned(NamedTuple):
    target_id: int
    due_date: date
    offset: int
    recipient_id: int
    params: dict
    url: str
    escalated: bool
    digest: bool = False


def _planned_reminders(
    rule: ReminderRule, kind: ReminderKind, items: list[DueItem], today: date, groups: dict[str, set[int]]
) -> list[_Planned]:
    audience = _Audience(groups=groups, client_users=_client_users({item.client_id for item in items}))
    planned: dict[tuple[int, int, int], _Planned] = {}
    for item in items:
        days_until = (item.due_date - today).days
        offset = reminder_offset(rule, days_until)
        if offset is not None:
            for pk in _recipients(rule, item, audience):
                planned[item.target_id, offset, pk] = _Planned(
                    item.target_id, item.due_date, offset, pk, item.params, _link_for(pk, item, audience), False
                )
        threshold = rule.escalate_after_days
        if threshold and -days_until >= threshold and not item.params.get("chase"):  # the authority's lateness
            # is chased by the PM (reminded above), not escalated to the CRO's management as ours.
            # One row per person and offset: someone already reminded at this offset gets it marked escalated.
            for pk in _escalation_recipients(kind, item, audience):
                planned[item.target_id, -threshold, pk] = _Planned(
                    item.target_id, item.due_date, -threshold, pk, item.params, item.url, True
                )
    return list(planned.values())


def _apply_preferences(kind: str, planned: list[_Planned]) -> list[_Planned]:
    """Drop reminders of muted kinds (escalations are never muted) and mark digest readers' ones (each reader's
    preferences read once)."""
    from accounts.models import User

    prefs = {
        pk: preferences_of(raw)
        for pk, raw in User.objects.filter(pk__in={r.recipient_id for r in planned}, is_active=True).values_list(
            "pk", "notification_preferences"
        )
    }
    kept = []
    for reminder in planned:
        if reminder.recipient_id not in prefs:
            continue
        muted, delivery = prefs[reminder.recipient_id]
        if kind in muted and not reminder.escalated:
            continue
        kept.append(reminder._replace(digest=delivery == EmailDelivery.DIGEST))
    return kept


def reminders_cancel_stale() -> int:
    """Cancel pending reminders whose item moved its date, finished, or stopped running (a paused clock): one
    UPDATE per kind. A moved item then gets the new date's reminders from the same sweep."""
    cancelled = 0
    for code, kind in REMINDER_KINDS.items():
        still_due = kind.open_items().filter(pk=OuterRef("target_id"), due=OuterRef("due_date"))
        cancelled += (
            Reminder.objects.filter(kind=code, status=ReminderStatus.PENDING)
            .exclude(Exists(still_due))
            .update(status=ReminderStatus.CANCELLED, error="the item's date moved, or it is done or paused")
        )
    return cancelled


def reminders_create(*, today: date | None = None, in_sql: bool | None = None) -> int:
    """Insert the reminders due today for every active rule; returns how many were inserted.

    On PostgreSQL each rule is one ``INSERT … SELECT … ON CONFLICT DO NOTHING``: the kind's items (its
    ``selection()`` from the registry), the offset due today, the recipients and their preferences all joined
    in SQL — no row comes back to Python. The unique constraint settles concurrent sweeps. Elsewhere
    (SQLite, ``make run``: no ``DISTINCT ON``, no ``jsonb``) the same rule is planned in Python, a chunk of items
    at a time. ``in_sql`` picks the planner (None: by the database)."""
    today = today or clock.today()
    created = 0
    if in_sql is None:
        in_sql = connection.vendor == "postgresql"
    groups = None if in_sql else _role_groups()
    for rule in ReminderRule.objects.filter(active=True, kind__in=list(REMINDER_KINDS)):
        kind = REMINDER_KINDS[rule.kind]
        window = (today - timedelta(days=rule.overdue_limit_days), today + timedelta(days=max([*rule.offsets, 0])))
        if groups is None:
            created += _create_in_sql(rule, kind, window, today)
        else:
            created += _create_in_python(rule, kind, window, today, groups)
    return created


def _create_in_python(rule: ReminderRule, kind: ReminderKind, window, today: date, groups) -> int:
    created = 0
    for items in kind.due_item_chunks(*window):  # a chunk at a time: memory stays flat however many items
        planned = _without_existing(rule, _planned_reminders(rule, kind, items, today, groups))
        fresh = _apply_preferences(rule.kind, planned)
        Reminder.objects.bulk_create(
            [Reminder(rule=rule, kind=rule.kind, **row._asdict()) for row in fresh], ignore_conflicts=True,
            batch_size=1000,
        )  # fmt: skip
        created += len(fresh)
    return created


def _without_existing(rule: ReminderRule, planned: list[_Planned]) -> list[_Planned]:
    """Leave out what earlier sweeps already inserted (one query on the unique index)."""
    if not planned:
        return []
    existing = set(
        Reminder.objects.filter(
            rule=rule, target_id__in={r.target_id for r in planned}, due_date__in={r.due_date for r in planned}
        ).values_list("target_id", "due_date", "offset", "recipient_id")
    )
    return [r for r in planned if (r.target_id, r.due_date, r.offset, r.recipient_id) not in existing]


# The rule's statement. ``{items}``: the kind's selection (``due`` and ``ITEM_COLUMNS``); ``{recipients}``: one
# branch per recipient role of the rule (and the escalation's). The offset is ``reminder_offset`` in SQL. The
# escalation wins over a plain reminder to the same person at the same offset; inactive people get nothing; a
# muted kind is dropped unless escalated; digest readers' rows are marked; client users' links go to the portal.
_RULE_SQL = """
WITH item AS ({items}),
planned AS (
    SELECT item.*, %(today)s::date - item.due AS late,
           CASE WHEN item.due >= %(today)s::date
                     THEN (SELECT min(o) FROM unnest(%(offsets)s::int[]) o WHERE o >= item.due - %(today)s::date)
                WHEN %(today)s::date - item.due > %(overdue_limit)s THEN NULL
                WHEN %(repeat)s > 0 AND %(today)s::date - item.due >= %(repeat)s
                     THEN -((%(today)s::date - item.due) / %(repeat)s) * %(repeat)s
                WHEN %(zero_allowed)s THEN 0 END AS "offset"
    FROM item
),
recipient AS ({recipients}),
chosen AS (
    SELECT DISTINCT ON (item_id, "offset", user_id) * FROM recipient WHERE user_id IS NOT NULL
    ORDER BY item_id, "offset", user_id, escalated DESC
)
INSERT INTO {reminder} ({columns})
SELECT %(rule)s, %(kind)s, c.item_id, c.due, c."offset", c.user_id, c.escalated,
       COALESCE(u.notification_preferences ->> 'email', '') = %(digest)s, c.item_params,
       CASE WHEN NOT c.escalated AND EXISTS (SELECT 1 FROM {membership} m
                                             WHERE m.user_id = c.user_id AND m.client_id = c.item_client)
            THEN %(client_link)s ELSE c.item_url END,
       %(pending)s, '', '', 0, %(now)s, %(now)s
FROM chosen c JOIN {user} u ON u.id = c.user_id AND u.is_active
WHERE c.escalated OR NOT COALESCE(jsonb_typeof(u.notification_preferences -> 'muted_kinds') = 'array'
                                  AND u.notification_preferences -> 'muted_kinds' ? %(kind)s, false)
ON CONFLICT DO NOTHING
"""

_REMINDER_COLUMNS = (
    "rule_id", "kind", "target_id", "due_date", "offset", "recipient_id", "escalated", "digest", "params", "url",
    "status", "message_id", "error", "attempts", "created_at", "updated_at",
)  # fmt: skip


def _recipient_branches(rule: ReminderRule) -> list[str]:
    """One ``SELECT`` per kind of recipient the rule names (``_recipients`` and ``_escalation_recipients`` in
    SQL): rows of item, due, offset, user, escalated, params, link, client."""
    from django.contrib.auth.models import Group

    from accounts.models import User

    members = (
        f"SELECT ug.user_id FROM {User.groups.through._meta.db_table} ug "
        f"JOIN {Group._meta.db_table} g ON g.id = ug.group_id WHERE g.name = %({{group}})s"
    )
    row = "item_id, due, {offset}, {user} AS user_id, {escalated} AS escalated, item_params, item_url, item_client"
    reminded = 'FROM planned WHERE "offset" IS NOT NULL'
    plain = row.format(offset='"offset"', user="{user}", escalated="false")
    roles = set(rule.recipient_roles)
    branches = []
    if RecipientRole.OWNER in roles:
        branches.append(f"SELECT {plain.format(user='item_owner')} {reminded}")
    if RecipientRole.PROJECT_MANAGER in roles:
        branches.append(f"SELECT {plain.format(user='item_manager')} {reminded}")
    if RecipientRole.LAB_MANAGER in roles:
        branches.append(
            f"SELECT {plain.format(user='g.user_id')} FROM planned, ({members.format(group='lab_managers')}) g "
            'WHERE "offset" IS NOT NULL'
        )
    if RecipientRole.CLIENT_CONTACTS in roles:
        branches.append(
            f"SELECT {plain.format(user='m.user_id')} FROM planned "
            f"JOIN {ClientMembership._meta.db_table} m ON m.client_id = planned.item_client "
            'WHERE "offset" IS NOT NULL AND planned.item_client_task'
        )
    if rule.escalate_after_days:  # the authority's lateness (``chase``) is the PM's to chase, not escalated
        late = "late >= %(threshold)s AND NOT item_params ? 'chase'"
        escalation = row.format(offset="-%(threshold)s", user="{user}", escalated="true")
        branches.append(f"SELECT {escalation.format(user='item_manager')} FROM planned WHERE {late}")
        branches.append(
            f"SELECT {escalation.format(user='g.user_id')} FROM planned, "
            f"({members.format(group='escalate_to')}) g WHERE {late}"
        )
    return branches


def _create_in_sql(rule: ReminderRule, kind: ReminderKind, window, today: date) -> int:
    from accounts.models import User

    branches = _recipient_branches(rule)
    if not branches:
        return 0
    with connection.cursor() as cursor:
        items_sql, items_params = kind.selection(*window).query.sql_with_params()
        items = cursor.cursor.mogrify(items_sql, items_params).decode().replace("%", "%%")
        sql = _RULE_SQL.format(
            items=items, recipients="\nUNION ALL\n".join(branches), reminder=Reminder._meta.db_table,
            columns=", ".join(f'"{c}"' for c in _REMINDER_COLUMNS), membership=ClientMembership._meta.db_table,
            user=User._meta.db_table,
        )  # fmt: skip
        offsets = [int(o) for o in rule.offsets]
        cursor.execute(sql, {
            "today": today, "offsets": offsets, "overdue_limit": rule.overdue_limit_days,
            "repeat": rule.overdue_repeat_days or 0, "zero_allowed": 0 in offsets or not offsets,
            "threshold": rule.escalate_after_days or 0, "lab_managers": Role.LAB_MANAGER,
            "escalate_to": kind.escalate_to, "rule": rule.pk, "kind": rule.kind, "digest": EmailDelivery.DIGEST,
            "client_link": CLIENT_LINK, "pending": ReminderStatus.PENDING, "now": clock.now(),
        })  # fmt: skip
        return cursor.rowcount


def _message_id(reminder_ids: list[int]) -> str:
    """A Message-ID derived from the reminder ids, so a repeated send is recognisable as the same e-mail."""
    digest = hashlib.sha256(",".join(map(str, sorted(reminder_ids))).encode()).hexdigest()[:20]
    return f"<reminders.{min(reminder_ids)}.{digest}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


@transaction.atomic
def reminders_claim(*, digest: bool = False, limit: int | None = None) -> list[str]:
    """Claim a batch of pending reminders (skipping rows another worker holds), group them into one e-mail per
    recipient and return the e-mails' ``message_id``s for delivery. On PostgreSQL it is one statement: the batch
    locked with ``FOR UPDATE SKIP LOCKED``, each recipient's Message-ID computed in SQL exactly as ``_message_id``
    does, the rows marked claimed."""
    limit = limit or settings.REMINDER_BATCH_SIZE
    if connection.vendor == "postgresql":
        return _claim_in_sql(digest=digest, limit=limit)
    rows = list(
        Reminder.objects.select_for_update(skip_locked=True)
        .filter(status=ReminderStatus.PENDING, digest=digest)
        .order_by("id")
        .only("id", "recipient_id")[:limit]
    )
    if not rows:
        return []
    by_recipient: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        by_recipient[row.recipient_id].append(row.pk)
    message_ids = {recipient: _message_id(ids) for recipient, ids in by_recipient.items()}
    Reminder.objects.filter(pk__in=[row.pk for row in rows]).update(
        status=ReminderStatus.CLAIMED,
        claimed_at=clock.now(),
        message_id=Case(*[When(recipient_id=r, then=Value(m)) for r, m in message_ids.items()]),
    )
    return list(message_ids.values())


_CLAIM_SQL = """
WITH batch AS MATERIALIZED (
    SELECT id, recipient_id FROM {table}
    WHERE status = %(pending)s AND digest = %(digest)s
    ORDER BY id LIMIT %(limit)s FOR UPDATE SKIP LOCKED
), mail AS MATERIALIZED (  -- computed once, not once per row of the batch
    SELECT recipient_id,
           '<reminders.' || min(id) || '.'
           || left(encode(sha256(convert_to(string_agg(id::text, ',' ORDER BY id), 'UTF8')), 'hex'), 20)
           || '@' || %(domain)s || '>' AS message_id
    FROM batch GROUP BY recipient_id
)
UPDATE {table} AS r SET status = %(claimed)s, claimed_at = %(now)s, message_id = mail.message_id
FROM batch JOIN mail USING (recipient_id)
WHERE r.id = batch.id
RETURNING r.message_id, r.id
"""


def _claim_in_sql(*, digest: bool, limit: int) -> list[str]:
    params = {"pending": ReminderStatus.PENDING, "claimed": ReminderStatus.CLAIMED, "digest": digest,
              "limit": limit, "domain": settings.EMAIL_MESSAGE_ID_DOMAIN, "now": clock.now()}  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL.format(table=Reminder._meta.db_table), params)
        rows = sorted(cursor.fetchall(), key=lambda row: row[1])
    return list(dict.fromkeys(message_id for message_id, _id in rows))


def reminders_reclaim(*, now: datetime | None = None) -> list[str]:
    """Claims older than the timeout whose worker died: take them again, keeping their ``message_id``."""
    now = now or clock.now()
    stale = Reminder.objects.filter(
        status=ReminderStatus.CLAIMED, claimed_at__lt=now - timedelta(seconds=settings.REMINDER_CLAIM_TIMEOUT)
    )
    message_ids = sorted(set(stale.values_list("message_id", flat=True)))
    if message_ids:
        Reminder.objects.filter(status=ReminderStatus.CLAIMED, message_id__in=message_ids).update(claimed_at=now)
    return message_ids


def reminders_sweep(*, today: date | None = None) -> dict:
    """The periodic sweep: cancel stale reminders, create today's, reclaim dead claims, claim the new ones.
    Returns the message ids to deliver (the task hands each to a worker)."""
    cancelled = reminders_cancel_stale()
    created = reminders_create(today=today)
    while reminders_notify_digest_readers():
        pass
    message_ids = reminders_reclaim() + reminders_claim_all(digest=False)
    return {"cancelled": cancelled, "created": created, "message_ids": message_ids}


@transaction.atomic
def reminders_notify_digest_readers(*, limit: int | None = None) -> int:
    """Digest readers get their e-mail once a day but the in-app notification at once: write it for pending
    digest reminders not yet notified (rows locked, so concurrent sweeps write each once). On PostgreSQL one
    statement marks the rows and writes their notifications (no model instance on the sweep's path)."""
    limit = limit or settings.REMINDER_BATCH_SIZE * 10
    if connection.vendor == "postgresql":
        return _notify_digest_readers_in_sql(limit)
    rows = list(
        Reminder.objects.select_for_update(skip_locked=True)
        .filter(status=ReminderStatus.PENDING, digest=True, notified_at__isnull=True)
        .order_by("id")[:limit]
    )
    Notification.objects.bulk_create(_reminder_notifications(rows))
    Reminder.objects.filter(pk__in=[r.pk for r in rows]).update(notified_at=clock.now())
    return len(rows)


# ``_reminder_notifications`` in SQL, for a batch of digest readers' reminders.
_DIGEST_NOTIFY_SQL = """
WITH batch AS (
    SELECT id FROM {reminder} WHERE status = %(pending)s AND digest AND notified_at IS NULL
    ORDER BY id LIMIT %(limit)s FOR UPDATE SKIP LOCKED
), marked AS (
    UPDATE {reminder} r SET notified_at = %(now)s FROM batch WHERE r.id = batch.id
    RETURNING r.recipient_id, r.escalated, r.params, r.kind, r.due_date, r.url
)
INSERT INTO {notification} (user_id, event, params, url, read_at, email_status, created_at, updated_at)
SELECT recipient_id, CASE WHEN escalated THEN 'reminder.escalated' ELSE 'reminder.due' END,
       params || jsonb_build_object('kind', kind, 'due', due_date::text, 'offset', due_date - %(today)s::date),
       url, NULL, %(no_email)s, %(now)s, %(now)s
FROM marked
"""


def _notify_digest_readers_in_sql(limit: int) -> int:
    sql = _DIGEST_NOTIFY_SQL.format(reminder=Reminder._meta.db_table, notification=Notification._meta.db_table)
    params = {"pending": ReminderStatus.PENDING, "limit": limit, "now": clock.now(), "today": clock.today(),
              "no_email": NotificationEmail.NONE}  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def reminders_claim_all(*, digest: bool) -> list[str]:
    """Claim batch after batch until nothing is pending (immediate readers at each sweep, digest readers daily)."""
    message_ids = []
    while batch := reminders_claim(digest=digest):
        message_ids += batch
    return message_ids


@dataclass(frozen=True)
class SendOutcome:
    sent: int = 0
    retry_in: float | None = None  # seconds, when the send failed and will be retried


def _reminder_notifications(reminders: list[Reminder]) -> list[Notification]:
    """One in-app notification per reminder not yet notified (digest readers' ones went out at the sweep)."""
    today = clock.today()
    return [
        Notification(
            user_id=r.recipient_id,
            event="reminder.escalated" if r.escalated else "reminder.due",
            params={**r.params, "kind": r.kind, "due": r.due_date.isoformat(), "offset": (r.due_date - today).days},
            url=r.url,
        )
        for r in reminders
        if r.notified_at is None
    ]


def _notify(reminders: list[Reminder], rows, now: datetime) -> None:
    Notification.objects.bulk_create(_reminder_notifications(reminders))
    rows.filter(notified_at__isnull=True).update(notified_at=now)


def reminder_message_send(*, message_id: str) -> SendOutcome:
    """Send one claimed e-mail and record the result. The rows stay locked while the e-mail is sent, so no
    other worker sends it at the same time; the in-app notifications are written with the ``sent`` mark, so
    each reminder yields exactly one."""
    with transaction.atomic():
        reminders = list(
            Reminder.objects.select_for_update(skip_locked=True)
            .filter(message_id=message_id, status=ReminderStatus.CLAIMED)
            .select_related("recipient")
            .order_by("id")
        )
        if not reminders:
            return SendOutcome()
        now = clock.now()
        attempts = max(r.attempts for r in reminders) + 1
        rows = Reminder.objects.filter(pk__in=[r.pk for r in reminders])
        try:
            if reminders[0].recipient.email:
                reminder_email(reminders[0].recipient, reminders, message_id).send()
        except Exception as exc:  # the SMTP server's or the network's error, recorded on the rows
            give_up = attempts >= settings.REMINDER_MAX_ATTEMPTS
            rows.update(
                attempts=attempts,
                error=f"{type(exc).__name__}: {exc}"[:2000],
                claimed_at=now,
                status=ReminderStatus.FAILED if give_up else ReminderStatus.CLAIMED,
            )
            if give_up:
                _notify(reminders, rows, now)
                return SendOutcome()
            return SendOutcome(retry_in=settings.REMINDER_RETRY_BASE_SECONDS * 2 ** (attempts - 1))
        rows.update(status=ReminderStatus.SENT, sent_at=now, attempts=attempts, error="")
        _notify(reminders, rows, now)
        return SendOutcome(sent=len(reminders))


# --- webhooks ------------------------------------------------------------------------------------------------------


def webhook_deliveries_record(*, event: str, **payload) -> list[int]:
    """Record one delivery per interested webhook, inside the transaction of the change that emitted ``event``.
    A client's webhook gets only its own client's events, reduced to the client allowlist."""
    webhooks = [hook for hook in Webhook.objects.filter(active=True) if hook.wants(event)]
    if not webhooks:
        return []
    envelope = {"id": str(uuid.uuid4()), "event": event, "occurred_at": clock.now().isoformat()}
    staff_data = json_safe(payload)
    now = clock.now()
    rows = []
    for hook in webhooks:
        if hook.client_id is None:
            data = staff_data
        elif client_may_receive(event, payload, hook.client_id):
            data = client_payload(event, staff_data)
        else:
            continue
        rows.append(
            WebhookDelivery(
                webhook=hook,
                event_id=envelope["id"],
                event=event,
                payload={**envelope, "data": data},
                next_attempt_at=now,
            )
        )
    return [row.pk for row in WebhookDelivery.objects.bulk_create(rows)]


def webhook_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over ``timestamp.body``, hex — what the ``X-CDMO-Signature`` header carries."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


WEBHOOK_TOLERANCE_SECONDS = 300


def webhook_signature_verify(
    *, secret: str, timestamp: str, body: bytes, signature: str, now: datetime | None = None
) -> bool:
    """The receiver's check, as the README documents it: the ``X-CDMO-Signature`` must be the HMAC of this
    timestamp and body, and the ``X-CDMO-Timestamp`` within ``WEBHOOK_TOLERANCE_SECONDS`` of the receiver's
    clock — so a captured request replayed later is refused even though its signature is genuine."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    current = (now or clock.now()).timestamp()
    if abs(current - sent) > WEBHOOK_TOLERANCE_SECONDS:
        return False
    expected = "sha256=" + webhook_signature(secret=secret, timestamp=str(sent), body=body)
    return hmac.compare_digest(expected, signature or "")


def _post(delivery: WebhookDelivery) -> tuple[int | None, str]:
    body = json.dumps(delivery.payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    timestamp = str(int(clock.now().timestamp()))
    signature = webhook_signature(secret=delivery.webhook.secret, timestamp=timestamp, body=body)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "CDMO-Portal-Webhooks/1",
        "X-CDMO-Event": delivery.event,
        "X-CDMO-Delivery": str(delivery.event_id),
        "X-CDMO-Timestamp": timestamp,
        "X-CDMO-Signature": f"sha256={signature}",
    }
    result = targets.post(
        delivery.webhook.url,
        body=body,
        headers=headers,
        timeout=settings.WEBHOOK_TIMEOUT,
        public_only=targets.must_be_public(delivery.webhook),
    )
    return result.status, result.error


def webhook_delivery_attempt(*, delivery_id: int) -> SendOutcome:
    """One attempt at one delivery (a second worker skips a delivery being attempted). On failure the next
    attempt waits ``WEBHOOK_RETRY_BASE_SECONDS × 2^(attempts-1)``, until ``WEBHOOK_MAX_ATTEMPTS``."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("webhook")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING, webhook__active=True)
            .first()
        )
        now = clock.now()
        if delivery is None or (delivery.next_attempt_at and delivery.next_attempt_at > now):
            return SendOutcome()
        code, error = _post(delivery)
        delivery.attempts += 1
        delivery.response_code = code
        delivery.error = error
        if not error and code is not None and 200 <= code < 300:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.SUCCEEDED, now, None
            outcome = SendOutcome(sent=1)
        elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
            outcome = SendOutcome()
        else:
            delay = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (delivery.attempts - 1)
            delivery.next_attempt_at = now + timedelta(seconds=delay)
            outcome = SendOutcome(retry_in=delay)
        delivery.save(
            update_fields=[
                "attempts",
                "response_code",
                "error",
                "status",
                "delivered_at",
                "next_attempt_at",
                "updated_at",
            ]
        )
        return outcome


def webhook_deliveries_due(*, now: datetime | None = None, limit: int = 1000) -> list[int]:
    """Pending deliveries whose time has come — what the sweep re-enqueues (e.g. after the broker was down)."""
    now = now or clock.now()
    due = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now, webhook__active=True)
    return list(due.order_by("id").values_list("pk", flat=True)[:limit])


@transaction.atomic
def webhook_delivery_resend(*, delivery: WebhookDelivery, actor=None) -> WebhookDelivery:
    """Send a delivery again by hand: a new delivery with the same event id and payload (the receiver can tell
    it is the same event), attempted at once."""
    if not delivery.webhook.active:
        raise ApplicationError({"webhook": [_("The webhook is inactive; activate it before re-sending.")]})
    return WebhookDelivery.objects.create(
        webhook=delivery.webhook,
        event_id=delivery.event_id,
        event=delivery.event,
        payload=delivery.payload,
        resent_from=delivery,
        next_attempt_at=clock.now(),
    )


@transaction.atomic
def webhook_create(*, actor, name: str, url: str, events: list[str], active: bool = True, client=None) -> Webhook:
    """A client user's webhook always belongs to their own client; staff may make one for a client, or a staff
    webhook (no client) that hears every event."""
    own_client = access_for(actor).client_id
    client_id = own_client if own_client is not None else getattr(client, "pk", None)
    webhook = Webhook(name=name, url=url, events=events, active=active, client_id=client_id, created_by=actor)
    _check_target(webhook)
    webhook.save()
    return webhook


@transaction.atomic
def webhook_update(*, webhook: Webhook, actor, data: dict, expected_version: int | None = None) -> Webhook:
    allowed = {"name", "url", "events", "active"}
    for field, value in data.items():
        if field in allowed:
            setattr(webhook, field, value)
    _check_target(webhook)
    webhook.save()
    return webhook


def _check_target(webhook: Webhook) -> None:
    """A webhook's address must be https (``targets.check_scheme``); a client's webhook naming, or resolving to,
    a private address is refused when it is saved (``notifications.targets``)."""
    targets.check_scheme(webhook.url)
    if not targets.must_be_public(webhook):
        return
    address = targets.private_address_at_save(webhook.url)
    if address is not None:
        raise ValidationError({"url": [targets.SAVE_MESSAGE % {"address": address}]})


@transaction.atomic
def webhook_rotate_secret(*, webhook: Webhook, actor) -> Webhook:
    from .models import new_webhook_secret

    webhook.secret = new_webhook_secret()
    webhook.save(update_fields=["secret", "updated_at"])
    return webhook


@transaction.atomic
def webhook_delete(*, webhook: Webhook, actor, expected_version: int | None = None) -> None:
    webhook.delete()
