"""Test orders' lean read path (``core.api.rows``): one page as values in one query, written as exactly what
``TestOrderOutputSerializer`` / ``TestOrderPublicSerializer`` write (``tests/test_lean_lists.py`` compares)."""

from django.db.models import QuerySet

from core.api.rows import (
    CLIENT_COLUMNS,
    PROJECT_COLUMNS,
    Page,
    client_from,
    date_json,
    page_of,
    page_values,
    project_from,
    timestamps,
    user_columns,
    user_from,
)
from labtests.models import TestOrder
from labtests.services import ORDER_STATUS

COLUMNS = (
    "id", "number", *CLIENT_COLUMNS, *PROJECT_COLUMNS, "purpose", "priority", "status", "received_on", "due_date",
    "due_provisional", "created_at", "updated_at", "version",
)  # fmt: skip
STAFF_COLUMNS = (
    "milestone_id", *user_columns("requested_by"), "held_from", "held_on", "hold_days", "due_date_manual",
    "retention_days", "disposition_due", "rejection_reason", "internal_notes",
)  # fmt: skip


def test_order_rows(ids: QuerySet, queryset: QuerySet, *, public: bool) -> Page:
    """The JSON of the test orders whose ids are ``ids`` (a page subquery), in ``queryset``'s order, and the
    count of ``queryset``."""
    values = page_values(TestOrder, ids, queryset, COLUMNS if public else (*COLUMNS, *STAFF_COLUMNS))
    return page_of(values, lambda row: _order(row, public=public))


def _order(row: dict, *, public: bool) -> dict:
    data = {
        "id": row["id"],
        "number": row["number"],
        "client": client_from(row),
        "project": project_from(row),
        "purpose": row["purpose"],
        "priority": row["priority"],
        "status": row["status"],
        "received_on": date_json(row["received_on"]),
        "due_date": date_json(row["due_date"]),
        "due_provisional": row["due_provisional"],
        **timestamps(row),
    }  # fmt: skip
    if not public:
        data.update(
            milestone=row["milestone_id"],
            requested_by=user_from(row, "requested_by"),
            held_from=row["held_from"],
            held_on=date_json(row["held_on"]),
            hold_days=row["hold_days"],
            due_date_manual=row["due_date_manual"],
            retention_days=row["retention_days"],
            disposition_due=date_json(row["disposition_due"]),
            rejection_reason=row["rejection_reason"],
            internal_notes=row["internal_notes"],
            allowed_transitions=ORDER_STATUS.allowed(row["status"]),
        )
    return data
