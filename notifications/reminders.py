"""The registry of reminder kinds: what a ``ReminderRule`` can watch.

Each kind knows, in one query, which of its items fall due in a date window (``due_items``) and which items are
still open with a given date (``open_items``, used to cancel reminders of moved or finished items). The sweep
(``notifications.services.reminders_sweep``) only talks to this interface, so a new kind — certificate expiry,
when certificates exist — is one ``register(...)`` call and no change to the sweep.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from labtests.choices import OrderStatus
from labtests.models import TestOrder
from milestones.choices import (
    AUTHORITY_CLOCK_KINDS,
    OPEN_MILESTONE_STATUSES,
    ClockKind,
    ClockState,
    MilestoneStatus,
    Responsible,
)
from milestones.models import Milestone, ReviewClock
from projects.choices import ProjectStatus

from .messages import bilingual

CLIENT_LINK = "/portal/requests/"  # where client users' reminders point: their requests, never a staff page


@dataclass(frozen=True)
class DueItem:
    """One watched item as the sweep sees it (no model instance: rows come from one ``values()`` query)."""

    target_id: int
    due_date: date
    client_id: int
    project_manager_id: int | None
    owner_id: int | None
    client_task: bool  # the client's to do and visible to them: client contacts may be reminded
    params: dict = field(default_factory=dict)
    url: str = ""


@dataclass(frozen=True)
class ReminderKind:
    code: str
    label: object
    open_items: Callable[[], QuerySet]  # open items; ``due`` is their date, ``pk`` their id
    describe: Callable[[dict], DueItem]  # one row of ``open_items().values(*fields)`` → DueItem
    fields: tuple[str, ...]
    escalate_to: str  # the role group SPEC §5 escalates to, beside the project's PM

    def due_items(self, start: date, end: date) -> list[DueItem]:
        rows = self.open_items().filter(due__range=(start, end)).values(*self.fields)
        return [self.describe(row) for row in rows]

    def due_item_chunks(self, start: date, end: date, size: int = 10_000) -> Iterator[list[DueItem]]:
        """``due_items`` a few thousand at a time (one query, read through a server-side cursor), so a sweep
        over a million milestones holds one chunk's reminders in memory, not all of them."""
        rows = self.open_items().filter(due__range=(start, end)).values(*self.fields).iterator(chunk_size=size)
        chunk: list[DueItem] = []
        for row in rows:
            chunk.append(self.describe(row))
            if len(chunk) == size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


REMINDER_KINDS: dict[str, ReminderKind] = {}


def register(kind: ReminderKind) -> ReminderKind:
    REMINDER_KINDS[kind.code] = kind
    return kind


def kind_choices() -> list[tuple[str, str]]:
    return [(code, kind.label) for code, kind in REMINDER_KINDS.items()]


def _chase(authority: bool) -> dict:
    """The authority's own items past their date are worded “authority overdue: chase”, not as our lateness."""
    return {"chase": True} if authority else {}


def _names(row: dict) -> dict:
    return {"zh": row["name_zh"] or row["name_en"], "en": row["name_en"] or row["name_zh"]}


# --- milestones --------------------------------------------------------------------------------------------------


def _open_milestones() -> QuerySet:
    return Milestone.objects.filter(
        status__in=OPEN_MILESTONE_STATUSES, due_date__isnull=False, project__status=ProjectStatus.ACTIVE
    ).annotate(due=F("due_date"))


def _describe_milestone(row: dict) -> DueItem:
    return DueItem(
        target_id=row["id"],
        due_date=row["due"],
        client_id=row["project__client_id"],
        project_manager_id=row["project__project_manager_id"],
        owner_id=row["owner_id"],
        # the client's to do while it is theirs: once answered, it waits for the PM (who is reminded instead)
        client_task=row["responsible"] == Responsible.CLIENT
        and row["client_visible"]
        and row["status"] != MilestoneStatus.AWAITING_ACCEPTANCE,
        params={
            "item": _names(row),
            "project": row["project__code"],
            **_chase(row["responsible"] == Responsible.AUTHORITY),
        },
        url=f"/projects/{row['project_id']}/",
    )


_MILESTONE_FIELDS = (
    "id",
    "due",
    "status",
    "project_id",
    "project__code",
    "project__client_id",
    "project__project_manager_id",
    "owner_id",
    "responsible",
    "client_visible",
    "name_zh",
    "name_en",
)

register(
    ReminderKind(
        code="milestone_due",
        label=_("Milestone due dates"),
        open_items=_open_milestones,
        describe=_describe_milestone,
        fields=_MILESTONE_FIELDS,
        escalate_to=Role.ADMIN,
    )
)


