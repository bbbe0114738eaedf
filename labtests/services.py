"""Every write of the lab: orders through their status machine, receipt with samples, test items (assign,
results, four-eyes verification, retraction into a retest), versioned reports, and what an issued report does
to the milestone the order feeds."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from accounts.roles import user_roles
from clients.models import Client
from core import clock
from core.calendars import CalendarBook
from core.events import emit
from core.exceptions import ConflictError, TransitionNotAllowed
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

from .choices import INACTIVE_ITEM_STATUSES, ItemStatus, OrderStatus, ReportStatus, Verdict
from .models import Sample, TestItem, TestOrder, TestReport, TestService

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
    TestItem.objects.bulk_create([TestItem(order=order, service=service) for service in services])
    emit("test_order.created", order_id=order.pk, client_id=client.pk, actor_id=_actor_id(actor))
    return order


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
    expected_version=None,
) -> TestOrder:
    """Record the samples as they arrive and compute the due date: the latest of the active items' turnarounds,
    each counted from receipt in its own calendar (unless a date was set by hand)."""
    if not samples:
        raise ValidationError({"samples": [_("Record at least one sample.")]})
    identifiers = [s["identifier"] for s in samples]
    if len(set(identifiers)) != len(identifiers):
        raise ValidationError({"samples": [_("Sample identifiers must be unique within the order.")]})
    received_on = received_on or _today()
    due = {} if order.due_date_manual else {"due_date": _due_date_from(order, received_on)}
    order = _move(order, O.SAMPLES_RECEIVED, actor, expected_version=expected_version, received_on=received_on, **due)
    created = [Sample(order=order, received_on=received_on, **values) for values in samples]
    for sample in created:
        sample.full_clean(exclude=["order"])
    created = Sample.objects.bulk_create(created)
    for item in order.items.exclude(status__in=INACTIVE_ITEM_STATUSES):
        item.samples.add(*created)
    return order


def _due_date_from(order: TestOrder, received_on: date) -> date | None:
    """The latest turnaround of the order's active items, each counted from receipt in its own calendar."""
    book = CalendarBook()
    items = order.items.exclude(status__in=INACTIVE_ITEM_STATUSES).select_related("service")
    dates = [book[i.service.turnaround_calendar].add(received_on, i.service.turnaround_days).date for i in items]
    return max(dates) if dates else None


def test_order_start(*, order: TestOrder, actor, expected_version=None) -> TestOrder:
    return _move(order, O.IN_TESTING, actor, expected_version=expected_version)


@transaction.atomic
def test_order_hold(*, order: TestOrder, actor, reason: str = "", expected_version=None) -> TestOrder:
    return _move(order, O.ON_HOLD, actor, reason=reason, expected_version=expected_version, held_from=order.status)


@transaction.atomic
def test_order_resume(*, order: TestOrder, actor, expected_version=None) -> TestOrder:
    """Back to the state it was held in."""
    if order.status != O.ON_HOLD:
        raise TransitionNotAllowed(current=order.status, requested="resume", allowed=ORDER_STATUS.allowed(order.status))
    return _move(order, order.held_from, actor, expected_version=expected_version, held_from="")


@transaction.atomic
def test_order_cancel(*, order: TestOrder, actor, reason: str = "", expected_version=None) -> TestOrder:
    if order.status == O.ON_HOLD and order.held_from not in BEFORE_TESTING:
        raise TransitionNotAllowed(current=order.status, requested=O.CANCELLED, allowed=[O.IN_TESTING])
    order = _move(order, O.CANCELLED, actor, reason=reason, expected_version=expected_version)
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
    return _item_move(item, I.ASSIGNED, actor, expected_version=expected_version, engineer=engineer)


@transaction.atomic
def test_item_submit_result(
    *, item: TestItem, actor, verdict: str, result_summary: str = "", expected_version=None
) -> TestItem:
    """Enter the result; the order moves to ``to_be_verified`` once every active item has one."""
    item = lock_for_write(item, expected_version=expected_version)
    order = TestOrder.objects.select_for_update().get(pk=item.order_id)
    if order.status != O.IN_TESTING:
        raise ConflictError(_("Results are entered while the order is in testing."))
    roles = user_roles(actor)
    if not roles & {Role.ADMIN, Role.LAB_MANAGER} and item.engineer_id != _actor_id(actor):
        raise PermissionDenied(_("Lab engineers enter results on their own items only."))
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": [_("Choose pass, fail or not applicable.")]})
    item = _item_move(item, I.SUBMITTED, actor, verdict=verdict, result_summary=result_summary, result_by=actor)
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


# --- Reports ----------------------------------------------------------------------------------------------------
@transaction.atomic
def test_report_create(*, order: TestOrder, actor, upload, number: str = "") -> TestReport:
    """A draft report (not visible to the client) with its file; one draft per order at a time."""
    if order.reports.filter(status=ReportStatus.DRAFT).exists():
        raise ConflictError(_("This order already has a draft report; issue or replace it first."))
    version = (order.reports.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    attachment = attachment_create(actor=actor, upload=upload, client_id=order.client_id)
    report = TestReport(order=order, number=number or f"R-{order.number}", version=version, attachment=attachment)
    save_audited(report, actor=actor)
    attachment.owner = report
    attachment.save(update_fields=["owner_type", "owner_id"])
    return report


@transaction.atomic
def test_report_issue(*, order: TestOrder, actor, upload=None, number: str = "", expected_version=None) -> TestReport:
    """Issue the order's draft report (or a new one from ``upload``); the order moves to ``report_issued`` and
    the milestone it feeds is completed (all pass / n_a) or blocked (any fail)."""
    order = lock_for_write(order, expected_version=expected_version)
    ORDER_STATUS.check(order.status, O.REPORT_ISSUED)
    report = order.reports.filter(status=ReportStatus.DRAFT).first()
    if report is None:
        if upload is None:
            raise ValidationError({"file": [_("Attach the report file, or create a draft report first.")]})
        report = test_report_create(order=order, actor=actor, upload=upload, number=number)
    report = _publish(report, actor)
    _move(order, O.REPORT_ISSUED, actor)
    _feed_milestone(order, actor)
    return report


@transaction.atomic
def test_report_amend(*, report: TestReport, actor, upload, reason: str) -> TestReport:
    """A new version that supersedes the issued one; the old version stays readable by staff."""
    report = lock_for_write(report)
    if report.status != ReportStatus.ISSUED:
        raise TransitionNotAllowed(current=report.status, requested="amend", allowed=[])
    if not reason.strip():
        raise ValidationError({"reason": [_("Say what the amendment changes.")]})
    amended = test_report_create(order=report.order, actor=actor, upload=upload, number=report.number)
    report.status = ReportStatus.SUPERSEDED
    save_audited(report, actor=actor, reason=f"superseded by v{amended.version}")
    amended.supersedes = report
    amended.amendment_reason = reason
    amended = _publish(amended, actor)
    report.attachment.client_visible = False
    report.attachment.save(update_fields=["client_visible"])
    order = TestOrder.objects.get(pk=report.order_id)
    if order.status == O.VERIFIED:
        _move(order, O.REPORT_ISSUED, actor, reason=f"amended report v{amended.version}")
    elif order.status != O.REPORT_ISSUED:
        raise ConflictError(_("Amend the report once every retest is verified."))
    _feed_milestone(order, actor)
    return amended


def _publish(report: TestReport, actor) -> TestReport:
    report.status = ReportStatus.ISSUED
    report.issued_on = _today()
    report.approved_by = actor if getattr(actor, "is_authenticated", False) else None
    save_audited(report, actor=actor, reason=f"issued v{report.version}")
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
