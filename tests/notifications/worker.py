"""Test harness for the acceptance tests that need separate processes: a Celery worker started as its own
process over Redis against the test database, and an SMTP sink (aiosmtpd) whose accepted messages the test
reads while the worker runs."""

import asyncio
import os
import socket
import subprocess
import sys
import threading
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


class PrivateRedis:
    """A ``redis-server`` of the test's own on a free port: a test that needs the broker down stops this one and
    never the Redis that ``scripts/services.sh`` started (other clients of it stay connected)."""

    def __init__(self):
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def answers(self) -> bool:
        try:
            return bool(redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def start(self) -> "PrivateRedis":
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        if not wait_until(self.answers, timeout=15):
            raise RuntimeError("the private redis-server did not answer")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)

    def __enter__(self) -> "PrivateRedis":
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class Sink:
    """An SMTP server on 127.0.0.1 that keeps every message it accepts. ``hold_after`` accepted messages, the next
    one waits in DATA until ``release()``: a test can act while exactly that message is in flight."""

    def __init__(self, hold_after: int | None = None):
        self.hold_after = hold_after
        self.held = threading.Event()  # set once a message is waiting
        self._release = threading.Event()
        self.messages: list[Message] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        if self.hold_after is not None and len(self.messages) >= self.hold_after and not self._release.is_set():
            self.held.set()
            while not self._release.is_set():
                await asyncio.sleep(0.05)
            return "451 Try again later"  # the held message is never accepted: its sender died meanwhile
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def release(self) -> None:
        self._release.set()

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self._release.set()
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

    def idle(self) -> bool:
        """Nothing queued, reserved or running: no further e-mail or webhook can come from this worker. (A solo
        worker busy with a task answers no inspection, so it is not idle until the task ends.)"""
        from cdmo_portal.celery import app

        if redis.Redis.from_url(settings.CELERY_BROKER_URL).llen("celery"):
            return False
        inspect = app.control.inspect(destination=[self.name], timeout=1)
        active, reserved, scheduled = inspect.active(), inspect.reserved(), inspect.scheduled()
        if not active or reserved is None or scheduled is None:
            return False
        return not any(active.values()) and not any(reserved.values()) and not any(scheduled.values())

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
