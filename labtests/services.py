"""Every write of the lab: orders through their status machine, receipt with samples, test items (assign,
results, four-eyes verification, retraction into a retest), versioned reports, and what an issued report does
to the milestone the order feeds."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from accounts.models import User
from accounts.roles import user_roles
from accounts.services import password_confirm
from clients.models import Client
from core import clock
from core.calendars import CalendarBook, DateAnswer, add_working_days, shift, working_days_between
from core.choices import CalendarKind
from core.dates import check_happened
from core.events import emit
from core.exceptions import ConflictError, StaleVersion, TransitionNotAllowed
from core.services import (
    attachment_create,
    lock_for_write,
    record_transition,
    record_update,
    save_audited,
    sequence_next,
)
from core.state_machine import StateMachine
from milestones.choices import MilestoneStatus
from milestones.models import Milestone
from milestones.services import MILESTONE_STATUS, milestone_transition
from projects.models import Project

from .choices import (
    INACTIVE_ITEM_STATUSES,
    OPEN_ORDER_STATUSES,
    Disposition,
    ItemStatus,
    OrderStatus,
    ReportStatus,
    Verdict,
)
from .models import AuthorisedSignatory, Sample, TestItem, TestOrder, TestReport, TestService

O = OrderStatus  # noqa: E741
ORDER_STATUS = StateMachine(
    {
        O.DRAFT: {O.SUBMITTED, O.CANCELLED},
        O.SUBMITTED: {O.ACCEPTED, O.REJECTED, O.CANCELLED},
        O.ACCEPTED: {O.SAMPLES_RECEIVED, O.ON_HOLD, O.REJECTED, O.CANCELLED},
        O.SAMPLES_RECEIVED: {O.IN_TESTING, O.ON_HOLD, O.CANCELLED},
        O.IN_TESTING: {O.TO_BE_VERIFIED, O.ON_HOLD},
        O.TO_BE_VERIFIED: {O.VERIFIED, O.IN_TESTING},
        O.VERIFIED: {O.REPORT_ISSUED, O.IN_TESTING},
        O.REPORT_ISSUED: {O.CLOSED, O.IN_TESTING},
        O.ON_HOLD: {O.ACCEPTED, O.SAMPLES_RECEIVED, O.IN_TESTING, O.CANCELLED},
        O.CLOSED: set(),
        O.REJECTED: set(),
        O.CANCELLED: set(),
    }
)
I = ItemStatus  # noqa: E741
ITEM_STATUS = StateMachine(
    {
        I.REGISTERED: {I.ASSIGNED, I.CANCELLED},
        I.ASSIGNED: {I.ASSIGNED, I.IN_PROGRESS, I.SUBMITTED, I.CANCELLED},
        I.IN_PROGRESS: {I.SUBMITTED, I.ASSIGNED},
        I.SUBMITTED: {I.VERIFIED, I.RETRACTED},
        I.VERIFIED: {I.RETRACTED},
        I.RETRACTED: set(),
        I.CANCELLED: set(),
    }
)
BEFORE_TESTING = {O.DRAFT, O.SUBMITTED, O.ACCEPTED, O.SAMPLES_RECEIVED}


def _today() -> date:
    return clock.today()


def _actor_id(actor) -> int | None:
    return getattr(actor, "pk", None)


def _move(order: TestOrder, to: str, actor, reason: str = "", expected_version=None, **extra) -> TestOrder:
    order, previous = record_transition(
        instance=order, machine=ORDER_STATUS, to=to, actor=actor, reason=reason, expected_version=expected_version,
        extra=extra,
    )  # fmt: skip
    emit(
        "test_order.status_changed",
        order_id=order.pk,
        client_id=order.client_id,
        project_id=order.project_id,
        old=previous,
        new=to,
        actor_id=_actor_id(actor),
    )
    return order


# --- Catalogue and descriptive fields ------------------------------------------------------------------------
def catalogue_update(*, instance, actor, data: dict[str, Any], expected_version=None):
    """Standards and test services (lab managers); audited and versioned like every business record."""
    return record_update(instance=instance, actor=actor, data=data, expected_version=expected_version)


def test_order_update(*, order: TestOrder, actor, data: dict[str, Any], expected_version=None) -> TestOrder:
    allowed = {k: v for k, v in data.items() if k in {"purpose", "priority", "internal_notes"}}
    return record_update(instance=order, actor=actor, data=allowed, expected_version=expected_version)


def sample_update(*, sample: Sample, actor, data: dict[str, Any], expected_version=None) -> Sample:
    return record_update(instance=sample, actor=actor, data=data, expected_version=expected_version)


# --- Orders -----------------------------------------------------------------------------------------------------
@transaction.atomic
def test_order_create(
    *,
    actor: User | None,
    client: Client,
    project: Project,
    services: Iterable[TestService],
    milestone: Milestone | None = None,
    purpose: str = "",
    priority: str = "normal",
    requested_by: User | None = None,
    internal_notes: str = "",
) -> TestOrder:
    services = list(services)
    if not services:
        raise ValidationError({"services": [_("Order at least one test.")]})
    year = clock.today().year
    order = TestOrder(
        number=f"T-{year}-{sequence_next(name=f'test-order-{year}'):05d}",
        client=client,
        project=project,
        milestone=milestone,
        purpose=purpose,
        priority=priority,
        requested_by=requested_by or (actor if getattr(actor, "is_authenticated", False) else None),
        internal_notes=internal_notes,
    )
    save_audited(order, actor=actor)
    items = TestItem.objects.bulk_create([TestItem(order=order, service=service) for service in services])
    _link_catalogue_prerequisites(items)
    emit("test_order.created", order_id=order.pk, client_id=client.pk, actor_id=_actor_id(actor))
    return order


def _link_catalogue_prerequisites(items: list[TestItem]) -> None:
    """Items whose service runs after another ordered service depend on its item (ageing before seal strength)."""
    by_service = {item.service_id: item for item in items}
    rules = TestService.runs_after.through.objects.filter(
        from_testservice_id__in=by_service, to_testservice_id__in=by_service
    ).values_list("from_testservice_id", "to_testservice_id")
    TestItem.depends_on.through.objects.bulk_create(
        [
            TestItem.depends_on.through(from_testitem_id=by_service[after].pk, to_testitem_id=by_service[first].pk)
            for after, first in rules
        ]
    )


def test_order_submit(*, order: TestOrder, actor, expected_version=None) -> TestOrder:
    return _move(order, O.SUBMITTED, actor, expected_version=expected_version)


def test_order_accept(*, order: TestOrder, actor, expected_version=None) -> TestOrder:
    return _move(order, O.ACCEPTED, actor, expected_version=expected_version)


def test_order_reject(*, order: TestOrder, actor, reason: str, expected_version=None) -> TestOrder:
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the order is rejected (e.g. samples unfit).")]})
    return _move(order, O.REJECTED, actor, reason=reason, expected_version=expected_version, rejection_reason=reason)


@transaction.atomic
def test_order_receive(
    *,
    order: TestOrder,
    actor,
    samples: list[dict[str, Any]],
    received_on: date | None = None,
    retention_days: int | None = None,
    expected_version=None,
) -> TestOrder:
    """Record the samples as they arrive, compute the due date (the end of the longest chain of items, each
    counted in its own calendar — unless a date was set by hand) and when the samples are to be returned or
    disposed of (receipt + the retention period: given, or the longest of the ordered services').

    Each sample may name the items it serves (``items``: ids of the order's items); without them it serves
    every item that is not destructive. A destructive item's samples serve no other item except those that run
    before it in its chain (the aged pack is then torn for seal strength)."""
    if not samples:
        raise ValidationError({"samples": [_("Record at least one sample.")]})
    identifiers = [s["identifier"] for s in samples]
    if len(set(identifiers)) != len(identifiers):
        raise ValidationError({"samples": [_("Sample identifiers must be unique within the order.")]})
    check_happened(received_on, field="received_on")
    received_on = received_on or _today()
    items = list(order.items.exclude(status__in=INACTIVE_ITEM_STATUSES).select_related("service"))
    allocation = _allocate_samples(samples, items)
    if retention_days is None:
        retention_days = max((item.service.retention_days for item in items), default=30)
    keep_until = shift(received_on, retention_days)
    due = {} if order.due_date_manual else _due_fields(order, received_on)
    order = _move(
        order, O.SAMPLES_RECEIVED, actor, expected_version=expected_version, received_on=received_on,
        retention_days=retention_days, disposition_due=keep_until, **due,
    )  # fmt: skip
    created = [
        Sample(order=order, received_on=received_on, retention_until=keep_until,
               **{k: v for k, v in values.items() if k != "items"})
        for values in samples
    ]  # fmt: skip
    for sample in created:
        sample.full_clean(exclude=["order"])
    created = Sample.objects.bulk_create(created)
    through = TestItem.samples.through
    through.objects.bulk_create(
        [
            through(testitem_id=item.pk, sample_id=sample.pk)
            for sample, used in zip(created, allocation, strict=True)
            for item in used
        ]
    )
    return order


def _allocate_samples(samples: list[dict[str, Any]], items: list[TestItem]) -> list[list[TestItem]]:
    """The items each sample serves, checked: a named item must be one of the order's, every item gets a sample,
    and a destructive item shares its samples only with the items that run before it."""
    by_id = {item.pk: item for item in items}
    shared = [item for item in items if not item.service.destructive]
    allocation = []
    for values in samples:
        wanted = values.get("items")
        if not wanted:
            allocation.append(shared)
            continue
        ids = [getattr(i, "pk", i) for i in wanted]
        if any(i not in by_id for i in ids):
            raise ValidationError({"samples": [_("A sample names a test item of another order.")]})
        allocation.append([by_id[i] for i in dict.fromkeys(ids)])
    before = _prerequisites(items)
    for used in allocation:
        for item in used:
            if item.service.destructive and any(o is not item and o.pk not in before[item.pk] for o in used):
                raise ValidationError({"samples": [_("“%(test)s” uses up its samples: give it samples of its own.")
                                                   % {"test": item.service.name}]})  # fmt: skip
    missing = [str(item.service.name) for item in items if not any(item in used for used in allocation)]
    if missing:
        raise ValidationError({"samples": [_("Name the samples for %(tests)s: a destructive test gets samples of its "
                                             "own.") % {"tests": ", ".join(missing)}]})  # fmt: skip
    return allocation


def _prerequisites(items: list[TestItem]) -> dict[int, set[int]]:
    """Every item's transitive predecessors (ids), from the order's dependency links (one query)."""
    direct: dict[int, set[int]] = {item.pk: set() for item in items}
    for after, first in TestItem.depends_on.through.objects.filter(from_testitem_id__in=direct).values_list(
        "from_testitem_id", "to_testitem_id"
    ):
        direct[after].add(first)
    closed: dict[int, set[int]] = {}

    def walk(pk: int, seen: frozenset) -> set[int]:
        if pk not in closed:
            found = set()
            for first in direct.get(pk, ()):
                if first not in seen:
                    found |= {first} | walk(first, seen | {first})
            closed[pk] = found
        return closed[pk]

    for pk in direct:
        walk(pk, frozenset({pk}))
    return closed


def _due_fields(order: TestOrder, received_on: date) -> dict:
    """The order's computed due date — the longest chain of its items from receipt, pushed by its working days on
    hold — and whether it is provisional (it leans on a year whose holidays are not published)."""
    book = CalendarBook()
    end = _due_date_from(order, received_on, book)
    if end is None:
        return {"due_date": None, "due_provisional": False}
    if order.hold_days:
        pushed = book[HOLD_CALENDAR].add(end.date, order.hold_days)
        end = DateAnswer(pushed.date, end.provisional or pushed.provisional)
    return {"due_date": end.date, "due_provisional": end.provisional}


def _due_date_from(order: TestOrder, received_on: date, book: CalendarBook) -> DateAnswer | None:
    """The end of the longest chain of the order's active items from receipt: an item starts when the items it
    depends on have ended, and takes its service's turnaround in that service's calendar."""
    items = {i.pk: i for i in order.items.exclude(status__in=INACTIVE_ITEM_STATUSES).select_related("service")}
    direct: dict[int, list[int]] = {pk: [] for pk in items}
    for after, first in TestItem.depends_on.through.objects.filter(from_testitem_id__in=items).values_list(
        "from_testitem_id", "to_testitem_id"
    ):
        if first in items:
            direct[after].append(first)
    ends: dict[int, DateAnswer] = {}

    def end_of(pk: int, path: frozenset) -> DateAnswer:
        if pk not in ends:
            starts = [end_of(first, path | {first}) for first in direct[pk] if first not in path]
            service = items[pk].service
            start = max([received_on, *(s.date for s in starts)])
            end = book[service.turnaround_calendar].add(start, service.turnaround_days)
            ends[pk] = DateAnswer(end.date, end.provisional or any(s.provisional for s in starts))
        return ends[pk]

    chains = [end_of(pk, frozenset({pk})) for pk in items]
    if not chains:
        return None
    last = max(chain.date for chain in chains)
    return DateAnswer(last, any(chain.provisional for chain in chains))


def test_order_start(*, order: TestOrder, actor, expected_version=None) -> TestOrder:
    return _move(order, O.IN_TESTING, actor, expected_version=expected_version)


@transaction.atomic
def test_order_hold(*, order: TestOrder, actor, reason: str = "", expected_version=None) -> TestOrder:
    return _move(order, O.ON_HOLD, actor, reason=reason, expected_version=expected_version, held_from=order.status,
                 held_on=_today())  # fmt: skip


@transaction.atomic
def test_order_resume(*, order: TestOrder, actor, expected_version=None) -> TestOrder:
    """Back to the state it was held in. The working days spent on hold (from the day it was held up to the day
    before today) push the due date by as many working days; the history says so."""
    order = lock_for_write(order, expected_version=expected_version)
    if order.status != O.ON_HOLD:
        raise TransitionNotAllowed(current=order.status, requested="resume", allowed=ORDER_STATUS.allowed(order.status))
    held = _working_days_on_hold(order)
    extra: dict[str, Any] = {"held_from": "", "held_on": None, "hold_days": order.hold_days + held}
    reason = ""
    if held and order.due_date is not None:
        pushed = add_working_days(order.due_date, held, HOLD_CALENDAR)
        extra.update(due_date=pushed.date, due_provisional=order.due_provisional or pushed.provisional)
        reason = f"on hold {held} working days: due {order.due_date.isoformat()} → {extra['due_date'].isoformat()}"
    return _move(order, order.held_from, actor, reason=reason, **extra)


HOLD_CALENDAR = CalendarKind.CN_WORKDAYS  # the lab's own working days


def _working_days_on_hold(order: TestOrder) -> int:
    if order.held_on is None:
        return 0
    today = _today()
    return max(working_days_between(shift(order.held_on, -1), shift(today, -1), HOLD_CALENDAR).days, 0)


@transaction.atomic
def test_order_cancel(*, order: TestOrder, actor, reason: str = "", expected_version=None) -> TestOrder:
    if order.status == O.ON_HOLD and order.held_from not in BEFORE_TESTING:
        raise TransitionNotAllowed(current=order.status, requested=O.CANCELLED, allowed=[O.IN_TESTING])
    order = _move(order, O.CANCELLED, actor, reason=reason, expected_version=expected_version, held_on=None)
    order.items.exclude(status__in=INACTIVE_ITEM_STATUSES).update(status=I.CANCELLED)
    return order


def test_order_close(*, order: TestOrder, actor, expected_version=None) -> TestOrder:
    return _move(order, O.CLOSED, actor, expected_version=expected_version)


# --- Items ------------------------------------------------------------------------------------------------------
def _item_move(item: TestItem, to: str, actor, expected_version=None, reason: str = "", **extra) -> TestItem:
    item, _previous = record_transition(
        instance=item, machine=ITEM_STATUS, to=to, actor=actor, reason=reason, expected_version=expected_version,
        extra=extra,
    )  # fmt: skip
    return item


@transaction.atomic
def test_item_assign(*, item: TestItem, actor, engineer: User, expected_version=None) -> TestItem:
    if not user_roles(engineer) & {Role.LAB, Role.LAB_MANAGER}:
        raise ValidationError({"engineer": [_("Assign a lab engineer or lab manager.")]})
    item = _item_move(item, I.ASSIGNED, actor, expected_version=expected_version, engineer=engineer)
    emit("test_item.assigned", item_id=item.pk, order_id=item.order_id, engineer_id=engineer.pk,
         actor_id=_actor_id(actor))  # fmt: skip
    return item


def _check_own_item(item: TestItem, actor, message: str) -> None:
    if not user_roles(actor) & {Role.ADMIN, Role.LAB_MANAGER} and item.engineer_id != _actor_id(actor):
        raise PermissionDenied(message)


def _check_in_testing(order: TestOrder, message: str) -> None:
    if order.status != O.IN_TESTING:
        raise ConflictError(message)


def _check_prerequisites_done(item: TestItem) -> None:
    waiting = item.depends_on.exclude(status__in=(I.SUBMITTED, I.VERIFIED, *INACTIVE_ITEM_STATUSES))
    names = [str(first.service.name) for first in waiting.select_related("service")]
    if names:
        raise ConflictError(_("This test runs after %(tests)s: enter that result first.") % {"tests": ", ".join(names)})


@transaction.atomic
def test_item_start(*, item: TestItem, actor, expected_version=None) -> TestItem:
    """The engineer starts work on their item (a lab manager may start anyone's) once the order is in testing and
    the items it runs after have a result."""
    item = lock_for_write(item, expected_version=expected_version)
    _check_in_testing(TestOrder.objects.get(pk=item.order_id), _("Items are started while the order is in testing."))
    _check_own_item(item, actor, _("Lab engineers start their own items only."))
    _check_prerequisites_done(item)
    return _item_move(item, I.IN_PROGRESS, actor)


@transaction.atomic
def test_item_submit_result(
    *, item: TestItem, actor, verdict: str, result_summary: str = "", files: Iterable = (), expected_version=None
) -> TestItem:
    """Enter the result with its raw data (PDF, images, Office files, CSV / plain text, checked by content,
    internal); the order moves to ``to_be_verified`` once every active item has one."""
    item = lock_for_write(item, expected_version=expected_version)
    order = TestOrder.objects.select_for_update().get(pk=item.order_id)
    _check_in_testing(order, _("Results are entered while the order is in testing."))
    _check_own_item(item, actor, _("Lab engineers enter results on their own items only."))
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": [_("Choose pass, fail or not applicable.")]})
    _check_prerequisites_done(item)
    item = _item_move(item, I.SUBMITTED, actor, verdict=verdict, result_summary=result_summary, result_by=actor)
    for upload in files:
        attachment_create(actor=actor, upload=upload, owner=item, client_id=order.client_id)
    active = order.items.exclude(status__in=INACTIVE_ITEM_STATUSES)
    if not active.exclude(status__in=(I.SUBMITTED, I.VERIFIED)).exists():
        _move(order, O.TO_BE_VERIFIED, actor)
    return item


@transaction.atomic
def test_item_verify(*, item: TestItem, actor, expected_version=None) -> TestItem:
    """Four eyes: a lab manager other than the engineer who entered the result. The order is ``verified`` once
    every active item is."""
    item = lock_for_write(item, expected_version=expected_version)
    if item.result_by_id is not None and item.result_by_id == _actor_id(actor):
        raise PermissionDenied(_("You entered this result; another lab manager must verify it."))
    item = _item_move(item, I.VERIFIED, actor, verified_by=actor)
    order = TestOrder.objects.select_for_update().get(pk=item.order_id)
    active = order.items.exclude(status__in=INACTIVE_ITEM_STATUSES)
    if order.status == O.TO_BE_VERIFIED and not active.exclude(status=I.VERIFIED).exists():
        _move(order, O.VERIFIED, actor)
    return item


@transaction.atomic
def test_item_retract(*, item: TestItem, actor, reason: str, expected_version=None) -> TestItem:
    """Withdraw a result; a linked retest item takes its place and the order goes back to testing."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the result is retracted.")]})
    item = _item_move(item, I.RETRACTED, actor, expected_version=expected_version, reason=reason)
    retest = TestItem.objects.create(
        order=item.order,
        service=item.service,
        engineer=item.engineer,
        status=I.ASSIGNED if item.engineer_id else I.REGISTERED,
        retest_of=item,
    )
    retest.samples.set(item.samples.all())
    order = TestOrder.objects.select_for_update().get(pk=item.order_id)
    if order.status in (O.TO_BE_VERIFIED, O.VERIFIED, O.REPORT_ISSUED):
        _move(order, O.IN_TESTING, actor, reason=f"retest of {item.service.code}")
    emit("test_item.retracted", item_id=item.pk, retest_id=retest.pk, order_id=order.pk, actor_id=_actor_id(actor))
    return retest


