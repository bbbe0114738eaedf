"""The product's one clock: "today" is the local date, the suite runs on a frozen instant, processes started by
tests share it through ``TEST_NOW``, and ruff refuses any other source of "now"."""

import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from core import clock
from tests.utils import child_clock_env

ROOT = Path(__file__).resolve().parents[2]


def test_today_is_the_local_date_not_the_utc_one(frozen_clock):
    frozen_clock.move_to(datetime.fromisoformat("2026-12-31T23:59:00+00:00"))
    assert clock.now().date() == date(2026, 12, 31)
    assert clock.today() == date(2027, 1, 1)  # already 2027 in Shanghai


def test_a_process_started_by_a_test_shares_the_tests_instant(frozen_clock):
    frozen_clock.move_to(datetime.fromisoformat("2027-02-16T02:00:00+00:00"))
    code = "import django; django.setup(); from core import clock; print(clock.now().isoformat(), clock.today())"
    env = {"DJANGO_SETTINGS_MODULE": "cdmo_portal.settings", "PATH": "/usr/bin:/bin", **child_clock_env()}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    instant, today = out.stdout.split()
    assert today == "2027-02-16"
    elapsed = (datetime.fromisoformat(instant) - clock.now()).total_seconds()
    assert abs(elapsed) < 30  # started one after the other, the two clocks agree


@pytest.mark.parametrize(
    "line",
    [
        "timezone.now()",
        "timezone.localdate()",
        "date.today()",
        "datetime.now()",
    ],
)
def test_ruff_refuses_another_source_of_now(line):
    source = f"from datetime import date, datetime\n\nfrom django.utils import timezone\n\nVALUE = {line}\n"
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "ruff"), "check", "--select", "TID251", "--stdin-filename", "projects/x.py",
         "-"],
        cwd=ROOT, input=source, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert "TID251" in result.stdout and "core.clock" in result.stdout
