"""The product's one clock: every "now" and "today" comes from here (ruff's TID251 bans the alternatives).

- ``now()`` is the current instant (aware, UTC);
- ``today()`` is the local date in ``TIME_ZONE`` — the day a statutory deadline is counted in, which is not the
  UTC date for eight hours of every day in Shanghai.

Tests freeze time with time-machine, which this module follows like any other code. A process that tests start
(a Celery worker, gunicorn, beat) cannot be patched from outside, so it reads ``TEST_NOW`` from its environment:
``2026-11-23T17:30:00Z`` starts its clock at that instant when the value is first read;
``2026-11-23T17:30:00Z@1764500000.5`` says the instant was current at that real Unix time, so processes started
one after the other share one clock however long each takes to start. The clock runs on in both forms. Never set
it in production.
"""

import os
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from django.utils import timezone


@lru_cache(maxsize=4)
def _offset(value: str) -> timedelta:
    """How far ``TEST_NOW`` puts this process's clock from the real one."""
    text, _, real = value.partition("@")
    instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if timezone.is_naive(instant):
        instant = instant.replace(tzinfo=UTC)
    at = datetime.fromtimestamp(float(real), tz=UTC) if real else timezone.now()
    return instant - at


def now() -> datetime:
    """The current instant, aware, in UTC."""
    fixed = os.environ.get("TEST_NOW")
    if fixed:
        return timezone.now() + _offset(fixed)
    return timezone.now()


def test_now_value(instant: datetime, real_unix_time: float) -> str:
    """The ``TEST_NOW`` value saying that ``instant`` is current at ``real_unix_time``."""
    return f"{instant.isoformat()}@{real_unix_time:.6f}"


def today() -> date:
    """The local date in ``TIME_ZONE``."""
    return timezone.localdate(now())
