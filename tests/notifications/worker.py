"""Test harness for the acceptance tests that need separate processes: a Celery worker started as its own
process over Redis against the test database, and an SMTP sink (aiosmtpd) whose accepted messages the test
reads while the worker runs."""

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from tests.utils import child_clock_env

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def child_env(**extra) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url(), "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
           **child_clock_env()}  # fmt: skip
    env.pop("EMAIL_FILE_PATH", None)
    env.update({key: str(value) for key, value in extra.items()})
    return env


def purge_broker() -> None:
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def reset_broker_connections() -> None:
    """Drop this process's pooled broker connections (after the test restarted Redis): new ones are made."""
    from kombu import pools

    from cdmo_portal.celery import app

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


class Sink:
    """An SMTP server on 127.0.0.1 that accepts every message after ``delay`` seconds and keeps it."""

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.messages: list[Message] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    @property
    def email_url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def reminder_ids(self) -> list[int]:
        return [int(pk) for message in self.messages for pk in message["X-CDMO-Reminders"].split(",")]


class Worker:
    """``celery worker --pool=solo`` in its own process (one task at a time: one e-mail in flight at most)."""

    def __init__(self, **env):
        self.name = f"test-{uuid.uuid4().hex[:8]}@localhost"
        self.env = child_env(**env)
        self.process: subprocess.Popen | None = None

    def spawn(self) -> "Worker":
        """Start the process without waiting (a worker on ``filesystem://`` answers no broadcast ping)."""
        self.process = subprocess.Popen(
            [CELERY, "-A", "cdmo_portal", "worker", "--pool=solo", "--loglevel=WARNING", "-n", self.name,
             "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=self.env,
        )  # fmt: skip
        return self

    def start(self, timeout: float = 60) -> "Worker":
        from cdmo_portal.celery import app

        self.spawn()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited with {self.process.returncode}")
            if app.control.ping(destination=[self.name], timeout=0.5):
                return self
        raise RuntimeError("the worker did not answer a ping")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()  # SIGKILL: no clean-up, no acknowledgement
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def manage(*args, **env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=child_env(**env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip


def wait_until(condition, timeout: float = 60, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()
