"""Which business events webhooks may subscribe to, and what a client's webhook may see of each.

Staff webhooks receive the event's whole payload. A client's webhook receives only events of its own client,
only the events listed in ``CLIENT_EVENT_FIELDS``, and of those only the listed fields — an allowlist, like the
client serializers, so internal fields (notes, prices, actors, reasons) never leave.
"""

from datetime import date, datetime
from decimal import Decimal

from clients.access import reader_for_client
from conversations.selectors import attachment_list, comment_list
from labtests.selectors import test_order_list, test_report_list
from milestones.selectors import milestone_list
from projects.selectors import project_list

WEBHOOK_EVENTS = (
    "client.created",
    "client.updated",
    "client.status_changed",
    "device.created",
    "project.created",
    "project.status_changed",
    "pathway.applied",
    "milestone.completed",
    "milestone.rescheduled",
    "milestone.blocked",
    "milestone.started",
    "milestone.answered",
    "milestone.sent_back",
    "submission.status_changed",
    "submission.flagged",
    "review_clock.started",
    "review_clock.paused",
    "review_clock.resumed",
    "review_clock.restarted",
    "review_clock.stopped",
    "review_clock.expired",
    "test_order.created",
    "test_order.status_changed",
    "test_order.failed",
    "test_item.retracted",
    "test_report.issued",
    "comment.created",
    "attachment.created",
)

# No "test_order.created": a new order is a draft the client cannot see; they hear of it when it is submitted.
CLIENT_EVENT_FIELDS = {
    "project.created": ("project_id", "client_id"),
    "project.status_changed": ("project_id", "client_id", "old", "new"),
    "pathway.applied": ("project_id", "client_id", "submission_id", "pathway"),
    "milestone.completed": ("milestone_id", "project_id", "client_id", "completed_on"),
    "milestone.rescheduled": ("milestone_id", "project_id", "client_id"),
    "milestone.started": ("milestone_id", "project_id", "client_id"),
    "milestone.answered": ("milestone_id", "project_id", "client_id"),
    "milestone.sent_back": ("milestone_id", "project_id", "client_id"),
    "test_order.status_changed": ("order_id", "project_id", "client_id", "old", "new"),
    "test_report.issued": ("report_id", "order_id", "client_id", "version"),
    "comment.created": ("comment_id", "parent_id", "owner_type", "owner_id", "project_id", "client_id", "by_client",
                        "attachment_ids"),
    "attachment.created": ("attachment_id", "comment_id", "owner_type", "owner_id", "project_id", "client_id",
                           "by_client"),
}  # fmt: skip


# The first part of an event's name → the selector of the record it is about and the payload key of its id.
_RECORD_OF_EVENT = {
    "project": (project_list, "project_id"), "pathway": (project_list, "project_id"),
    "milestone": (milestone_list, "milestone_id"), "test_order": (test_order_list, "order_id"),
    "test_report": (test_report_list, "report_id"), "comment": (comment_list, "comment_id"),
    "attachment": (attachment_list, "attachment_id"),
}  # fmt: skip


def json_safe(value):
    """The emitted payload as JSON values (dates as ISO strings, decimals as strings)."""
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [json_safe(item) for item in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def client_may_receive(event: str, payload: dict, client_id: int) -> bool:
    """A client's webhook hears an event of its own client only while the record the event is about is one that
    client's users may read (the record's own selector: no draft, no internal milestone, no internal comment)."""
    if event not in CLIENT_EVENT_FIELDS or payload.get("client_id") != client_id:
        return False
    selector, key = _RECORD_OF_EVENT[event.split(".")[0]]
    return selector(user=reader_for_client(client_id)).filter(pk=payload.get(key)).exists()


def client_payload(event: str, data: dict) -> dict:
    return {key: data[key] for key in CLIENT_EVENT_FIELDS[event] if key in data}
