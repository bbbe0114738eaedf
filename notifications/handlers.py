"""Who hears about which business event (SPEC §7): each handler picks the recipients and the parameters of the
sentence; ``notification_send`` writes the rows. Handlers run inside the transaction of the change
(``core.events``, ``in_transaction=True``): the notifications and webhook deliveries commit with it or not at all.
"""

from clients.models import Contact
from core.queue import enqueue_on_commit
from labtests.choices import OrderStatus
from labtests.models import TestOrder, TestReport
from milestones.choices import ClockKind
from milestones.models import Milestone, ReviewClock
from projects.models import Project

from .messages import bilingual
from .services import notification_send, webhook_deliveries_record
from .tasks import webhook_deliver


def _names(obj) -> dict:
    return {"zh": obj.name_zh, "en": obj.name_en}


def _project_manager_ids(project_id: int) -> set[int]:
    manager = Project.objects.filter(pk=project_id).values_list("project_manager_id", flat=True).first()
    return {manager} if manager else set()


def on_milestone(event: str, *, milestone_id: int, actor_id: int | None = None, **payload) -> None:
    milestone = Milestone.objects.select_related("project").filter(pk=milestone_id).first()
    if milestone is None:
        return
    recipients = _project_manager_ids(milestone.project_id)
    if event != "milestone.blocked" and milestone.owner_id:
        recipients.add(milestone.owner_id)
    params = {"milestone": _names(milestone), "project": milestone.project.code, "due": str(milestone.due_date),
              "reason": payload.get("reason", "")}  # fmt: skip
    notification_send(user_ids=recipients - {actor_id}, event=event, params=params,
                      url=f"/projects/{milestone.project_id}/")  # fmt: skip


def on_clock(event: str, *, clock_id: int, actor_id: int | None = None, **payload) -> None:
    clock = ReviewClock.objects.select_related("submission__project").filter(pk=clock_id).first()
    if clock is None:
        return
    project = clock.submission.project
    params = {"clock": bilingual(ClockKind(clock.kind).label), "project": project.code, "on": payload.get("on", "")}
    notification_send(user_ids=_project_manager_ids(project.pk) - {actor_id}, event=event, params=params,
                      url=f"/projects/{project.pk}/")  # fmt: skip


def on_order(event: str, *, order_id: int, actor_id: int | None = None, new: str = "", **payload) -> None:
    order = TestOrder.objects.filter(pk=order_id).first()
    if order is None:
        return
    params = {"order": order.number, "status": bilingual(OrderStatus(new or order.status).label)}
    notification_send(user_ids=_project_manager_ids(order.project_id) - {actor_id}, event=event, params=params,
                      url=f"/lab/orders/{order.pk}/")  # fmt: skip


def on_report(event: str, *, report_id: int, actor_id: int | None = None, **payload) -> None:
    report = TestReport.objects.select_related("order").filter(pk=report_id).first()
    if report is None:
        return
    order = report.order
    params = {"order": order.number, "version": report.version}
    notification_send(user_ids=_project_manager_ids(order.project_id) - {actor_id}, event=event, params=params,
                      url=f"/lab/orders/{order.pk}/")  # fmt: skip
    contacts = set(
        Contact.objects.filter(client_id=order.client_id, user__isnull=False).values_list("user_id", flat=True)
    )
    notification_send(user_ids=set(contacts), event=event, params=params, url="")


def on_any_event(event: str, **payload) -> None:
    """Record the webhook deliveries of every business event; a worker sends them once the change commits."""
    for delivery_id in webhook_deliveries_record(event=event, **payload):
        enqueue_on_commit(webhook_deliver, delivery_id)


HANDLERS = {
    "milestone.completed": on_milestone,
    "milestone.rescheduled": on_milestone,
    "milestone.blocked": on_milestone,
    "review_clock.paused": on_clock,
    "review_clock.restarted": on_clock,
    "review_clock.expired": on_clock,
    "test_order.status_changed": on_order,
    "test_report.issued": on_report,
}
