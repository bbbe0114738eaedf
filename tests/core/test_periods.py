"""Statutory periods as the law counts them (``core.calendars.period_end``), case by case, each expected date
written out by hand. chinesecalendar is used only to confirm the premises (that a day is a rest day, a holiday or a
make-up working day), never to compute an answer."""

from datetime import date

import chinese_calendar
import pytest

from core.calendars import WorkingCalendar, corresponding_day, period_end, statutory_period_end
from core.choices import PeriodUnit

pytestmark = pytest.mark.django_db

CN, US, CAL = "cn_workdays", "us_federal_workdays", "calendar_days"
YEARS, MONTHS, DAYS = PeriodUnit.YEARS, PeriodUnit.MONTHS, PeriodUnit.DAYS
D = date.fromisoformat

# (start, n, unit, counted in, rest days of, expected last day, provisional, why)
CASES = [
    # NMPA supplement window: one year, a last day on a rest day or holiday moves to the next working day
    ("2023-06-15", 1, YEARS, CAL, CN, "2024-06-17", False, "2024-06-15 is a Saturday"),
    ("2015-03-02", 1, YEARS, CAL, CN, "2016-03-02", False, "a leap year between: 365 days would give 03-01"),
    ("2024-02-29", 1, YEARS, CAL, CN, "2025-02-28", False, "no 29 February in 2025: the month's last day"),
    ("2025-10-03", 1, YEARS, CAL, CN, "2026-10-08", False, "2026-10-03 falls in the National Day holiday"),
    ("2022-10-07", 1, YEARS, CAL, CN, "2023-10-07", False, "a make-up working Saturday stays the last day"),
    ("2023-02-18", 1, YEARS, CAL, CN, "2024-02-18", False, "a make-up working Sunday stays the last day"),
    ("2024-05-01", 1, YEARS, CAL, CN, "2025-05-06", False, "Labour Day holiday 2025-05-01…05"),
    ("2025-01-01", 1, YEARS, CAL, CN, "2026-01-04", False, "New Year 2026-01-01…03, then a make-up Sunday"),
    ("2025-02-01", 1, YEARS, CAL, CN, "2026-02-02", False, "2026-02-01 is a Sunday"),
    ("2025-02-17", 1, YEARS, CAL, CN, "2026-02-24", False, "Spring Festival 2026-02-15…23"),
    ("2026-03-01", 1, YEARS, CAL, CN, "2027-03-01", True, "2027's holidays are not published: an estimate"),
    ("2023-06-15", 1, YEARS, CAL, None, "2024-06-15", False, "not moved when the period says so"),
    # months: the corresponding day, or the month's last day
    ("2026-01-31", 1, MONTHS, CAL, None, "2026-02-28", False, "no 31 February"),
    ("2024-01-31", 1, MONTHS, CAL, None, "2024-02-29", False, "a leap February"),
    ("2025-08-31", 6, MONTHS, CAL, None, "2026-02-28", False, "six months to a short month"),
    ("2026-05-15", 6, MONTHS, CAL, CN, "2026-11-16", False, "2026-11-15 is a Sunday"),
    # days: counted from the next day
    ("2026-05-04", 15, DAYS, CAL, None, "2026-05-19", False, "FDA acceptance review: day 15"),
    ("2026-05-04", 90, DAYS, CAL, None, "2026-08-02", False, "FDA 510(k) goal: a Sunday, not moved"),
    ("2026-03-01", 180, DAYS, CAL, CN, "2026-08-28", False, "a Friday: nothing to move"),
    ("2026-09-28", 10, DAYS, CN, None, "2026-10-16", False, "SPEC's example across National Day"),
    ("2026-09-30", 3, DAYS, CN, None, "2026-10-10", False, "the transfer lands on a make-up Saturday"),
    ("2026-03-02", 40, DAYS, CN, None, "2026-04-28", False, "QMS: 10 + 30 working days after acceptance"),
    ("2026-12-22", 10, DAYS, US, None, "2027-01-07", False, "Christmas and New Year's Day are federal holidays"),
]  # fmt: skip

# The premises the cases rest on, confirmed against chinesecalendar: (day, is it a working day in China).
PREMISES = [
    ("2024-06-15", False), ("2024-06-16", False), ("2024-06-17", True), ("2026-10-03", False), ("2026-10-07", False),
    ("2026-10-08", True), ("2023-10-07", True), ("2024-02-18", True), ("2025-05-05", False), ("2025-05-06", True),
    ("2026-01-01", False), ("2026-01-03", False), ("2026-01-04", True), ("2026-02-01", False), ("2026-02-23", False),
    ("2026-02-24", True), ("2026-11-15", False), ("2026-11-16", True), ("2026-10-09", True), ("2026-10-10", True),
    ("2026-08-28", True),
]  # fmt: skip


def test_there_are_enough_cases():
    assert len(CASES) >= 20


@pytest.mark.parametrize(("day", "working"), PREMISES)
def test_the_premises_hold_in_chinesecalendar(day, working):
    assert chinese_calendar.is_workday(D(day)) is working


@pytest.mark.parametrize(("start", "n", "unit", "counted", "rest", "expected", "provisional", "why"), CASES)
def test_a_period_ends_where_the_law_says(start, n, unit, counted, rest, expected, provisional, why):
    calendar = WorkingCalendar(counted)
    rest_days = WorkingCalendar(rest) if rest else None
    answer = period_end(D(start), n, unit, calendar=calendar, rest_days=rest_days)
    assert (answer.date.isoformat(), answer.provisional) == (expected, provisional), why
    assert statutory_period_end(D(start), n, unit, counted, rest).date.isoformat() == expected  # with overrides


def test_a_working_day_count_agrees_with_chinesecalendars_own():
    assert len(chinese_calendar.get_workdays(D("2026-03-03"), D("2026-04-28"))) == 40
    assert len(chinese_calendar.get_workdays(D("2026-09-29"), D("2026-10-16"))) == 10


def test_an_override_moves_a_last_day():
    from core.models import CalendarOverride

    CalendarOverride.objects.create(calendar=CN, date=D("2024-06-17"), is_working_day=False, name="a local closure")
    assert statutory_period_end(D("2023-06-15"), 1, YEARS, CAL, CN).date == D("2024-06-18")


@pytest.mark.parametrize(("start", "months", "expected"), [
    ("2024-02-29", 12, "2025-02-28"), ("2024-02-29", 48, "2028-02-29"), ("2026-12-31", 2, "2027-02-28"),
    ("2026-10-31", -1, "2026-09-30"), ("2026-01-15", 0, "2026-01-15"),
])  # fmt: skip
def test_corresponding_days(start, months, expected):
    assert corresponding_day(D(start), months) == D(expected)
