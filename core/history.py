"""Readable audit history: who changed what, when, from what to what (on top of django-simple-history)."""

from typing import Any

from django.db import models

# Bookkeeping fields that change on every write and say nothing to a reader.
IGNORED_FIELDS = ("updated_at", "version", "created_at")

_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def _field(model: type[models.Model], name: str):
    try:
        return model._meta.get_field(name)
    except Exception:  # a field removed since the record was written
        return None


def _display(field, value):
    """A choice's label instead of its stored value, for people (the API keeps the values)."""
    if field is not None and getattr(field, "flatchoices", None):
        return str(dict(field.flatchoices).get(value, value))
    return value


def _change(model, change) -> dict[str, Any]:
    field = _field(model, change.field)
    return {
        "field": change.field,
        "label": str(field.verbose_name) if field is not None else change.field,
        "old": change.old,
        "new": change.new,
        "old_display": _display(field, change.old),
        "new_display": _display(field, change.new),
    }


def history_entries(instance: models.Model) -> list[dict[str, Any]]:
    """The record's history, newest first, each entry with the field-level changes against the one before.

    One query (history rows with their author); diffs are computed in Python over consecutive rows.
    """
    model = type(instance)
    records = list(
        instance.history.select_related("history_user").order_by("history_date", "history_id")  # type: ignore[attr-defined]
    )
    excluded = [f for f in IGNORED_FIELDS if any(f == fld.name for fld in model._meta.fields)]
    entries = []
    previous = None
    for record in records:
        changes = []
        if previous is not None:
            delta = record.diff_against(previous, excluded_fields=excluded)
            changes = [_change(model, c) for c in delta.changes]
        entries.append(
            {
                "id": record.history_id,
                "at": record.history_date,
                "type": _TYPES.get(record.history_type, record.history_type),
                "user": record.history_user,
                "reason": record.history_change_reason or "",
                "changes": changes,
            }
        )
        previous = record
    entries.reverse()
    return entries