@transaction.atomic
def test_item_set_dependencies(*, item: TestItem, actor, depends_on: Iterable[TestItem], expected_version=None):
    """The items ``item`` runs after (same order, no loop); the due date follows the longest chain once the
    samples are in."""
    item = lock_for_write(item, expected_version=expected_version)
    firsts = list(depends_on)
    if any(first.order_id != item.order_id or first.pk == item.pk for first in firsts):
        raise ValidationError({"depends_on": [_("Choose other tests of the same order.")]})
    if _reaches({first.pk for first in firsts}, item.pk):
        raise ValidationError({"depends_on": [_("These links would make a loop.")]})
    TestItem.depends_on.through.objects.filter(from_testitem_id=item.pk).delete()
    TestItem.depends_on.through.objects.bulk_create(
        [TestItem.depends_on.through(from_testitem_id=item.pk, to_testitem_id=first.pk) for first in firsts]
    )
    item.version += 1
    save_audited(item, actor=actor, reason="runs after: " + (", ".join(str(f.pk) for f in firsts) or "—"))
    order = TestOrder.objects.select_for_update().get(pk=item.order_id)
    if order.received_on and not order.due_date_manual:
        record_update(instance=order, actor=actor, data=_due_fields(order, order.received_on))
    return item


def test_orders_replan_provisional() -> int:
    """Re-plan the computed due dates that were estimates (an unpublished year) of the open orders; returns how
    many moved. Run when a year's holidays are published (``calendar.year_published``)."""
    moved = 0
    for order in TestOrder.objects.filter(due_provisional=True, due_date_manual=False, received_on__isnull=False,
                                          status__in=OPEN_ORDER_STATUSES):  # fmt: skip
        fields = _due_fields(order, order.received_on)
        moved += fields["due_date"] != order.due_date
        record_update(instance=order, actor=None, data=fields)
    return moved


