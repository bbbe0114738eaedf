"""Clock arithmetic (``milestones/clocks.py``) on its own: what each event does to the stored fields, and what a
clock reads on a given day — consumed, remaining, due, expired — in working days and in FDA (calendar) days."""

from datetime import date, timedelta

import pytest

from core.calendars import CalendarBook
from milestones.clocks import AT_RISK_SHARE, allowed_actions, apply_event, read_clock
from milestones.models import ReviewClock

pytestmark = pytest.mark.django_db

START = date(2026, 3, 2)


def fda_clock(budget=90, restart_budget=None) -> ReviewClock:
    return ReviewClock(kind="authority_review", budget=budget, unit="calendar_days", restart_budget=restart_budget,
                       round_budget=budget)  # fmt: skip


@pytest.fixture
def days():
    return CalendarBook()["calendar_days"]


def test_a_start_opens_round_one_with_the_whole_budget(days):
    clock = fda_clock()
    apply_event(clock, "start", START, days)
    assert (clock.state, clock.round, clock.round_budget, clock.consumed_before) == ("running", 1, 90, 0)
    assert (clock.running_since, clock.due_on) == (START, START + timedelta(days=90))
    assert clock.warn_on == START + timedelta(days=72) and AT_RISK_SHARE == 0.2
    assert clock.provisional is False and clock.expired_on is None


def test_a_pause_freezes_what_was_used_and_a_resume_continues(days):
    clock = fda_clock()
    apply_event(clock, "start", START, days)
    apply_event(clock, "pause", START + timedelta(days=45), days)
    assert (clock.state, clock.consumed_before, clock.running_since) == ("paused", 45, None)
    assert (clock.due_on, clock.warn_on, clock.provisional) == (None, None, False)
    resumed_on = date(2026, 7, 25)
    apply_event(clock, "resume", resumed_on, days)
    assert (clock.state, clock.consumed_before, clock.running_since) == ("running", 45, resumed_on)
    assert clock.due_on == date(2026, 9, 8)  # 45 days left from the answer
    assert clock.warn_on == resumed_on + timedelta(days=72 - 45)


def test_a_restart_opens_a_new_round_with_the_restart_budget(days):
    clock = fda_clock(budget=90, restart_budget=60)
    apply_event(clock, "start", START, days)
    apply_event(clock, "stop", START + timedelta(days=30), days)
    assert (clock.state, clock.consumed_before) == ("stopped", 30)
    again = date(2026, 6, 1)
    apply_event(clock, "restart", again, days)
    assert (clock.round, clock.round_budget, clock.consumed_before) == (2, 60, 0)
    assert (clock.state, clock.due_on) == ("running", again + timedelta(days=60))


def test_a_restart_without_a_restart_budget_takes_the_budget_again(days):
    clock = fda_clock(budget=90)
    apply_event(clock, "start", START, days)
    apply_event(clock, "stop", START + timedelta(days=10), days)
    apply_event(clock, "restart", START + timedelta(days=20), days)
    assert clock.round_budget == 90 and clock.due_on == START + timedelta(days=110)


def test_what_was_used_never_exceeds_the_budget_nor_goes_negative(days):
    clock = fda_clock(budget=90)
    apply_event(clock, "start", START, days)
    apply_event(clock, "pause", START + timedelta(days=200), days)
    assert clock.consumed_before == 90
    late = fda_clock(budget=90)
    apply_event(late, "start", START, days)
    apply_event(late, "pause", START - timedelta(days=3), days)  # dated before the start: nothing used
    assert late.consumed_before == 0


def test_an_expired_clock_that_runs_again_loses_its_expiry(days):
    clock = fda_clock()
    apply_event(clock, "start", START, days)
    clock.state, clock.expired_on = "expired", START + timedelta(days=91)
    apply_event(clock, "stop", START + timedelta(days=95), days)
    assert clock.expired_on == START + timedelta(days=91)  # kept: the record of when it ran out
    apply_event(clock, "restart", START + timedelta(days=100), days)
    assert clock.expired_on is None


