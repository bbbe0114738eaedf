"""Review-clock arithmetic: what an event does to a clock, and what a clock reads on a given day.

The conventions are the calendar module's: a clock started on S has consumed ``between(S, D)`` units on day D
(the start day itself is day 0). A pause freezes what was consumed; a resume continues from there; a restart
opens a new round with a fresh budget (NMPA after supplements); a stop ends the round. ``due_on`` is the day
the budget runs out, ``warn_on`` the day 20 % or less of it is left; both are null unless the clock runs.
"""

import math
from dataclasses import dataclass
from datetime import date

from core.calendars import WorkingCalendar, period_end
from core.choices import PeriodUnit

from .choices import ClockAction, ClockState
from .models import ReviewClock

AT_RISK_SHARE = 0.2

# action → (states it may be taken from, state it leads to)
CLOCK_ACTIONS = {
    ClockAction.START: ({ClockState.NOT_STARTED}, ClockState.RUNNING),
    ClockAction.PAUSE: ({ClockState.RUNNING}, ClockState.PAUSED),
    ClockAction.RESUME: ({ClockState.PAUSED}, ClockState.RUNNING),
    ClockAction.RESTART: ({ClockState.STOPPED, ClockState.PAUSED, ClockState.EXPIRED}, ClockState.RUNNING),
    ClockAction.STOP: ({ClockState.RUNNING, ClockState.PAUSED, ClockState.EXPIRED}, ClockState.STOPPED),
}


def allowed_actions(state: str) -> list[str]:
    return sorted(action for action, (sources, _target) in CLOCK_ACTIONS.items() if state in sources)


def apply_event(
    clock: ReviewClock, action: str, on: date, calendar: WorkingCalendar, rest_days: WorkingCalendar | None = None
) -> None:
    """Update the clock's stored fields for ``action`` taken on ``on`` (the caller checked it is allowed).
    ``calendar`` is the clock's unit's; ``rest_days`` the calendar of ``clock.rest_days`` (when it has one)."""
    if action == ClockAction.START:
        clock.round, clock.round_budget, clock.consumed_before = 1, _round_budget(clock, clock.budget, on, calendar), 0
        clock.running_since = on
    elif action == ClockAction.RESTART:
        clock.round += 1
        clock.round_budget = _round_budget(clock, clock.restart_budget or clock.budget, on, calendar)
        clock.consumed_before, clock.running_since = 0, on
    elif action == ClockAction.RESUME:
        clock.running_since = on
    elif action in (ClockAction.PAUSE, ClockAction.STOP):
        if clock.running_since is not None:
            used = calendar.between(clock.running_since, on).days
            clock.consumed_before = min(clock.round_budget, clock.consumed_before + max(used, 0))
        clock.running_since = None
    clock.state = CLOCK_ACTIONS[action][1]
    clock.expired_on = None if clock.state == ClockState.RUNNING else clock.expired_on
    _plan(clock, calendar, rest_days)


def _round_budget(clock: ReviewClock, budget: int, on: date, calendar: WorkingCalendar) -> int:
    """A round's budget in units of the clock's calendar: the budget itself, or for a period in months or years the
    units up to its corresponding day (one year from 2024-02-29 is 365 days, from 2015-03-02 366)."""
    if clock.period == PeriodUnit.DAYS:
        return budget
    return calendar.between(on, period_end(on, budget, clock.period, calendar=calendar).date).days


def _plan(clock: ReviewClock, calendar: WorkingCalendar, rest_days: WorkingCalendar | None = None) -> None:
    if clock.state != ClockState.RUNNING:
        clock.due_on = clock.warn_on = None
        clock.provisional = False
        return
    remaining = clock.round_budget - clock.consumed_before
    due = period_end(clock.running_since, remaining, PeriodUnit.DAYS, calendar=calendar, rest_days=rest_days)
    consumed_at_warning = math.ceil(clock.round_budget * (1 - AT_RISK_SHARE))
    warn = calendar.add(clock.running_since, max(consumed_at_warning - clock.consumed_before, 0))
    clock.due_on, clock.warn_on = due.date, warn.date
    clock.provisional = due.provisional


@dataclass(frozen=True)
class ClockReading:
    consumed: int
    remaining: int
    due_on: date | None
    provisional: bool
    expired: bool
    overdue_days: int = 0  # how many days past its due date (0 while it has days left)


def read_clock(clock: ReviewClock, today: date, calendar: WorkingCalendar) -> ClockReading:
    """What the clock shows on ``today``."""
    consumed = clock.consumed_before
    if clock.state in (ClockState.RUNNING, ClockState.EXPIRED) and clock.running_since is not None:
        consumed += max(calendar.between(clock.running_since, today).days, 0)  # an expired one ran out: all used
    consumed = min(consumed, clock.round_budget)
    expired = clock.state == ClockState.EXPIRED or (
        clock.state == ClockState.RUNNING and clock.due_on is not None and clock.due_on < today
    )
    overdue = (today - clock.due_on).days if expired and clock.due_on is not None else 0
    return ClockReading(
        consumed=consumed,
        remaining=clock.round_budget - consumed,
        due_on=clock.due_on,
        provisional=clock.provisional,
        expired=expired,
        overdue_days=max(overdue, 0),
    )
