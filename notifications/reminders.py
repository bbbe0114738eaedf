"""The registry of reminder kinds: what a ``ReminderRule`` can watch.

Each kind declares two queries: its open items (``open_items``: ``due`` is their date, ``pk`` their id — used to
cancel reminders of moved or finished items) and how one of them reads as a reminder's subject (``columns``: SQL
expressions for its client, project manager, owner, whether it is the client's to do, the message's parameters
and the link). The sweep (``notifications.services.reminders_create``) embeds ``selection()`` — one SQL query —
in a single ``INSERT … SELECT`` per rule, so a new kind — certificate expiry, when certificates exist — is one
``register(...)`` call and no change to the sweep.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    CharField,
    Expression,
    ExpressionWrapper,
    F,
    Func,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, JSONObject, NullIf
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from labtests.choices import OPEN_ORDER_STATUSES as LAB_OPEN_ORDER_STATUSES
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

# The columns every kind's ``selection()`` returns beside ``due``, named apart from any model field.
ITEM_COLUMNS = ("item_id", "item_client", "item_manager", "item_owner", "item_client_task", "item_params", "item_url")


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

    @classmethod
    def from_row(cls, row: dict) -> "DueItem":
        return cls(
            target_id=row["item_id"], due_date=row["due"], client_id=row["item_client"],
            project_manager_id=row["item_manager"], owner_id=row["item_owner"],
            client_task=bool(row["item_client_task"]), params=row["item_params"], url=row["item_url"],
        )  # fmt: skip


@dataclass(frozen=True)
class ReminderKind:
    code: str
    label: object
    open_items: Callable[[], QuerySet]  # open items; ``due`` is their date, ``pk`` their id
    columns: Callable[[], dict[str, Expression]]  # ITEM_COLUMNS but ``item_id``, as expressions on ``open_items``
    escalate_to: str  # the role group SPEC §5 escalates to, beside the project's PM

    def selection(self, start: date, end: date) -> QuerySet:
        """The items falling due in ``[start, end]`` as rows of ``due`` and ``ITEM_COLUMNS``: one query, which
        the sweep runs inside its ``INSERT … SELECT`` (PostgreSQL) or reads (elsewhere)."""
        return (
            self.open_items()
            .filter(due__range=(start, end))
            .values("due", item_id=F("pk"), **self.columns())
            .order_by()
        )

    def due_items(self, start: date, end: date) -> list[DueItem]:
        return [DueItem.from_row(row) for row in self.selection(start, end)]

    def due_item_chunks(self, start: date, end: date, size: int = 10_000) -> Iterator[list[DueItem]]:
        """``due_items`` a few thousand at a time (one query, read through a server-side cursor)."""
        chunk: list[DueItem] = []
        for row in self.selection(start, end).iterator(chunk_size=size):
            chunk.append(DueItem.from_row(row))
            if len(chunk) == size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


class JSONTrue(Func):
    """JSON ``true`` inside a ``JSONObject`` (a boolean parameter would be 1 on SQLite)."""

    template = "true"
    output_field = BooleanField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return "json('true')", []


def _link(*parts) -> Concat:
    return Concat(*[Value(p) if isinstance(p, str) else p for p in parts], output_field=CharField())


def _when(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


REMINDER_KINDS: dict[str, ReminderKind] = {}


def register(kind: ReminderKind) -> ReminderKind:
    REMINDER_KINDS[kind.code] = kind
    return kind


def kind_choices() -> list[tuple[str, str]]:
    return [(code, kind.label) for code, kind in REMINDER_KINDS.items()]


# --- milestones --------------------------------------------------------------------------------------------------


def _open_milestones() -> QuerySet:
    return Milestone.objects.filter(
        status__in=OPEN_MILESTONE_STATUSES, due_date__isnull=False, project__status=ProjectStatus.ACTIVE
    ).annotate(due=F("due_date"))


def _names() -> JSONObject:
    return JSONObject(
        zh=Coalesce(NullIf(F("name_zh"), Value("")), F("name_en")),
        en=Coalesce(NullIf(F("name_en"), Value("")), F("name_zh")),
    )


def _milestone_columns() -> dict:
    def params(**chase) -> JSONObject:
        return JSONObject(item=_names(), project=F("project__code"), **chase)

    return {
        "item_client": F("project__client_id"),
        "item_manager": F("project__project_manager_id"),
        "item_owner": F("owner_id"),
        # the client's to do while it is theirs: once answered, it waits for the PM (who is reminded instead)
        "item_client_task": _when(
            Q(responsible=Responsible.CLIENT, client_visible=True) & ~Q(status=MilestoneStatus.AWAITING_ACCEPTANCE)
        ),
        # the authority's own items past their date are worded “authority overdue: chase”, not as our lateness
        "item_params": Case(When(responsible=Responsible.AUTHORITY, then=params(chase=JSONTrue())), default=params()),
        "item_url": _link("/projects/", F("project_id"), "/"),
    }


register(
    ReminderKind(
        code="milestone_due",
        label=_("Milestone due dates"),
        open_items=_open_milestones,
        columns=_milestone_columns,
        escalate_to=Role.ADMIN,
    )
)


# --- test orders -------------------------------------------------------------------------------------------------

# The lab's open orders whose due date runs: a held order's date waits (it moves by the days held on resume).
OPEN_ORDER_STATUSES = tuple(status for status in LAB_OPEN_ORDER_STATUSES if status != OrderStatus.ON_HOLD)


def _open_orders() -> QuerySet:
    return TestOrder.objects.filter(status__in=OPEN_ORDER_STATUSES, due_date__isnull=False).annotate(due=F("due_date"))


def _order_columns(*, owner: str | None, anchor: str = "") -> Callable[[], dict]:
    """A test order as the sweep sees it (its due date or its samples' disposition date): reminded to the
    requester (``owner``: the field, or nobody) and the lab; never a client task."""

    def columns() -> dict:
        return {
            "item_client": F("client_id"),
            "item_manager": F("project__project_manager_id"),
            "item_owner": F(owner) if owner else Value(None, output_field=BigIntegerField()),
            "item_client_task": Value(False),
            "item_params": JSONObject(item=F("number"), project=F("project__code")),
            "item_url": _link("/lab/orders/", F("pk"), f"/{anchor}"),
        }

    return columns


register(
    ReminderKind(
        code="test_order_due",
        label=_("Test order due dates"),
        open_items=_open_orders,
        columns=_order_columns(owner="requested_by_id"),
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
        columns=_order_columns(owner=None, anchor="#samples"),
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


def _clock_columns(client_task: bool) -> Callable[[], dict]:
    def columns() -> dict:
        # the clock's kind in both languages, as the messages store it (translated when the sweep runs)
        label = Case(
            *[When(kind=kind, then=JSONObject(**{lang: Value(text) for lang, text in bilingual(kind.label).items()}))
              for kind in ClockKind],
        )  # fmt: skip
        authority = {"chase": JSONTrue()} if not client_task else {}  # the authority's clocks: chase when late
        return {
            "item_client": F("submission__project__client_id"),
            "item_manager": F("submission__project__project_manager_id"),
            "item_owner": Value(None, output_field=BigIntegerField()),
            "item_client_task": Value(client_task),
            "item_params": JSONObject(item=label, project=F("submission__project__code"), **authority),
            "item_url": _link("/projects/", F("submission__project_id"), "/"),
        }

    return columns


register(
    ReminderKind(
        code="review_clock_due",
        label=_("Review clocks running out"),
        open_items=_running_clocks(*AUTHORITY_CLOCK_KINDS, while_expired=True),
        columns=_clock_columns(client_task=False),
        escalate_to=Role.ADMIN,
    )
)

register(
    ReminderKind(
        code="applicant_response_due",
        label=_("Applicant-response windows expiring"),
        open_items=_running_clocks(ClockKind.APPLICANT_RESPONSE),
        columns=_clock_columns(client_task=True),
        escalate_to=Role.ADMIN,
    )
)
