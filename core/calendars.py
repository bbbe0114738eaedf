"""Working-day calendars: the one module every duration, due date and review clock is computed with.

Two operations, with SPEC §4's conventions:

- ``add_working_days(start, n, calendar)``: the n-th working day *after* ``start`` (counting starts the next
  day; 10 working days after a receipt on 2026-09-28 is 2026-10-16). ``n = 0`` is ``start`` itself; a negative
  ``n`` counts backwards.
- ``working_days_between(a, b, calendar)``: the working days in ``(a, b]``; negative when ``b`` is before ``a``.
  So ``working_days_between(d, add_working_days(d, n)) == n``.

Each answer says whether it is **provisional**: for China, ``chinesecalendar`` holds the State Council's
announced schedules (holidays *and* make-up working days, 调休) up to the year it knows; database overrides
(``CalendarOverride``) extend or correct it. A year chinesecalendar does not know is *published* only when an
administrator declares its schedule complete (``PublishedCalendarYear``); until then it is answered from the
``holidays`` package's estimate of the Chinese holidays (which invents dates and knows no make-up days), refined
by whatever overrides exist, and every answer touching it is flagged provisional — one override never makes a
guessed date look final. US federal working days come from ``holidays`` (set by law, never
provisional); calendar days count every day (FDA days).

Cost: a span is counted arithmetically (whole weeks, then the weekdays of the last part week) and corrected by
the year's exceptions to the Monday-to-Friday rule — holidays on weekdays, make-up working days on weekends —
found by bisection. So counting or stepping over a century costs a few lookups per year, never one per day, and a
date past ``date.max`` is refused as ``DateOutOfRange`` (HTTP 400), not an ``OverflowError``.
"""

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from itertools import accumulate

import chinese_calendar
import holidays

from .choices import CalendarKind, PeriodUnit
from .exceptions import DateOutOfRange

ONE_DAY = timedelta(days=1)
_CN_KNOWN_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)


def shift(day: date, days: int) -> date:
    """``day + days``, or ``DateOutOfRange`` when that leaves the dates Python can represent."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        raise DateOutOfRange() from None


def _weekdays_upto(day: date) -> int:
    """Mondays to Fridays from 0001-01-01 (a Monday) to ``day`` inclusive — whole weeks, then the rest."""
    weeks, rest = divmod(day.toordinal(), 7)
    return 5 * weeks + min(rest, 5)


def _weekday_exceptions(off_days, make_up_days=()) -> dict[date, bool]:
    exceptions = {day: False for day in off_days if day.weekday() < 5}
    exceptions.update({day: True for day in make_up_days if day.weekday() >= 5})
    return exceptions


@lru_cache(maxsize=512)
def _cn_package_year(year: int) -> dict[date, bool]:
    """The State Council's schedule for ``year`` as chinesecalendar publishes it: holidays and make-up days."""
    off = (day for day in chinese_calendar.holidays if day.year == year)
    make_up = (day for day in chinese_calendar.workdays if day.year == year)
    return _weekday_exceptions(off, make_up)


@lru_cache(maxsize=512)
def _cn_estimated_year(year: int) -> dict[date, bool]:
    """The ``holidays`` package's estimate of China's holidays in an unpublished year (no make-up days)."""
    return _weekday_exceptions(holidays.China(years=year))


@lru_cache(maxsize=512)
def _us_federal_year(year: int) -> dict[date, bool]:
    return _weekday_exceptions(holidays.US(years=year))


@dataclass(frozen=True)
class DateAnswer:
    date: date
    provisional: bool


@dataclass(frozen=True)
class CountAnswer:
    days: int
    provisional: bool


