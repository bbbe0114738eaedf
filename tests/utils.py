"""Helpers shared by the API tests."""

from typing import Any

VOLATILE_KEYS = {"created_at", "updated_at", "at"}


def pinned(data: Any) -> Any:
    """Replace timestamps by a marker so a whole response can be compared with a pinned literal."""
    if isinstance(data, dict):
        return {k: "<datetime>" if k in VOLATILE_KEYS and v else pinned(v) for k, v in data.items()}
    if isinstance(data, list):
        return [pinned(v) for v in data]
    return data


def all_keys(data: Any) -> set[str]:
    """Every key at any depth of a JSON document."""
    if isinstance(data, dict):
        return set(data) | {k for v in data.values() for k in all_keys(v)}
    if isinstance(data, list):
        return {k for v in data for k in all_keys(v)}
    return set()


def child_clock_env() -> dict[str, str]:
    """The environment entry that puts a child process's ``core.clock`` at this test's current instant (the
    processes tests start cannot be patched by time-machine; ``core.clock`` reads ``TEST_NOW`` instead)."""
    from time_machine import escape_hatch

    from core import clock

    real = escape_hatch.time.time()  # the real Unix time, also while time-machine travels
    return {"TEST_NOW": clock.test_now_value(clock.now(), real)}
