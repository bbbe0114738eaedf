"""Milestones' lean read path (``core.api.rows``): one page as values in one query (project and owner joined;
``due_state`` from the row, as the selector's expression computes it), written as exactly what
``MilestoneOutputSerializer`` / ``MilestonePublicSerializer`` write (``tests/test_lean_lists.py`` compares)."""

from django.db.models import QuerySet

from core.api.rows import (
    PROJECT_COLUMNS,
    Page,
    bilingual,
    date_json,
    page_of,
    page_values,
    project_from,
    timestamps,
    user_columns,
    user_from,
)
from milestones.models import Milestone
from milestones.selectors import due_state_of, local_today
from milestones.services import milestone_moves_for

COLUMNS = (
    "id", *PROJECT_COLUMNS, "submission_id", "code", "name_zh", "name_en", "kind",
    "planned_start", "due_date", "due_provisional", "baseline_start", "baseline_due_date", "completed_on",
    "responsible", "status", "created_at", "updated_at", "version",
)  # fmt: skip
STAFF_COLUMNS = ("order", "calendar", "duration", *user_columns("owner"), "client_visible", "follows_clock")


def milestone_rows(ids: QuerySet, queryset: QuerySet, *, public: bool) -> Page:
    """The JSON of the milestones whose ids are ``ids`` (a page subquery), in ``queryset``'s order, and the count
    of ``queryset``."""
    values = page_values(Milestone, ids, queryset, COLUMNS if public else (*COLUMNS, *STAFF_COLUMNS))
    today = local_today()
    return page_of(values, lambda row: _milestone(row, today, public=public))


def _milestone(row: dict, today, *, public: bool) -> dict:
    data = {
        "id": row["id"],
        "project": project_from(row),
        "submission": row["submission_id"],
        "code": row["code"],
        "name": bilingual(row["name_zh"], row["name_en"]),
        "name_zh": row["name_zh"],
        "name_en": row["name_en"],
        "kind": row["kind"],
        "planned_start": date_json(row["planned_start"]),
        "due_date": date_json(row["due_date"]),
        "due_provisional": row["due_provisional"],
        "baseline_start": date_json(row["baseline_start"]),
        "baseline_due_date": date_json(row["baseline_due_date"]),
        "completed_on": date_json(row["completed_on"]),
        "responsible": row["responsible"],
        "status": row["status"],
        "due_state": due_state_of(
            status=row["status"], responsible=row["responsible"], due_date=row["due_date"], today=today
        ),
        **timestamps(row),
    }
    if not public:
        data.update(
            order=row["order"],
            calendar=row["calendar"],
            duration=row["duration"],
            owner=user_from(row, "owner"),
            client_visible=row["client_visible"],
            follows_clock=row["follows_clock"],
            allowed_transitions=milestone_moves_for(row["status"], row["responsible"]),
        )
    return data
