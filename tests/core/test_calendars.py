"""Working-day arithmetic against the official Chinese calendar (with make-up days), US federal holidays and
calendar days; database overrides; the provisional flag beyond the published horizon."""

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.calendars import WorkingCalendar, add_working_days, is_working_day, working_days_between
from core.models import CalendarOverride

pytestmark = pytest.mark.django_db

CN = "cn_workdays"


@pytest.mark.parametrize(("day", "working"), [(date(2025, 1, 26), True), (date(2025, 2, 8), True)])
def test_2025_make_up_days_are_working_days(day, working):
    assert day.weekday() >= 5  # a Sunday and a Saturday
    assert is_working_day(day, CN) == (working, False)


def test_2025_spring_festival_is_off():
    day = date(2025, 1, 28)
    while day <= date(2025, 2, 4):
        assert is_working_day(day, CN) == (False, False), day
        day += timedelta(days=1)


def test_sixty_working_days_after_2025_03_03():
    assert add_working_days(date(2025, 3, 3), 60, CN).date == date(2025, 5, 29)


def test_ten_working_days_after_a_receipt_on_2026_09_28():
    # Counting starts the next day; the National Day week and its make-up Saturday 10 October are respected.
    answer = add_working_days(date(2026, 9, 28), 10, CN)
    assert (answer.date, answer.provisional) == (date(2026, 10, 16), False)


def test_zero_and_negative_counts():
    assert add_working_days(date(2026, 10, 16), 0, CN).date == date(2026, 10, 16)
    assert add_working_days(date(2026, 10, 16), -10, CN).date == date(2026, 9, 28)
    assert working_days_between(date(2026, 10, 16), date(2026, 9, 28), CN).days == -10


def test_a_2027_date_is_provisional():
    assert is_working_day(date(2027, 3, 1), CN) == (True, True)  # a Monday, answered but flagged
    assert add_working_days(date(2026, 12, 20), 10, CN).provisional
    assert not add_working_days(date(2026, 11, 2), 10, CN).provisional


def test_an_override_refines_an_unpublished_year_but_every_answer_stays_provisional():
    """The dates issue: one override used to make the whole year count as published, turning the estimated
    Spring Festival into working days and dropping the provisional flag."""
    monday = date(2027, 3, 1)
    assert is_working_day(monday, CN) == (True, True)
    before = add_working_days(date(2027, 1, 4), 60, CN)
    CalendarOverride.objects.create(calendar=CN, date=monday, is_working_day=False, name="test closure")
    assert is_working_day(monday, CN) == (False, True)
    assert is_working_day(date(2027, 3, 2), CN) == (True, True)
    after = add_working_days(date(2027, 1, 4), 60, CN)
    assert after.provisional and after.date > before.date  # the estimate is kept, refined by the closure


def test_an_override_corrects_a_known_year_too():
    day = date(2026, 11, 23)
    assert is_working_day(day, CN) == (True, False)
    CalendarOverride.objects.create(calendar=CN, date=day, is_working_day=False)
    assert is_working_day(day, CN) == (False, False)


def test_us_federal_working_days_skip_weekends_and_holidays():
    # 2026-11-26 is Thanksgiving; 10 federal working days after Friday 2026-11-20 is 2026-12-07.
    assert is_working_day(date(2026, 11, 26), "us_federal_workdays") == (False, False)
    assert add_working_days(date(2026, 11, 20), 10, "us_federal_workdays").date == date(2026, 12, 7)


def test_calendar_days_count_every_day():
    assert add_working_days(date(2026, 12, 30), 90, "calendar_days").date == date(2027, 3, 30)
    assert working_days_between(date(2026, 1, 1), date(2026, 3, 1), "calendar_days").days == 59


def test_unknown_calendar_is_refused():
    with pytest.raises(ValueError, match="unknown calendar"):
        WorkingCalendar("moon_days")


