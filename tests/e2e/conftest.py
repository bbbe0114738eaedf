"""Browser tests: pytest-playwright driving Debian's Chromium (``playwright install`` cannot work here).

Without Chromium the browser tests fail with a message saying how to get it (``make test`` installs it); they
never skip. A failing test leaves a screenshot under ``test-results/`` (``--screenshot only-on-failure``).
"""

import io
import os
import shutil

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD

# Playwright's sync API keeps an event loop running in the main thread; the ORM must be allowed beside it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test`, which installs it")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "en-US",
        "accept_downloads": True,
        "viewport": {"width": 1280, "height": 900},
    }


@pytest.fixture
def demo(transactional_db):
    # A transactional test's flush recreates content types under new ids; drop the cached old ones.
    ContentType.objects.clear_cache()
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def log_in(live_server, page):
    def log_in_as(username: str, password: str = DEMO_PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()

    return log_in_as
