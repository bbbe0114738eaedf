"""Suite-wide fixtures. The suite runs on PostgreSQL and Redis (``make test`` brings them up). A test that needs
a service that does not answer fails with a message saying so — never a skip; under ``REQUIRE_SERVICES=1`` (CI)
the run stops at once when one is missing."""

import os
from datetime import datetime

import pytest
import time_machine
from django.conf import settings
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from tests.factories import ClientFactory, ClientUserFactory, StaffUserFactory

# Property tests are derandomized (the same cases every run). `make mutate` runs them with fewer cases
# (--hypothesis-profile=mutation): a mutant is usually caught by the first few, and the survivors pay for all.
hypothesis_settings.register_profile("suite", max_examples=300, deadline=None, derandomize=True)
hypothesis_settings.register_profile("mutation", max_examples=30, deadline=None, derandomize=True)
hypothesis_settings.load_profile("suite")

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"

# The instant every test starts at (``TEST_NOW=… make test`` picks another). The default is chosen so that the UTC
# date (2026-11-23) and the local date in Shanghai (2026-11-24) differ: a test that mixes them fails every time.
# It is taken out of this process's environment — here time-machine moves the clock, and a test may travel — and
# handed to the processes tests start (worker, gunicorn, beat) through ``tests.utils.child_clock_env()``.
SUITE_NOW = datetime.fromisoformat(os.environ.pop("TEST_NOW", "2026-11-23T17:30:00Z").replace("Z", "+00:00"))


@pytest.fixture(autouse=True, scope="session")
def _calendar_years_computed_afresh():
    """The year tables are cached per process. A session forked from a warm one (``make mutate``) must compute
    them again with the code it tests, not inherit its parent's answers."""
    from core import calendars

    for cached in (calendars._cn_package_year, calendars._cn_estimated_year, calendars._us_federal_year):
        cached.cache_clear()


@pytest.fixture(autouse=True)
def frozen_clock():
    """Every test runs at ``SUITE_NOW``; the clock ticks on from there (``tick=True``), so a loop waiting for a
    deadline still ends. ``frozen_clock.move_to(...)`` travels."""
    with time_machine.travel(SUITE_NOW, tick=True) as traveller:
        yield traveller


def redis_answers() -> bool:
    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis://"):
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def pytest_sessionstart(session):
    if not REQUIRE_SERVICES:
        return
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        pytest.exit(f"REQUIRE_SERVICES=1 but the database is {engine}, not PostgreSQL", returncode=1)
    if not redis_answers():
        pytest.exit(f"REQUIRE_SERVICES=1 but Redis does not answer at {settings.CELERY_BROKER_URL}", returncode=1)


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    """The throttles count in the shared cache (``core.throttles``): every test starts with none used."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def require_redis():
    if not redis_answers():
        pytest.fail(f"Redis does not answer at {settings.CELERY_BROKER_URL}: run `make test`, which starts it")


@pytest.fixture
def require_postgres(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.fail("this test needs PostgreSQL: run `make test`, which starts it and sets DATABASE_URL")


@pytest.fixture
def api():
    """An API client; ``api.as_user(user)`` authenticates it (``None`` stays anonymous)."""

    class Api(APIClient):
        def as_user(self, user):
            self.force_authenticate(user=user)
            return self

    return Api()


@pytest.fixture
def client_a(db):
    return ClientFactory(code="ALPHA")


@pytest.fixture
def client_b(db):
    return ClientFactory(code="BRAVO")


@pytest.fixture
def user_a(client_a):
    return ClientUserFactory(client=client_a, username="user_a")


@pytest.fixture
def user_b(client_b):
    return ClientUserFactory(client=client_b, username="user_b")


@pytest.fixture
def pm(db):
    return StaffUserFactory(roles=["project_manager"], username="pm1")


@pytest.fixture
def regulatory(db):
    return StaffUserFactory(roles=["regulatory"], username="ra1")


@pytest.fixture
def admin_user(db):
    return StaffUserFactory(roles=["admin"], username="admin1")