LAST_PUBLISHED = date(2026, 12, 31)  # chinesecalendar 1.11 knows 2004–2026


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # 300 derandomized cases: tests/conftest.py
@given(data=st.data())
def test_add_and_between_agree_with_each_other_and_with_chinesecalendar(data):
    """Derandomized (the same cases every run: tests/conftest.py) and never vacuous: ``n`` is drawn so that the
    answer stays inside the published years, where the package is the reference."""
    start = data.draw(st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 12, 1)), label="start")
    window_end = min(LAST_PUBLISHED, start + timedelta(days=600))  # 400 working days fit in 600 days
    published_after = len(chinese_calendar.get_workdays(start + timedelta(days=1), window_end))
    n = data.draw(st.integers(0, min(400, published_after)), label="n")
    calendar = WorkingCalendar(CN)  # no overrides: the package alone
    answer = calendar.add(start, n)
    assert answer.date <= LAST_PUBLISHED and not answer.provisional
    assert calendar.between(start, answer.date).days == n
    if n:
        workdays = chinese_calendar.get_workdays(start + timedelta(days=1), answer.date)
        assert len(workdays) == n
        assert workdays[-1] == answer.date
    else:
        assert answer.date == start


class LookupCounter:
    """Counts the calendar's per-day answers (``WorkingCalendar.day``) and the bisections in a year's exceptions
    (``_Year.net``) while the test runs."""

    def __init__(self, monkeypatch):
        from core import calendars

        self.days = self.spans = 0
        original_day, original_net = calendars.WorkingCalendar.day, calendars._Year.net

        def day(calendar, *args):
            self.days += 1
            return original_day(calendar, *args)

        def net(year, *args):
            self.spans += 1
            return original_net(year, *args)

        monkeypatch.setattr(calendars.WorkingCalendar, "day", day)
        monkeypatch.setattr(calendars._Year, "net", net)


@pytest.mark.parametrize("kind", [CN, "us_federal_workdays"])
def test_a_century_costs_what_its_years_cost_not_its_days(monkeypatch, kind):
    """The denial of service of the safety issue: one request counted ~2.9 million days one by one. Counting over
    2000–2100 (36,890 days) now costs one bisection per year, and stepping that far a few per year."""
    counter = LookupCounter(monkeypatch)
    calendar = WorkingCalendar(kind)
    count = calendar.between(date(2000, 1, 1), date(2100, 12, 31))
    assert 24_000 < count.days < 26_500
    assert counter.days == 0
    assert counter.spans == 101
    counter.spans = 0
    end = calendar.add(date(2000, 1, 1), count.days).date
    assert counter.days == 0
    assert counter.spans < 101 + 20  # one count per year crossed, then a bisection inside the last year
    assert date(2100, 12, 20) < end <= date(2100, 12, 31)
    assert calendar.between(date(2000, 1, 1), end).days == count.days
    assert calendar.between(date(2000, 1, 1), end - timedelta(days=1)).days == count.days - 1
    counter.spans = 0
    back = calendar.add(date(2101, 1, 1), -count.days).date
    assert counter.days == 0
    assert counter.spans < 101 + 20
    assert date(2000, 1, 1) <= back < date(2000, 1, 10)
    assert calendar.between(back - timedelta(days=1), date(2100, 12, 31)).days == count.days


def test_date_arithmetic_past_year_9999_is_refused_not_overflowed():
    from core.exceptions import DateOutOfRange

    for kind in (CN, "us_federal_workdays", "calendar_days"):
        with pytest.raises(DateOutOfRange):
            WorkingCalendar(kind).add(date(9999, 12, 1), 90)
        with pytest.raises(DateOutOfRange):
            WorkingCalendar(kind).add(date(1, 1, 5), -90)


def test_the_published_horizon_runs_through_declared_years_without_a_gap():
    from core.calendars import published_horizon
    from core.models import PublishedCalendarYear

    known = max(chinese_calendar.holidays).year
    assert published_horizon() == known
    PublishedCalendarYear.objects.create(calendar=CN, year=known + 2)  # a gap: not yet reachable
    assert published_horizon() == known
    PublishedCalendarYear.objects.create(calendar=CN, year=known + 1)
    assert published_horizon() == known + 2
    assert published_horizon("us_federal_workdays") == date.max.year