def on_calendar_year_published(event: str, **payload) -> None:
    test_orders_replan_provisional()


def _reaches(starts: set[int], target: int) -> bool:
    """Does following "runs after" links from ``starts`` lead to ``target``? (An order has a handful of items:
    one query per step of the walk.)"""
    seen, frontier = set(), set(starts)
    while frontier:
        if target in frontier:
            return True
        seen |= frontier
        links = TestItem.depends_on.through.objects.filter(from_testitem_id__in=frontier)
        frontier = set(links.values_list("to_testitem_id", flat=True)) - seen
    return False


# --- Samples: what is done with them after testing -----------------------------------------------------------
DISPOSABLE_AFTER = (O.REPORT_ISSUED, O.CLOSED, O.CANCELLED, O.REJECTED)


@transaction.atomic
def sample_return(*, sample: Sample, actor, courier_reference: str, on: date | None = None, expected_version=None):
    """Send the sample back to the client (courier reference required)."""
    if not courier_reference.strip():
        raise ValidationError({"courier_reference": [_("Give the courier's tracking reference.")]})
    return _dispose(sample, actor, Disposition.RETURN, on, expected_version, courier_reference=courier_reference)


@transaction.atomic
def sample_dispose(*, sample: Sample, actor, on: date | None = None, expected_version=None):
    return _dispose(sample, actor, Disposition.DISPOSE, on, expected_version)


