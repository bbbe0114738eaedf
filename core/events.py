"""Named business events.

A lower app's service that must tell the world (webhooks, reminders, notifications) calls
``emit("client.status_changed", ...)``; a higher app subscribes in its ``AppConfig.ready`` with
``subscribe(name, handler)``. Explicit calls, not model signals, so a reader of the service sees the event.
Handlers run after the surrounding transaction commits, so a rolled-back write tells nobody.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)

Handler = Callable[..., Any]
_subscribers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(event: str, handler: Handler) -> None:
    if handler not in _subscribers[event]:
        _subscribers[event].append(handler)


def unsubscribe(event: str, handler: Handler) -> None:
    if handler in _subscribers[event]:
        _subscribers[event].remove(handler)


def emit(event: str, **payload: Any) -> None:
    """Deliver ``payload`` to every subscriber of ``event`` once the current transaction commits."""

    def deliver() -> None:
        for handler in list(_subscribers[event]) + list(_subscribers["*"]):
            handler(event=event, **payload)

    transaction.on_commit(deliver, robust=True)
