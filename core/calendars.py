"""Working-day calendars: the one module every duration, due date and review clock is computed with.

Two operations, with SPEC §4's conventions:

- ``add_working_days(start, n, calendar)``: the n-th working day *after* ``start`` (counting starts the next
  day; 10 working days after a receipt on 2026-09-28 is 2026-10-16). ``n = 0`` is ``start`` itself; a negative
  ``n`` counts backwards.
- ``working_days_between(a, b, calendar)``: the working days in ``(a, b]``; negative when ``b`` is before ``a``.
  So ``working_days_between(d, add_working_days(d, n)) == n``.

Each answer says whether it is **provisional**: for China, ``chinesecalendar`` holds the State Council's
announced schedules (holidays *and* make-up working days, 调休) up to the year it knows; database overrides
(``CalendarOverride``) extend or correct it. A day beyond both is still answered — Monday to Friday minus the
``holidays`` package's estimate of the Chinese holidays, which invents dates for unpublished years and knows no
make-up days — but flagged provisional. US federal working days come from ``holidays`` (set by law, never
provisional); calendar days count every day (FDA days).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
import holidays

from .choices import CalendarKind

ONE_DAY = timedelta(days=1)


def cn_package_knows(day: date) -> bool:
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


@lru_cache(maxsize=64)
def _cn_estimated_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.China(years=year))


@lru_cache(maxsize=64)
def _us_federal_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.US(years=year))


@dataclass(frozen=True)
class DateAnswer:
    date: date
    provisional: bool


@dataclass(frozen=True)
class CountAnswer:
    days: int
    provisional: bool


class WorkingCalendar:
    """One calendar with its database overrides for a span of dates, loaded once (a single query).

    Build it with ``WorkingCalendar.load(kind, first, last)`` when answering many questions over one span (a
    sweep, a pathway's schedule); the module-level functions build one per call.
    """

    def __init__(
        self, kind: str, overrides: dict[date, bool] | None = None, published_years: frozenset[int] = frozenset()
    ):
        if kind not in CalendarKind.values:
            raise ValueError(f"unknown calendar {kind!r}")
        self.kind = kind
        self.overrides = overrides or {}
        self.published_years = published_years

    @classmethod
    def load(cls, kind: str, first: date | None = None, last: date | None = None) -> "WorkingCalendar":
        """The calendar with its overrides for the years of ``first``…``last`` (all years when not given)."""
        from .models import CalendarOverride

        if kind == CalendarKind.CALENDAR_DAYS:
            return cls(kind)
        rows = CalendarOverride.objects.filter(calendar=kind)
        if first is not None and last is not None:
            rows = rows.filter(date__year__gte=first.year, date__year__lte=last.year)
        rows = rows.values_list("date", "is_working_day")
        overrides = dict(rows)
        return cls(kind, overrides, frozenset(d.year for d in overrides))

    def day(self, day: date) -> tuple[bool, bool]:
        """(is it a working day, is that answer provisional)."""
        if self.kind == CalendarKind.CALENDAR_DAYS:
            return True, False
        if day in self.overrides:
            return self.overrides[day], False
        if self.kind == CalendarKind.US_FEDERAL_WORKDAYS:
            return day.weekday() < 5 and day not in _us_federal_holidays(day.year), False
        if cn_package_knows(day):
            return chinese_calendar.is_workday(day), False
        if day.year in self.published_years:
            return day.weekday() < 5, False
        return day.weekday() < 5 and day not in _cn_estimated_holidays(day.year), True

    def add(self, start: date, n: int) -> DateAnswer:
        if self.kind == CalendarKind.CALENDAR_DAYS:
            return DateAnswer(start + timedelta(days=n), False)
        step = ONE_DAY if n >= 0 else -ONE_DAY
        remaining = abs(n)
        current = start
        provisional = False
        while remaining:
            current += step
            working, guessed = self.day(current)
            provisional = provisional or guessed
            if working:
                remaining -= 1
        return DateAnswer(current, provisional)

    def between(self, a: date, b: date) -> CountAnswer:
        if b < a:
            answer = self.between(b, a)
            return CountAnswer(-answer.days, answer.provisional)
        if self.kind == CalendarKind.CALENDAR_DAYS:
            return CountAnswer((b - a).days, False)
        count = 0
        provisional = False
        current = a
        while current < b:
            current += ONE_DAY
            working, guessed = self.day(current)
            provisional = provisional or guessed
            count += working
        return CountAnswer(count, provisional)


class CalendarBook:
    """Every calendar a computation needs, each loaded once with all its overrides (the table is small: a few
    dozen rows a year). Hand one book to a whole schedule, sweep or page so it asks the database once per kind."""

    def __init__(self):
        self._calendars: dict[str, WorkingCalendar] = {}

    def __getitem__(self, kind: str) -> WorkingCalendar:
        if kind not in self._calendars:
            self._calendars[kind] = WorkingCalendar.load(kind)
        return self._calendars[kind]


def _span_end(start: date, n: int) -> date:
    """A date safely beyond the n-th working day from ``start`` (the longest Chinese holiday run is 9 days)."""
    return start + timedelta(days=2 * abs(n) + 30) * (1 if n >= 0 else -1)


def add_working_days(start: date, n: int, calendar: str) -> DateAnswer:
    end = _span_end(start, n)
    return WorkingCalendar.load(calendar, min(start, end), max(start, end)).add(start, n)


def working_days_between(a: date, b: date, calendar: str) -> CountAnswer:
    return WorkingCalendar.load(calendar, min(a, b), max(a, b)).between(a, b)


def is_working_day(day: date, calendar: str) -> tuple[bool, bool]:
    """(is ``day`` a working day in ``calendar``, is that answer provisional)."""
    return WorkingCalendar.load(calendar, day, day).day(day)