def _dispose(sample: Sample, actor, disposition: str, on, expected_version, **extra) -> Sample:
    """Record what was done with the sample; once every sample of the order is accounted for, the order's
    disposition due date (and its reminders) ends."""
    sample = lock_for_write(sample, expected_version=expected_version)
    order = TestOrder.objects.select_for_update().get(pk=sample.order_id)
    if sample.disposed_on is not None:
        raise ConflictError(_("This sample was already returned or disposed of."))
    if order.status not in DISPOSABLE_AFTER:
        raise ConflictError(_("Samples are returned or disposed of once the report is issued."))
    check_happened(on)
    on = on or _today()
    if order.received_on and on < order.received_on:
        raise ValidationError({"on": [_("The date is before the samples were received.")]})
    sample.disposition, sample.disposed_on, sample.disposed_by = disposition, on, actor
    for field, value in extra.items():
        setattr(sample, field, value)
    sample.version += 1
    save_audited(sample, actor=actor, reason=f"disposition: {disposition}")
    if not order.samples.filter(disposed_on__isnull=True).exists():
        order.disposition_due = None
        order.version += 1
        save_audited(order, actor=actor, reason="every sample returned or disposed of")
    return sample


# --- Reports: prepared, reviewed, approved by an authorised signatory (CMA) ---------------------------------------
REPORT_FILE_TYPES = ("application/pdf",)
PREPARERS = frozenset({Role.ADMIN, Role.LAB, Role.LAB_MANAGER})
REVIEWERS = frozenset({Role.ADMIN, Role.LAB_MANAGER})
SIGNATURE_MEANING = gettext_lazy(
    "By approving I sign this report as its authorised signatory: I have checked that its results are those "
    "recorded and verified, and that every item is within my authorisation."
)


