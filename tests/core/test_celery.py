"""The Celery app is wired to the configured broker: a real worker on Redis answers a ping."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from cdmo_portal.celery import app


def wait_for_ping(hostname: str, timeout: float = 30) -> list:
    """The embedded worker answers once its consumer is up — seconds on a loaded machine — so ask until then."""
    deadline = time.monotonic() + timeout
    replies = []
    while not replies and time.monotonic() < deadline:
        replies = app.control.ping(destination=[hostname], timeout=1)
    return replies


@pytest.mark.redis
def test_worker_on_redis_answers_ping(require_redis, settings):
    assert app.conf.broker_url.startswith("redis://")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        replies = wait_for_ping(worker.hostname)
    assert replies, "no worker answered"
    assert all("ok" in reply for answer in replies for reply in answer.values())
