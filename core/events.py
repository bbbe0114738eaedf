"""Named business events.

A lower app's service that must tell the world (webhooks, reminders, notifications) calls
``emit("client.status_changed", ...)``; a higher app subscribes in its ``AppConfig.ready`` with
``subscribe(name, handler)``. Explicit calls, not model signals, so a reader of the service sees the event.

Two kinds of subscriber:

* ``subscribe(name, handler)`` — runs after the surrounding transaction commits, so a rolled-back write tells
  nobody (e.g. work that only needs to happen once the change is visible);
* ``subscribe(name, handler, in_transaction=True)`` — runs at once, inside the transaction of the change. Use it
  to *record* what must go out (in-app notifications, webhook deliveries): the record commits with the change or
  not at all, so a crash or a broker outage right after the commit loses nothing — the database is the outbox.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)

Handler = Callable[..., Any]
_after_commit: dict[str, list[Handler]] = defaultdict(list)
_in_transaction: dict[str, list[Handler]] = defaultdict(list)

ALL_EVENTS = "*"


def _registry(in_transaction: bool) -> dict[str, list[Handler]]:
    return _in_transaction if in_transaction else _after_commit


def subscribe(event: str, handler: Handler, *, in_transaction: bool = False) -> None:
    handlers = _registry(in_transaction)[event]
    if handler not in handlers:
        handlers.append(handler)


def unsubscribe(event: str, handler: Handler, *, in_transaction: bool = False) -> None:
    handlers = _registry(in_transaction)[event]
    if handler in handlers:
        handlers.remove(handler)


def _handlers(registry: dict[str, list[Handler]], event: str) -> list[Handler]:
    return list(registry[event]) + list(registry[ALL_EVENTS])


def emit(event: str, **payload: Any) -> None:
    """Hand ``payload`` to the in-transaction subscribers of ``event`` now, and to the others once the current
    transaction commits."""
    for handler in _handlers(_in_transaction, event):
        handler(event=event, **payload)

    def deliver() -> None:
        for handler in _handlers(_after_commit, event):
            handler(event=event, **payload)

    transaction.on_commit(deliver, robust=True)