def _check_role(actor, roles, message: str) -> None:
    if actor is not None and not user_roles(actor) & roles:
        raise PermissionDenied(message)


@transaction.atomic
def test_report_create(
    *, order: TestOrder, actor, upload, number: str = "", supersedes: TestReport | None = None, reason: str = ""
) -> TestReport:
    """A draft report (not visible to the client) with its PDF, prepared by ``actor``; one draft per order at a
    time. An amendment is a draft that names the issued version it will supersede."""
    _check_role(actor, PREPARERS, _("Reports are prepared by lab engineers and lab managers."))
    if order.status in (O.CLOSED, O.CANCELLED, O.REJECTED):
        raise ConflictError(_("This order is finished; no report can be prepared."))
    if order.reports.filter(status=ReportStatus.DRAFT).exists():
        raise ConflictError(_("This order already has a draft report; issue or replace it first."))
    version = (order.reports.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    attachment = attachment_create(actor=actor, upload=upload, client_id=order.client_id, accept=REPORT_FILE_TYPES)
    report = TestReport(
        order=order, number=number or f"R-{order.number}", version=version, attachment=attachment,
        supersedes=supersedes, amendment_reason=reason, prepared_by=_user(actor),
        prepared_at=clock.now() if _user(actor) else None,
    )  # fmt: skip
    save_audited(report, actor=actor, reason=f"prepared v{version}")
    attachment.owner = report
    attachment.save(update_fields=["owner_type", "owner_id"])
    emit("test_report.prepared", report_id=report.pk, order_id=order.pk, version=version, actor_id=_actor_id(actor))
    return report


@transaction.atomic
def test_report_amend(*, report: TestReport, actor, upload, reason: str) -> TestReport:
    """A draft of the next version that will supersede the issued one once approved; the old version stays
    readable by staff."""
    report = lock_for_write(report)
    if report.status != ReportStatus.ISSUED:
        raise TransitionNotAllowed(current=report.status, requested="amend", allowed=[])
    if not reason.strip():
        raise ValidationError({"reason": [_("Say what the amendment changes.")]})
    return test_report_create(order=report.order, actor=actor, upload=upload, number=report.number,
                              supersedes=report, reason=reason)  # fmt: skip


@transaction.atomic
def test_report_review(*, report: TestReport, actor) -> TestReport:
    """A lab manager other than the preparer reviews the draft (second signature). (A report's ``version`` is its
    edition, not a write counter: repeated clicks are refused by the report's state instead.)"""
    report = lock_for_write(report)
    if report.status != ReportStatus.DRAFT:
        raise TransitionNotAllowed(current=report.status, requested="review", allowed=[])
    if report.reviewed_by_id is not None:
        raise ConflictError(_("This report is already reviewed."))
    _check_role(actor, REVIEWERS, _("Reports are reviewed by a lab manager."))
    if report.prepared_by_id is not None and report.prepared_by_id == _actor_id(actor):
        raise PermissionDenied(_("You prepared this report; another lab manager must review it."))
    report.reviewed_by, report.reviewed_at = _user(actor), clock.now()
    save_audited(report, actor=actor, reason=f"reviewed v{report.version}")
    emit("test_report.reviewed", report_id=report.pk, order_id=report.order_id, version=report.version,
         actor_id=_actor_id(actor))  # fmt: skip
    return report


def test_report_approve(*, report: TestReport, actor, password: str, request=None, order_version=None) -> TestReport:
    """The third signature, by an authorised signatory whose scope covers every item on the report, after
    entering their password again; issues the report: the client sees it, a superseded version is withdrawn,
    the order moves to ``report_issued`` and the milestone it feeds is completed (all pass / n_a) or blocked.

    The password is checked as a log-in checks it (``accounts.services.password_confirm``, with ``request``): a
    wrong one counts toward the log-in lock-out and is recorded in the report's history — outside the approval's
    transaction, so the record stays although the approval is refused."""
    _check_approvable(TestReport.objects.get(pk=report.pk), actor)
    try:
        password_confirm(user=actor, password=password, request=request)
    except ValidationError:
        _record_failed_signature(report, actor)
        raise
    return _approve(report=report, actor=actor, order_version=order_version)


def _check_approvable(report: TestReport, actor) -> None:
    if report.status != ReportStatus.DRAFT:
        raise TransitionNotAllowed(current=report.status, requested="approve", allowed=[])
    if report.reviewed_by_id is None:
        raise ConflictError(_("The report must be reviewed before it is approved."))
    if actor is None or _actor_id(actor) in (report.prepared_by_id, report.reviewed_by_id):
        raise PermissionDenied(_("Preparer, reviewer and approver must be three different people."))


@transaction.atomic
def _record_failed_signature(report: TestReport, actor) -> None:
    locked = lock_for_write(report)
    locked._history_user = actor
    locked._change_reason = "failed signature: wrong password or locked out"
    locked.save(update_fields=["updated_at"])


@transaction.atomic
def _approve(*, report: TestReport, actor, order_version: int | None) -> TestReport:
    report = lock_for_write(report)
    order = lock_for_write(TestOrder(pk=report.order_id), expected_version=order_version)
    _check_approvable(report, actor)  # again, under the lock: another signatory may have been faster
    uncovered = signatory_uncovered(user=actor, order=order, on=_today())
    if uncovered:
        tests = ", ".join(uncovered)
        raise PermissionDenied(_("You are not an authorised signatory for: %(tests)s.") % {"tests": tests})
    if order.status != O.VERIFIED and not (report.supersedes_id and order.status == O.REPORT_ISSUED):
        raise ConflictError(_("A report is approved once every item is verified."))
    report.approved_at = clock.now()
    report = _publish(report, actor)
    if report.supersedes_id:
        _withdraw(report.supersedes, actor, report.version)
    if order.status == O.VERIFIED:
        reason = f"amended report v{report.version}" if report.supersedes_id else ""
        _move(order, O.REPORT_ISSUED, actor, reason=reason)
    _feed_milestone(order, actor)
    return report


def test_report_issue(*, order: TestOrder, actor, password: str, expected_version=None, request=None) -> TestReport:
    """Approve the order's reviewed draft (the API's ``issue-report``); a stale ``expected_version`` of the order
    is refused before the password is checked."""
    report = order.reports.filter(status=ReportStatus.DRAFT).first()
    if report is None:
        raise ConflictError(_("Prepare and review a draft report first."))
    current = TestOrder.objects.filter(pk=order.pk).values_list("version", flat=True).first()
    if expected_version is not None and current != expected_version:
        raise StaleVersion(current_version=current, expected_version=expected_version)
    return test_report_approve(report=report, actor=actor, password=password, request=request,
                               order_version=expected_version)  # fmt: skip


def signatory_uncovered(*, user, order: TestOrder, on: date) -> list[str]:
    """The names of the order's active items that ``user``'s valid signatory scopes do not cover."""
    scopes = AuthorisedSignatory.objects.filter(user_id=_actor_id(user), valid_from__lte=on).exclude(valid_until__lt=on)
    sections = {s.lab_section for s in scopes if s.lab_section}
    services = {s.service_id for s in scopes if s.service_id}
    items = order.items.exclude(status__in=INACTIVE_ITEM_STATUSES).select_related("service")
    return sorted({str(i.service.name) for i in items if i.service.lab_section not in sections
                   and i.service_id not in services})  # fmt: skip


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _withdraw(report: TestReport, actor, by_version: int) -> None:
    report = lock_for_write(report)
    report.status = ReportStatus.SUPERSEDED
    save_audited(report, actor=actor, reason=f"superseded by v{by_version}")
    report.attachment.client_visible = False
    report.attachment.save(update_fields=["client_visible"])


def _publish(report: TestReport, actor) -> TestReport:
    report.status = ReportStatus.ISSUED
    report.issued_on = _today()
    report.approved_by = _user(actor)
    save_audited(report, actor=actor, reason=f"approved and issued v{report.version}")
    report.attachment.client_visible = True
    report.attachment.save(update_fields=["client_visible"])
    emit("test_report.issued", report_id=report.pk, order_id=report.order_id, client_id=report.order.client_id,
         version=report.version, actor_id=_actor_id(actor))  # fmt: skip
    return report


def _feed_milestone(order: TestOrder, actor) -> None:
    milestone = order.milestone
    if milestone is None:
        return
    verdicts = set(order.items.exclude(status__in=INACTIVE_ITEM_STATUSES).values_list("verdict", flat=True))
    failed = Verdict.FAIL in verdicts
    target = MilestoneStatus.BLOCKED if failed else MilestoneStatus.DONE
    if milestone.status != target and MILESTONE_STATUS.can(milestone.status, target):
        milestone_transition(milestone=milestone, actor=actor, to=target, reason=f"test report of {order.number}")
    if failed:
        emit("test_order.failed", order_id=order.pk, milestone_id=milestone.pk, project_id=order.project_id)