# --- Backwards, spans and the horizon (each test kills mutants `make mutate` found alive) ------------------------
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_counting_back_agrees_with_chinesecalendar(data):
    """N working days *before* a date, across years, inside the published ones: the n-th working day counting
    back, final (not provisional), and ``between`` gives -n back."""
    start = data.draw(st.dates(min_value=date(2005, 2, 1), max_value=date(2026, 12, 31)), label="start")
    window_start = max(date(2004, 1, 1), start - timedelta(days=600))
    workdays_before = chinese_calendar.get_workdays(window_start, start - timedelta(days=1))
    n = data.draw(st.integers(1, min(400, len(workdays_before))), label="n")
    answer = WorkingCalendar(CN).add(start, -n)
    assert answer.date == workdays_before[-n] and not answer.provisional
    day = timedelta(days=1)  # (A, B] counts: the n working days are [answer, start)
    assert WorkingCalendar(CN).between(answer.date - day, start - day).days == n


def test_counting_back_from_an_estimated_year_is_provisional():
    calendar = WorkingCalendar(CN)
    assert calendar.add(date(2027, 6, 1), -10).provisional  # ends in 2027: estimated
    assert calendar.add(date(2027, 1, 20), -30).provisional  # ends in 2026, counted through 2027
    assert not calendar.add(date(2026, 12, 31), -30).provisional
    assert calendar.add(date(2026, 6, 1), -700).date == chinese_calendar.get_workdays(
        date(2023, 1, 1), date(2026, 5, 31))[-700]  # fmt: skip


def test_the_module_functions_load_the_overrides_of_every_year_they_cross():
    """``add_working_days`` loads only the years it needs: an override just across the year boundary, forwards and
    backwards, still counts."""
    forwards = add_working_days(date(2026, 12, 24), 10, CN).date
    CalendarOverride.objects.create(calendar=CN, date=date(2027, 1, 5), is_working_day=False, name="test closure")
    moved = add_working_days(date(2026, 12, 24), 10, CN).date
    assert moved == WorkingCalendar.load(CN).add(date(2026, 12, 24), 10).date and moved > forwards
    backwards = add_working_days(date(2027, 1, 12), -10, CN).date
    CalendarOverride.objects.create(calendar=CN, date=date(2026, 12, 29), is_working_day=False, name="test closure")
    moved = add_working_days(date(2027, 1, 12), -10, CN).date
    assert moved == WorkingCalendar.load(CN).add(date(2027, 1, 12), -10).date and moved < backwards
    assert working_days_between(date(2026, 12, 24), date(2027, 1, 12), CN).days == (
        WorkingCalendar.load(CN).between(date(2026, 12, 24), date(2027, 1, 12)).days)  # fmt: skip


def test_every_day_is_a_working_day_in_calendar_days():
    assert is_working_day(date(2026, 10, 1), "calendar_days") == (True, False)
    assert WorkingCalendar("calendar_days").day(date(2027, 2, 6)) == (True, False)


def test_a_gap_in_the_declared_years_stops_the_horizon():
    from core.calendars import published_horizon
    from core.models import PublishedCalendarYear

    assert published_horizon() == 2026
    PublishedCalendarYear.objects.create(calendar=CN, year=2028)
    assert published_horizon() == 2026  # 2027 missing: 2028 does not count yet
    PublishedCalendarYear.objects.create(calendar=CN, year=2027)
    assert published_horizon() == 2028
    PublishedCalendarYear.objects.filter(year=2028).delete()
    assert published_horizon() == 2027
    assert published_horizon("us_federal_workdays") == date.max.year


def test_answers_say_false_not_merely_falsy_when_final():
    calendar = WorkingCalendar(CN)
    assert calendar.add(date(2026, 3, 2), 0).provisional is False
    assert calendar.between(date(2026, 3, 2), date(2026, 6, 1)).provisional is False
    assert calendar.between(date(2026, 6, 1), date(2026, 3, 2)).provisional is False
    assert WorkingCalendar("calendar_days").between(date(2026, 1, 1), date(2027, 6, 1)).provisional is False
    empty = calendar.between(date(2027, 3, 1), date(2027, 3, 1))
    assert (empty.days, empty.provisional) == (0, False)  # nothing counted: nothing guessed


