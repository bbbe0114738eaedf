"""Integers from outside — ids, versions, page numbers and counts in forms, query strings and headers — read by one
function, and only here.

Python is generous where a request must not be: ``"²".isdigit()`` is true but ``int("²")`` fails, ``int("٣")`` is
3, ``int`` takes ``" 7"``, ``"+7"`` and ``"7_000"``, refuses 5,000 digits with a ValueError of its own, and a
database refuses an id past 2⁶³ (SQLite: "datatype mismatch"). Here a number is ASCII digits (a leading minus only
where negatives are allowed), at most nineteen of them, within the bounds the caller gives; anything else is None,
which the caller answers with a 400 or a 404.
"""

import re
from collections.abc import Iterable

from django import forms
from django.core.exceptions import BadRequest
from django.utils.translation import gettext_lazy as _

BIGINT_MAX = 2**63 - 1
MAX_PAGE = 10**9  # far past any list's last page, and (page × page size) still fits an SQL OFFSET
_INTEGER = re.compile(r"-?[0-9]{1,19}")  # [0-9], not \d: \d matches every script's digits


def parse_int(raw, *, low: int = 0, high: int = BIGINT_MAX) -> int | None:
    """``raw`` (text from a request) as an integer in ``[low, high]``, or None when it is not one."""
    if not isinstance(raw, str) or not _INTEGER.fullmatch(raw):
        return None
    if raw.startswith("-") and low >= 0:
        return None
    value = int(raw)
    return value if low <= value <= high else None


def parse_id(raw) -> int | None:
    """A row's id (positive, fits a bigint), or None."""
    return parse_int(raw, low=1)


def parse_ids(values: Iterable) -> list[int] | None:
    """Every one of ``values`` as an id, or None when any of them is not one (the caller refuses the request)."""
    ids = [parse_id(value) for value in values]
    return None if None in ids else ids


def posted_ids(request, name: str = "id") -> list[int] | None:
    """The ids a form posts under ``name``, or None when it posts none; one that is not an id is a 400."""
    values = request.POST.getlist(name)
    if not values:
        return None
    ids = parse_ids(values)
    if ids is None:
        raise BadRequest(f"{name}: not an id")
    return ids


def parse_version(raw) -> int | None:
    """A record's version sent back by a form or ``If-Match``: absent → None (no check); a version → it; anything
    else → -1, which never matches, so the write is refused as stale rather than let through unchecked."""
    if raw is None or raw == "":
        return None
    version = parse_int(raw, low=1)
    return -1 if version is None else version


def parse_page(raw) -> int:
    """A list page's number (``?page=``): the first page unless it is a number from 1 to ``MAX_PAGE``."""
    return parse_int(raw, low=1, high=MAX_PAGE) or 1


class IntegerField(forms.IntegerField):
    """A form field for a count typed by a person or sent in a query string, read by ``parse_int`` (bounded by
    the field's ``min_value`` / ``max_value``)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        low = self.min_value if self.min_value is not None else -BIGINT_MAX
        high = self.max_value if self.max_value is not None else BIGINT_MAX
        number = parse_int(str(value).strip(), low=min(low, 0), high=max(high, 0))
        if number is None:
            raise forms.ValidationError(_("Enter a whole number."), code="invalid")
        return number