class _Year:
    """One year of one calendar as its exceptions to the Monday-to-Friday rule: the days that are working days
    although they fall on a weekend (make-up days, +1) and the days off although they fall on a weekday (-1).
    Counting a span then costs what these exceptions cost — a few dozen a year — not the days."""

    __slots__ = ("cumulative", "days", "deltas", "estimated", "exceptions")

    def __init__(self, exceptions: dict[date, bool], *, estimated: bool):
        self.exceptions = exceptions  # day → is it a working day (only where that differs from Mon–Fri)
        self.days = sorted(exceptions)
        self.deltas = [1 if exceptions[day] else -1 for day in self.days]
        self.cumulative = list(accumulate(self.deltas))
        self.estimated = estimated  # the year's schedule is not published: every answer touching it is provisional

    def net(self, after: date, upto: date) -> int:
        """The sum of the exceptions' deltas on the days in ``(after, upto]``."""
        first, last = bisect_right(self.days, after), bisect_right(self.days, upto)
        if last <= first:
            return 0
        return self.cumulative[last - 1] - (self.cumulative[first - 1] if first else 0)

    def guessed(self, after: date, upto: date) -> bool:
        """Whether the span ``(after, upto]`` touches this year while its schedule is only an estimate."""
        return self.estimated and upto > after


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
        self._years: dict[int, _Year] = {}

    @classmethod
    def load(cls, kind: str, first: date | None = None, last: date | None = None) -> "WorkingCalendar":
        """The calendar with its overrides for the years of ``first``…``last`` (all years when not given), and the
        years an administrator has declared complete (two queries)."""
        from .models import CalendarOverride, PublishedCalendarYear

        if kind == CalendarKind.CALENDAR_DAYS:
            return cls(kind)
        rows = CalendarOverride.objects.filter(calendar=kind)
        years = PublishedCalendarYear.objects.filter(calendar=kind)
        if first is not None and last is not None:
            rows = rows.filter(date__year__gte=first.year, date__year__lte=last.year)
            years = years.filter(year__gte=first.year, year__lte=last.year)
        overrides = dict(rows.values_list("date", "is_working_day"))
        return cls(kind, overrides, frozenset(years.values_list("year", flat=True)))

    # --- one year's exceptions -----------------------------------------------------------------------------------
    def _base_year(self, year: int) -> tuple[dict[date, bool], bool]:
        """(the year's exceptions before overrides, are they an estimate)."""
        if self.kind == CalendarKind.US_FEDERAL_WORKDAYS:
            return _us_federal_year(year), False
        if year in _CN_KNOWN_YEARS:
            return _cn_package_year(year), False
        if year in self.published_years:
            return {}, False
        return _cn_estimated_year(year), True

    def year(self, year: int) -> _Year:
        if year not in self._years:
            exceptions, estimated = self._base_year(year)
            overridden = frozenset(day for day in self.overrides if day.year == year)
            if overridden:
                exceptions = dict(exceptions)
                for day in overridden:
                    exceptions.pop(day, None)
                    if self.overrides[day] != (day.weekday() < 5):
                        exceptions[day] = self.overrides[day]
            self._years[year] = _Year(exceptions, estimated=estimated)
        return self._years[year]

    # --- questions -----------------------------------------------------------------------------------------------
    def day(self, day: date) -> tuple[bool, bool]:
        """(is it a working day, is that answer provisional)."""
        if self.kind == CalendarKind.CALENDAR_DAYS:
            return True, False
        year = self.year(day.year)
        working = year.exceptions.get(day, day.weekday() < 5)
        return working, year.estimated

    def next_working_day(self, day: date) -> DateAnswer:
        """``day`` if it is a working day here, else the first working day after it (a make-up working day is one;
        holiday runs are a few days long, so this looks at a handful of days)."""
        provisional = False
        while True:
            working, guessed = self.day(day)
            provisional = provisional or guessed
            if working:
                return DateAnswer(day, provisional)
            day = shift(day, 1)

    def between(self, a: date, b: date) -> CountAnswer:
        if b < a:
            answer = self.between(b, a)
            return CountAnswer(-answer.days, answer.provisional)
        if self.kind == CalendarKind.CALENDAR_DAYS:
            return CountAnswer((b - a).days, False)
        count = _weekdays_upto(b) - _weekdays_upto(a)
        provisional = False
        first_year = a.year + 1 if (a.month, a.day) == (12, 31) else a.year  # the span starts the day after a
        for number in range(first_year, b.year + 1):  # a year's table holds only its own days: (a, upto] is its part
            year = self.year(number)
            upto = min(b, date(number, 12, 31))
            count += year.net(a, upto)
            provisional = provisional or year.guessed(a, upto)
        return CountAnswer(count, provisional)

    def add(self, start: date, n: int) -> DateAnswer:
        if self.kind == CalendarKind.CALENDAR_DAYS:
            return DateAnswer(shift(start, n), False)
        if n == 0:
            return DateAnswer(start, False)
        if n > 0:
            return self._first_reaching(start, n)
        return self._last_reaching_back(start, -n)

    def _first_reaching(self, start: date, n: int) -> DateAnswer:
        """The n-th working day after ``start``: whole years are skipped by their counts, then the day is found by
        bisection inside its year."""
        after, remaining, provisional = start, n, False
        while True:
            upto = _year_end(after.year + 1 if (after.month, after.day) == (12, 31) else after.year)
            in_year = self.between(after, upto)
            if in_year.days >= remaining:
                break
            remaining -= in_year.days
            provisional = provisional or in_year.provisional
            after = upto
        offset = _smallest(
            0, (upto - after).days, lambda k: self.between(after, after + timedelta(days=k)).days >= remaining
        )
        found = after + timedelta(days=offset)
        return DateAnswer(found, provisional or self.between(after, found).provisional)

    def _last_reaching_back(self, start: date, n: int) -> DateAnswer:
        """The n-th working day before ``start`` (counting ``start - 1`` first), year by year like
        ``_first_reaching``."""
        upto, remaining, provisional = shift(start, -1), n, False
        while True:
            after = _year_end(upto.year - 1)
            in_year = self.between(after, upto)
            if in_year.days >= remaining:
                break
            remaining -= in_year.days
            provisional = provisional or in_year.provisional
            upto = after
        offset = _smallest(  # the fewest days back from upto holding ``remaining`` working days
            -1, (upto - after).days - 1, lambda k: self.between(upto - timedelta(days=k + 1), upto).days >= remaining
        )
        found = upto - timedelta(days=offset)
        return DateAnswer(found, provisional or self.between(found - ONE_DAY, upto).provisional)