def test_a_reversed_count_through_an_estimated_year_is_provisional():
    calendar = WorkingCalendar(CN)
    assert calendar.between(date(2027, 3, 1), date(2026, 12, 1)).provisional is True
    assert calendar.between(date(2026, 12, 1), date(2027, 3, 1)).provisional is True


def test_a_long_count_forwards_into_an_estimated_year_is_provisional():
    assert WorkingCalendar(CN).add(date(2026, 1, 5), 300).provisional is True  # runs into 2027
    assert WorkingCalendar(CN).add(date(2025, 1, 6), 300).provisional is False  # ends in 2026


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (date(2004, 6, 1), date(2026, 6, 1)),
        (date(2010, 12, 31), date(2011, 1, 3)),
        (date(2019, 12, 31), date(2024, 12, 31)),
        (date(2005, 2, 3), date(2005, 2, 3)),
        (date(2010, 12, 31), date(2010, 12, 31)),  # an empty span at a year's end touches no year at all
    ],
)
def test_counts_over_many_years_agree_with_chinesecalendar(a, b):
    expected = len(chinese_calendar.get_workdays(a + timedelta(days=1), b)) if b > a else 0
    answer = WorkingCalendar(CN).between(a, b)
    assert (answer.days, answer.provisional) == (expected, False)
    assert WorkingCalendar(CN).between(b, a).days == -expected


# --- Year walking: each test kills a mutant of `make mutate`'s last run -------------------------------------------
def test_counting_at_the_first_and_last_representable_years():
    """Stepping over years must not reach for a year beyond the one it needs: near year 1 or 9999 that year does
    not exist."""
    us = WorkingCalendar("us_federal_workdays")
    assert us.add(date(9999, 6, 4), 1).date == date(9999, 6, 7)  # a Friday, then Monday
    assert us.add(date(2, 3, 1), -5).date == date(2, 2, 22)
    assert us.between(date(1, 12, 31), date(2, 1, 31)).days == 23  # no federal holidays before 1789


def test_a_count_that_crosses_into_a_published_year_stays_provisional_when_it_began_in_an_estimated_one():
    """2027 is estimated, 2028 declared complete: a count through both is provisional, though the day found is
    in the final year — and a count through two final years is final (``False``, not ``None``)."""
    calendar = WorkingCalendar(CN, published_years=frozenset({2028}))
    forwards = calendar.add(date(2027, 12, 1), 40)
    assert forwards.date.year == 2028 and forwards.provisional is True
    backwards = calendar.add(date(2028, 1, 4), -2)  # Monday 3 January 2028, then Friday 31 December 2027
    assert (backwards.date, backwards.provisional) == (date(2027, 12, 31), True)
    assert calendar.add(date(2028, 1, 4), -1) == calendar.add(date(2028, 1, 3), 0)
    assert calendar.add(date(2028, 1, 4), -1).provisional is False
    us = WorkingCalendar("us_federal_workdays").add(date(2026, 12, 1), 30)
    assert (us.date.year, us.provisional) == (2027, False)


def test_counting_back_can_land_on_the_first_day_of_a_year():
    """New Year's Day made a working day by an override: the first working day counting back from the next
    Monday is that Friday, not the day after it."""
    us = WorkingCalendar("us_federal_workdays", overrides={date(2027, 1, 1): True})
    assert us.add(date(2027, 1, 4), -1) == us.add(date(2027, 1, 1), 0)
    assert us.between(date(2026, 12, 31), date(2027, 1, 4)).days == 2


def test_an_estimated_year_has_its_estimated_holidays_and_an_override_can_open_one():
    assert is_working_day(date(2027, 10, 1), CN) == (False, True)  # National Day, from the estimate
    assert is_working_day(date(2026, 10, 1), CN) == (False, False)
    CalendarOverride.objects.create(calendar=CN, date=date(2026, 10, 1), is_working_day=True, name="test opening")
    assert is_working_day(date(2026, 10, 1), CN) == (True, False)
