"""The Celery app is wired to the configured broker: a real worker on Redis answers a ping."""

import pytest
from celery.contrib.testing.worker import start_worker

from cdmo_portal.celery import app


@pytest.mark.redis
def test_worker_on_redis_answers_ping(require_redis, settings):
    assert app.conf.broker_url.startswith("redis://")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        replies = app.control.ping(timeout=5)
    assert replies, "no worker answered"
    assert all("ok" in reply for answer in replies for reply in answer.values())