# --- test orders -------------------------------------------------------------------------------------------------

OPEN_ORDER_STATUSES = (
    OrderStatus.SUBMITTED,
    OrderStatus.ACCEPTED,
    OrderStatus.SAMPLES_RECEIVED,
    OrderStatus.IN_TESTING,
    OrderStatus.TO_BE_VERIFIED,
    OrderStatus.VERIFIED,
)


def _open_orders() -> QuerySet:
    return TestOrder.objects.filter(status__in=OPEN_ORDER_STATUSES, due_date__isnull=False).annotate(due=F("due_date"))


def _describe_order_row(*, owner: str | None, anchor: str = "") -> Callable[[dict], DueItem]:
    """A test order's row as the sweep sees it (its due date or its samples' disposition date): reminded to the
    requester (``owner``: the row's field, or nobody) and the lab; never a client task."""

    def describe(row: dict) -> DueItem:
        return DueItem(
            target_id=row["id"],
            due_date=row["due"],
            client_id=row["client_id"],
            project_manager_id=row["project__project_manager_id"],
            owner_id=row[owner] if owner else None,
            client_task=False,
            params={"item": row["number"], "project": row["project__code"]},
            url=f"/lab/orders/{row['id']}/{anchor}",
        )

    return describe


_ORDER_FIELDS = ("id", "due", "number", "client_id", "project__code", "project__project_manager_id")

register(
    ReminderKind(
        code="test_order_due",
        label=_("Test order due dates"),
        open_items=_open_orders,
        describe=_describe_order_row(owner="requested_by_id"),
        fields=(*_ORDER_FIELDS, "requested_by_id"),
        escalate_to=Role.LAB_MANAGER,
    )
)


# --- samples to return or dispose of --------------------------------------------------------------------------


def _orders_with_samples_kept() -> QuerySet:
    """Orders whose samples are still kept: the date ends when the last one is returned or disposed of."""
    return TestOrder.objects.filter(disposition_due__isnull=False).annotate(due=F("disposition_due"))


register(
    ReminderKind(
        code="sample_disposition_due",
        label=_("Samples to return or dispose of"),
        open_items=_orders_with_samples_kept,
        describe=_describe_order_row(owner=None, anchor="#samples"),
        fields=_ORDER_FIELDS,
        escalate_to=Role.LAB_MANAGER,
    )
)


# --- review clocks -----------------------------------------------------------------------------------------------


def _running_clocks(*kinds: str, while_expired: bool = False) -> Callable[[], QuerySet]:
    """Running clocks of ``kinds``; ``while_expired`` keeps an expired one (the authority's, to chase until it
    decides) in the overdue reminders."""
    states = [ClockState.RUNNING, ClockState.EXPIRED] if while_expired else [ClockState.RUNNING]

    def open_items() -> QuerySet:
        return ReviewClock.objects.filter(kind__in=kinds, state__in=states, due_on__isnull=False).annotate(
            due=F("due_on")
        )

    return open_items


def _describe_clock(client_task: bool) -> Callable[[dict], DueItem]:
    def describe(row: dict) -> DueItem:
        return DueItem(
            target_id=row["id"],
            due_date=row["due"],
            client_id=row["submission__project__client_id"],
            project_manager_id=row["submission__project__project_manager_id"],
            owner_id=None,
            client_task=client_task,
            params={
                "item": bilingual(ClockKind(row["kind"]).label),
                "project": row["submission__project__code"],
                **_chase(row["kind"] in AUTHORITY_CLOCK_KINDS),
            },
            url=f"/projects/{row['submission__project_id']}/",
        )

    return describe


_CLOCK_FIELDS = (
    "id",
    "due",
    "kind",
    "submission__project_id",
    "submission__project__code",
    "submission__project__client_id",
    "submission__project__project_manager_id",
)

register(
    ReminderKind(
        code="review_clock_due",
        label=_("Review clocks running out"),
        open_items=_running_clocks(*AUTHORITY_CLOCK_KINDS, while_expired=True),
        describe=_describe_clock(client_task=False),
        fields=_CLOCK_FIELDS,
        escalate_to=Role.ADMIN,
    )
)

register(
    ReminderKind(
        code="applicant_response_due",
        label=_("Applicant-response windows expiring"),
        open_items=_running_clocks(ClockKind.APPLICANT_RESPONSE),
        describe=_describe_clock(client_task=True),
        fields=_CLOCK_FIELDS,
        escalate_to=Role.ADMIN,
    )
)