def _smallest(low: int, high: int, reaches) -> int:
    """The smallest ``k`` in ``(low, high]`` for which ``reaches(k)`` holds, by bisection; ``reaches`` is monotone,
    false at ``low`` and true at ``high``."""
    while low + 1 < high:
        middle = (low + high) // 2
        if reaches(middle):
            high = middle
        else:
            low = middle
    return high


def _year_end(year: int) -> date:
    if not 1 <= year <= date.max.year:
        raise DateOutOfRange()
    return date(year, 12, 31)


def published_horizon(calendar: str = CalendarKind.CN_WORKDAYS) -> int:
    """The last year up to which every year of ``calendar`` is published: chinesecalendar's years, then the years
    an administrator declared complete, without a gap. Dates up to its end are final (one query)."""
    from .models import PublishedCalendarYear

    if calendar != CalendarKind.CN_WORKDAYS:
        return date.max.year  # US federal holidays are set by law; calendar days have none
    declared = set(PublishedCalendarYear.objects.filter(calendar=calendar).values_list("year", flat=True))
    horizon = _CN_KNOWN_YEARS[-1]
    while horizon + 1 in declared:
        horizon += 1
    return horizon


class CalendarBook:
    """Every calendar a computation needs, each loaded once with all its overrides (the table is small: a few
    dozen rows a year). Hand one book to a whole schedule, sweep or page so it asks the database once per kind."""

    def __init__(self):
        self._calendars: dict[str, WorkingCalendar] = {}

    def __getitem__(self, kind: str) -> WorkingCalendar:
        if kind not in self._calendars:
            self._calendars[kind] = WorkingCalendar.load(kind)
        return self._calendars[kind]


def corresponding_day(start: date, months: int) -> date:
    """The day ``months`` months after ``start`` with the same day of the month, or that month's last day when it
    has none (2024-02-29 + 12 months → 2025-02-28; 2026-01-31 + 1 month → 2026-02-28)."""
    total = start.year * 12 + start.month - 1 + months
    year, month = divmod(total, 12)
    if not 1 <= year <= date.max.year:
        raise DateOutOfRange()
    following = date(year + 1, 1, 1) if month == 11 else date(year, month + 2, 1)
    return date(year, month + 1, min(start.day, (following - ONE_DAY).day))


def period_end(
    start: date, n: int, unit: str, *, calendar: WorkingCalendar, rest_days: WorkingCalendar | None = None
) -> DateAnswer:
    """The last day of a statutory period of ``n`` ``unit`` begun by an event on ``start``, as the law counts it
    (PRC Civil Code Art. 200–203, which NMPA's time limits follow):

    - the start day is not counted: a period in days ends ``n`` units of ``calendar`` after it (working days, or
      calendar days);
    - a period in months or years ends on the corresponding day, or the month's last day when there is none;
    - with ``rest_days`` (the calendar whose rest days and holidays count), a last day that is a rest day or a
      holiday there moves to the next working day; a make-up working day (调休) is a working day.

    FDA periods are calendar days with no moving (21 CFR 807.87 / MDUFA: day counts, not deadlines in days).
    The answer is provisional when it leans on a year whose holidays are not published."""
    if unit == PeriodUnit.DAYS:
        end = calendar.add(start, n)
    else:
        months = n * 12 if unit == PeriodUnit.YEARS else n
        end = DateAnswer(corresponding_day(start, months), False)
    if rest_days is None:
        return end
    moved = rest_days.next_working_day(end.date)
    return DateAnswer(moved.date, end.provisional or moved.provisional)


def statutory_period_end(start: date, n: int, unit: str, calendar: str, rest_days: str | None = None) -> DateAnswer:
    """``period_end`` with its calendars loaded for the span (one or two queries)."""
    last = shift(start, (n * 370 if unit == PeriodUnit.YEARS else n * 31 if unit == PeriodUnit.MONTHS else 0) + 30)
    last = max(last, _span_end(start, n)) if unit == PeriodUnit.DAYS else last
    counted = WorkingCalendar.load(calendar, start, last)
    moved = WorkingCalendar.load(rest_days, start, last) if rest_days else None
    return period_end(start, n, unit, calendar=counted, rest_days=moved)


def _span_end(start: date, n: int) -> date:
    """A date safely beyond the n-th working day from ``start`` (the longest Chinese holiday run is 9 days)."""
    return shift(start, (2 * abs(n) + 30) * (1 if n >= 0 else -1))


def add_working_days(start: date, n: int, calendar: str) -> DateAnswer:
    end = _span_end(start, n)
    return WorkingCalendar.load(calendar, min(start, end), max(start, end)).add(start, n)


def working_days_between(a: date, b: date, calendar: str) -> CountAnswer:
    return WorkingCalendar.load(calendar, min(a, b), max(a, b)).between(a, b)


def is_working_day(day: date, calendar: str) -> tuple[bool, bool]:
    """(is ``day`` a working day in ``calendar``, is that answer provisional)."""
    return WorkingCalendar.load(calendar, day, day).day(day)
