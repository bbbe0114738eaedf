"""The lean read path of the hot lists: a page is read as rows of values — no model instances, no
nested serializers — in one query, and turned into exactly the JSON the resource's output serializer writes.

Pieces every list shares: the ids of the page as a subquery (so the joins run for the page's rows only, and a deep
page costs what the first costs), and the JSON of the values DRF would write (dates, datetimes in the current time
zone, decimals, bilingual names, user summaries). Each resource keeps its own row builder beside its serializers;
a test compares the two outputs field for field.
"""

from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language


def page_ids(queryset: QuerySet, bottom: int, top: int) -> QuerySet:
    """The ids of one page of ``queryset`` (its filters and ordering) as a subquery: nothing but the table and what
    the filters need is read for the rows the page skips."""
    return queryset.order_by(*ordering_of(queryset)).values("pk")[bottom:top]


class Page(list):
    """A page's JSON rows, and how many rows all the pages hold (read beside them: ``counted``)."""

    def __init__(self, rows: Iterable = (), total: int | None = None):
        super().__init__(rows)
        self.total = total


TOTAL = "page_total"


def counted(rows: QuerySet, queryset: QuerySet) -> QuerySet:
    """``rows`` (a page of ``queryset``) with the count of all of ``queryset`` beside each, as ``page_total``:
    one scalar subquery the database runs once — the count costs no round trip of its own."""
    from django.core.exceptions import EmptyResultSet
    from django.db.models import IntegerField, Value
    from django.db.models.expressions import RawSQL

    try:
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # ``queryset.none()`` (an invalid filter, nobody's rows): nothing to count
        return rows.annotate(**{TOTAL: Value(0, IntegerField())})
    return rows.annotate(**{TOTAL: RawSQL(f"SELECT count(*) FROM ({sql}) AS counted", params, IntegerField())})


def total_of(values: list[dict]) -> int | None:
    return values[0][TOTAL] if values else None


def page_values(model, ids: QuerySet, queryset: QuerySet, columns: Iterable[str], **annotations) -> list[dict]:
    """The rows of ``model`` whose ids are ``ids`` (a page of ``queryset``), in ``queryset``'s order, as values of
    ``columns`` and ``annotations`` — each with the count of all of ``queryset`` (``TOTAL``): one query."""
    rows = model.objects.filter(pk__in=ids).order_by(*ordering_of(queryset))
    if annotations:
        rows = rows.annotate(**annotations)
    return list(counted(rows, queryset).values(*columns, *annotations, TOTAL))


def page_of(values: list[dict], build: Callable[[dict], dict]) -> Page:
    """The page's JSON rows, ``build`` applied to each row of ``page_values``, with the count they carry."""
    return Page([build(row) for row in values], total_of(values))


def ordering_of(queryset: QuerySet) -> list[str]:
    """``queryset``'s ordering, made total by the primary key last: rows that tie (``?ordering=-target_date`` with
    empty dates) keep one order from page to page, so no row is skipped or shown twice."""
    ordering = list(queryset.query.order_by or queryset.model._meta.ordering or [])
    if not {"pk", "-pk", "id", "-id"} & set(ordering):
        ordering.append("pk")
    return ordering


# The time zone and whether Chinese comes first, read once for a page (``one_locale``): each read through Django's
# thread-and-task locals costs microseconds, and a page of 50 rows made a hundred of them.
_LOCALE: ContextVar[tuple | None] = ContextVar("rows_locale", default=None)


@contextmanager
def one_locale():
    """Within one page the time zone and the language do not change: the row builders read them once."""
    token = _LOCALE.set((timezone.get_current_timezone(), (get_language() or "").startswith("zh")))
    try:
        yield
    finally:
        _LOCALE.reset(token)


def _current_tz():
    locale = _LOCALE.get()
    return locale[0] if locale else timezone.get_current_timezone()


def _chinese_first() -> bool:
    locale = _LOCALE.get()
    return locale[1] if locale else (get_language() or "").startswith("zh")


def datetime_json(value):
    """What DRF's ``DateTimeField`` writes (ISO 8601 in the current time zone, ``Z`` for UTC) — without building
    the field's machinery per value (a fifth of a list's time when it did)."""
    if value is None:
        return None
    text = value.astimezone(_current_tz()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def date_json(value):
    return None if value is None else value.isoformat()


def decimal_json(value: Decimal | None, places: int):
    return None if value is None else f"{value:.{places}f}"


def bilingual(name_zh: str, name_en: str) -> str:
    """``BilingualNameMixin.name`` from the two columns: the active language's, else the other."""
    if _chinese_first():
        return name_zh or name_en
    return name_en or name_zh


def user_json(pk, username, display_name, first_name, last_name) -> dict | None:
    """``UserSummarySerializer`` from columns (``str(user)``: display name, else full name, else username)."""
    if pk is None:
        return None
    full = f"{first_name} {last_name}".strip()
    return {"id": pk, "username": username, "display_name": display_name or full or username}


def user_columns(prefix: str) -> tuple[str, ...]:
    return tuple(f"{prefix}__{f}" for f in ("id", "username", "display_name", "first_name", "last_name"))


def user_from(row: dict, prefix: str) -> dict | None:
    return user_json(*(row[c] for c in user_columns(prefix)))


CLIENT_COLUMNS = ("client_id", "client__code", "client__name_zh", "client__name_en")
PROJECT_COLUMNS = ("project_id", "project__code", "project__title")


def client_from(row: dict) -> dict:
    """``ClientSummarySerializer`` from the row's client columns."""
    return {"id": row["client_id"], "code": row["client__code"],
            "name": bilingual(row["client__name_zh"], row["client__name_en"])}  # fmt: skip


def project_from(row: dict) -> dict:
    """``ProjectSummarySerializer`` from the row's project columns."""
    return {"id": row["project_id"], "code": row["project__code"], "title": row["project__title"]}


def timestamps(row: dict) -> dict:
    """``created_at``, ``updated_at`` and ``version``, written as the serializers write them."""
    return {"created_at": datetime_json(row["created_at"]), "updated_at": datetime_json(row["updated_at"]),
            "version": row["version"]}  # fmt: skip


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def related_summaries(
    through: QuerySet, owner_field: str, owner_ids: Iterable[int], build: Callable[[dict], dict], columns: Iterable[str]
) -> dict[int, list[dict]]:
    """Many-to-many summaries of the page's rows in one query, by owner id (the SQLite path; on PostgreSQL the
    rows carry them already, folded in by a subquery)."""
    found: dict[int, list[dict]] = {pk: [] for pk in owner_ids}
    for row in through.filter(**{f"{owner_field}__in": list(found)}).values(owner_field, *columns):
        found[row[owner_field]].append(build(row))
    return found