@pytest.mark.parametrize(
    ("on", "consumed", "remaining", "expired"),
    [(START, 0, 90, False), (START + timedelta(days=1), 1, 89, False), (START + timedelta(days=90), 90, 0, False),
     (START + timedelta(days=91), 90, 0, True), (START - timedelta(days=5), 0, 90, False)],
)  # fmt: skip
def test_what_a_running_clock_reads_on_a_day(days, on, consumed, remaining, expired):
    clock = fda_clock()
    apply_event(clock, "start", START, days)
    reading = read_clock(clock, on, days)
    assert (reading.consumed, reading.remaining, reading.due_on, reading.expired) == (
        consumed, remaining, START + timedelta(days=90), expired)  # fmt: skip
    assert reading.provisional is False


def test_what_a_paused_or_expired_clock_reads(days):
    clock = fda_clock()
    apply_event(clock, "start", START, days)
    apply_event(clock, "pause", START + timedelta(days=45), days)
    reading = read_clock(clock, START + timedelta(days=300), days)
    assert (reading.consumed, reading.remaining, reading.due_on, reading.expired) == (45, 45, None, False)
    clock.state = "expired"
    assert read_clock(clock, START, days).expired is True
    assert read_clock(clock, START, days).consumed == 45  # paused when it was marked: nothing ran since


def test_a_working_day_clock_counts_working_days_and_is_provisional_beyond_the_published_years():
    cn = CalendarBook()["cn_workdays"]
    clock = ReviewClock(kind="authority_review", budget=60, unit="cn_workdays", round_budget=60)
    apply_event(clock, "start", date(2026, 10, 8), cn)
    assert (clock.due_on, clock.provisional) == (date(2026, 12, 30), False)
    reading = read_clock(clock, date(2026, 10, 9), cn)
    assert (reading.consumed, reading.remaining) == (1, 59)
    late = ReviewClock(kind="authority_review", budget=60, unit="cn_workdays", round_budget=60)
    apply_event(late, "start", date(2026, 12, 1), cn)
    assert late.provisional is True  # runs into 2027, not published yet


@pytest.mark.parametrize(
    ("state", "actions"),
    [("not_started", ["start"]), ("running", ["pause", "stop"]), ("paused", ["restart", "resume", "stop"]),
     ("stopped", ["restart"]), ("expired", ["restart", "stop"])],
)  # fmt: skip
def test_allowed_actions_by_state(state, actions):
    assert allowed_actions(state) == actions


def test_a_resumed_clock_reads_what_it_used_before_and_since(days):
    clock = fda_clock()
    apply_event(clock, "start", START, days)
    apply_event(clock, "pause", START + timedelta(days=45), days)
    resumed_on = date(2026, 7, 25)
    apply_event(clock, "resume", resumed_on, days)
    reading = read_clock(clock, resumed_on + timedelta(days=10), days)
    assert (reading.consumed, reading.remaining) == (55, 35)


def test_a_clock_resumed_past_its_warning_point_is_at_risk_from_the_resume(days):
    clock = fda_clock()
    apply_event(clock, "start", START, days)
    apply_event(clock, "pause", START + timedelta(days=80), days)  # 10 of 90 left: past the 20 % mark
    resumed_on = date(2026, 9, 1)
    apply_event(clock, "resume", resumed_on, days)
    assert (clock.warn_on, clock.due_on) == (resumed_on, resumed_on + timedelta(days=10))


def test_an_expired_clock_reads_its_whole_budget_used(days):
    """The sweep marks a running clock expired without a stop event: it still reads as run out, not as fresh."""
    clock = fda_clock()
    apply_event(clock, "start", START, days)
    clock.state, clock.expired_on = "expired", START + timedelta(days=91)
    reading = read_clock(clock, START + timedelta(days=120), days)
    assert (reading.consumed, reading.remaining, reading.expired) == (90, 0, True)
