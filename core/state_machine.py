"""A small state-machine helper that every status field uses.

Transitions are declared once, as a mapping from each state to the states it may move to::

    CLIENT_STATUS = StateMachine({"prospect": {"active"}, "active": {"inactive"}, "inactive": {"active"}})

``machine.check(current, to)`` raises ``TransitionNotAllowed`` (HTTP 409, naming the allowed targets);
``core.services.record_transition`` checks, writes, bumps the version and audits the change in one step.
"""

from collections.abc import Iterable, Mapping

from .exceptions import TransitionNotAllowed


class StateMachine:
    def __init__(self, transitions: Mapping[str, Iterable[str]], *, field: str = "status"):
        self.field = field
        self.transitions = {state: frozenset(targets) for state, targets in transitions.items()}
        unknown = set().union(*self.transitions.values()) - set(self.transitions)
        if unknown:
            raise ValueError(f"transition targets without a declared state: {sorted(unknown)}")

    @property
    def states(self) -> frozenset[str]:
        return frozenset(self.transitions)

    def allowed(self, current: str) -> list[str]:
        return sorted(self.transitions.get(current, ()))

    def can(self, current: str, to: str) -> bool:
        return to in self.transitions.get(current, ())

    def check(self, current: str, to: str) -> None:
        if not self.can(current, to):
            raise TransitionNotAllowed(current=current, requested=to, allowed=self.allowed(current))
