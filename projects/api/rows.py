"""Projects' lean read path (``core.api.rows``): one page as values in one query — client and project manager
joined, devices folded in by a subquery on PostgreSQL — written as exactly what ``ProjectOutputSerializer`` /
``ProjectPublicSerializer`` write (``tests/test_lean_lists.py`` compares them)."""

from django.db.models import OuterRef, QuerySet
from django.db.models.functions import JSONObject

from clients.models import Device
from core.api.rows import (
    CLIENT_COLUMNS,
    Page,
    bilingual,
    client_from,
    date_json,
    decimal_json,
    is_postgresql,
    page_of,
    page_values,
    related_summaries,
    timestamps,
    user_columns,
    user_from,
)
from projects.models import Project
from projects.services import PROJECT_STATUS

COLUMNS = (
    "id", "code", "title", *CLIENT_COLUMNS, "service_type",
    "status", "start_date", "target_date", "priority", "client_summary", "health", "authority_overdue", "progress",
    "next_due_date", "created_at", "updated_at", "version", *user_columns("project_manager"),
)  # fmt: skip
STAFF_COLUMNS = ("contract_number", "contract_value", "contract_currency", "description", "internal_notes")


def project_rows(ids: QuerySet, queryset: QuerySet, *, public: bool) -> Page:
    """The JSON of the projects whose ids are ``ids`` (a page subquery), in ``queryset``'s order, and the count
    of ``queryset``."""
    columns = COLUMNS if public else (*COLUMNS, *STAFF_COLUMNS)
    if is_postgresql():
        from django.contrib.postgres.expressions import ArraySubquery

        devices = Device.objects.filter(projects=OuterRef("pk")).order_by("id")
        json = devices.values(json=JSONObject(id="id", zh="name_zh", en="name_en"))
        values = page_values(Project, ids, queryset, columns, devices_json=ArraySubquery(json))
        devices_of = {row["id"]: row["devices_json"] for row in values}
    else:
        values = page_values(Project, ids, queryset, columns)
        devices_of = related_summaries(
            Project.devices.through.objects, "project_id", [row["id"] for row in values],
            lambda d: {"id": d["device_id"], "zh": d["device__name_zh"], "en": d["device__name_en"]},
            ("device_id", "device__name_zh", "device__name_en"),
        )  # fmt: skip
    return page_of(values, lambda row: _project(row, devices_of[row["id"]], public=public))


def _project(row: dict, devices: list[dict], *, public: bool) -> dict:
    data = {
        "id": row["id"],
        "code": row["code"],
        "title": row["title"],
        "client": client_from(row),
        "devices": [{"id": d["id"], "name": bilingual(d["zh"], d["en"])} for d in sorted(devices, key=_id)],
        "service_type": row["service_type"],
        "status": row["status"],
        "project_manager": user_from(row, "project_manager"),
        "start_date": date_json(row["start_date"]),
        "target_date": date_json(row["target_date"]),
        "priority": row["priority"],
        "client_summary": row["client_summary"],
        "health": row["health"],
        "authority_overdue": row["authority_overdue"],
        "progress": row["progress"],
        "next_due_date": date_json(row["next_due_date"]),
        **timestamps(row),
    }  # fmt: skip
    if not public:
        data.update(
            contract_number=row["contract_number"],
            contract_value=decimal_json(row["contract_value"], 2),
            contract_currency=row["contract_currency"],
            description=row["description"],
            internal_notes=row["internal_notes"],
            allowed_transitions=PROJECT_STATUS.allowed(row["status"]),
        )
    return data


def _id(device: dict) -> int:
    return device["id"]
