"""Dates through the dependency graph: each milestone starts when its latest predecessor is due (plus the lag,
in the successor's own calendar) and is due ``duration`` units later in its calendar."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from core.calendars import CalendarBook


class CycleError(ValueError):
    pass


@dataclass(frozen=True)
class Node:
    key: object
    duration: int
    calendar: str
    predecessors: tuple[tuple[object, int], ...]  # (key, lag)


@dataclass(frozen=True)
class Planned:
    planned_start: date
    due_date: date
    provisional: bool


def topological_order(nodes: Mapping[object, Node]) -> list[object]:
    """Predecessors first; a cycle (or a predecessor that does not exist) raises ``CycleError``."""
    order, state = [], {}

    def visit(key, path):
        if state.get(key) == "done":
            return
        if state.get(key) == "visiting":
            raise CycleError(" → ".join(str(k) for k in [*path, key]))
        if key not in nodes:
            raise CycleError(f"unknown predecessor {key}")
        state[key] = "visiting"
        for predecessor, _lag in nodes[key].predecessors:
            visit(predecessor, [*path, key])
        state[key] = "done"
        order.append(key)

    for key in nodes:
        visit(key, [])
    return order


def plan(
    nodes: Mapping[object, Node], start: date, book: CalendarBook, fixed: Mapping[object, date] | None = None
) -> dict[object, Planned]:
    """Plan every node from ``start``; ``fixed`` due dates (done milestones, dates set by hand, milestones a
    reschedule must not move) are kept as they are and only feed their successors."""
    fixed = fixed or {}
    planned: dict[object, Planned] = {}
    for key in topological_order(nodes):
        node = nodes[key]
        calendar = book[node.calendar]
        anchor, provisional = start, False
        if node.predecessors:
            afters = [(calendar.add(planned[p].due_date, lag), planned[p].provisional) for p, lag in node.predecessors]
            anchor = max(after.date for after, _ in afters)
            provisional = any(after.provisional or earlier for after, earlier in afters)
        if key in fixed:
            planned[key] = Planned(anchor, fixed[key], provisional)
            continue
        due = calendar.add(anchor, node.duration)
        planned[key] = Planned(anchor, due.date, provisional or due.provisional)
    return planned


def descendants(nodes: Mapping[object, Node], root: object) -> set[object]:
    """Every node downstream of ``root`` (not ``root`` itself)."""
    children: dict[object, list[object]] = {}
    for key, node in nodes.items():
        for predecessor, _lag in node.predecessors:
            children.setdefault(predecessor, []).append(key)
    found, stack = set(), list(children.get(root, ()))
    while stack:
        key = stack.pop()
        if key not in found:
            found.add(key)
            stack.extend(children.get(key, ()))
    return found


def nodes_from(items: Iterable[tuple[object, int, str]], links: Iterable[tuple[object, object, int]]) -> dict:
    """Build nodes from (key, duration, calendar) and (predecessor, successor, lag) rows."""
    predecessors: dict[object, list[tuple[object, int]]] = {}
    for predecessor, successor, lag in links:
        predecessors.setdefault(successor, []).append((predecessor, lag))
    return {key: Node(key, duration, calendar, tuple(predecessors.get(key, ()))) for key, duration, calendar in items}
